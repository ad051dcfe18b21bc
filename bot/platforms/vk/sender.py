"""Performing outbox items on VK through vk_api.

- Exactly once: `messages.send` gets a `random_id` and `*.createComment` /
  `wall.post` a `guid`, both derived from the idempotency key, so a retry after
  a lost answer is recognised by VK and not delivered twice.
- Rate: at most 20 calls a second per community token (3 per user token), kept
  here by waiting; calls that arrive together go out as one `execute` of up to
  25 (one call against the limit).
- Errors: 6/9/10 and network failures are retried with backoff; captcha (14) is
  an alert, never a loop; other errors are permanent and recorded as a sentence.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
import vk_api
from vk_api.exceptions import ApiError, ApiHttpError, Captcha

from bot.backoff import backoff_delay
from bot.outbox.outcome import Outcome
from bot.outbox.ratelimit import SlidingWindow
from bot.platforms.vk.actions import USER_TOKEN_METHODS
from models import OutboxItem

log = logging.getLogger(__name__)

RETRYABLE_CODES = {1, 6, 9, 10}
EXECUTE_LIMIT = 25
# What VK's codes mean for the person reading the failure.
MEANINGS = {
    5: "the VK token is invalid or expired",
    7: "VK denied permission for this action",
    15: "access denied: the token's user is not an admin of the community, or lacks the right",
    18: "the member's VK page was deleted or banned",
    27: "this VK method needs a community admin's user token (VK_USER_TOKEN)",
    100: "VK rejected a parameter",
    104: "VK could not find the object",
    210: "the wall post is not accessible",
    211: "the comment is not accessible",
    212: "the post's comments are not accessible",
    213: "comments are closed there",
    222: "links are not allowed there",
    900: "the member has blacklisted the community",
    901: "the member has not allowed messages from the community (they must write first)",
    902: "the member's privacy settings forbid the message",
    914: "the message is too long for VK",
}
ALREADY_DONE_CODES = {104}  # e.g. deleting a comment that is already gone
DELETE_LIKE = ("deleteComment", "delete", "restoreComment", "unban")


class VkCallError(Exception):
    """One call inside an `execute` failed (from `execute_errors`)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"[{code}] {message}")
        self.code = code
        self.message = message


def random_id_for(key: str) -> int:
    """A stable non-zero signed-31-bit `random_id` for an idempotency key."""
    value = int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") & 0x7FFFFFFF
    return value or 1


def guid_for(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def with_dedup_keys(method: str, params: dict[str, Any], key: str) -> dict[str, Any]:
    """Add VK's own duplicate protection derived from our idempotency key."""
    params = dict(params)
    if method == "messages.send":
        params.setdefault("random_id", random_id_for(key))
    elif method.endswith(".createComment") or method == "wall.post":
        params.setdefault("guid", guid_for(key))
    return params


def describe(code: int, message: str, method: str) -> str:
    meaning = MEANINGS.get(code)
    base = f"VK error {code} on {method}: {message}"
    return f"{meaning} ({base})" if meaning else base


@dataclass
class _Call:
    method: str
    params: dict[str, Any]
    future: asyncio.Future[Any]


@dataclass
class _Batcher:
    """Coalesces calls for one token into `execute` batches, within a call rate."""

    api: vk_api.VkApi
    window: SlidingWindow
    clock: Callable[[], float]
    batch_delay: float = 0.02
    pending: list[_Call] = field(default_factory=list)
    _scheduled: bool = False
    _flushes: set[asyncio.Task[None]] = field(default_factory=set)

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending.append(_Call(method, params, future))
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_later(self.batch_delay, self._start_flush)
        return await future

    def _start_flush(self) -> None:
        self._scheduled = False
        while self.pending:
            batch, self.pending = self.pending[:EXECUTE_LIMIT], self.pending[EXECUTE_LIMIT:]
            task = asyncio.ensure_future(self._flush(batch))
            self._flushes.add(task)
            task.add_done_callback(self._flushes.discard)

    async def _reserve(self) -> None:
        # A time-based wait, not an event: the window frees itself as time passes.
        while (wait := self.window.wait("token", self.clock())) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)
        self.window.record("token", self.clock())

    async def _flush(self, batch: list[_Call]) -> None:
        await self._reserve()
        try:
            if len(batch) == 1:
                only = batch[0]
                result = await asyncio.to_thread(self.api.method, only.method, only.params)
                _resolve(only.future, result)
                return
            code = (
                "return ["
                + ",".join(
                    f"API.{call.method}({json.dumps(call.params, ensure_ascii=False)})"
                    for call in batch
                )
                + "];"
            )
            raw = await asyncio.to_thread(self.api.method, "execute", {"code": code}, raw=True)
        except Exception as error:  # the whole call failed: every item shares the outcome
            for call in batch:
                _fail(call.future, error)
            return
        results = raw.get("response")
        errors = list(raw.get("execute_errors") or [])
        if not isinstance(results, list) or len(results) != len(batch):
            for call in batch:
                _fail(call.future, VkCallError(1, "malformed execute answer"))
            return
        for call, result in zip(batch, results, strict=True):
            if result is False:
                error = errors.pop(0) if errors else {}
                _fail(
                    call.future,
                    VkCallError(int(error.get("error_code", 1)), str(error.get("error_msg", ""))),
                )
            else:
                _resolve(call.future, result)


def _resolve(future: asyncio.Future[Any], value: Any) -> None:
    if not future.done():
        future.set_result(value)


def _fail(future: asyncio.Future[Any], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)


class VkTransport:
    """One VK community's way out, for the outbox worker."""

    platform = "vk"
    max_attempts = 12

    def __init__(
        self,
        group_id: int,
        group_api: vk_api.VkApi,
        user_api: vk_api.VkApi | None,
        *,
        group_rate: int = 20,
        user_rate: int = 3,
        seed: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.group_id = group_id
        self.account = str(group_id)
        self.rng = random.Random(seed)
        # A small margin keeps us under VK's window even when clocks differ slightly.
        self.group = _Batcher(group_api, SlidingWindow(group_rate, 1.1), clock)
        self.user = _Batcher(user_api, SlidingWindow(user_rate, 1.1), clock) if user_api else None

    def hold_back(self, item: OutboxItem, now: float) -> float:
        return 0.0  # the batchers wait for the rate limit themselves, per call

    async def send(self, item: OutboxItem) -> Outcome:
        method = item.method
        batcher = self.user if method in USER_TOKEN_METHODS else self.group
        if batcher is None:
            return Outcome.failed(
                f"VK_USER_TOKEN is not set for community {self.group_id}: VK accepts {method} "
                "only with a community admin's user token"
            )
        params = with_dedup_keys(method, item.params, item.idempotency_key)
        attempt = item.attempts + 1
        try:
            result = await batcher.call(method, params)
        except Captcha:
            log.error("VK asks for a captcha on %s for community %s", method, self.group_id)
            return Outcome.failed(
                f"VK asked for a captcha on {method} (error 14): too many similar actions; "
                "an admin should check the community in VK. Steward does not retry captchas."
            )
        except (ApiError, VkCallError) as error:
            code = int(getattr(error, "code", 1))
            message = (
                error.message
                if isinstance(error, VkCallError)
                else str(error.error.get("error_msg", ""))
            )
            if code == 14:
                return Outcome.failed(
                    f"VK asked for a captcha on {method} (error 14); Steward does not retry "
                    "captchas: an admin should check the community in VK"
                )
            if code in RETRYABLE_CODES:
                base = 1.0 if code == 6 else 3.0
                delay = backoff_delay(attempt, base=base, cap=120.0, rng=self.rng)
                return Outcome.retry(delay, describe(code, message, method))
            if code in ALREADY_DONE_CODES and method.endswith(DELETE_LIKE):
                return Outcome.sent({"already": describe(code, message, method)})
            return Outcome.failed(describe(code, message, method))
        except (ApiHttpError, requests.RequestException, ValueError) as error:
            delay = backoff_delay(attempt, base=1.0, cap=120.0, rng=self.rng)
            return Outcome.retry(delay, f"network: {type(error).__name__}: {error}"[:300])
        return Outcome.sent({"response": result})
