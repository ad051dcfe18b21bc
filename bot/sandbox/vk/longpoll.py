"""Bots Long Poll: one event stream per community, its cursor (`ts`), key and failures.

`ts` is the number of the last event a client has seen: an `a_check` with `ts=N`
returns the events numbered above N and the `ts` to send next. The stream keeps the
newest `RETENTION` events for replay; a `ts` older than that, or ahead of the
stream, answers `failed: 1` with the current cursor, as VK does.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
from collections import deque
from typing import Any

# How many past events each community keeps for replay by an older `ts`.
RETENTION = 10_000
# VK caps `wait` at 90 seconds.
MAX_WAIT_SECONDS = 90.0
# Updates returned by one a_check at most; the client comes back for the rest at once.
MAX_UPDATES_PER_ANSWER = 1000


class EventStream:
    """The long-poll event history, key and cursor of one community."""

    def __init__(self, group_id: int, salt: str, event_version: str = "5.199") -> None:
        self.group_id = group_id
        self.event_version = event_version
        self._salt = salt
        self.events: deque[tuple[int, dict[str, Any]]] = deque(maxlen=RETENTION)
        self.cursor = 0  # number of the newest event
        self.floor = 0  # the oldest `ts` from which nothing has been lost
        self.key: str | None = None
        self.pending_failures: deque[int] = deque()
        self._signal: asyncio.Event | None = None

    # -- writing -------------------------------------------------------------------
    def append(self, event_type: str, event_object: dict[str, Any]) -> dict[str, Any]:
        """Record an event in the 5.199 update envelope and wake waiting pollers."""
        self.cursor += 1
        update = {
            "group_id": self.group_id,
            "type": event_type,
            "event_id": hashlib.sha1(
                f"{self._salt}:{self.group_id}:{self.cursor}".encode()
            ).hexdigest(),
            "v": self.event_version,
            "object": event_object,
        }
        if len(self.events) == self.events.maxlen:
            # The oldest event falls out of retention; a ts before it can no longer replay.
            self.floor = self.events[0][0]
        self.events.append((self.cursor, update))
        self.wake()
        return update

    def append_raw(self, update: Any) -> None:
        """Queue any JSON value as an update, as-is: for tests of malformed events."""
        self.cursor += 1
        self.events.append((self.cursor, update))
        self.wake()

    def wake(self) -> None:
        if self._signal is not None:
            self._signal.set()
            self._signal = None

    # -- keys and failures ---------------------------------------------------------
    def issue_key(self, new_key: str) -> str:
        """The valid key, making `new_key` the key if the old one was invalidated."""
        if self.key is None:
            self.key = new_key
        return self.key

    def invalidate_key(self) -> None:
        self.key = None

    def lose_history(self) -> None:
        """`failed: 3`: what came before now cannot be replayed any more."""
        self.events.clear()
        self.floor = self.cursor

    def take_failure(self) -> dict[str, Any] | None:
        """Answer a failure queued for this community, if any (see `fail`)."""
        if not self.pending_failures:
            return None
        return self.fail(self.pending_failures.popleft())

    def fail(self, code: int) -> dict[str, Any]:
        """The `failed` answer for `code`, applying what it means to the key and history.

        1: the client continues with the `ts` given; 2: the key is dead until the next
        getLongPollServer, the client's `ts` stays good; 3: key and history are gone.
        """
        if code == 1:
            return {"failed": 1, "ts": str(self.cursor)}
        self.invalidate_key()
        if code == 3:
            self.lose_history()
        return {"failed": code}

    def validate(self, key: str, ts_text: str) -> tuple[dict[str, Any] | None, int]:
        """Check `key` and `ts` of an a_check: (failure answer or None, parsed ts)."""
        if self.key is None or key != self.key:
            return {"failed": 2}, 0
        try:
            ts = int(ts_text)
        except ValueError:
            return {"failed": 1, "ts": str(self.cursor)}, 0
        if ts < self.floor or ts > self.cursor:
            return {"failed": 1, "ts": str(self.cursor)}, 0
        return None, ts

    # -- reading -------------------------------------------------------------------
    def after(self, ts: int) -> tuple[list[dict[str, Any]], int]:
        """Events numbered above `ts` (at most a page of them) and the next cursor."""
        if not self.events or ts >= self.cursor:
            return [], ts
        # Numbers in the deque are consecutive, so the first wanted one is found by offset.
        start = max(0, ts - self.events[0][0] + 1)
        page = list(itertools.islice(self.events, start, start + MAX_UPDATES_PER_ANSWER))
        return [update for _, update in page], page[-1][0] if page else ts

    async def wait_after(self, ts: int, seconds: float) -> None:
        """Return once an event above `ts` exists, `wake` is called, or `seconds` pass."""
        if self.cursor > ts or seconds <= 0:
            return
        if self._signal is None:
            self._signal = asyncio.Event()
        signal = self._signal
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(signal.wait(), seconds)


def clamp_wait(wait_text: str | None) -> float:
    """The seconds an a_check may be held: `wait` (default 25) capped at 90."""
    try:
        wait = float(wait_text) if wait_text not in (None, "") else 25.0
    except ValueError:
        wait = 25.0
    return max(0.0, min(wait, MAX_WAIT_SECONDS))
