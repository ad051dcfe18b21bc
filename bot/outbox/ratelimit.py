"""Sliding-window rate limits (pure: the caller passes the time)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass
class SlidingWindow:
    """At most `limit` events in any `period` seconds, per key."""

    limit: int
    period: float
    _events: dict[str, deque[float]] = field(default_factory=dict)

    def wait(self, key: str, now: float) -> float:
        """Seconds until one more event for `key` fits (0 = now)."""
        events = self._events.get(key)
        if not events:
            return 0.0
        while events and events[0] <= now - self.period:
            events.popleft()
        if len(events) < self.limit:
            return 0.0
        return events[0] + self.period - now

    def record(self, key: str, now: float) -> None:
        self._events.setdefault(key, deque()).append(now)

    def forget_idle(self, now: float) -> None:
        """Drop keys with no event inside the window, so memory stays bounded."""
        for key in [k for k, v in self._events.items() if not v or v[-1] <= now - self.period]:
            del self._events[key]


@dataclass
class CombinedLimit:
    """Several windows that must all allow an event (e.g. per chat and overall)."""

    windows: list[tuple[SlidingWindow, str]]

    def wait(self, now: float) -> float:
        return max((window.wait(key, now) for window, key in self.windows), default=0.0)

    def record(self, now: float) -> None:
        for window, key in self.windows:
            window.record(key, now)
