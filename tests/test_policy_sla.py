"""SLA policies and clocks: targets, pauses while waiting on the member, reminders at 75 %
and breaches at 100 % (once each), on business hours across weekends, holidays, split
shifts, time zones and DST; durations as admins type them and as cards show them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.policy.business_hours import ALWAYS_OPEN, BusinessCalendar
from bot.policy.sla import (
    DEFAULT_SLA_POLICIES,
    SlaClock,
    SlaPolicies,
    SlaPolicy,
    duration_to_spec,
    elapsed_seconds,
    evaluate,
    format_duration,
    parse_duration,
    pause,
    resume,
    start_clock,
    stop,
)

MINUTE = 60.0
HOUR = 3600.0
VLADIVOSTOK = ZoneInfo("Asia/Vladivostok")
BERLIN = ZoneInfo("Europe/Berlin")
# A Vladivostok shop with a lunch break, closed at weekends and on 2024-01-01.
SHOP = BusinessCalendar.weekly(
    "Asia/Vladivostok", "mon-fri", "09:00-13:00, 14:00-20:00", holidays=[date(2024, 1, 1)]
)
T0 = datetime(2024, 5, 15, 10, 0, tzinfo=UTC)  # a Wednesday


def vlad(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=VLADIVOSTOK)  # type: ignore[misc]


# ---------------------------------------------------------------------------- durations


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("10m", 600),
        ("1h30m", 5400),
        ("1h 30m", 5400),
        ("24h", 86400),
        ("2d", 172800),
        ("90s", 90),
        ("1.5h", 5400),
        ("1,5h", 5400),
        ("15мин", 900),
        ("2ч", 7200),
        ("1w", 604800),
        (" 45 min ", 2700),
        ("0m", 0),
    ],
)
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "missing"),
        ("10", "Cannot read"),
        ("10x", "Unknown time unit"),
        ("1h1h", "same unit twice"),
        ("abc", "Cannot read"),
        ("-5m", "Cannot read"),
        ("5m!", "Unknown time unit"),
    ],
)
def test_parse_duration_explains_mistakes(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        parse_duration(text)
    assert "like 90s, 10m, 1h30m" in str(caught.value)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (192, "3 m 12 s"),
        (0, "0 s"),
        (0.4, "0 s"),
        (45, "45 s"),
        (600, "10 m"),
        (3725, "1 h 2 m"),
        (90061, "1 d 1 h"),
        (-192, "-3 m 12 s"),
    ],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(timedelta(seconds=seconds)) == text


def test_format_duration_with_more_parts_and_specs() -> None:
    assert format_duration(timedelta(seconds=90061), parts=3) == "1 d 1 h 1 m"
    for text in ("10m", "1h30m", "24h", "2d", "1m30s", "25h1m1s", "0s"):
        assert duration_to_spec(parse_duration(text)) == text
    assert duration_to_spec(parse_duration("90s")) == "1m30s"
    assert duration_to_spec(timedelta(minutes=60)) == "1h"
    assert duration_to_spec(timedelta(days=1, hours=1)) == "25h"
    assert duration_to_spec(timedelta(days=14)) == "14d"


# ------------------------------------------------------------------------------ policy


def test_defaults_follow_the_triage_table() -> None:
    expected_first = {"purchase": 10, "complaint": 15, "support": 60, "needs_triage": 60}
    for category, minutes in expected_first.items():
        policy = DEFAULT_SLA_POLICIES.for_category(category)
        assert policy.first_response == timedelta(minutes=minutes)
        assert policy.next_response == 2 * policy.first_response
        assert policy.resolution == timedelta(hours=24)
        assert policy.hours == "business"
    # DMs of praise/other are normal tickets; unknown categories fall back to needs triage.
    assert DEFAULT_SLA_POLICIES.for_category("praise").first_response == timedelta(minutes=60)
    assert DEFAULT_SLA_POLICIES.for_category("whatever") == DEFAULT_SLA_POLICIES.for_category(
        "needs_triage"
    )


def test_policies_round_trip_and_merge_over_defaults() -> None:
    stored = DEFAULT_SLA_POLICIES.to_dict()
    assert stored["purchase"] == {
        "first": "10m",
        "next": "20m",
        "resolve": "24h",
        "hours": "business",
    }
    assert SlaPolicies.from_dict(stored) == DEFAULT_SLA_POLICIES
    assert SlaPolicies.from_dict(None) == DEFAULT_SLA_POLICIES
    changed = SlaPolicies.from_dict({"complaint": {"first": "5m", "hours": "calendar"}})
    complaint = changed.for_category("complaint")
    assert complaint.first_response == timedelta(minutes=5)
    assert complaint.next_response == timedelta(minutes=30)  # kept from the default
    assert complaint.hours == "calendar"
    assert changed.for_category("purchase") == DEFAULT_SLA_POLICIES.for_category("purchase")
    vip = SlaPolicies.from_dict({"vip": {"first": "5m", "next": "10m", "resolve": "4h"}})
    assert vip.for_category("vip").resolution == timedelta(hours=4)


def test_policy_settings_from_the_sla_command() -> None:
    policy = DEFAULT_SLA_POLICIES.for_category("support")
    updated = policy.with_settings("first=10m next=30m resolve=24h")
    assert (updated.first_response, updated.next_response, updated.resolution) == (
        timedelta(minutes=10),
        timedelta(minutes=30),
        timedelta(hours=24),
    )
    assert updated.with_settings("hours=calendar").hours == "calendar"
    policies = DEFAULT_SLA_POLICIES.with_policy("support", updated)
    assert policies.for_category("support") == updated
    for bad, message in [
        ("first", "first=10m"),
        ("speed=10m", "Unknown SLA settings"),
        ("first=0m", "longer than zero"),
        ("first=soon", "Cannot read"),
        ("hours=office", "'business' or 'calendar'"),
    ]:
        with pytest.raises(ValueError, match=message):
            policy.with_settings(bad)
    with pytest.raises(ValueError, match="miss"):
        SlaPolicy.from_dict({"first": "10m"})
    with pytest.raises(ValueError, match="Unknown SLA target"):
        policy.target("lunch")


# ------------------------------------------------------------------------------ clocks


def test_calendar_hours_clock_is_due_after_the_target() -> None:
    policy = DEFAULT_SLA_POLICIES.for_category("purchase")
    clock = start_clock(policy, ALWAYS_OPEN, "first_response", T0)
    assert clock.due_at == T0 + timedelta(minutes=10)
    assert clock.target_seconds == 600
    assert clock.running


def test_calendar_hours_policy_ignores_business_hours() -> None:
    policy = DEFAULT_SLA_POLICIES.for_category("complaint").with_settings("hours=calendar")
    friday_night = vlad(2024, 5, 17, 23)
    clock = start_clock(policy, SHOP, "first_response", friday_night)
    assert clock.due_at == friday_night + timedelta(minutes=15)
    status = evaluate(clock, SHOP, friday_night + timedelta(minutes=12))
    assert status.elapsed_seconds == 12 * MINUTE


def test_business_clock_skips_the_weekend_and_the_holiday() -> None:
    policy = DEFAULT_SLA_POLICIES.for_category("complaint")  # 15 min
    friday_evening = vlad(2023, 12, 29, 19, 55)
    clock = start_clock(policy, SHOP, "first_response", friday_evening)
    assert clock.due_at == vlad(2024, 1, 2, 9, 10)
    # Over the closed days nothing runs: Monday (a holiday) noon is still 5 minutes in.
    status = evaluate(clock, SHOP, vlad(2024, 1, 1, 12))
    assert status.elapsed_seconds == 5 * MINUTE
    assert status.events == ()


def test_business_clock_across_the_lunch_break() -> None:
    policy = DEFAULT_SLA_POLICIES.for_category("support")  # 60 min
    clock = start_clock(policy, SHOP, "first_response", vlad(2024, 5, 15, 12, 30))
    assert clock.due_at == vlad(2024, 5, 15, 14, 30)
    assert evaluate(clock, SHOP, vlad(2024, 5, 15, 13, 45)).elapsed_seconds == 30 * MINUTE


def test_clock_across_the_berlin_dst_weekend() -> None:
    office = BusinessCalendar.weekly("Europe/Berlin", "mon-fri", "09:00-18:00")
    policy = SlaPolicy(timedelta(hours=2), timedelta(hours=2), timedelta(hours=9))
    friday = datetime(2024, 10, 25, 17, 0, tzinfo=BERLIN)  # CEST
    clock = start_clock(policy, office, "next_response", friday)
    assert clock.due_at == datetime(2024, 10, 28, 10, 0, tzinfo=BERLIN)  # Monday, CET
    assert clock.due_at == datetime(2024, 10, 28, 9, 0, tzinfo=UTC)
    resolution = start_clock(policy, office, "resolution", friday)
    assert resolution.due_at == datetime(2024, 10, 28, 17, 0, tzinfo=BERLIN)


def test_pause_moves_the_due_time_by_the_paused_business_time() -> None:
    policy = DEFAULT_SLA_POLICIES.for_category("support")  # 60 min, 24/7 calendar
    clock = start_clock(policy, ALWAYS_OPEN, "first_response", T0)
    paused = pause(clock, T0 + timedelta(minutes=20))  # the ticket waits on the member
    assert evaluate(paused, ALWAYS_OPEN, T0 + timedelta(hours=5)).elapsed_seconds == 20 * MINUTE
    resumed = resume(paused, ALWAYS_OPEN, T0 + timedelta(minutes=60))
    assert resumed.paused_seconds == 40 * MINUTE
    assert resumed.due_at == T0 + timedelta(minutes=100)
    status = evaluate(resumed, ALWAYS_OPEN, T0 + timedelta(minutes=70))
    assert status.elapsed_seconds == 30 * MINUTE
    assert status.fraction == pytest.approx(0.5)


def test_pause_over_closed_hours_only_moves_by_open_time() -> None:
    policy = DEFAULT_SLA_POLICIES.for_category("support")
    clock = start_clock(policy, SHOP, "first_response", vlad(2024, 5, 17, 18, 30))  # Friday
    assert clock.due_at == vlad(2024, 5, 17, 19, 30)
    paused = pause(clock, vlad(2024, 5, 17, 19))
    # Waiting from Friday 19:00 to Monday 10:00 is 1 h of open time + 1 h on Monday.
    resumed = resume(paused, SHOP, vlad(2024, 5, 20, 10))
    assert resumed.paused_seconds == 2 * HOUR
    assert resumed.due_at == vlad(2024, 5, 20, 10, 30)
    assert evaluate(resumed, SHOP, vlad(2024, 5, 20, 10, 15)).elapsed_seconds == 45 * MINUTE


def test_pause_resume_stop_are_idempotent() -> None:
    clock = start_clock(
        DEFAULT_SLA_POLICIES.for_category("support"), ALWAYS_OPEN, "first_response", T0
    )
    assert resume(clock, ALWAYS_OPEN, T0 + timedelta(minutes=5)) == clock
    paused = pause(clock, T0 + timedelta(minutes=10))
    assert pause(paused, T0 + timedelta(minutes=20)) == paused
    stopped = stop(clock, T0 + timedelta(minutes=30))
    assert stop(stopped, T0 + timedelta(minutes=40)) == stopped
    assert pause(stopped, T0 + timedelta(minutes=45)) == stopped


def test_stop_while_paused_counts_nothing_after_the_pause() -> None:
    clock = start_clock(
        DEFAULT_SLA_POLICIES.for_category("support"), ALWAYS_OPEN, "first_response", T0
    )
    finished = stop(pause(clock, T0 + timedelta(minutes=10)), T0 + timedelta(hours=3))
    assert resume(finished, ALWAYS_OPEN, T0 + timedelta(hours=4)) == finished
    status = evaluate(finished, ALWAYS_OPEN, T0 + timedelta(hours=5))
    assert status.elapsed_seconds == 10 * MINUTE
    assert status.met is True


def test_reminder_at_75_percent_and_breach_at_100_percent_fire_once() -> None:
    policy = DEFAULT_SLA_POLICIES.for_category("support")  # 60 min
    clock = start_clock(policy, SHOP, "first_response", vlad(2024, 5, 15, 10))

    early = evaluate(clock, SHOP, vlad(2024, 5, 15, 10, 44))
    assert early.events == () and not early.remind and early.met is None
    assert early.remaining_seconds == 16 * MINUTE

    at_75 = evaluate(clock, SHOP, vlad(2024, 5, 15, 10, 45))
    assert at_75.remind and not at_75.escalate
    (reminder,) = at_75.events
    assert (reminder.kind, reminder.target) == ("reminder", "first_response")
    assert reminder.due_at == vlad(2024, 5, 15, 11)
    clock = at_75.clock
    assert clock.reminded and not clock.escalated
    assert evaluate(clock, SHOP, vlad(2024, 5, 15, 10, 50)).events == ()

    at_due = evaluate(clock, SHOP, clock.due_at)
    assert at_due.escalate and at_due.breached and at_due.met is False
    assert [event.kind for event in at_due.events] == ["breach"]
    clock = at_due.clock
    assert clock.escalated
    later = evaluate(clock, SHOP, vlad(2024, 5, 15, 15))
    assert later.events == () and later.breached
    assert later.remaining_seconds == -(3 * HOUR)  # 4 h used: 10:00–15:00 minus lunch


def test_a_late_tick_fires_only_the_breach() -> None:
    clock = start_clock(
        DEFAULT_SLA_POLICIES.for_category("purchase"), ALWAYS_OPEN, "first_response", T0
    )
    status = evaluate(clock, ALWAYS_OPEN, T0 + timedelta(minutes=30))
    assert [event.kind for event in status.events] == ["breach"]
    assert status.clock.reminded and status.clock.escalated
    assert status.fraction == pytest.approx(3.0)


def test_paused_and_stopped_clocks_fire_nothing() -> None:
    clock = start_clock(
        DEFAULT_SLA_POLICIES.for_category("purchase"), ALWAYS_OPEN, "first_response", T0
    )
    paused = pause(clock, T0 + timedelta(minutes=5))
    assert evaluate(paused, ALWAYS_OPEN, T0 + timedelta(hours=2)).events == ()
    answered_late = stop(clock, T0 + timedelta(minutes=12))
    status = evaluate(answered_late, ALWAYS_OPEN, T0 + timedelta(hours=2))
    assert status.events == ()
    assert status.met is False  # recorded as a breach even though nobody was chased
    on_time = evaluate(stop(clock, T0 + timedelta(minutes=3)), ALWAYS_OPEN, T0 + timedelta(hours=2))
    assert on_time.met is True and on_time.elapsed_seconds == 3 * MINUTE


def test_waiting_on_the_member_delays_the_reminder() -> None:
    policy = DEFAULT_SLA_POLICIES.for_category("support")
    clock = start_clock(policy, SHOP, "first_response", vlad(2024, 5, 15, 9))
    clock = pause(clock, vlad(2024, 5, 15, 9, 30))
    clock = resume(clock, SHOP, vlad(2024, 5, 15, 15))  # waited 9:30–15:00, 4 h 30 m open
    assert evaluate(clock, SHOP, vlad(2024, 5, 15, 15, 14)).events == ()  # 44 min used
    assert evaluate(clock, SHOP, vlad(2024, 5, 15, 15, 15)).remind  # 45 min = 75 %
    assert clock.due_at == vlad(2024, 5, 15, 15, 30)


def test_clock_round_trips_through_a_dict() -> None:
    clock = start_clock(DEFAULT_SLA_POLICIES.for_category("purchase"), SHOP, "first_response", T0)
    clock = evaluate(pause(clock, T0 + timedelta(minutes=8)), SHOP, T0).clock
    assert SlaClock.from_dict(clock.to_dict()) == clock
    stopped = stop(clock, T0 + timedelta(minutes=9))
    assert SlaClock.from_dict(stopped.to_dict()) == stopped
    with pytest.raises(ValueError, match="started_at"):
        SlaClock.from_dict({"kind": "first_response", "target_seconds": 60})


def test_elapsed_never_negative_before_the_start() -> None:
    clock = start_clock(
        DEFAULT_SLA_POLICIES.for_category("purchase"), ALWAYS_OPEN, "first_response", T0
    )
    assert elapsed_seconds(clock, ALWAYS_OPEN, T0 - timedelta(minutes=5)) == 0.0


@settings(max_examples=60, deadline=None)
@given(
    st.datetimes(datetime(2024, 1, 1), datetime(2025, 6, 1), timezones=st.just(UTC)),
    st.lists(st.tuples(st.floats(0, 3 * HOUR), st.floats(0, 30 * HOUR)), max_size=4),
)
def test_at_the_due_time_exactly_the_target_is_used(
    start: datetime, pauses: list[tuple[float, float]]
) -> None:
    """However the member keeps the ticket waiting, the clock breaches at its due time."""
    clock = start_clock(DEFAULT_SLA_POLICIES.for_category("support"), SHOP, "resolution", start)
    now = start
    for running_for, waiting_for in pauses:
        now += timedelta(seconds=running_for)
        clock = pause(clock, now)
        now += timedelta(seconds=waiting_for)
        clock = resume(clock, SHOP, now)
    at_due = evaluate(clock, SHOP, max(clock.due_at, now))
    if clock.due_at >= now:
        assert at_due.elapsed_seconds == pytest.approx(clock.target_seconds, abs=1e-3)
    assert at_due.breached
