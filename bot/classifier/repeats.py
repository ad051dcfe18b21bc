"""Memory of recent texts, to see the same message posted across chats or by many people.

Spam bots post one text into many chats, or many accounts post it into one; a person
almost never does. The tracker remembers, for a bounded number of recent texts, who
wrote each one where and when, and forgets what is older than its window.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class RepeatInfo:
    """What the tracker knew of a text when it was seen again (this sighting included)."""

    sightings: int  # times the text was seen within the window
    authors: int  # distinct authors among them
    chats: int  # distinct chats among them


class RepeatTracker:
    """Bounded, clock-injected memory of who posted which text where.

    Texts shorter than `min_chars` (in canonical form) are not tracked: "+", "thanks"
    and "price?" are repeated by honest people all the time.
    """

    def __init__(
        self,
        *,
        window: timedelta = timedelta(hours=1),
        max_texts: int = 20_000,
        max_sightings_per_text: int = 50,
        min_chars: int = 20,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.window = window
        self.max_texts = max_texts
        self.max_sightings_per_text = max_sightings_per_text
        self.min_chars = min_chars
        self._clock = clock
        # key → list of (when, author, chat); most recently seen key last.
        self._seen: OrderedDict[bytes, list[tuple[datetime, str, str]]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    def observe(
        self,
        canonical_text: str,
        *,
        author: str | None,
        chat: str | None,
        now: datetime | None = None,
    ) -> RepeatInfo | None:
        """Record one sighting and answer what is known of the text; None if not tracked."""
        if len(canonical_text) < self.min_chars:
            return None
        when = now or self._clock()
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)  # naive times are taken as UTC, like the database
        key = hashlib.blake2b(canonical_text.encode("utf-8"), digest_size=12).digest()
        horizon = when - self.window
        sightings = [s for s in self._seen.pop(key, []) if s[0] >= horizon]
        sightings.append((when, author or "?", chat or "?"))
        del sightings[: -self.max_sightings_per_text]
        self._seen[key] = sightings
        self._evict(horizon)
        return RepeatInfo(
            sightings=len(sightings),
            authors=len({author for _, author, _ in sightings}),
            chats=len({chat for _, _, chat in sightings}),
        )

    def _evict(self, horizon: datetime) -> None:
        """Drop texts beyond the size bound, then stale ones from the least recent end."""
        while len(self._seen) > self.max_texts:
            self._seen.popitem(last=False)
        while self._seen:
            oldest_key = next(iter(self._seen))
            if self._seen[oldest_key][-1][0] >= horizon:
                break
            del self._seen[oldest_key]
