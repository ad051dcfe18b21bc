"""`VkSandbox`: the aiohttp server answering VK API calls and Bots Long Poll requests."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from aiohttp import web

from bot.sandbox.common import CallLog, SandboxServer
from bot.sandbox.vk import actions
from bot.sandbox.vk.control import add_control_routes
from bot.sandbox.vk.errors import ApiError
from bot.sandbox.vk.faults import FaultBook, FaultRule
from bot.sandbox.vk.limits import RateWindow
from bot.sandbox.vk.longpoll import EventStream, clamp_wait
from bot.sandbox.vk.methods import METHODS, CallContext, ExecuteResult
from bot.sandbox.vk.params import Params
from bot.sandbox.vk.state import Group, SandboxState

logger = logging.getLogger(__name__)

# VK sends UTF-8 text as is rather than \u escapes.
_dumps = functools.partial(json.dumps, ensure_ascii=False)

# How often the background task lets the clock act (postponed posts, expiring bans).
TICK_SECONDS = 0.2
# Per-token limit under strict limits, as VK applies to community tokens.
STRICT_CALLS_PER_SECOND = 20
# A 1x1 transparent GIF: the "captcha image" vk_api may download.
_CAPTCHA_GIF = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)
# VK reads parameters from these bodies; it does not accept JSON.
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Parameters that never go into logs or `request_params`.
_SECRET_PARAMS = ("access_token", "captcha_key")


async def read_params(request: web.Request) -> dict[str, str]:
    """Query string plus a form-encoded or multipart body; the body wins on conflicts.

    A key repeated within one source (requests encodes a Python list that way) is
    joined with commas, VK's list syntax.
    """
    values = _joined(request.query.items())
    if request.method == "POST" and request.content_type in _FORM_TYPES and request.body_exists:
        form = await request.post()
        fields = [
            (name, value if isinstance(value, str) else (value.filename or ""))
            for name, value in form.items()
        ]
        values.update(_joined(fields))
    return values


def _joined(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, value in pairs:
        values[name] = f"{values[name]},{value}" if name in values else value
    return values


def _request_token(request: web.Request, values: dict[str, str]) -> str:
    token = values.get("access_token", "")
    if not token:
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            token = header[7:].strip()
    return token


def _public(values: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in values.items() if name not in _SECRET_PARAMS}


def error_envelope(method: str, values: dict[str, str], error: ApiError) -> dict[str, Any]:
    """VK's error object: code, message, the request echoed back, and any extra fields."""
    echoed = [{"key": "method", "value": method}, {"key": "oauth", "value": "1"}]
    echoed += [{"key": name, "value": value} for name, value in _public(values).items()]
    body: dict[str, Any] = {
        "error_code": error.code,
        "error_msg": error.message,
        "request_params": echoed,
    }
    body.update(error.extra)
    return {"error": body}


class VkSandbox(SandboxServer):
    """An in-memory VK: API 5.199 methods, Bots Long Poll, and the `/sandbox/*` control API.

    `strict_limits` turns on error 6 past 20 calls a second per token; `clock` is the
    time the sandbox lives in (dates, postponed posts, bans, the rate window); `seed`
    makes fault rolls, keys and captcha ids repeatable.
    """

    def __init__(
        self,
        strict_limits: bool = False,
        clock: Callable[[], float] = time.time,
        seed: int = 0,
    ) -> None:
        super().__init__()
        self.strict_limits = strict_limits
        self.clock = clock
        self.seed = seed
        self.rng = random.Random(seed)
        self.state = SandboxState(clock)
        self.faults = FaultBook(seed=seed)
        self.limits = RateWindow(STRICT_CALLS_PER_SECOND, 1.0)
        self.log = CallLog(clock=clock)
        self.captcha_sids: set[str] = set()
        # `{"longpoll_malformed": …}` faults: the next a_check answers are garbage.
        self.malformed_answers: deque[str] = deque()
        self._stopping: asyncio.Event | None = None
        self._ticker: asyncio.Task[None] | None = None
        self.app.middlewares.append(self._tick_middleware)
        self.app.router.add_get("/sandbox/health", self._health)
        self.app.router.add_route("*", "/method/{name}", self._handle_method)
        self.app.router.add_route("*", "/lp/{group_id}", self._handle_long_poll)
        self.app.router.add_get("/captcha.php", self._handle_captcha)
        add_control_routes(self)

    # -- lifecycle -----------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Start serving and the clock ticker; returns the base URL."""
        self._stopping = asyncio.Event()
        try:
            base_url = await super().start(host, port)
        except OSError:
            await super().stop()  # do not leave a half-started runner behind
            raise
        self._ticker = asyncio.create_task(self._tick_forever())
        return base_url

    async def stop(self) -> None:
        """Stop serving; held long polls and delayed answers are released first.

        Otherwise aiohttp's shutdown would wait for them to finish on their own.
        """
        if self._stopping is not None:
            self._stopping.set()
        for group in self.state.groups.values():
            group.stream.wake()
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        await super().stop()

    def reset(self) -> None:
        """Forget everything: communities, users, events, faults, the log, rate windows."""
        old_groups = list(self.state.groups.values())
        self.state = SandboxState(self.clock)
        self.faults.clear()
        self.limits.clear()
        self.log.clear()
        self.captcha_sids.clear()
        self.malformed_answers.clear()
        for group in old_groups:
            group.stream.wake()

    def new_stream(self, group_id: int, event_version: str) -> EventStream:
        """An empty long-poll stream for a new community."""
        return EventStream(
            group_id, salt=f"{self.rng.getrandbits(64):016x}", event_version=event_version
        )

    def new_key(self) -> str:
        """A fresh long-poll key (seeded, so runs repeat)."""
        return f"{self.rng.getrandbits(160):040x}"

    @property
    def stopping(self) -> bool:
        return self._stopping is not None and self._stopping.is_set()

    def tick(self) -> None:
        """Let the injected clock act now."""
        actions.tick(self.state)

    async def _tick_forever(self) -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS)
            try:
                self.tick()
            except Exception:  # the ticker must survive a bad state to keep serving
                logger.exception("VK sandbox tick failed")

    @web.middleware
    async def _tick_middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        # Every request sees the clock's effects first, so tests with a fake clock need
        # no waiting: advance the clock, make any call, and the due post is there.
        self.tick()
        return await handler(request)

    async def _health(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def _handle_captcha(self, request: web.Request) -> web.Response:
        return web.Response(body=_CAPTCHA_GIF, content_type="image/gif")

    # -- API calls -----------------------------------------------------------------
    async def _handle_method(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        values = await read_params(request)
        token = _request_token(request, values)
        base_url = f"{request.scheme}://{request.host}"
        log_extra: dict[str, Any] = {}
        try:
            result = self._call(name, values, token, base_url)
        except ApiError as error:
            ok, error_code = False, error.code
            envelope = error_envelope(name, values, error)
            if error.injected:
                log_extra["fault"] = "api_error"
        else:
            ok, error_code = True, None
            envelope = {"response": result}
            if isinstance(result, ExecuteResult):
                envelope = {"response": result.response}
                if result.errors:
                    envelope["execute_errors"] = result.errors
        # Faults after the method acted: the caller never learns the outcome.
        rule = self.faults.fire(name, ("drop_connection", "timeout"))
        if rule is not None:
            log_extra["fault"] = rule.kind
        self.log.record(name, _public(values), ok, error_code, log_extra)
        if rule is not None:
            if rule.kind == "drop_connection":
                if request.transport is not None:
                    request.transport.close()
                return web.Response()
            await self._hold(rule.delay)
        return web.json_response(envelope, dumps=_dumps)

    async def _hold(self, seconds: float) -> None:
        if self._stopping is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    def _call(self, name: str, values: dict[str, str], token: str, base_url: str) -> Any:
        spec = METHODS.get(name)
        if spec is None:
            raise ApiError(3, name)
        version = values.get("v", "")
        if not version:
            raise ApiError(8, "v (version) is required")
        if not token:
            raise ApiError(5, "no access_token passed.")
        token_info = self.state.tokens.get(token)
        if token_info is None:
            raise ApiError(5, "invalid access_token (4).")
        if self.strict_limits and not self.limits.allow(token, self.clock()):
            raise ApiError(6)
        self._raise_injected(name, values, base_url, inner=False)
        if spec.user_only and token_info.kind == "group":
            raise ApiError(27)
        if spec.group_only and token_info.kind == "user":
            raise ApiError(15, "the sandbox serves this method to community tokens only")
        ctx = CallContext(
            state=self.state,
            token=token_info,
            version=version,
            base_url=base_url,
            new_key=self.new_key,
            run_inner=self._run_inner,
        )
        params = Params({k: v for k, v in values.items() if k not in ("access_token", "v")})
        return spec.handler(ctx, params)

    def _run_inner(self, ctx: CallContext, name: str, values: dict[str, str]) -> Any:
        """One API call inside `execute`: same token, its own faults, errors and log line."""
        try:
            spec = METHODS.get(name)
            if spec is None or name == "execute":
                raise ApiError(3, name)
            self._raise_injected(name, values, ctx.base_url, inner=True)
            if spec.user_only and ctx.is_group:
                raise ApiError(27)
            if spec.group_only and not ctx.is_group:
                raise ApiError(15, "the sandbox serves this method to community tokens only")
            result = spec.handler(ctx, Params(values))
        except ApiError as error:
            extra = {"via": "execute", **({"fault": "api_error"} if error.injected else {})}
            self.log.record(name, _public(values), False, error.code, extra)
            raise
        self.log.record(name, _public(values), True, None, {"via": "execute"})
        return result

    def _raise_injected(
        self, name: str, values: dict[str, str], base_url: str, *, inner: bool
    ) -> None:
        """An API-error fault fires before the method acts."""
        # A retry that answers a captcha we issued gets past captcha faults, as on VK.
        answered = values.get("captcha_sid", "") in self.captcha_sids and bool(
            values.get("captcha_key")
        )
        if answered:
            self.captcha_sids.discard(values["captcha_sid"])
        rule = self.faults.fire(
            name, ("api_error",), inner=inner, skip_codes=(14,) if answered else ()
        )
        if rule is not None:
            raise self._injected_error(rule, base_url)

    def _injected_error(self, rule: FaultRule, base_url: str) -> ApiError:
        error = ApiError(rule.error_code)
        if rule.error_code == 14:
            sid = str(self.rng.randrange(10**11, 10**12))
            self.captcha_sids.add(sid)
            image = f"{base_url}/captcha.php?sid={sid}&s=1"
            error = ApiError(14, extra={"captcha_sid": sid, "captcha_img": image})
        error.injected = True
        return error

    # -- Bots Long Poll ------------------------------------------------------------
    async def _handle_long_poll(self, request: web.Request) -> web.Response:
        values = await read_params(request)
        try:
            group_id = int(request.match_info["group_id"])
        except ValueError:
            raise web.HTTPNotFound() from None
        if values.get("act") != "a_check":
            return web.json_response({"error": "act must be a_check"}, status=400)
        group = self.state.groups.get(group_id)
        if group is None:
            return web.json_response({"failed": 2})
        if self.malformed_answers:
            kind = self.malformed_answers.popleft()
            if kind == "not_json":
                return web.Response(text="<html>502 Bad Gateway</html>", content_type="text/html")
            return web.json_response({"ts": str(group.stream.cursor)})  # no `updates`
        loop = asyncio.get_running_loop()
        deadline = loop.time() + clamp_wait(values.get("wait"))
        while True:
            answer, ts = self._poll_once(group, values)
            if answer is not None:
                return web.json_response(answer, dumps=_dumps)
            remaining = deadline - loop.time()
            if remaining <= 0 or self.stopping or self.state.groups.get(group_id) is not group:
                return web.json_response({"ts": str(ts), "updates": []}, dumps=_dumps)
            await group.stream.wait_after(ts, remaining)

    def _poll_once(self, group: Group, values: dict[str, str]) -> tuple[dict[str, Any] | None, int]:
        """(a failure or the pending updates, or None when there is nothing yet; the ts)."""
        stream = group.stream
        failure = stream.take_failure()
        if failure is None and self.faults.longpoll_failures:
            failure = stream.fail(self.faults.longpoll_failures.popleft())
        if failure is not None:
            return failure, 0
        failure, ts = stream.validate(values.get("key", ""), values.get("ts", ""))
        if failure is not None:
            return failure, 0
        updates, next_ts = stream.after(ts)
        if updates:
            return {"ts": str(next_ts), "updates": updates}, next_ts
        return None, ts
