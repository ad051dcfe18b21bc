"""The aiohttp server: Bot API routing, envelopes, faults, and the control routes."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import re
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from ..common import CallLog, SandboxServer
from .bot_api import METHODS
from .control import ControlApi
from .errors import ApiError, retry_after
from .limits import FaultInjector, FaultRule
from .params import Params, read_params
from .registry import Answer
from .world import World

logger = logging.getLogger(__name__)

# A token Telegram would recognise as a bot's: `<bot id>:<secret>`.
_ACCEPTED_TOKEN = re.compile(r"(\d+):([A-Za-z0-9_-]{10,})")
_MAX_TOKEN_LENGTH = 80


def bot_id_from_token(token: str) -> int:
    """The bot id in a token, or the 401 the reference server gives (PROTOCOLS.md A1)."""
    prefix, colon, _ = token.partition(":")
    malformed = (
        not colon or token.startswith("0") or len(token) > _MAX_TOKEN_LENGTH or not prefix.isdigit()
    )
    if malformed:
        raise ApiError(401, "invalid token specified")
    if _ACCEPTED_TOKEN.fullmatch(token) is None:
        raise ApiError(401, None)  # well-formed, but no such bot
    return int(prefix)


class TelegramSandbox(SandboxServer):
    """A local Telegram Bot API server with the control API of SANDBOX.md.

    `strict_limits` turns on Telegram's flood limits; `clock` gives message dates
    and drives the limits; `seed` seeds fault injection.
    """

    def __init__(
        self,
        strict_limits: bool = False,
        clock: Callable[[], float] = time.time,
        seed: int | None = None,
        bot_name: str = "Steward Sandbox Bot",
    ):
        super().__init__()
        self.world = World(clock, bot_name, strict_limits)
        self.faults = FaultInjector(seed)
        self.log = CallLog(clock=clock)
        self._closing = asyncio.Event()
        control = ControlApi(self.world, self.faults, self.log, self.reset)
        router = self.app.router
        router.add_routes(control.routes())
        router.add_route("*", "/bot{token}/{method}", self._bot_api)
        router.add_route("*", "/bot{token}/test/{method}", self._bot_api)
        router.add_route("*", "/{tail:.*}", self._not_found)

    @property
    def strict_limits(self) -> bool:
        return self.world.strict_limits

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._closing.clear()
        return await super().start(host, port)

    async def stop(self) -> None:
        # Answer parked long polls and held `timeout` faults now, so shutdown is quick.
        self._closing.set()
        self.world.queue.release()
        await super().stop()

    def reset(self) -> None:
        """Empty all state: chats, users, updates, call log, faults, limits, webhook."""
        old_queue = self.world.queue
        old_queue.clear()
        old_queue.release()
        self.world.reset()
        self.faults.clear()
        self.log.clear()

    # ------------------------------------------------------------ Bot API

    async def _bot_api(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["method"]
        try:
            bot_id = bot_id_from_token(request.match_info["token"])
        except ApiError as exc:
            self.log.record(name, {}, False, exc.code)
            return self._json(exc.envelope(), exc.code)
        entry = METHODS.get(name.lower())
        if entry is None:
            self.log.record(name, {}, False, 404)
            return self._json(ApiError(404, "method not found").envelope(), 404)
        try:
            raw = await read_params(request)
        except ApiError as exc:
            self.log.record(entry.name, {}, False, exc.code)
            return self._json(exc.envelope(), exc.code)
        self.world.bind_token(bot_id)
        fault = self.faults.pick(entry.name)
        if fault is None:
            body, status = await self._call(entry.handler, raw)
            self.log.record(entry.name, raw, body["ok"], None if body["ok"] else status)
            return self._json(body, status)
        if fault.kind in ("429", "500"):
            error = retry_after(fault.retry_after) if fault.kind == "429" else ApiError(500, None)
            self.log.record(entry.name, raw, False, error.code, {"fault": fault.kind})
            return self._json(error.envelope(), error.code)
        response = None
        if fault.acts:
            body, status = await self._call(entry.handler, raw)
            self.log.record(
                entry.name, raw, body["ok"], None if body["ok"] else status, {"fault": fault.kind}
            )
            response = self._json(body, status)
        else:
            self.log.record(entry.name, raw, False, None, {"fault": fault.kind})
        return await self._lose_answer(request, fault, response)

    async def _call(self, handler: Any, raw: dict[str, Any]) -> tuple[dict[str, Any], int]:
        try:
            result = handler(self.world, Params(raw))
            if inspect.isawaitable(result):
                result = await result
        except ApiError as exc:
            return exc.envelope(), exc.code
        except Exception as exc:  # a sandbox bug must still answer JSON, never an HTML 500
            logger.exception("sandbox method failed")
            return ApiError(500, f"sandbox error: {exc}").envelope(), 500
        if isinstance(result, Answer):
            return {"ok": True, "result": result.result, "description": result.description}, 200
        return {"ok": True, "result": result}, 200

    async def _lose_answer(
        self, request: web.Request, fault: FaultRule, response: web.Response | None
    ) -> web.StreamResponse:
        """`timeout` holds the answer; `drop_connection` closes without answering.

        A `timeout` whose request "never arrived" (`act: false`) has no answer to give
        after the delay, so it ends by closing the connection too.
        """
        if fault.kind == "timeout":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), fault.delay)
            if response is not None:
                return response
        if request.transport is not None:
            request.transport.close()
        return web.Response()  # never reaches the client: the connection is gone

    @staticmethod
    def _json(body: dict[str, Any], status: int) -> web.Response:
        headers = {}
        retry = (body.get("parameters") or {}).get("retry_after")
        if status == 429 and retry is not None:
            headers["Retry-After"] = str(retry)
        return web.json_response(body, status=status, headers=headers)

    async def _not_found(self, request: web.Request) -> web.Response:
        return self._json(ApiError(404, None).envelope(), 404)
