"""The outbox: every platform action is a row, sent once, in order per lane."""

from bot.outbox.outcome import Outcome
from bot.outbox.store import claim, enqueue, finish

__all__ = ["Outcome", "claim", "enqueue", "finish"]
