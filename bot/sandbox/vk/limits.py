"""`--strict-limits`: VK's per-token request rate, answered with error 6 when exceeded."""

from __future__ import annotations

from collections import deque


class RateWindow:
    """`--strict-limits`: at most `limit` calls per token in any `window`-second span."""

    def __init__(self, limit: int = 20, window: float = 1.0) -> None:
        self.limit = limit
        self.window = window
        self._calls: dict[str, deque[float]] = {}

    def allow(self, token: str, now: float) -> bool:
        """Count a call at `now` if it fits; refused calls are not counted."""
        calls = self._calls.setdefault(token, deque())
        while calls and calls[0] <= now - self.window:
            calls.popleft()
        if len(calls) >= self.limit:
            return False
        calls.append(now)
        return True

    def clear(self) -> None:
        self._calls.clear()
