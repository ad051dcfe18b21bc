"""Best hours to post, from when members actually write, and the cadence warning.

`suggest_hours` reads Steward's own record of member activity (the moments of member
messages and comments, UTC; the caller passes the last 8 weeks) and proposes, for each
weekday in the community's time zone (Monday = 0), the hours with the most activity,
at least `min_spacing_hours` apart. Ties are broken deterministically: first by that
hour's activity over the whole week, then in favour of the default slot hours (10, 14,
19), then the earlier hour. With no activity at all the answer is the default slots.
`suggested_slots` turns the answer into per-weekday slots for `bot.policy.slots`
(`/slots auto on`).

`cadence_warning` says whether the next days hold too few planned posts; sending it at
most once a day is the caller's job.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, time, timedelta, tzinfo

from bot.policy.promo import require_aware
from bot.policy.slots import DEFAULT_SLOTS

_DEFAULT_HOURS = frozenset(slot.hour for slot in DEFAULT_SLOTS)


def activity_by_hour(activity: Iterable[datetime], tz: tzinfo) -> Counter[tuple[int, int]]:
    """Count member activity per (weekday, local hour); weekday Monday = 0."""
    counts: Counter[tuple[int, int]] = Counter()
    for moment in activity:
        require_aware(moment, "activity")
        local = moment.astimezone(tz)
        counts[(local.weekday(), local.hour)] += 1
    return counts


def suggest_hours(
    activity: Iterable[datetime],
    tz: tzinfo,
    per_day: int = 3,
    *,
    min_spacing_hours: int = 2,
) -> dict[int, list[int]]:
    """For each weekday 0–6, up to `per_day` best local hours, ascending, spaced apart.

    Fewer than `per_day` come back only when the spacing leaves no room (e.g. 13 hours
    two apart do not fit in a day).
    """
    if per_day < 0 or min_spacing_hours < 1:
        raise ValueError("per_day must be 0 or more and the spacing at least 1 hour.")
    counts = activity_by_hour(activity, tz)
    week_totals: Counter[int] = Counter()
    for (_, hour), count in counts.items():
        week_totals[hour] += count

    suggestion: dict[int, list[int]] = {}
    for weekday in range(7):
        ranked = sorted(
            range(24),
            key=lambda hour, day=weekday: (
                -counts[(day, hour)],
                -week_totals[hour],
                hour not in _DEFAULT_HOURS,
                hour,
            ),
        )
        chosen: list[int] = []
        for hour in ranked:
            if len(chosen) >= per_day:
                break
            if all(abs(hour - other) >= min_spacing_hours for other in chosen):
                chosen.append(hour)
        suggestion[weekday] = sorted(chosen)
    return suggestion


def suggested_slots(suggestion: Mapping[int, Iterable[int]]) -> dict[int, tuple[time, ...]]:
    """`suggest_hours` output → per-weekday slots (on the hour) for the planner."""
    return {day: tuple(time(hour) for hour in sorted(hours)) for day, hours in suggestion.items()}


def cadence_warning(
    planned_times: Iterable[datetime | None],
    now: datetime,
    minimum: int = 2,
    days: int = 7,
) -> str | None:
    """A sentence for the admins when fewer than `minimum` posts are planned in the next
    `days` days ([now, now + days)); None when the plan is busy enough.

    `None` entries (posts the planner could not place) are skipped.
    """
    require_aware(now, "now")
    end = now + timedelta(days=days)
    count = sum(1 for moment in planned_times if moment is not None and now <= moment < end)
    if count >= minimum:
        return None
    held = (
        "No posts are"
        if count == 0
        else ("Only 1 post is" if count == 1 else f"Only {count} posts are")
    )
    return (
        f"{held} planned for the next {days} days; a community needs at least {minimum}. "
        "Queue posts with /post add, or add evergreen posts to fill the empty slots."
    )
