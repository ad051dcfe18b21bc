"""The bot's update queue: getUpdates semantics of the reference server (PROTOCOLS.md A4).

Updates stay queued until a later getUpdates carries an offset past them; a batch
that was handed out but never confirmed comes back on the next call. Filtering by
`allowed_updates` happens when an update is created, not when it is read. At most
one long poll is parked at a time: a new long poll makes the parked one fail with 409.
"""

from __future__ import annotations

import asyncio
from typing import Any

UPDATE_TYPES = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "message_reaction",
    "message_reaction_count",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
)
# Telegram sends these only when the bot lists them explicitly.
OPT_IN_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
DEFAULT_ALLOWED = frozenset(UPDATE_TYPES) - OPT_IN_TYPES

FIRST_UPDATE_ID = 100_000_001  # arbitrary, as on the real server
FLUSH_DELAY = 0.002  # a woken long poll waits this long so near-simultaneous updates batch

# Outcomes of a parked long poll.
WOKEN, TIMED_OUT, KICKED, RELEASED = "woken", "timed_out", "kicked", "released"


def allowed_from_request(names: Any) -> frozenset[str]:
    """The filter a getUpdates/setWebhook `allowed_updates` sets: unknown or empty → default."""
    if not isinstance(names, list):
        return DEFAULT_ALLOWED
    known = frozenset(str(name) for name in names) & frozenset(UPDATE_TYPES)
    return known or DEFAULT_ALLOWED


class UpdateQueue:
    """Pending updates plus the single parked long poll."""

    def __init__(self) -> None:
        self.pending: list[dict[str, Any]] = []
        self.next_update_id = FIRST_UPDATE_ID
        self.allowed: frozenset[str] = DEFAULT_ALLOWED
        self._parked: asyncio.Future[str] | None = None

    @property
    def has_parked_poll(self) -> bool:
        """Whether a long poll is waiting right now (tests use it to order events)."""
        return self._parked is not None and not self._parked.done()

    def enqueue(self, kind: str, payload: dict[str, Any]) -> int | None:
        """Queue an update unless the bot's allowed_updates drops it; returns its id."""
        if kind not in self.allowed:
            return None
        update_id = self.next_update_id
        self.next_update_id += 1
        self.pending.append({"update_id": update_id, kind: payload})
        self._wake(WOKEN)
        return update_id

    def enqueue_raw(self, fields: dict[str, Any]) -> int:
        """Queue an update with any content (possibly malformed), given a fresh update_id."""
        update_id = self.next_update_id
        self.next_update_id += 1
        self.pending.append({**fields, "update_id": update_id})
        self._wake(WOKEN)
        return update_id

    def confirm(self, offset: int) -> None:
        """Apply a getUpdates offset: forget confirmed updates (negative: keep the last N)."""
        if offset > 0:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
        elif offset < 0:
            self.pending = self.pending[offset:]

    def batch(self, limit: int) -> list[dict[str, Any]]:
        return self.pending[:limit]

    def clear(self) -> None:
        self.pending.clear()

    def kick_parked(self) -> None:
        """A newer long poll arrived: the parked one ends with a 409."""
        self._wake(KICKED)

    def release(self) -> None:
        """Answer the parked long poll now (with whatever is queued): shutdown or reset."""
        self._wake(RELEASED)

    async def wait(self, seconds: float) -> str:
        """Park until an update arrives, a newer poll kicks us, or `seconds` pass."""
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._parked = future
        try:
            return await asyncio.wait_for(asyncio.shield(future), seconds)
        except TimeoutError:
            return TIMED_OUT
        finally:
            if self._parked is future:
                self._parked = None

    def _wake(self, outcome: str) -> None:
        future = self._parked
        if future is not None and not future.done():
            future.set_result(outcome)
        self._parked = None
