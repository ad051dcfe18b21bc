"""Business hours: parsing, storage, and time measured across weekends, holidays,
split shifts, far-away time zones and daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.policy.business_hours import (
    ALWAYS_OPEN,
    BusinessCalendar,
    Interval,
    add_business_time,
    business_seconds_between,
    is_open,
    next_open,
    parse_intervals,
    parse_weekdays,
)

BERLIN = ZoneInfo("Europe/Berlin")
VLADIVOSTOK = ZoneInfo("Asia/Vladivostok")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
HOUR = 3600.0

# Moscow office with a lunch break; 2024-01-01 (Monday) is a holiday.
SPLIT = BusinessCalendar.weekly(
    "Europe/Moscow", "mon-fri", "09:00-13:00, 14:00-20:00", holidays=[date(2024, 1, 1)]
)
MOSCOW = ZoneInfo("Europe/Moscow")


def local(zone: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=zone)  # type: ignore[misc]


# ----------------------------------------------------------------------------- parsing


def test_interval_parsing_accepts_common_spellings() -> None:
    assert Interval.parse("09:00-13:00") == Interval(9 * 60, 13 * 60)
    assert Interval.parse("9-13") == Interval(9 * 60, 13 * 60)
    assert Interval.parse(" 9:30 – 13:15 ") == Interval(9 * 60 + 30, 13 * 60 + 15)
    assert Interval.parse("20:00-24:00") == Interval(20 * 60, 24 * 60)
    assert str(Interval.parse("20:00-24:00")) == "20:00-24:00"


@pytest.mark.parametrize("text", ["", "9", "13:00-09:00", "22:00-02:00", "24:00-24:00", "9:60-10"])
def test_interval_parsing_rejects_nonsense_with_a_sentence(text: str) -> None:
    with pytest.raises(ValueError, match=r"\."):
        Interval.parse(text)


def test_parse_intervals_sorts_and_rejects_overlaps() -> None:
    assert parse_intervals("14:00-20:00, 09:00-13:00") == (
        Interval(540, 780),
        Interval(840, 1200),
    )
    assert parse_intervals("09:00-13:00,13:00-14:00") == (Interval(540, 780), Interval(780, 840))
    assert parse_intervals("closed") == ()
    assert parse_intervals("") == ()
    with pytest.raises(ValueError, match="overlap"):
        parse_intervals("09:00-13:00, 12:00-14:00")


def test_parse_weekdays() -> None:
    assert parse_weekdays("mon-fri") == (0, 1, 2, 3, 4)
    assert parse_weekdays("sat,sun") == (5, 6)
    assert parse_weekdays("fri-mon") == (0, 4, 5, 6)
    assert parse_weekdays("пн-пт") == (0, 1, 2, 3, 4)
    assert parse_weekdays("Monday, wed") == (0, 2)
    assert parse_weekdays("all") == tuple(range(7))
    assert parse_weekdays([6, 0]) == (0, 6)
    for bad in ("funday", "mon-tue-wed", "", [7]):
        with pytest.raises(ValueError):
            parse_weekdays(bad)


def test_calendar_validation() -> None:
    with pytest.raises(ValueError, match="no open time"):
        BusinessCalendar.weekly("UTC", "mon", "closed")
    with pytest.raises(ValueError, match="Unknown time zone"):
        BusinessCalendar.weekly("Mars/Olympus", "mon-fri", "09:00-18:00")
    with pytest.raises(ValueError, match="seven days"):
        BusinessCalendar(week=((Interval(0, 60),),))


def test_calendar_round_trips_through_a_dict() -> None:
    stored = SPLIT.to_dict()
    assert stored["hours"]["mon"] == ["09:00-13:00", "14:00-20:00"]
    assert stored["hours"]["sat"] == []
    assert stored["holidays"] == ["2024-01-01"]
    assert BusinessCalendar.from_dict(stored) == SPLIT
    assert BusinessCalendar.from_dict(ALWAYS_OPEN.to_dict()) == ALWAYS_OPEN


def test_calendar_from_partial_dict() -> None:
    assert BusinessCalendar.from_dict({}).always
    partial = BusinessCalendar.from_dict(
        {"timezone": "Asia/Vladivostok", "hours": {"sat": "10-16"}}
    )
    assert not partial.always
    assert partial.working_days == (5,)
    with pytest.raises(ValueError, match="Unknown business-hours settings"):
        BusinessCalendar.from_dict({"tz": "UTC"})
    with pytest.raises(ValueError, match="Unknown weekdays"):
        BusinessCalendar.from_dict({"hours": {"monday": ["09:00-18:00"]}})
    with pytest.raises(ValueError, match="2025-01-01"):
        BusinessCalendar.from_dict({"holidays": ["1 Jan"]})


def test_calendar_edits_for_the_hours_command() -> None:
    weekend = SPLIT.with_hours("sat", "10:00-16:00")
    assert weekend.working_days == (0, 1, 2, 3, 4, 5)
    assert weekend.with_hours("sat", "closed").working_days == (0, 1, 2, 3, 4)
    more = SPLIT.with_holidays(add=[date(2024, 1, 2)], remove=[date(2024, 1, 1)])
    assert more.holidays == frozenset({date(2024, 1, 2)})


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        is_open(SPLIT, datetime(2024, 1, 3, 10, 0))
    with pytest.raises(ValueError, match="negative"):
        add_business_time(SPLIT, datetime(2024, 1, 3, tzinfo=UTC), -1)


# ------------------------------------------------------------------- split shifts, weekends


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [
        (8, 59, False),
        (9, 0, True),
        (12, 59, True),
        (13, 0, False),  # the closing moment is already closed
        (13, 30, False),  # lunch
        (14, 0, True),
        (19, 59, True),
        (20, 0, False),
    ],
)
def test_is_open_on_a_split_shift(hour: int, minute: int, expected: bool) -> None:
    assert is_open(SPLIT, local(MOSCOW, 2024, 1, 3, hour, minute)) is expected


def test_closed_on_weekends_and_holidays() -> None:
    assert not is_open(SPLIT, local(MOSCOW, 2024, 1, 6, 10))  # Saturday
    assert not is_open(SPLIT, local(MOSCOW, 2024, 1, 7, 10))  # Sunday
    assert not is_open(SPLIT, local(MOSCOW, 2024, 1, 1, 10))  # holiday Monday
    assert is_open(SPLIT, local(MOSCOW, 2024, 1, 2, 10))


def test_next_open() -> None:
    # Lunch → 14:00 the same day; Friday night → Monday 09:00; before a holiday → Tuesday.
    assert next_open(SPLIT, local(MOSCOW, 2024, 1, 3, 13, 10)) == local(MOSCOW, 2024, 1, 3, 14)
    assert next_open(SPLIT, local(MOSCOW, 2024, 1, 12, 20)) == local(MOSCOW, 2024, 1, 15, 9)
    assert next_open(SPLIT, local(MOSCOW, 2023, 12, 29, 21)) == local(MOSCOW, 2024, 1, 2, 9)
    inside = local(MOSCOW, 2024, 1, 3, 10, 17)
    assert next_open(SPLIT, inside) == inside
    assert next_open(SPLIT, inside).tzinfo == UTC


def test_add_within_and_across_the_lunch_break() -> None:
    start = local(MOSCOW, 2024, 1, 3, 10)
    assert add_business_time(SPLIT, start, 15 * 60) == local(MOSCOW, 2024, 1, 3, 10, 15)
    # 10:00 + 3 h 30 m: 3 h until 13:00, lunch, 30 m after 14:00.
    assert add_business_time(SPLIT, start, 3.5 * HOUR) == local(MOSCOW, 2024, 1, 3, 14, 30)
    # Using exactly the time left before lunch ends at the closing moment, not after lunch.
    assert add_business_time(SPLIT, start, 3 * HOUR) == local(MOSCOW, 2024, 1, 3, 13)


def test_add_from_a_closed_moment_starts_at_the_next_opening() -> None:
    assert add_business_time(SPLIT, local(MOSCOW, 2024, 1, 3, 6), 600) == local(
        MOSCOW, 2024, 1, 3, 9, 10
    )
    assert add_business_time(SPLIT, local(MOSCOW, 2024, 1, 3, 6), 0) == local(MOSCOW, 2024, 1, 3, 6)


def test_add_across_a_weekend_and_a_holiday() -> None:
    friday_evening = local(MOSCOW, 2023, 12, 29, 19, 55)
    # 5 minutes on Friday, then Saturday, Sunday and the Monday holiday are skipped.
    assert add_business_time(SPLIT, friday_evening, 15 * 60) == local(MOSCOW, 2024, 1, 2, 9, 10)
    assert business_seconds_between(
        SPLIT, friday_evening, local(MOSCOW, 2024, 1, 2, 9, 10)
    ) == pytest.approx(15 * 60)


def test_seconds_between_over_a_week() -> None:
    monday = local(MOSCOW, 2024, 1, 8)
    assert business_seconds_between(SPLIT, monday, monday + timedelta(days=7)) == 50 * HOUR
    holiday_week = local(MOSCOW, 2024, 1, 1)
    assert business_seconds_between(SPLIT, holiday_week, holiday_week + timedelta(days=7)) == (
        40 * HOUR
    )
    assert business_seconds_between(SPLIT, monday + timedelta(days=1), monday) == 0.0


def test_multi_week_spans_are_exact() -> None:
    office = BusinessCalendar.weekly("Europe/Moscow", "mon-fri", "09:00-17:00")
    start = local(MOSCOW, 2024, 2, 5, 9)  # Monday opening
    # 15 working days of 8 h: done at Friday 17:00 of the third week.
    assert add_business_time(office, start, 15 * 8 * HOUR) == local(MOSCOW, 2024, 2, 23, 17)
    year = business_seconds_between(office, local(MOSCOW, 2024, 1, 1), local(MOSCOW, 2025, 1, 1))
    assert year == 262 * 8 * HOUR  # 2024 has 262 weekdays


def test_intervals_ending_at_midnight_chain_into_the_next_day() -> None:
    night = BusinessCalendar.weekly("UTC", "all", "00:00-02:00, 22:00-24:00")
    start = datetime(2024, 5, 1, 23, tzinfo=UTC)
    assert add_business_time(night, start, 3 * HOUR) == datetime(2024, 5, 2, 2, tzinfo=UTC)
    assert is_open(night, datetime(2024, 5, 2, 0, tzinfo=UTC))
    assert business_seconds_between(night, start, datetime(2024, 5, 2, 3, tzinfo=UTC)) == 3 * HOUR


def test_always_open_is_plain_time() -> None:
    start = datetime(2024, 3, 30, 23, 30, tzinfo=UTC)
    assert add_business_time(ALWAYS_OPEN, start, 10 * 60) == start + timedelta(minutes=10)
    assert is_open(ALWAYS_OPEN, start)
    assert business_seconds_between(ALWAYS_OPEN, start, start + timedelta(days=3)) == 72 * HOUR


# ----------------------------------------------------------------- time zones and DST


def test_vladivostok_opens_the_previous_evening_in_utc() -> None:
    calendar = BusinessCalendar.weekly("Asia/Vladivostok", "mon-fri", "09:00-18:00")
    # Monday 09:00 in Vladivostok (UTC+10) is Sunday 23:00 UTC.
    assert is_open(calendar, datetime(2024, 4, 14, 23, 30, tzinfo=UTC))
    assert not is_open(calendar, datetime(2024, 4, 14, 22, 30, tzinfo=UTC))
    due = add_business_time(calendar, datetime(2024, 4, 14, 22, tzinfo=UTC), 30 * 60)
    assert due == datetime(2024, 4, 14, 23, 30, tzinfo=UTC)
    assert due.astimezone(VLADIVOSTOK) == local(VLADIVOSTOK, 2024, 4, 15, 9, 30)


def test_los_angeles_evening_is_the_next_day_in_utc() -> None:
    calendar = BusinessCalendar.weekly("America/Los_Angeles", "mon-fri", "09:00-20:00")
    # Friday 19:30 in LA (PDT, UTC-7) is Saturday 02:30 UTC: still open.
    assert is_open(calendar, datetime(2024, 4, 20, 2, 30, tzinfo=UTC))
    due = add_business_time(calendar, datetime(2024, 4, 20, 2, 30, tzinfo=UTC), HOUR)
    assert due.astimezone(LOS_ANGELES) == local(LOS_ANGELES, 2024, 4, 22, 9, 30)


def test_los_angeles_spring_forward_weekend() -> None:
    calendar = BusinessCalendar.weekly("America/Los_Angeles", "mon-fri", "09:00-17:00")
    friday = local(LOS_ANGELES, 2024, 3, 8, 16)  # PST, UTC-8
    due = add_business_time(calendar, friday, 2 * HOUR)
    assert due == datetime(2024, 3, 11, 17, tzinfo=UTC)  # Monday 10:00 PDT, UTC-7
    assert business_seconds_between(calendar, friday, due) == 2 * HOUR


def test_berlin_change_days_last_23_and_25_hours() -> None:
    full = BusinessCalendar.weekly("Europe/Berlin", "all", "00:00-24:00")
    spring, autumn = local(BERLIN, 2024, 3, 31), local(BERLIN, 2024, 10, 27)
    assert business_seconds_between(full, spring, spring + timedelta(days=1)) == 23 * HOUR
    assert business_seconds_between(full, autumn, autumn + timedelta(days=1)) == 25 * HOUR


def test_berlin_office_day_keeps_its_hours_across_dst() -> None:
    office = BusinessCalendar.weekly("Europe/Berlin", "all", "09:00-18:00")
    for day in (local(BERLIN, 2024, 3, 31), local(BERLIN, 2024, 10, 27)):
        assert business_seconds_between(office, day, day + timedelta(days=1)) == 9 * HOUR
    friday = local(BERLIN, 2024, 3, 29, 17, 30)  # CET, UTC+1
    due = add_business_time(
        BusinessCalendar.weekly("Europe/Berlin", "mon-fri", "09:00-18:00"), friday, 2 * HOUR
    )
    assert due == datetime(2024, 4, 1, 8, 30, tzinfo=UTC)  # Monday 10:30 CEST


def test_hours_the_clock_skips_or_repeats() -> None:
    night = BusinessCalendar.weekly("Europe/Berlin", "sun", "01:00-04:00")
    spring, autumn = local(BERLIN, 2024, 3, 31), local(BERLIN, 2024, 10, 27)
    # 02:00–03:00 does not exist on the spring day and happens twice in autumn.
    assert business_seconds_between(night, spring, spring + timedelta(days=1)) == 2 * HOUR
    assert business_seconds_between(night, autumn, autumn + timedelta(days=1)) == 4 * HOUR
    skipped = BusinessCalendar.weekly("Europe/Berlin", "sun", "02:10-02:50")
    assert business_seconds_between(skipped, spring, spring + timedelta(days=1)) == 0
    # Opening inside the skipped hour means opening at the jump, 03:00 CEST.
    late = BusinessCalendar.weekly("Europe/Berlin", "sun", "02:30-05:00")
    assert next_open(late, spring) == datetime(2024, 3, 31, 1, tzinfo=UTC)


# ------------------------------------------------------------------------- properties

ZONES = ("UTC", "Europe/Berlin", "Asia/Vladivostok", "America/Los_Angeles", "Asia/Kolkata")


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    days = []
    for _ in range(7):
        cuts = sorted(draw(st.sets(st.integers(0, 48), max_size=4)))  # half-hour marks
        pairs = list(zip(cuts[::2], cuts[1::2], strict=False))
        days.append(tuple(Interval(a * 30, b * 30) for a, b in pairs if a < b))
    if not any(days):
        days[draw(st.integers(0, 6))] = (Interval(9 * 60, 18 * 60),)
    holidays = draw(st.sets(st.dates(date(2024, 1, 1), date(2025, 12, 31)), max_size=6))
    return BusinessCalendar(draw(st.sampled_from(ZONES)), tuple(days), frozenset(holidays))


instants = st.datetimes(datetime(2024, 1, 1), datetime(2025, 12, 1), timezones=st.just(UTC))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calendars(), instants, st.floats(0, 21 * 24 * HOUR, allow_nan=False))
def test_adding_then_measuring_gives_back_the_amount(
    calendar: BusinessCalendar, start: datetime, seconds: float
) -> None:
    due = add_business_time(calendar, start, seconds)
    assert due >= start
    assert business_seconds_between(calendar, start, due) == pytest.approx(seconds, abs=1.0)
    if seconds > 0:
        # Never inside a closed period: open, or the closing moment of an open interval.
        assert is_open(calendar, due) or is_open(calendar, due - timedelta(microseconds=1))


@settings(max_examples=100, deadline=None)
@given(calendars(), instants, st.floats(1, 5 * 24 * HOUR), st.floats(1, 5 * 24 * HOUR))
def test_business_time_adds_up(
    calendar: BusinessCalendar, start: datetime, first: float, second: float
) -> None:
    stepwise = add_business_time(calendar, add_business_time(calendar, start, first), second)
    at_once = add_business_time(calendar, start, first + second)
    assert abs((stepwise - at_once).total_seconds()) < 1e-3
