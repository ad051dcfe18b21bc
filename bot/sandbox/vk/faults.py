"""Injected failures: `POST /sandbox/faults` rules and queued long-poll `failed` answers."""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

FaultKind = Literal["api_error", "drop_connection", "timeout"]

# How long a "timeout" fault holds the answer unless the body says otherwise.
DEFAULT_TIMEOUT_DELAY = 30.0


@dataclass
class FaultRule:
    """One injected fault: which method, what goes wrong, how often, how many times."""

    method: str  # a method name or "*"
    kind: FaultKind
    rate: float
    rng: random.Random
    error_code: int = 0
    count: int | None = None  # None = unlimited
    delay: float = DEFAULT_TIMEOUT_DELAY

    def matches(self, method: str, *, inner: bool) -> bool:
        # Inside `execute` only rules naming the method act, so "*" fails the whole call once.
        if inner:
            return self.method == method
        return self.method in ("*", method)

    def roll(self) -> bool:
        """Whether the fault fires this time; firing uses one of `count`."""
        if self.count is not None and self.count <= 0:
            return False
        if self.rng.random() >= self.rate:
            return False
        if self.count is not None:
            self.count -= 1
        return True


def _number(spec: dict[str, Any], name: str, default: float) -> float:
    value = spec.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"`{name}` must be a number")
    return float(value)


@dataclass
class FaultBook:
    """All active fault rules plus queued long-poll failures; seeded for repeatable tests."""

    seed: int = 0
    rules: list[FaultRule] = field(default_factory=list)
    longpoll_failures: deque[int] = field(default_factory=deque)

    def __post_init__(self) -> None:
        self._seeds = random.Random(self.seed)

    def add(self, spec: dict[str, Any]) -> FaultRule:
        """Register a fault from its control-API body; raises ValueError on a bad body."""
        method = spec.get("method")
        if not isinstance(method, str) or not method:
            raise ValueError('`method` (a method name or "*") is required')
        kind = spec.get("kind", "api_error")
        if kind not in ("api_error", "drop_connection", "timeout"):
            raise ValueError("`kind` must be api_error, drop_connection or timeout")
        error_code = spec.get("error_code", 0)
        if kind == "api_error" and (not isinstance(error_code, int) or error_code <= 0):
            raise ValueError("an API-error fault needs a positive integer `error_code`")
        rate = _number(spec, "rate", 1.0)
        if not 0.0 <= rate <= 1.0:
            raise ValueError("`rate` must be between 0 and 1")
        count = spec.get("count")
        if count is not None and (not isinstance(count, int) or count < 0):
            raise ValueError("`count` must be a non-negative integer")
        seed = spec.get("seed")
        if seed is None:
            seed = self._seeds.randrange(2**32)
        rule = FaultRule(
            method=method,
            kind=kind,
            rate=rate,
            rng=random.Random(seed),
            error_code=error_code if kind == "api_error" else 0,
            count=count,
            delay=_number(spec, "delay", DEFAULT_TIMEOUT_DELAY),
        )
        self.rules.append(rule)
        return rule

    def fire(
        self,
        method: str,
        kinds: tuple[FaultKind, ...],
        *,
        inner: bool = False,
        skip_codes: tuple[int, ...] = (),
    ) -> FaultRule | None:
        """The first matching rule of one of `kinds` that fires for this call, if any."""
        for rule in self.rules:
            if rule.kind not in kinds or rule.error_code in skip_codes:
                continue
            if rule.matches(method, inner=inner) and rule.roll():
                return rule
        return None

    def clear(self) -> None:
        self.rules.clear()
        self.longpoll_failures.clear()
