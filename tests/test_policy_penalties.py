"""The spam penalty ladder, trusted-member thresholds and anti-flood (issue 6 policy)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.policy.durations import format_duration, parse_duration
from bot.policy.penalties import (
    FloodPolicy,
    FloodTracker,
    LadderPolicy,
    LadderStep,
    Strike,
    next_penalty,
    parse_steps,
    spam_threshold,
)

NOW = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


# ---- the ladder ----------------------------------------------------------------------


def test_default_ladder_steps() -> None:
    policy = LadderPolicy()
    first = next_penalty(policy, [], NOW, is_staff=False)
    assert (first.kind, first.duration, first.strike_number) == ("warn", None, 1)
    assert first.reason == "1st spam removal within 7 days: a warning."
    assert first.ends_at(NOW) is None

    second = next_penalty(policy, [Strike(ago(days=2))], NOW, is_staff=False)
    assert (second.kind, second.duration) == ("mute", timedelta(hours=24))
    assert second.reason == "2nd spam removal within 7 days: muted for 24 h."
    assert second.ends_at(NOW) == NOW + timedelta(hours=24)

    third = next_penalty(policy, [Strike(ago(days=3)), Strike(ago(hours=1))], NOW, False)
    assert (third.kind, third.duration) == ("ban", None)
    assert third.reason == "3rd spam removal within 7 days: banned for ever."

    # Past the top the last step repeats.
    many = [Strike(ago(hours=hours)) for hours in range(1, 6)]
    assert next_penalty(policy, many, NOW, False).kind == "ban"
    assert next_penalty(policy, many, NOW, False).strike_number == 6


def test_strikes_expire_after_the_window() -> None:
    policy = LadderPolicy()
    old = [Strike(ago(days=8)), Strike(ago(days=7))]
    assert next_penalty(policy, old, NOW, False).kind == "warn"
    almost = [Strike(ago(days=6, hours=23))]
    assert next_penalty(policy, almost, NOW, False).kind == "mute"
    # Strikes dated after `now` have not happened yet.
    assert next_penalty(policy, [Strike(NOW + timedelta(hours=1))], NOW, False).kind == "warn"
    shorter = LadderPolicy(window=timedelta(days=1))
    assert next_penalty(shorter, [Strike(ago(days=2))], NOW, False).kind == "warn"
    assert next_penalty(shorter, [Strike(ago(days=2))], NOW, False).reason.startswith(
        "1st spam removal within 24 h"
    )


def test_withdrawn_strikes_do_not_count() -> None:
    history = [Strike(ago(days=1), withdrawn=True), Strike(ago(hours=5), withdrawn=True)]
    assert next_penalty(LadderPolicy(), history, NOW, False).kind == "warn"
    history.append(Strike(ago(hours=2)))
    assert next_penalty(LadderPolicy(), history, NOW, False).kind == "mute"


def test_staff_are_never_penalised() -> None:
    history = [Strike(ago(hours=hours)) for hours in range(1, 4)]
    penalty = next_penalty(LadderPolicy(), history, NOW, is_staff=True)
    assert (penalty.kind, penalty.duration, penalty.strike_number) == ("none", None, 0)
    assert penalty.reason == "Admins and moderators are never penalised."


def test_custom_ladder_and_round_trip() -> None:
    policy = LadderPolicy().with_steps("warn > mute 1h > mute 24h > ban 30d")
    assert policy.steps == (
        LadderStep("warn"),
        LadderStep("mute", timedelta(hours=1)),
        LadderStep("mute", timedelta(hours=24)),
        LadderStep("ban", timedelta(days=30)),
    )
    assert policy.describe() == (
        "warning → mute 1 h → mute 24 h → ban 30 days, counting removals within 7 days"
    )
    assert LadderPolicy.from_dict(policy.to_dict()) == policy
    assert LadderPolicy.from_dict({}) == LadderPolicy()
    assert LadderPolicy.from_dict({"window_seconds": 3600}).window == timedelta(hours=1)
    strikes = [Strike(ago(hours=3)), Strike(ago(hours=2)), Strike(ago(hours=1))]
    banned = next_penalty(policy, strikes, NOW, False)
    assert (banned.kind, banned.duration) == ("ban", timedelta(days=30))
    assert banned.reason == "4th spam removal within 7 days: banned for 30 days."
    assert banned.ends_at(NOW) == NOW + timedelta(days=30)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Give the ladder steps"),
        ("warn, kick, ban", "'kick' is not a ladder step"),
        ("warn, mute, ban", "A mute step needs a length"),
        ("warn 1h", "A warning has no length"),
        ("mute 1h 2h", "is not a ladder step"),
        ("mute soon", "is not a duration"),
    ],
)
def test_bad_ladders_are_refused_with_sentences(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_steps(text)


def test_bad_stored_ladders_are_refused() -> None:
    with pytest.raises(ValueError, match="Unknown ladder setting"):
        LadderPolicy.from_dict({"ladder": []})
    with pytest.raises(ValueError, match="The stored ladder is not valid"):
        LadderPolicy.from_dict({"steps": [{"duration_seconds": 60}]})
    with pytest.raises(ValueError, match="1 to 10 steps"):
        LadderPolicy(steps=())


@settings(max_examples=200, deadline=None)
@given(
    offsets=st.lists(st.tuples(st.integers(-48 * 60, 30 * 24 * 60), st.booleans()), max_size=12),
    staff=st.booleans(),
)
def test_ladder_step_is_the_count_of_live_strikes(
    offsets: list[tuple[int, bool]], staff: bool
) -> None:
    policy = LadderPolicy()
    history = [Strike(ago(minutes=minutes), withdrawn) for minutes, withdrawn in offsets]
    penalty = next_penalty(policy, history, NOW, staff)
    live = sum(1 for minutes, withdrawn in offsets if not withdrawn and 0 <= minutes < 7 * 1440)
    if staff:
        assert penalty.kind == "none"
    else:
        assert penalty.kind == ("warn", "mute", "ban")[min(live, 2)]
        assert penalty.strike_number == live + 1


# ---- thresholds ----------------------------------------------------------------------


def test_thresholds_rise_with_a_legitimate_history() -> None:
    policy = LadderPolicy()
    week = timedelta(days=7)
    assert spam_threshold(0.8, 0, week, policy) == 0.8
    assert spam_threshold(0.8, 2, week, policy) == 0.8
    assert spam_threshold(0.8, 3, week, policy) == pytest.approx(0.85)
    assert spam_threshold(0.8, 19, week, policy) == pytest.approx(0.85)
    assert spam_threshold(0.8, 20, week, policy) == pytest.approx(0.90)
    assert spam_threshold(0.8, 5000, None, policy) == pytest.approx(0.90)
    # Capped below 1, and never lowered.
    assert spam_threshold(0.95, 50, week, policy) == pytest.approx(0.99)
    assert spam_threshold(0.995, 50, week, policy) == 0.995


def test_new_members_get_no_bonus_however_chatty() -> None:
    policy = LadderPolicy()
    assert spam_threshold(0.8, 50, timedelta(hours=2), policy) == 0.8
    assert spam_threshold(0.8, 50, timedelta(hours=24), policy) == pytest.approx(0.9)
    with pytest.raises(ValueError, match="between 0 and 1"):
        spam_threshold(1.5, 0, None, policy)


@settings(max_examples=200, deadline=None)
@given(
    base=st.floats(0, 1),
    fewer=st.integers(0, 100),
    extra=st.integers(0, 100),
)
def test_threshold_curve_is_monotonic_and_capped(base: float, fewer: int, extra: int) -> None:
    policy = LadderPolicy()
    low = spam_threshold(base, fewer, timedelta(days=30), policy)
    high = spam_threshold(base, fewer + extra, timedelta(days=30), policy)
    assert base <= low <= high
    assert high <= max(base, policy.threshold_cap)


# ---- anti-flood ----------------------------------------------------------------------


def seconds(value: float) -> datetime:
    return NOW + timedelta(seconds=value)


def test_flood_trips_once_per_burst() -> None:
    tracker = FloodTracker()
    # Five messages in ten seconds are allowed; the sixth is a flood.
    results = [tracker.record("group", "ann", seconds(value)) for value in range(6)]
    assert results == [False] * 5 + [True]
    # The rest of the same burst does not trip again.
    assert not any(tracker.record("group", "ann", seconds(6 + value)) for value in range(20))


def test_a_new_burst_after_a_silent_window_trips_again() -> None:
    tracker = FloodTracker()
    assert [tracker.record("g", "ann", seconds(v / 2)) for v in range(6)][-1] is True
    # Quiet for a whole window, then another burst.
    restart = 2.5 + 10
    results = [tracker.record("g", "ann", seconds(restart + v / 2)) for v in range(6)]
    assert results == [False] * 5 + [True]


def test_a_steady_pace_is_not_a_flood() -> None:
    tracker = FloodTracker()
    assert not any(tracker.record("g", "bob", seconds(2 * v)) for v in range(50))


def test_members_and_communities_are_counted_apart() -> None:
    tracker = FloodTracker()
    for v in range(5):
        assert not tracker.record("g1", "ann", seconds(v))
        assert not tracker.record("g2", "ann", seconds(v))
        assert not tracker.record("g1", "bob", seconds(v))
    assert tracker.record("g1", "ann", seconds(5))
    assert not tracker.record("g2", "bob", seconds(5))


def test_flood_policy_per_community_and_out_of_order_times() -> None:
    strict = FloodPolicy(max_messages=2, window=timedelta(seconds=5), mute=timedelta(minutes=30))
    tracker = FloodTracker()
    assert not tracker.record("g", "ann", seconds(10), strict)
    assert not tracker.record("g", "ann", seconds(9), strict)  # counted as 10 s
    assert tracker.record("g", "ann", seconds(11), strict)
    assert FloodPolicy.from_dict(strict.to_dict()) == strict
    assert FloodPolicy.from_dict(None) == FloodPolicy()
    assert FloodPolicy().mute == timedelta(minutes=10)
    with pytest.raises(ValueError, match="Unknown flood setting"):
        FloodPolicy.from_dict({"limit": 3})
    with pytest.raises(ValueError, match="at least 1 message"):
        FloodPolicy(max_messages=0)


def test_flood_memory_is_bounded() -> None:
    tracker = FloodTracker(max_members=100)
    for member in range(1000):
        for v in range(3):
            tracker.record("g", str(member), seconds(member + v / 10))
    assert len(tracker) == 100
    assert all(len(rate.moments) <= 6 for rate in tracker._members.values())
    tracker.forget("g", "999")
    assert len(tracker) == 99


@settings(max_examples=150, deadline=None)
@given(gaps=st.lists(st.integers(0, 15_000), min_size=1, max_size=60))
def test_flood_trips_exactly_when_a_burst_begins(gaps: list[int]) -> None:
    """Compare against a from-scratch count: trips only where the window overflows
    and the member had been quiet (a full window) since the last trip."""
    policy = FloodPolicy()
    tracker = FloodTracker(policy)
    moments: list[datetime] = []
    at = NOW
    in_burst = False
    for gap in gaps:
        at += timedelta(milliseconds=gap)
        if moments and at - moments[-1] >= policy.window:
            in_burst = False
        moments.append(at)
        window_count = sum(1 for moment in moments if moment > at - policy.window)
        expected = window_count > policy.max_messages and not in_burst
        in_burst = in_burst or expected
        assert tracker.record("g", "m", at) is expected


# ---- durations -----------------------------------------------------------------------


def test_durations_read_and_written() -> None:
    assert parse_duration("4h") == timedelta(hours=4)
    assert parse_duration("1h30m") == timedelta(minutes=90)
    assert parse_duration("1h 30m") == timedelta(minutes=90)
    assert parse_duration("2d") == timedelta(days=2)
    assert parse_duration("24ч") == timedelta(hours=24)
    assert parse_duration("10мин") == timedelta(minutes=10)
    assert parse_duration("0") == timedelta(0)
    for bad in ("", "h", "4", "4h junk", "-4h", "4y"):
        with pytest.raises(ValueError):
            parse_duration(bad)
    assert format_duration(timedelta(hours=24)) == "24 h"
    assert format_duration(timedelta(minutes=90)) == "1 h 30 min"
    assert format_duration(timedelta(days=7)) == "7 days"
    assert format_duration(timedelta(seconds=45)) == "45 s"
    assert format_duration(timedelta(0)) == "0 min"
