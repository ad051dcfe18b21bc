"""Posting slots, the content planner's placement rules, best hours and the cadence warning."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.policy.best_times import (
    activity_by_hour,
    cadence_warning,
    suggest_hours,
    suggested_slots,
)
from bot.policy.promo import PublishedPost, RatioPolicy
from bot.policy.slots import (
    DEFAULT_SLOTS,
    QueuedPost,
    due_now,
    format_slots,
    next_slots,
    parse_slots,
    plan,
    slots_between,
)

MOSCOW = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")
# Monday 3 March 2025, 09:00 in Moscow (UTC+3 all year).
NOW = datetime(2025, 3, 3, 6, 0, tzinfo=UTC)


def msk(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in March 2025, Moscow wall-clock, as UTC."""
    return datetime(2025, 3, day, hour, minute, tzinfo=MOSCOW).astimezone(UTC)


def useful_history(count: int) -> list[PublishedPost]:
    """`count` useful posts in the two days before NOW, enough for a promotion to fit."""
    return [PublishedPost("useful", NOW - timedelta(hours=40 - index)) for index in range(count)]


# ---- slots ---------------------------------------------------------------------------


def test_parse_and_format_slots() -> None:
    assert parse_slots("19:30, 10:00 14") == (time(10), time(14), time(19, 30))
    assert parse_slots("10 10:00") == (time(10),)
    assert format_slots(DEFAULT_SLOTS) == "10:00, 14:00, 19:00"
    assert format_slots({0: [time(9)], 5: [time(12), time(18)]}).splitlines()[:2] == [
        "Mon: 09:00",
        "Tue: —",
    ]
    for bad in ("25:00", "10:75", "noon", "10:5"):
        with pytest.raises(ValueError, match="is not a time of day"):
            parse_slots(bad)
    with pytest.raises(ValueError, match="at least one slot"):
        parse_slots("  ")


def test_next_slots_in_the_community_time_zone() -> None:
    assert next_slots(DEFAULT_SLOTS, MOSCOW, NOW, 4) == [
        msk(3, 10),
        msk(3, 14),
        msk(3, 19),
        msk(4, 10),
    ]
    # "At or after": a moment exactly on a slot keeps it.
    assert next_slots(DEFAULT_SLOTS, MOSCOW, msk(3, 14), 1) == [msk(3, 14)]
    assert next_slots(DEFAULT_SLOTS, MOSCOW, NOW, 0) == []
    assert next_slots([], MOSCOW, NOW, 3) == []
    assert all(moment.tzinfo is UTC for moment in next_slots(DEFAULT_SLOTS, MOSCOW, NOW, 5))


def test_per_weekday_slots_and_a_sparse_week() -> None:
    sunday_only = {6: [time(12)]}
    assert next_slots(sunday_only, MOSCOW, NOW, 3) == [msk(9, 12), msk(16, 12), msk(23, 12)]
    mixed = {0: [time(9), time(20)], 1: [time(11)]}
    assert next_slots(mixed, MOSCOW, NOW, 3) == [msk(3, 9), msk(3, 20), msk(4, 11)]


def test_slots_across_daylight_saving_changes() -> None:
    # Berlin springs forward on 30 March 2025 at 02:00: 02:30 does not exist that day and
    # lands on the same instant as 03:30, which is counted once.
    spring = datetime(2025, 3, 30, 0, 0, tzinfo=UTC)
    found = slots_between([time(2, 30), time(3, 30)], BERLIN, spring, spring + timedelta(hours=6))
    assert found == [datetime(2025, 3, 30, 1, 30, tzinfo=UTC)]
    # It falls back on 26 October: a repeated 02:30 means its first occurrence (summer time).
    autumn = datetime(2025, 10, 25, 22, 0, tzinfo=UTC)
    assert next_slots([time(2, 30)], BERLIN, autumn, 1) == [
        datetime(2025, 10, 26, 0, 30, tzinfo=UTC)
    ]
    # A 10:00 slot stays at 10:00 local on both sides of the change.
    week = next_slots([time(10)], BERLIN, datetime(2025, 3, 29, tzinfo=UTC), 2)
    assert [moment.astimezone(BERLIN).hour for moment in week] == [10, 10]
    assert week[1] - week[0] == timedelta(hours=23)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_slots(DEFAULT_SLOTS, MOSCOW, datetime(2025, 3, 3, 9), 1)


# ---- the planner ---------------------------------------------------------------------


def test_next_posts_take_the_earliest_free_slots_in_queue_order() -> None:
    queue = [
        QueuedPost("b", "useful", "next", NOW - timedelta(minutes=5)),
        QueuedPost("a", "news", "next", NOW - timedelta(minutes=10)),
        QueuedPost("c", "poll", "next", NOW - timedelta(minutes=1)),
    ]
    result = plan(queue, [], DEFAULT_SLOTS, MOSCOW, RatioPolicy(), NOW)
    assert [(item.post_id, item.at) for item in result] == [
        ("a", msk(3, 10)),
        ("b", msk(3, 14)),
        ("c", msk(3, 19)),
    ]


def test_posts_with_a_time_go_at_it_and_take_the_slot_they_land_on() -> None:
    queue = [
        QueuedPost("fixed", "news", msk(3, 14), NOW),
        QueuedPost("odd", "entertaining", msk(3, 15, 30), NOW),
        QueuedPost("late", "useful", NOW - timedelta(hours=2), NOW),
        QueuedPost("now", "engagement", "now", NOW),
        QueuedPost("next1", "useful", "next", NOW),
        QueuedPost("next2", "useful", "next", NOW),
    ]
    result = plan(queue, [], DEFAULT_SLOTS, MOSCOW, RatioPolicy(), NOW)
    at = {item.post_id: item.at for item in result}
    assert at["late"] == NOW and at["now"] == NOW
    assert at["fixed"] == msk(3, 14)
    assert at["odd"] == msk(3, 15, 30)
    assert (at["next1"], at["next2"]) == (msk(3, 10), msk(3, 19))
    assert [item.post_id for item in result] == ["late", "now", "next1", "fixed", "odd", "next2"]


def test_a_promotion_that_breaks_the_ratio_moves_and_says_why() -> None:
    history = [*useful_history(8), PublishedPost("promo", NOW - timedelta(hours=1))]
    queue = [
        QueuedPost("sale", "promo", "now", NOW),
        QueuedPost("tip", "useful", "next", NOW),
    ]
    result = plan(queue, history, DEFAULT_SLOTS, MOSCOW, RatioPolicy(), NOW)
    sale = next(item for item in result if item.post_id == "sale")
    # Today already had one (08:00 Moscow): tomorrow's 10:00 slot is the earliest that fits.
    assert sale.at == msk(4, 10)
    assert sale.moved_because == (
        "would directly follow another promotional post (never two in a row); "
        "would come 1 h after the previous promotional post (at least 4 h apart); "
        "would be the 2nd promotional post on Mon 03 Mar 2025 (at most 1 a day)"
    )
    assert next(item for item in result if item.post_id == "tip").at == msk(3, 10)


def test_a_promotion_that_fits_goes_at_once_unmoved() -> None:
    queue = [
        QueuedPost("sale", "promo", "now", NOW),
        QueuedPost("flash", "giveaway", "next", NOW),
        QueuedPost("tip", "useful", "next", NOW + timedelta(seconds=1)),
    ]
    result = plan(queue, useful_history(8), DEFAULT_SLOTS, MOSCOW, RatioPolicy(), NOW)
    assert [(item.post_id, item.at) for item in result] == [
        ("sale", NOW),
        ("tip", msk(3, 10)),
        ("flash", msk(4, 10)),
    ]
    assert result[0].moved_because is None
    # The giveaway was queued first but may not follow the sale nor go out the same day.
    assert result[2].moved_because is not None
    assert "never two in a row" in result[2].moved_because
    assert "at most 1 a day" in result[2].moved_because


def test_never_two_in_a_row_waits_for_a_post_in_between() -> None:
    queue = [QueuedPost("sale", "promo", "now", NOW), QueuedPost("flash", "giveaway", "next", NOW)]
    result = plan(queue, useful_history(8), DEFAULT_SLOTS, MOSCOW, RatioPolicy(), NOW)
    assert result[0].at == NOW
    assert result[1].at is None
    assert result[1].not_planned_because is not None
    assert result[1].not_planned_because.endswith(
        "would directly follow another promotional post (never two in a row)"
    )


def test_evergreen_posts_fill_only_the_slots_left_empty() -> None:
    queue = [
        QueuedPost("evergreen1", "useful", "next", NOW - timedelta(days=30), evergreen=True),
        QueuedPost("evergreen2", "entertaining", "next", NOW - timedelta(days=20), evergreen=True),
        QueuedPost("later", "useful", msk(5, 0), NOW - timedelta(days=40), evergreen=True),
        QueuedPost("fresh", "news", "next", NOW),
        QueuedPost("promo-evergreen", "promo", "next", NOW, evergreen=True),
    ]
    result = plan(queue, useful_history(8), DEFAULT_SLOTS, MOSCOW, RatioPolicy(), NOW)
    by_id = {item.post_id: item for item in result}
    # `next` posts come first, whatever their queue age; fillers take what is left.
    assert by_id["fresh"].at == msk(3, 10)
    assert not by_id["fresh"].evergreen_fill
    # A promotion is never a filler: it is planned like any `next` post.
    assert by_id["promo-evergreen"].at == msk(3, 14)
    assert not by_id["promo-evergreen"].evergreen_fill
    assert (by_id["evergreen1"].at, by_id["evergreen2"].at) == (msk(3, 19), msk(4, 10))
    assert by_id["evergreen1"].evergreen_fill and by_id["evergreen2"].evergreen_fill
    # A filler with a date is not used before it, though queued first.
    assert by_id["later"].at == msk(5, 10)


def test_posts_that_find_no_place_are_explained() -> None:
    queue = [
        QueuedPost("far", "promo", NOW + timedelta(days=20), NOW),
        QueuedPost("n", "useful", "next", NOW),
        QueuedPost("e", "useful", "next", NOW, evergreen=True),
    ]
    result = plan(queue, [], [], MOSCOW, RatioPolicy(), NOW, horizon_days=3)
    by_id = {item.post_id: item for item in result}
    assert by_id["far"].provisional and by_id["far"].at == NOW + timedelta(days=20)
    assert by_id["n"].at is None
    assert by_id["n"].not_planned_because == (
        "no free slot in the next 3 days; add slots with /slots set"
    )
    assert by_id["e"].not_planned_because == (
        "waits in the evergreen queue: no empty slot in the next 3 days"
    )
    assert [item.post_id for item in result] == ["far", "n", "e"]


def test_a_slot_that_just_began_still_counts_unless_something_went_out() -> None:
    tick = msk(3, 10, 5)
    queue = [QueuedPost("tip", "useful", "next", NOW)]
    [item] = plan(queue, [], DEFAULT_SLOTS, MOSCOW, RatioPolicy(), tick)
    assert item.at == msk(3, 10)
    assert due_now([item], tick) == [item]
    published = [PublishedPost("news", msk(3, 10, 1))]
    [item] = plan(queue, published, DEFAULT_SLOTS, MOSCOW, RatioPolicy(), tick)
    assert item.at == msk(3, 14)
    # Past the grace period the slot is gone.
    [item] = plan(queue, [], DEFAULT_SLOTS, MOSCOW, RatioPolicy(), msk(3, 10, 20))
    assert item.at == msk(3, 14)


def test_due_now_keeps_publication_order() -> None:
    queue = [
        QueuedPost("now1", "useful", "now", NOW),
        QueuedPost("now2", "news", "now", NOW),
        QueuedPost("soon", "useful", "next", NOW),
    ]
    result = plan(queue, [], DEFAULT_SLOTS, MOSCOW, RatioPolicy(), NOW)
    assert [item.post_id for item in due_now(result, NOW)] == ["now1", "now2"]
    assert [item.post_id for item in due_now(result, msk(3, 10))] == ["now1", "now2", "soon"]


def test_planner_input_errors() -> None:
    with pytest.raises(ValueError, match="Unknown post kind 'advert'"):
        QueuedPost(1, "advert", "next", NOW)
    with pytest.raises(ValueError, match="requested must be"):
        QueuedPost(1, "useful", "tomorrow", NOW)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timezone-aware"):
        QueuedPost(1, "useful", datetime(2025, 3, 3), NOW)
    with pytest.raises(ValueError, match="horizon"):
        plan([], [], DEFAULT_SLOTS, MOSCOW, RatioPolicy(), NOW, horizon_days=0)


def test_long_histories_only_matter_through_their_recent_tail() -> None:
    old = [
        PublishedPost("promo" if index % 2 else "useful", NOW - timedelta(days=400 - index))
        for index in range(300)
    ]
    recent = useful_history(8)
    queue = [QueuedPost("sale", "promo", "now", NOW)]
    assert plan(queue, old + recent, DEFAULT_SLOTS, MOSCOW, RatioPolicy(), NOW)[0].at == NOW


# ---- best times ----------------------------------------------------------------------


def activity_at(day: int, hour: int, count: int) -> list[datetime]:
    """`count` member messages in Moscow on March `day` at `hour`, as UTC moments."""
    return [msk(day, hour, minute) for minute in range(count)]


def test_activity_is_counted_in_local_hours_of_the_week() -> None:
    counts = activity_by_hour(activity_at(3, 0, 2) + activity_at(4, 23, 1), MOSCOW)
    # 00:xx Monday in Moscow is Sunday 21:xx in UTC: it must count as Monday 0 h.
    assert counts == {(0, 0): 2, (1, 23): 1}


def test_suggest_hours_picks_the_busiest_spaced_hours() -> None:
    activity = (
        activity_at(3, 9, 30)
        + activity_at(3, 10, 25)  # next to 9: skipped for spacing
        + activity_at(3, 12, 20)
        + activity_at(3, 20, 10)
        + activity_at(3, 21, 9)
        + activity_at(10, 20, 5)  # another Monday
    )
    suggestion = suggest_hours(activity, MOSCOW)
    assert suggestion[0] == [9, 12, 20]
    # Days with no activity of their own borrow the week's busiest hours.
    assert suggestion[3] == [9, 12, 20]
    assert set(suggestion) == set(range(7))


def test_suggest_hours_without_data_are_the_default_slots() -> None:
    assert suggest_hours([], MOSCOW) == {day: [10, 14, 19] for day in range(7)}


def test_suggest_hours_breaks_ties_deterministically() -> None:
    # Tuesday: 8, 15 and 21 tie; 10 and 14 tie with each other below them.
    activity = activity_at(4, 8, 3) + activity_at(4, 15, 3) + activity_at(4, 21, 3)
    activity += activity_at(4, 10, 1) + activity_at(4, 14, 1)
    assert suggest_hours(activity, MOSCOW, per_day=4)[1] == [8, 10, 15, 21]
    assert suggest_hours(list(reversed(activity)), MOSCOW, per_day=4)[1] == [8, 10, 15, 21]


def test_suggest_hours_spacing_and_size() -> None:
    spaced = suggest_hours([], MOSCOW, per_day=20)
    assert len(spaced[0]) == 12
    assert all(b - a >= 2 for a, b in zip(spaced[0], spaced[0][1:], strict=False))
    assert suggest_hours([], MOSCOW, per_day=0) == {day: [] for day in range(7)}
    with pytest.raises(ValueError):
        suggest_hours([], MOSCOW, per_day=-1)


def test_suggested_hours_become_per_weekday_slots() -> None:
    suggestion = suggest_hours(activity_at(3, 9, 5), MOSCOW, per_day=1)
    slots = suggested_slots(suggestion)
    assert slots[0] == (time(9),)
    assert next_slots(slots, MOSCOW, NOW, 2) == [msk(3, 9), msk(4, 9)]


def test_cadence_warning() -> None:
    assert cadence_warning([], NOW) == (
        "No posts are planned for the next 7 days; a community needs at least 2. "
        "Queue posts with /post add, or add evergreen posts to fill the empty slots."
    )
    one = [NOW + timedelta(days=1), NOW + timedelta(days=7), NOW - timedelta(hours=1), None]
    warning = cadence_warning(one, NOW)
    assert warning is not None and warning.startswith("Only 1 post is planned")
    assert cadence_warning([NOW, NOW + timedelta(days=6)], NOW) is None
    assert cadence_warning([NOW] * 3, NOW, minimum=4, days=3).startswith("Only 3 posts are")
