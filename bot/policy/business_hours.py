"""Business hours: when a community's moderators are expected to answer, and time measured on them.

A `BusinessCalendar` says, in the community's time zone, which hours of each weekday are
open — several intervals a day allow split shifts such as 09:00–13:00 + 14:00–20:00, and
an interval may end at 24:00 — which local dates are holidays, or that the clock runs
around the clock (`always`, calendar hours 24/7). Four pure functions measure time on it:

- `add_business_time(calendar, start, seconds)` → the instant after `seconds` of open time
  from `start` (an SLA due time); a zero amount returns `start` itself;
- `business_seconds_between(calendar, start, end)` → open seconds in `[start, end)`;
- `is_open(calendar, at)` and `next_open(calendar, at)`.

Instants in must be timezone-aware (any zone); instants out are in UTC. The work goes
day by day over each local date's open intervals, so a closed day costs one check and a
span of weeks takes a few dozen steps — never minute by minute.

Across daylight-saving changes an interval runs from the first moment the local clock
shows its start to the last moment it shows its end; a time the clock skips (spring
forward) stands for the instant of the jump. So 00:00–24:00 lasts 23 h or 25 h on change
days, and a 09:00–18:00 day keeps its 9 h.

Stored as a JSON-able dict (`to_dict` / `from_dict`)::

    {"timezone": "Europe/Berlin", "always": false,
     "hours": {"mon": ["09:00-13:00", "14:00-20:00"], "tue": [...], ..., "sun": []},
     "holidays": ["2024-12-25", "2025-01-01"]}

Typical use::

    calendar = BusinessCalendar.weekly("Europe/Moscow", "mon-fri", "09:00-13:00, 14:00-20:00")
    due_at = add_business_time(calendar, now, 15 * 60)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Russian abbreviations, so admins can write `/hours пн-пт 09:00-18:00`.
_WEEKDAYS_RU: tuple[str, ...] = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")
_MINUTES_PER_DAY = 24 * 60
_WEEKDAYS_HELP = "Cannot read {text!r} as weekdays: write them like mon-fri or sat,sun."

_INTERVAL_RE = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*[-–—]\s*(\d{1,2})(?::(\d{2}))?\s*$")


@dataclass(frozen=True, slots=True, order=True)
class Interval:
    """One open interval of a day, in local wall-clock minutes after midnight."""

    start_minute: int  # 0..1439
    end_minute: int  # 1..1440; 1440 is 24:00, the end of the day

    def __post_init__(self) -> None:
        if not 0 <= self.start_minute < _MINUTES_PER_DAY:
            raise ValueError(f"An interval must start between 00:00 and 23:59, not {self}.")
        if not self.start_minute < self.end_minute <= _MINUTES_PER_DAY:
            raise ValueError(
                f"An interval must end after it starts and no later than 24:00, not {self}; "
                "split a night shift in two, e.g. 22:00-24:00 and 00:00-02:00."
            )

    @classmethod
    def parse(cls, text: str) -> Interval:
        """Read "09:00-13:00" (also "9-13", "9:00 – 13:00", "20:00-24:00")."""
        match = _INTERVAL_RE.match(text)
        if match is None:
            raise ValueError(f"Cannot read {text!r} as hours: write them like 09:00-13:00.")
        start_hour, start_min, end_hour, end_min = match.groups()
        start = _minute_of_day(int(start_hour), int(start_min or 0), text)
        end = _minute_of_day(int(end_hour), int(end_min or 0), text)
        return cls(start, end)

    def __str__(self) -> str:
        return f"{_hhmm(self.start_minute)}-{_hhmm(self.end_minute)}"


def _minute_of_day(hour: int, minute: int, text: str) -> int:
    if minute >= 60 or hour > 24 or (hour == 24 and minute != 0):
        raise ValueError(f"Cannot read {text!r} as hours: times go from 00:00 to 24:00.")
    return hour * 60 + minute


def _hhmm(minute_of_day: int) -> str:
    return f"{minute_of_day // 60:02d}:{minute_of_day % 60:02d}"


def parse_intervals(text: str | Iterable[str]) -> tuple[Interval, ...]:
    """Read "09:00-13:00, 14:00-20:00" (or a list of such strings) into sorted intervals.

    An empty text or "closed" means no open hours that day. Overlapping intervals are an
    error; touching ones (13:00-14:00, 14:00-15:00) are fine.
    """
    parts = text.split(",") if isinstance(text, str) else list(text)
    parts = [part.strip() for part in parts if part.strip()]
    if len(parts) == 1 and parts[0].lower() in ("closed", "off", "-", "выходной"):
        return ()
    return _checked_day(tuple(Interval.parse(part) for part in parts))


def _checked_day(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    ordered = tuple(sorted(intervals))
    for before, after in pairwise(ordered):
        if after.start_minute < before.end_minute:
            raise ValueError(f"Open hours {before} and {after} overlap; give each time once.")
    return ordered


def parse_weekdays(text: str | Iterable[int]) -> tuple[int, ...]:
    """Read "mon-fri", "sat,sun", "fri-mon", "пн-пт", "all" into weekday numbers (Monday = 0)."""
    if not isinstance(text, str):
        days = set(text)
        if not days <= set(range(7)):
            raise ValueError("Weekdays are numbered 0 (Monday) to 6 (Sunday).")
        return tuple(sorted(days))
    cleaned = text.strip().lower()
    if cleaned in ("all", "daily", "every day", "ежедневно", "все"):
        return tuple(range(7))
    days = set()
    for part in cleaned.split(","):
        ends = [_weekday_number(end.strip(), text) for end in re.split(r"\s*[-–—]\s*", part)]
        if len(ends) == 1:
            days.add(ends[0])
        elif len(ends) == 2:
            # A range may wrap over the weekend: fri-mon is Friday to Monday.
            span = (ends[1] - ends[0]) % 7
            days.update((ends[0] + step) % 7 for step in range(span + 1))
        else:
            raise ValueError(_WEEKDAYS_HELP.format(text=text))
    return tuple(sorted(days))


_WEEKDAY_NAMES: dict[str, int] = {
    **{name: number for number, name in enumerate(WEEKDAYS)},
    **{name: number for number, name in enumerate(_WEEKDAYS_RU)},
    **{
        name: number
        for number, name in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
}


def _weekday_number(name: str, text: str) -> int:
    if name not in _WEEKDAY_NAMES:
        raise ValueError(_WEEKDAYS_HELP.format(text=text))
    return _WEEKDAY_NAMES[name]


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(
            f"Unknown time zone {name!r}: use a name like Europe/Moscow or America/Los_Angeles."
        ) from error


_CLOSED_WEEK: tuple[tuple[Interval, ...], ...] = ((),) * 7


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """When a community is open. Build one with `weekly`, `around_the_clock` or `from_dict`."""

    timezone: str = "UTC"  # IANA name; the open hours and holidays are local to it
    week: tuple[tuple[Interval, ...], ...] = _CLOSED_WEEK  # open intervals, Monday first
    holidays: frozenset[date] = field(default_factory=frozenset)  # local dates closed all day
    always: bool = False  # open 24/7 (calendar hours); week and holidays are then ignored

    def __post_init__(self) -> None:
        _zone(self.timezone)
        week = tuple(_checked_day(day) for day in self.week)
        if len(week) != 7:
            raise ValueError("A business week has seven days of open hours, Monday first.")
        if not self.always and not any(week):
            raise ValueError(
                "The business hours have no open time on any weekday; give some hours "
                "(e.g. mon-fri 09:00-18:00) or make the calendar 24/7."
            )
        # Normalise lists and sets given by callers into the hashable, sorted forms.
        object.__setattr__(self, "week", week)
        object.__setattr__(self, "holidays", frozenset(self.holidays))

    @classmethod
    def around_the_clock(cls, timezone: str = "UTC") -> BusinessCalendar:
        """Open 24/7: business time equals calendar time."""
        return cls(timezone=timezone, always=True)

    @classmethod
    def weekly(
        cls,
        timezone: str,
        days: str | Iterable[int] = "mon-fri",
        hours: str | Iterable[str] = "09:00-18:00",
        holidays: Iterable[date] = (),
    ) -> BusinessCalendar:
        """The same open hours on each of `days`; the other days are closed."""
        intervals = parse_intervals(hours)
        open_days = set(parse_weekdays(days))
        week = tuple(intervals if day in open_days else () for day in range(7))
        return cls(timezone=timezone, week=week, holidays=frozenset(holidays))

    @property
    def zone(self) -> ZoneInfo:
        return _zone(self.timezone)

    @property
    def working_days(self) -> tuple[int, ...]:
        """Weekdays (Monday = 0) with any open hours."""
        return tuple(range(7)) if self.always else tuple(d for d in range(7) if self.week[d])

    def with_hours(self, days: str | Iterable[int], hours: str | Iterable[str]) -> BusinessCalendar:
        """A copy with `days` set to `hours` (e.g. "sat", "10:00-16:00"; "closed" closes them)."""
        intervals = parse_intervals(hours)
        chosen = set(parse_weekdays(days))
        week = tuple(intervals if day in chosen else self.week[day] for day in range(7))
        return replace(self, week=week, always=False)

    def with_holidays(
        self, add: Iterable[date] = (), remove: Iterable[date] = ()
    ) -> BusinessCalendar:
        """A copy with holidays added and removed."""
        return replace(self, holidays=(self.holidays | set(add)) - set(remove))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict that `from_dict` reads back."""
        return {
            "timezone": self.timezone,
            "always": self.always,
            "hours": {
                name: [str(interval) for interval in self.week[day]]
                for day, name in enumerate(WEEKDAYS)
            },
            "holidays": sorted(day.isoformat() for day in self.holidays),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BusinessCalendar:
        """Read a stored calendar. Missing weekdays are closed; with no "hours" at all the
        calendar is 24/7 unless "always" says otherwise."""
        unknown = set(data) - {"timezone", "always", "hours", "holidays"}
        if unknown:
            raise ValueError(f"Unknown business-hours settings: {', '.join(sorted(unknown))}.")
        hours = data.get("hours") or {}
        bad_days = set(hours) - set(WEEKDAYS)
        if bad_days:
            raise ValueError(
                f"Unknown weekdays in business hours: {', '.join(sorted(bad_days))}; "
                f"use {', '.join(WEEKDAYS)}."
            )
        week = tuple(parse_intervals(hours.get(name, ())) for name in WEEKDAYS)
        try:
            holidays = frozenset(date.fromisoformat(text) for text in data.get("holidays", ()))
        except ValueError as error:
            raise ValueError("Holidays are dates written like 2025-01-01.") from error
        return cls(
            timezone=data.get("timezone", "UTC"),
            week=week,
            holidays=holidays,
            always=bool(data.get("always", not any(week))),
        )


ALWAYS_OPEN = BusinessCalendar.around_the_clock()


def _as_utc(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime, got {moment!r}.")
    return moment.astimezone(UTC)


def _jump_instant(zone: ZoneInfo, before: datetime, after: datetime) -> datetime:
    """The UTC instant in (before, after] where the zone's offset changes (found by halving)."""
    offset_before = before.astimezone(zone).utcoffset()
    low, high = 0, int((after - before).total_seconds())
    # Invariant: the offset at before+low is the old one, at before+high the new one.
    while high - low > 1:
        middle = (low + high) // 2
        if (before + timedelta(seconds=middle)).astimezone(zone).utcoffset() == offset_before:
            low = middle
        else:
            high = middle
    return before + timedelta(seconds=high)


def _wall_to_utc(zone: ZoneInfo, day: date, minute: int, *, last: bool) -> datetime:
    """The UTC instant the local clock shows `minute` on `day` (24:00 = next midnight).

    Shown twice (clock falls back): the first instant, or the last when `last`.
    Never shown (clock jumps forward): the instant of the jump.
    """
    if minute >= _MINUTES_PER_DAY:
        day, minute = day + timedelta(days=1), minute - _MINUTES_PER_DAY
    naive = datetime(day.year, day.month, day.day, minute // 60, minute % 60)
    as_fold0 = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    as_fold1 = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    earlier, later = min(as_fold0, as_fold1), max(as_fold0, as_fold1)
    if as_fold0.astimezone(zone).replace(tzinfo=None) == naive:
        return later if last else earlier
    return _jump_instant(zone, earlier, later)


def _day_spans(calendar: BusinessCalendar, zone: ZoneInfo, day: date) -> list[list[datetime]]:
    """The open spans of one local date as sorted, merged [start, end) UTC pairs."""
    if day in calendar.holidays:
        return []
    spans: list[list[datetime]] = []
    for interval in calendar.week[day.weekday()]:
        start = _wall_to_utc(zone, day, interval.start_minute, last=False)
        end = _wall_to_utc(zone, day, interval.end_minute, last=True)
        if end <= start:  # the whole interval fell into a skipped hour
            continue
        # Intervals are sorted, but the "last moment" rule can make a fall-back day's
        # neighbours overlap; merge so no second is counted twice.
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    return spans


def _open_spans(calendar: BusinessCalendar, start: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Open [start, end) UTC spans that end after `start`, in order, none reaching before it."""
    zone = calendar.zone
    # Begin a day early: in UTC the previous local date's hours may still run at `start`.
    day = start.astimezone(zone).date() - timedelta(days=1)
    cursor = start
    # Some weekday is open and each holiday can close it for at most one week, so open
    # time comes within this many days (more means hours that only fall in skipped DST time).
    closed_days_limit = 7 * (len(calendar.holidays) + 2)
    closed_days = 0
    while True:
        found = False
        for span_start, span_end in _day_spans(calendar, zone, day):
            span_start = max(span_start, cursor)
            if span_end > span_start:
                found = True
                yield span_start, span_end
                cursor = span_end
        closed_days = 0 if found else closed_days + 1
        if closed_days > closed_days_limit:
            raise ValueError("The business hours never open; check the calendar.")
        day += timedelta(days=1)


def add_business_time(calendar: BusinessCalendar, start: datetime, seconds: float) -> datetime:
    """The UTC instant after `seconds` of open time counted from `start` (a due time).

    The result lies within open hours, or exactly at the closing moment of the interval
    that used the last second; `seconds == 0` returns `start` unchanged (in UTC).
    """
    if seconds < 0:
        raise ValueError(f"Business time to add must not be negative, got {seconds}.")
    start_utc = _as_utc(start, "start")
    remaining = timedelta(seconds=seconds)
    if calendar.always or seconds == 0:
        return start_utc + remaining
    # Any positive amount (even one that rounds to no microseconds) lands in open time.
    for span_start, span_end in _open_spans(calendar, start_utc):
        length = span_end - span_start
        if remaining <= length:
            return span_start + remaining
        remaining -= length
    raise AssertionError("unreachable: _open_spans is endless")


def business_seconds_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> float:
    """Open seconds in [start, end); zero when end is not after start."""
    start_utc, end_utc = _as_utc(start, "start"), _as_utc(end, "end")
    if end_utc <= start_utc:
        return 0.0
    if calendar.always:
        return (end_utc - start_utc).total_seconds()
    total = timedelta(0)
    for span_start, span_end in _open_spans(calendar, start_utc):
        if span_start >= end_utc:
            break
        total += min(span_end, end_utc) - span_start
    return total.total_seconds()


def next_open(calendar: BusinessCalendar, at: datetime) -> datetime:
    """`at` (in UTC) when open then, otherwise the UTC instant the calendar next opens."""
    at_utc = _as_utc(at, "at")
    if calendar.always:
        return at_utc
    span_start, _ = next(_open_spans(calendar, at_utc))
    return span_start


def is_open(calendar: BusinessCalendar, at: datetime) -> bool:
    """Whether `at` falls in open hours (an interval's closing moment is already closed)."""
    return next_open(calendar, at) == _as_utc(at, "at")
