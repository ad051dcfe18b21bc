"""Post text (Telegram HTML → VK plain text) and the content commands' argument grammar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.content.grammar import (
    parse_deadline,
    parse_giveaway,
    parse_moment,
    parse_poll,
    parse_post_options,
)
from bot.content.text import check_length, is_telegram_html, plain_preview, telegram_html, vk_text

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # a Monday; 13:00 in Moscow
MOSCOW = ZoneInfo("Europe/Moscow")


# ----------------------------------------------------------------------------- text


def test_valid_markup_is_kept_and_anything_else_escaped() -> None:
    markup = '<b>Скидка</b> 20% на <a href="https://shop.example/sale">всё</a> &amp; ещё'
    assert is_telegram_html(markup)
    assert telegram_html(markup) == markup
    assert telegram_html("price < 100 & more") == "price &lt; 100 &amp; more"
    assert telegram_html("<b>unclosed") == "&lt;b&gt;unclosed"
    assert telegram_html("<div>not telegram</div>") == "&lt;div&gt;not telegram&lt;/div&gt;"
    assert not is_telegram_html("<b><i>crossed</b></i>")


def test_vk_gets_plain_text_with_links_written_out() -> None:
    markup = (
        "<b>Распродажа!</b> Только до воскресенья.\n"
        '<a href="https://shop.example/sale">Все товары</a> и '
        '<a href="https://shop.example">https://shop.example</a>\n'
        "<blockquote>Лучший магазин</blockquote>Цена &lt;1000 ₽ &amp; доставка"
    )
    assert vk_text(markup) == (
        "Распродажа! Только до воскресенья.\n"
        "Все товары (https://shop.example/sale) и https://shop.example\n"
        "Лучший магазин\nЦена <1000 ₽ & доставка"
    )
    assert vk_text("a < b, plain") == "a < b, plain"  # never was markup
    assert vk_text('<tg-spoiler>secret</tg-spoiler> <a href="tg://user?id=1">Ann</a>') == (
        "secret Ann"
    )


def test_preview_and_length_limit() -> None:
    assert plain_preview("<b>Hello</b>\n\nworld " * 20, 20) == "Hello world Hello w…"
    check_length("x" * 4096)
    with pytest.raises(ValueError, match="at most 4096"):
        check_length("x" * 4097)


# -------------------------------------------------------------------------- moments


@pytest.mark.parametrize(
    ("words", "expected", "used"),
    [
        (["19:00"], datetime(2026, 11, 2, 16, 0, tzinfo=UTC), 1),
        (["09:30"], datetime(2026, 11, 3, 6, 30, tzinfo=UTC), 1),  # passed: tomorrow
        (["tomorrow", "10:00"], datetime(2026, 11, 3, 7, 0, tzinfo=UTC), 2),
        (["сегодня", "23:00"], datetime(2026, 11, 2, 20, 0, tzinfo=UTC), 2),
        (["2026-11-05", "19:00", "rest"], datetime(2026, 11, 5, 16, 0, tzinfo=UTC), 2),
        (["2026-11-05T19:00"], datetime(2026, 11, 5, 16, 0, tzinfo=UTC), 1),
        (["05.11", "19:00"], datetime(2026, 11, 5, 16, 0, tzinfo=UTC), 2),
        (["01.11", "12:00"], datetime(2027, 11, 1, 9, 0, tzinfo=UTC), 2),  # passed: next year
        (["01.12.2026", "08:00"], datetime(2026, 12, 1, 5, 0, tzinfo=UTC), 2),
    ],
)
def test_moments_are_local_to_the_zone(words: list[str], expected: datetime, used: int) -> None:
    assert parse_moment(words, NOW, MOSCOW) == (expected, used)


@pytest.mark.parametrize(
    ("words", "message"),
    [
        ([], "A time is missing"),
        (["25:00"], "not a time"),
        (["tomorrow"], "needs a time"),
        (["2026-02-30", "10:00"], "not a date"),
        (["soon"], "not a time"),
    ],
)
def test_bad_moments_say_how_to_write_them(words: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_moment(words, NOW, MOSCOW)


def test_deadlines_are_durations_or_moments() -> None:
    assert parse_deadline(["3d"], NOW, UTC) == (NOW + timedelta(days=3), 1)
    assert parse_deadline(["19:00"], NOW, UTC) == (NOW.replace(hour=19), 1)
    with pytest.raises(ValueError, match="longer than zero"):
        parse_deadline(["0"], NOW, UTC)


# -------------------------------------------------------------------------- options


def test_post_options_come_first_and_the_text_is_kept_as_written() -> None:
    options = parse_post_options(
        "promo at tomorrow 10:00 to tg,vk expires 24h link https://x.example Скидка 20%\n"
        "до воскресенья",
        NOW,
        MOSCOW,
    )
    assert options.kind == "promo"
    assert options.requested == "at"
    assert options.requested_at == datetime(2026, 11, 3, 7, 0, tzinfo=UTC)
    assert options.targets == ["tg", "vk"]
    assert options.expires_after == timedelta(hours=24)
    assert options.link == "https://x.example"
    assert options.text == "Скидка 20%\nдо воскресенья"

    plain = parse_post_options("Just a useful tip", NOW, UTC)
    assert (plain.kind, plain.requested, plain.text) == (None, "next", "Just a useful tip")
    hurried = parse_post_options("now evergreen expires at 18:00 Tip", NOW, UTC)
    assert hurried.requested == "now" and hurried.evergreen
    assert hurried.expires_at == NOW.replace(hour=18)
    assert parse_post_options("", NOW, UTC).text == ""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("now next text", "given twice"),
        ("to", "needs a target"),
        ("link notaurl text", "http"),
        ("expires 0 text", "longer than zero"),
        ("at someday text", "not a time"),
    ],
)
def test_bad_post_options_are_explained(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_post_options(text, NOW, UTC)


def test_poll_options_and_question() -> None:
    options = parse_post_options("now closes 2h Которое? | А | Б", NOW, UTC, allow_close=True)
    assert options.closes_after == timedelta(hours=2)
    assert parse_poll(options.text) == ("Которое?", ["А", "Б"])
    assert parse_post_options("promo Q | a | b", NOW, UTC, allow_kind=False).text == (
        "promo Q | a | b"
    )
    for bad in ("Only a question", "Q | one", "| a | b", "Q | a | A", "Q |" + "|x" * 11):
        with pytest.raises(ValueError):
            parse_poll(bad)


def test_giveaway_arguments() -> None:
    assert parse_giveaway("#12 3d winners=2 condition=comment", NOW, UTC) == (
        12,
        NOW + timedelta(days=3),
        2,
        "comment",
    )
    assert parse_giveaway("7 2026-11-08 19:00", NOW, UTC)[1] == datetime(
        2026, 11, 8, 19, 0, tzinfo=UTC
    )
    for bad, message in [
        ("12", "Give the post id"),
        ("x 3d", "Give the post id"),
        ("12 3d winners=0", "not understood"),
        ("12 3d condition=like", "only condition is comment"),
        ("12 2026-11-01 10:00", "end in the future"),
    ]:
        with pytest.raises(ValueError, match=message):
            parse_giveaway(bad, NOW, UTC)
