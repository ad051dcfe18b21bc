"""Posting slots and the content planner: when does each queued post go out?

Slots are local wall-clock times in the community's time zone (default 10:00, 14:00,
19:00), either the same every day (`[time(10), time(14)]`) or per weekday
(`{0: [time(9)], 5: [time(12)]}`, Monday = 0), which is what `/slots auto on` produces
from `bot.policy.best_times.suggest_hours`. `next_slots` turns them into UTC instants;
when clocks spring forward a missing local time moves forward by the jump (02:30 becomes
03:30), and when they fall back a repeated one means its first occurrence.

The planner (`plan`) is a pure function of the queue, the target's published history,
its slots, its time zone, the ratio policy and `now`. It walks forward in time and
places, at each moment:

1. posts with a time (`now`, or a fixed datetime; one in the past means now) at that
   time. A promotional one that the ratio policy refuses there is *moved*: it waits for
   the earliest free slot where it fits, and `moved_because` says why it moved;
2. at a free slot, the earliest-queued of the waiting posts: `next` posts (any kind;
   a promotional one only where it fits, else it is moved on) and moved promotions;
3. at a slot still free, the earliest-queued evergreen non-promotional post (its
   `requested` datetime, if any, is the earliest it may be used). Promotional posts are
   never evergreen fillers; the flag is ignored on them.

One post per slot; posts with a time may share a moment and go in queue order. Every
promotional post is checked against everything published or planned before it, so a
plan published in order satisfies every rule of the ratio policy. A post that cannot be
placed within `horizon_days` comes back with `at=None` and `not_planned_because`; one
whose own time lies beyond the horizon keeps that time, marked `provisional` (the ratio
is checked when it comes into the horizon).

Call it again whenever anything changes (a post queued, published, cancelled) and on
each scheduler tick; publish `due_now(plan(...), now)` in order. A slot that began less
than `late_slot_grace` ago and has nothing published since still counts, so a tick that
runs a little late does not push posts to the next slot.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal

from bot.policy.promo import (
    POST_KINDS,
    PublishedPost,
    RatioPolicy,
    check_sorted,
    is_promotional,
    require_aware,
)

DEFAULT_SLOTS: tuple[time, ...] = (time(10), time(14), time(19))

Slots = Sequence[time] | Mapping[int, Sequence[time]]
"""Slot times every day, or per weekday (Monday = 0; a missing weekday has no slots)."""

Requested = Literal["now", "next"] | datetime
"""When a post was asked to go out: now (as soon as the policy allows), next free slot,
or a fixed moment (timezone-aware)."""

_SLOT_TEXT = re.compile(r"^(\d{1,2})(?::(\d{2}))?$")


def parse_slots(text: str) -> tuple[time, ...]:
    """`/slots set 10:00 14:00 19:30` (or `10 14 19`, commas allowed) → sorted local times."""
    found: set[time] = set()
    for token in text.replace(",", " ").split():
        match = _SLOT_TEXT.match(token)
        hour = int(match.group(1)) if match else -1
        minute = int(match.group(2) or 0) if match else -1
        if not (0 <= hour <= 23 and 0 <= minute <= 59):
            raise ValueError(f"'{token}' is not a time of day; write slots like 10:00 14:00 19:30.")
        found.add(time(hour, minute))
    if not found:
        raise ValueError("Give at least one slot, e.g. /slots set 10:00 14:00 19:00.")
    return tuple(sorted(found))


def format_slots(slots: Slots) -> str:
    """ "10:00, 14:00, 19:00", or one line per weekday for per-weekday slots."""
    if isinstance(slots, Mapping):
        names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
        return "\n".join(
            f"{names[day]}: {format_slots(slots.get(day, ())) or '—'}" for day in range(7)
        )
    return ", ".join(f"{slot:%H:%M}" for slot in sorted(slots))


def slot_times_on(slots: Slots, weekday: int) -> Sequence[time]:
    """The local slot times of one weekday (Monday = 0)."""
    if isinstance(slots, Mapping):
        return slots.get(weekday, ())
    return slots


def slots_between(slots: Slots, tz: tzinfo, start: datetime, end: datetime) -> list[datetime]:
    """Every slot instant in [start, end], in UTC, ascending, without duplicates."""
    require_aware(start, "start")
    require_aware(end, "end")
    found: set[datetime] = set()
    # One day of margin either side: local dates and UTC dates differ by the offset.
    day = start.astimezone(tz).date() - timedelta(days=1)
    last_day = end.astimezone(tz).date() + timedelta(days=1)
    while day <= last_day:
        for slot in slot_times_on(slots, day.weekday()):
            instant = _local_instant(day, slot, tz)
            if start <= instant <= end:
                found.add(instant)
        day += timedelta(days=1)
    return sorted(found)


def next_slots(slots: Slots, tz: tzinfo, after: datetime, count: int) -> list[datetime]:
    """The first `count` slot instants at or after `after`, in UTC.

    "At or after" keeps a re-plan at exactly a slot's moment on that slot.
    """
    require_aware(after, "after")
    if count <= 0 or not any(slot_times_on(slots, day) for day in range(7)):
        return []
    found: list[datetime] = []
    start = after
    while len(found) < count:
        # Slots exist on at least one weekday, so every two weeks yield at least two.
        end = start + timedelta(days=14)
        found.extend(slots_between(slots, tz, start, end))
        start = end + timedelta(microseconds=1)
    return found[:count]


def _local_instant(day: date, slot: time, tz: tzinfo) -> datetime:
    """The UTC instant of a local wall-clock time (fold=0: first of a repeated hour)."""
    return datetime.combine(day, slot.replace(tzinfo=None), tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class QueuedPost:
    """A post waiting to be published on one target."""

    id: int | str
    kind: str
    """One of `bot.policy.promo.POST_KINDS`."""
    requested: Requested
    queued_at: datetime
    """When it was queued; earlier-queued posts win a contested slot."""
    evergreen: bool = False
    """A filler for empty slots (ignored on promotional posts)."""

    def __post_init__(self) -> None:
        if self.kind not in POST_KINDS:
            raise ValueError(
                f"Unknown post kind '{self.kind}'; use one of {', '.join(POST_KINDS)}."
            )
        if isinstance(self.requested, datetime):
            require_aware(self.requested, "requested")
        elif self.requested not in ("now", "next"):
            raise ValueError(
                f"requested must be 'now', 'next' or a datetime, got {self.requested!r}."
            )
        require_aware(self.queued_at, "queued_at")


@dataclass(frozen=True)
class PlannedPublication:
    """Where the planner put one queued post."""

    post_id: int | str
    kind: str
    at: datetime | None
    """Planned publication moment (UTC); None when no place was found."""
    moved_because: str | None = None
    """Why a promotional post does not go at its requested time or first free slot."""
    not_planned_because: str | None = None
    """Set exactly when `at` is None."""
    evergreen_fill: bool = False
    """Placed as a filler of an otherwise empty slot."""
    provisional: bool = False
    """Its fixed time lies beyond the horizon; the ratio is checked once it is within."""


@dataclass
class _Waiting:
    """A post waiting for a slot inside `plan`."""

    post: QueuedPost
    order: int
    ready_at: datetime
    moved_because: str | None = None
    last_refusal: str | None = None


def plan(
    queue: Sequence[QueuedPost],
    history: Sequence[PublishedPost],
    slots: Slots,
    tz: tzinfo,
    policy: RatioPolicy,
    now: datetime,
    horizon_days: int = 14,
    *,
    late_slot_grace: timedelta = timedelta(minutes=15),
) -> list[PlannedPublication]:
    """Plan every queued post of one target (rules in the module docstring).

    `history` is what the target has already published (posts dated after `now` are
    ignored); `slots` and `tz` are the target's; all datetimes are timezone-aware.

    Returns planned posts in publication order, then provisional ones (beyond the
    horizon), then those that found no place, in queue order.
    """
    require_aware(now, "now")
    if not 1 <= horizon_days <= 366:
        raise ValueError(f"The planning horizon must be 1 to 366 days, got {horizon_days}.")
    horizon_end = now + timedelta(days=horizon_days)
    timeline = _relevant_history(history, policy, now, late_slot_grace)
    last_published = timeline[-1].at if timeline else None
    slot_instants = {
        instant
        for instant in slots_between(slots, tz, now - late_slot_grace, horizon_end)
        # A slot already under way counts only if nothing went out since it began.
        if instant >= now or last_published is None or last_published < instant
    }

    ordered = sorted(enumerate(queue), key=lambda item: (item[1].queued_at, item[0]))
    timed: dict[datetime, list[tuple[int, QueuedPost]]] = {}
    waiting: list[_Waiting] = []
    fillers: list[_Waiting] = []
    provisional: list[PlannedPublication] = []
    for order, post in ordered:
        if post.evergreen and not is_promotional(post.kind):
            earliest = now - late_slot_grace
            ready = post.requested if isinstance(post.requested, datetime) else earliest
            fillers.append(_Waiting(post, order, ready))
        elif post.requested == "next":
            waiting.append(_Waiting(post, order, now - late_slot_grace))
        else:
            moment = post.requested if isinstance(post.requested, datetime) else now
            moment = max(moment, now)
            if moment > horizon_end:
                provisional.append(
                    PlannedPublication(post.id, post.kind, moment.astimezone(UTC), provisional=True)
                )
            else:
                timed.setdefault(moment, []).append((order, post))

    planned: list[PlannedPublication] = []
    for moment in sorted(set(timed) | slot_instants):
        occupied = False
        for order, post in timed.get(moment, []):
            verdict = check_sorted(policy, timeline, post.kind, moment, tz)
            if verdict.ok:
                _append(timeline, planned, post, moment)
                occupied = True
            else:
                reasons = "; ".join(verdict.reasons)
                waiting.append(_Waiting(post, order, moment, reasons, reasons))
        if moment not in slot_instants or occupied:
            continue
        waiting.sort(key=lambda item: (item.post.queued_at, item.order))
        taken = _take_waiting(waiting, timeline, planned, moment, policy, tz)
        if not taken:
            _take_filler(fillers, timeline, planned, moment)

    return (
        planned
        + sorted(provisional, key=lambda item: item.at or now)
        + _not_planned(waiting, fillers, horizon_days)
    )


def due_now(planned: Sequence[PlannedPublication], now: datetime) -> list[PlannedPublication]:
    """The planned posts whose moment has come, in the order to publish them."""
    require_aware(now, "now")
    return [
        item for item in planned if item.at is not None and not item.provisional and item.at <= now
    ]


def _relevant_history(
    history: Sequence[PublishedPost], policy: RatioPolicy, now: datetime, grace: timedelta
) -> list[PublishedPost]:
    """The sorted tail of the history that any rule can still see (keeps planning cheap).

    Posts dated after `now` have not happened and are left out.
    """
    timeline = sorted((post for post in history if post.at <= now), key=lambda post: post.at)
    # The daily rule looks back at most ~2 days (time-zone offsets), the gap at most 7.
    reach = max(timedelta(days=policy.window_days), policy.min_gap, timedelta(days=2))
    cutoff = now - grace - reach
    first_recent = next(
        (index for index, post in enumerate(timeline) if post.at > cutoff), len(timeline)
    )
    return timeline[max(0, min(first_recent, len(timeline) - policy.window_posts)) :]


def _append(
    timeline: list[PublishedPost],
    planned: list[PlannedPublication],
    post: QueuedPost,
    moment: datetime,
    *,
    moved_because: str | None = None,
    evergreen_fill: bool = False,
) -> None:
    timeline.append(PublishedPost(post.kind, moment))
    planned.append(
        PlannedPublication(
            post.id,
            post.kind,
            moment.astimezone(UTC),
            moved_because=moved_because,
            evergreen_fill=evergreen_fill,
        )
    )


def _take_waiting(
    waiting: list[_Waiting],
    timeline: list[PublishedPost],
    planned: list[PlannedPublication],
    moment: datetime,
    policy: RatioPolicy,
    tz: tzinfo,
) -> bool:
    """Give the slot to the earliest-queued waiting post that may go there."""
    for index, entry in enumerate(waiting):
        if entry.ready_at > moment:
            continue
        verdict = check_sorted(policy, timeline, entry.post.kind, moment, tz)
        if not verdict.ok:
            # It would have had this slot: that is a move, and the reason to report.
            entry.last_refusal = "; ".join(verdict.reasons)
            entry.moved_because = entry.moved_because or entry.last_refusal
            continue
        del waiting[index]
        _append(timeline, planned, entry.post, moment, moved_because=entry.moved_because)
        return True
    return False


def _take_filler(
    fillers: list[_Waiting],
    timeline: list[PublishedPost],
    planned: list[PlannedPublication],
    moment: datetime,
) -> None:
    for index, entry in enumerate(fillers):
        if entry.ready_at <= moment:
            del fillers[index]
            _append(timeline, planned, entry.post, moment, evergreen_fill=True)
            return


def _not_planned(
    waiting: list[_Waiting], fillers: list[_Waiting], horizon_days: int
) -> list[PlannedPublication]:
    within = f"in the next {horizon_days} days"
    results: list[tuple[tuple[datetime, int], PlannedPublication]] = []
    for entry in waiting:
        if entry.last_refusal is not None:
            reason = f"no slot {within} fits the promotion policy: {entry.last_refusal}"
        else:
            reason = f"no free slot {within}; add slots with /slots set"
        results.append(
            (
                (entry.post.queued_at, entry.order),
                PlannedPublication(
                    entry.post.id,
                    entry.post.kind,
                    None,
                    moved_because=entry.moved_because,
                    not_planned_because=reason,
                ),
            )
        )
    for entry in fillers:
        reason = f"waits in the evergreen queue: no empty slot {within}"
        results.append(
            (
                (entry.post.queued_at, entry.order),
                PlannedPublication(
                    entry.post.id, entry.post.kind, None, not_planned_because=reason
                ),
            )
        )
    return [item for _, item in sorted(results, key=lambda pair: pair[0])]
