"""Rate limits under `--strict-limits`, and injected faults.

Strict limits follow Telegram's Bot FAQ: more than one message a second to one
private chat, twenty a minute to one group or channel, or thirty a second in all
answer 429 with the honest number of seconds until the fullest bucket frees.

Faults (`POST /sandbox/faults`) are drawn with a seeded `random.Random`, so a test
that sets `seed` sees the same sequence every run. `429` and `500` fire before the
method acts, so nothing happens; `timeout` and `drop_connection` fire after it acts,
which is how a lost answer looks to a client (the action happened, no reply arrived).
With `"act": false` they model a request lost on the way in instead: nothing happens.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import ControlError

FAULT_KINDS = ("429", "500", "timeout", "drop_connection")
MAX_TIMEOUT_DELAY = 30.0  # a `timeout` fault holds the answer at most this long


@dataclass(frozen=True)
class _Bucket:
    limit: int
    window: float


_PRIVATE_CHAT = _Bucket(limit=1, window=1.0)
_GROUP_CHAT = _Bucket(limit=20, window=60.0)
_ALL_CHATS = _Bucket(limit=30, window=1.0)


class SendLimiter:
    """Sliding-window counters of messages sent, per chat and overall."""

    def __init__(self, clock: Callable[[], float]):
        self._clock = clock
        self._sent: dict[Any, deque[float]] = {}

    def admit(self, chat_id: int, chat_type: str) -> int | None:
        """Record a send and return None, or return the retry_after seconds and record nothing."""
        now = self._clock()
        chat_bucket = _PRIVATE_CHAT if chat_type == "private" else _GROUP_CHAT
        checks = [(("chat", chat_id), chat_bucket), ("all", _ALL_CHATS)]
        wait = 0.0
        for key, bucket in checks:
            times = self._window(key, bucket, now)
            if len(times) >= bucket.limit:
                # The send may go once the oldest send in the window has aged out.
                wait = max(wait, times[-bucket.limit] + bucket.window - now)
        if wait > 0:
            return max(1, math.ceil(wait))
        for key, _ in checks:
            self._sent.setdefault(key, deque()).append(now)
        return None

    def _window(self, key: Any, bucket: _Bucket, now: float) -> deque[float]:
        times = self._sent.setdefault(key, deque())
        while times and times[0] <= now - bucket.window:
            times.popleft()
        return times

    def clear(self) -> None:
        self._sent.clear()


@dataclass
class FaultRule:
    """One `POST /sandbox/faults` entry."""

    method: str  # lower-cased method name, or "*"
    kind: str
    rate: float
    count: int | None  # fires at most this many times; None = unlimited
    retry_after: int
    delay: float  # `timeout`: how long the answer is held
    acts: bool  # `timeout`/`drop_connection`: whether the method acts before the answer is lost

    def matches(self, method: str) -> bool:
        return self.method == "*" or self.method == method.lower()


class FaultInjector:
    """Decides, per call, whether an injected fault fires."""

    def __init__(self, seed: int | None = None):
        self.rules: list[FaultRule] = []
        self.rng = random.Random(seed)

    def add(self, body: dict[str, Any]) -> FaultRule:
        """Validate a control body and add its rule; `seed` reseeds the generator."""
        kind = str(body.get("kind", ""))
        if kind not in FAULT_KINDS:
            raise ControlError(400, f"kind must be one of {', '.join(FAULT_KINDS)}")
        method = str(body.get("method") or "").strip()
        if not method:
            raise ControlError(400, 'method is required (a Bot API method name or "*")')
        try:
            rate = float(body.get("rate", 1.0))
            count = None if body.get("count") is None else int(body["count"])
            retry_after = int(body.get("retry_after", 1))
            delay = float(body.get("delay", MAX_TIMEOUT_DELAY))
        except (TypeError, ValueError) as exc:
            raise ControlError(400, "rate, count, retry_after and delay must be numbers") from exc
        if not 0.0 <= rate <= 1.0:
            raise ControlError(400, "rate must be between 0 and 1")
        if count is not None and count < 1:
            raise ControlError(400, "count must be at least 1")
        if "seed" in body:
            self.rng.seed(body["seed"])
        rule = FaultRule(
            method=method.lower(),
            kind=kind,
            rate=rate,
            count=count,
            retry_after=max(1, retry_after),
            delay=min(max(delay, 0.0), MAX_TIMEOUT_DELAY),
            acts=kind in ("timeout", "drop_connection") and bool(body.get("act", True)),
        )
        self.rules.append(rule)
        return rule

    def pick(self, method: str) -> FaultRule | None:
        """The first matching rule whose dice roll fires; spends one of its `count`."""
        for rule in self.rules:
            if not rule.matches(method) or self.rng.random() >= rule.rate:
                continue
            if rule.count is not None:
                rule.count -= 1
                if rule.count == 0:
                    self.rules.remove(rule)
            return rule
        return None

    def clear(self) -> None:
        self.rules.clear()
