"""`steward demo`: the seeded script and plan, the simulated moderators' reading of cards,
the summary, and the whole demo as a real process whose database `steward stats` reads."""

from __future__ import annotations

import io
import itertools
import json
import os
import random
import re
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main as cli_main
from bot.demo import script
from bot.demo.figures import Figures
from bot.demo.members import MemberTally
from bot.demo.moderators import Card, ModeratorTally, choose_fate, read_card
from bot.demo.people import TELEGRAM, VK, regulars
from bot.demo.plan import FIRST_BURST_AT, PLACES, Publication, Say, plan
from bot.demo.runner import DemoError, fresh_database, start_server
from bot.demo.summary import LiveView, Snapshot, render_block, render_line
from bot.sandbox import sample
from bot.sandbox.telegram import TelegramSandbox

CYRILLIC = re.compile(r"[А-Яа-яЁё]")
LATIN = re.compile(r"[A-Za-z]")
LINK = re.compile(r"(t\.me/|bit\.ly/|vk\.cc/|wa\.me/|_bot\b)")


def says(seed: int, rate: float = 40, count: int = 400) -> list[Say]:
    return [s for s in itertools.islice(plan(seed, rate), count) if isinstance(s, Say)]


# ---------------------------------------------------------------------------- script


def test_script_holds_a_few_hundred_hand_written_texts() -> None:
    assert script.fragment_count() >= 300
    rng = random.Random(5)
    texts = [
        script.compose(rng, category, lang)
        for _ in range(40)
        for category in script.MEMBER_CATEGORIES
        for lang in script.LANGS
    ]
    assert len(set(texts)) > 300  # of 400: composition, not a short list on repeat
    assert all("{" not in text and "}" not in text for text in texts)  # every slot filled


def test_compose_is_determined_by_the_seed() -> None:
    def stream(seed: int) -> list[str]:
        rng = random.Random(seed)
        return [script.compose(rng, c, "ru") for c in script.CATEGORIES for _ in range(5)]

    assert stream(11) == stream(11)
    assert stream(11) != stream(12)


def test_disguise_swaps_look_alike_letters_but_keeps_links_working() -> None:
    rng = random.Random(3)
    text = "Заработок без вложений https://t.me/+AbCdEfGh12345678 @easy_profit_bot"
    disguised = script.disguise(text, rng, share=1.0)
    words = disguised.split(" ")
    assert LATIN.search(words[0]) and CYRILLIC.search(words[0])  # "Зaрaбoтoк": mixed scripts
    assert words[-2:] == ["https://t.me/+AbCdEfGh12345678", "@easy_profit_bot"]


# ---------------------------------------------------------------------------- plan


def test_the_plan_is_replayed_exactly_by_its_seed() -> None:
    first = list(itertools.islice(plan(1, 120), 300))
    again = list(itertools.islice(plan(1, 120), 300))
    other = list(itertools.islice(plan(2, 120), 300))
    assert first == again
    assert first != other


def test_the_plan_is_in_time_order_and_covers_every_place_language_and_category() -> None:
    steps = list(itertools.islice(plan(4, 40), 600))
    assert [s.platform for s in steps[:2]] == [TELEGRAM, VK]  # posts to comment under
    assert all(isinstance(s, Publication) for s in steps[:2])
    times = [s.at for s in steps]
    assert times == sorted(times)
    messages = [s for s in steps if isinstance(s, Say)]
    assert {s.place for s in messages} == set(PLACES)
    assert {s.author.lang for s in messages} == {"ru", "en"}
    assert {s.category for s in messages} == set(script.CATEGORIES)
    assert any(s.nudge for s in messages)  # someone still waiting writes again
    assert any(isinstance(s, Publication) and s.at > 0 for s in steps)  # new posts later on


def test_the_plan_keeps_to_the_rate() -> None:
    for rate in (40, 120):
        messages = says(9, rate, count=3000)
        minutes = messages[-1].at / 60
        assert 0.85 * rate < len(messages) / minutes < 1.15 * rate


def test_spam_comes_in_early_bursts_from_new_accounts_with_links() -> None:
    messages = says(1, 120)
    spam = [s for s in messages if s.category == "spam"]
    first_burst = [s for s in spam if s.burst == 1]
    assert first_burst[0].at == FIRST_BURST_AT  # a 20-second demo already sees removals
    assert len(first_burst) >= 3
    assert first_burst[-1].at - first_burst[0].at < 8  # several messages within seconds
    assert len({s.place for s in first_burst}) == 1
    regular_ids = {p.user_id for p in regulars(TELEGRAM) + regulars(VK)}
    assert all(s.author.spammer and s.author.user_id not in regular_ids for s in spam)
    assert not any(s.author.spammer for s in messages if s.category != "spam")
    assert all(LINK.search(s.text) for s in spam)
    mixed = [s for s in spam if any(CYRILLIC.search(w) and LATIN.search(w) for w in s.text.split())]
    assert mixed  # look-alike letters


def test_a_comment_goes_under_a_post_that_exists() -> None:
    posts = {TELEGRAM: 0, VK: 0}
    for step in itertools.islice(plan(6, 120), 800):
        if isinstance(step, Publication):
            posts[step.platform] += 1
        elif step.place in ("tg_comment", "vk_wall"):
            assert 0 <= step.post < posts[step.platform]


# ---------------------------------------------------------------------------- moderators


def card_message(
    ticket_id: int, title: str, quote: str, *, resolved: bool = False
) -> dict[str, Any]:
    """A card as the Telegram sandbox lists it (the layout of bot.tickets.cards.render)."""
    t = f"t:{ticket_id}"
    if resolved:
        keyboard = [[{"text": "↩️ Reopen", "callback_data": f"{t}:take"}]]
    else:
        keyboard = [
            [
                {"text": "✋ Take", "callback_data": f"{t}:take"},
                {"text": "✅", "callback_data": f"{t}:res"},
            ],
            [
                {"text": "🏷", "callback_data": f"{t}:rl"},
                {"text": "📝", "callback_data": f"{t}:tpl"},
            ],
        ]
        if title == "Possible spam":
            keyboard.append([{"text": "🚫 Spam", "callback_data": f"{t}:spam"}])
    text = "\n".join(
        [
            f"🟠 #{ticket_id} · {title} · high · 91%",
            "Telegram · Brand community chat · group message · open",
            "👤 Анна Смирнова",
            quote,
            "Sentiment: neutral · intent purchase (0.91)",
            "State: assigned · @boris_mod",
        ]
    )
    return {
        "message_id": 40 + ticket_id,
        "message_thread_id": 9,
        "text": text,
        "reply_markup": {"inline_keyboard": keyboard},
        "deleted": False,
    }


def test_moderators_read_a_card_like_a_person() -> None:
    card = read_card(card_message(12, "Purchase / lead", "Сколько стоит доставка в Казань?"))
    assert card == Card(12, 52, 9, "purchase", "ru", is_open=True, can_mark_spam=False)
    english = read_card(card_message(13, "Complaint", "Order #123 never came!"))
    assert english is not None and (english.category, english.lang) == ("complaint", "en")
    done = read_card(card_message(14, "Support", "How do I return it?", resolved=True))
    assert done is not None and not done.is_open  # Take would reopen it
    spam = read_card(card_message(15, "Possible spam", "Earn $500 a day"))
    assert spam is not None and spam.can_mark_spam and spam.category == "spam"
    assert read_card({"message_id": 3, "text": "Всем привет, начинаем смену."}) is None
    digest = {"message_id": 4, "text": "🚫 4 spam messages removed", "reply_markup": {}}
    assert read_card(digest) is None
    assert read_card({**card_message(16, "Support", "x"), "deleted": True}) is None


def test_card_fates_are_seeded_and_leave_some_cards_alone() -> None:
    card = Card(1, 10, None, "purchase", "en", is_open=True, can_mark_spam=False)
    moderators = sample.MODERATORS[1:]

    def fates(seed: int) -> list[Any]:
        rng = random.Random(seed)
        return [choose_fate(rng, card, moderators) for _ in range(200)]

    assert fates(3) == fates(3)
    kinds = Counter(fate.kind for fate in fates(3))
    assert set(kinds) == {"prompt", "slow", "direct", "ignored"}
    assert kinds["ignored"] > 20  # left alone, so their targets run out
    for fate in fates(3):
        assert fate.moderator in (None, *moderators)
        if fate.take_after is not None and fate.reply_after is not None:
            assert fate.take_after < fate.reply_after
        if fate.resolve_after is not None:
            assert fate.reply_after is not None and fate.reply_after < fate.resolve_after
    eager = choose_fate(random.Random(1), card, moderators, eager=True)
    assert eager.kind == "prompt" and eager.reply_after is not None and eager.reply_after < 11


# ---------------------------------------------------------------------------- summary


def snapshot(stats: dict[str, Any], **extra: Any) -> Snapshot:
    members = MemberTally()
    members.sent.update({"purchase": 3, "spam": 4})
    members.by_platform.update({"telegram": 5, "vk": 2})
    members.refused = 1
    return Snapshot(
        elapsed=42,
        duration=120,
        seed=1,
        rate=40,
        figures=Figures(stats, {"purchase": 3, "spam": 4}, {"sent": 2, "pending": 1}),
        members=members,
        moderators=ModeratorTally(seen=3, taken=2, replied=2, left_alone=1),
        **extra,
    )


FULL_STATS = {
    "inbound": {"total": 9},
    "outbox": {"by_status": {"sent": 20, "pending": 1, "failed": 0}},
    "tickets": {
        "total": 4,
        "by_state": {"new": 1, "assigned": 1, "waiting": 1, "resolved": 1},
        "first_response_seconds": {"median": 14.2, "p90": 30.0},
        "sla_hit_rate": 0.75,
        "sla_missed": 1,
        "breaches": 2,
    },
    "spam": {"removed": 4, "restored": 1},
}


def test_the_summary_shows_the_figures_and_tolerates_missing_sections() -> None:
    text = "\n".join(render_block(snapshot(FULL_STATS)))
    assert "0:42 of 2:00" in text
    assert "Members wrote     7 · Telegram 5 · VK 2 · 1 refused" in text
    assert "purchase 3" in text and "spam 4" in text
    assert "Spam removed      4 · restored 1" in text
    assert "Tickets           4 · open 3 · resolved 1 · SLA missed 1 · escalations 2" in text
    assert "Replies delivered 2 (+1 on the way) · first response median 14 s" in text
    assert "SLA hit rate 75%" in text
    assert "Outbox            20 sent" in text
    bare = "\n".join(render_block(snapshot({})))  # an older Steward: no tickets, no spam
    assert "Spam removed      —" in bare and "Tickets           —" in bare
    line = render_line(snapshot(FULL_STATS))
    assert "\n" not in line and "spam removed 4" in line and "tickets 4 (open 3" in line
    assert "spam removed —" in render_line(snapshot({"tickets": {}}))


def test_the_live_view_redraws_on_a_terminal_and_prints_lines_elsewhere() -> None:
    screen = io.StringIO()
    view = LiveView(screen, interactive=True)
    view.show(snapshot(FULL_STATS))
    view.show(snapshot(FULL_STATS))
    height = len(render_block(snapshot(FULL_STATS)))
    assert screen.getvalue().count(f"\x1b[{height}A\r\x1b[J") == 1  # the second draw replaces
    log = io.StringIO()
    plain = LiveView(log)  # StringIO is no terminal
    plain.show(snapshot(FULL_STATS))
    plain.show(snapshot(FULL_STATS))
    assert "\x1b" not in log.getvalue() and log.getvalue().count("\n") == 2


# ---------------------------------------------------------------------------- set-up pieces


def test_the_demo_wants_a_fresh_database(tmp_path: Path) -> None:
    existing = tmp_path / "old.db"
    existing.write_text("")
    with pytest.raises(DemoError, match="fresh database"):
        fresh_database(existing)
    assert fresh_database(tmp_path / "new.db") == (tmp_path / "new.db").resolve()
    default = fresh_database(None)
    assert default.name == "steward-demo.db" and not default.exists()


async def test_a_busy_port_moves_the_sandbox_to_a_free_one() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = io.StringIO()
        server = TelegramSandbox()
        url = await start_server(server, "127.0.0.1", port, "Telegram", out)
        try:
            assert url != f"http://127.0.0.1:{port}"
            assert f"Port {port} is busy" in out.getvalue() and url in out.getvalue()
        finally:
            await server.stop()


# ---------------------------------------------------------------------------- end to end


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_steward_demo_runs_to_completion_and_stats_see_it(
    trained_model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("STEWARD_", "TELEGRAM_", "VK_"))
    }
    env["STEWARD_MODEL_PATH"] = str(trained_model_path)
    database = tmp_path / "demo.db"
    command = [
        sys.executable,
        "-m",
        "bot.cli",
        "demo",
        "--duration",
        "20",
        "--rate",
        "120",
        "--seed",
        "1",
        "--telegram-port",
        str(free_port()),
        "--vk-port",
        str(free_port()),
        "--database",
        str(database),
    ]
    done = subprocess.run(
        command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "/sandbox/chats/-1001000000001/messages" in out  # where to look
    assert re.search(r"\[0:1\d\] members wrote [1-9]", out)  # live lines (not a terminal)
    assert "Final summary" in out and str(database) in out

    monkeypatch.chdir(tmp_path)
    for name in [k for k in os.environ if k.startswith(("STEWARD_", "TELEGRAM_", "VK_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("STEWARD_DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    capsys.readouterr()
    assert cli_main(["stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["inbound"]["by_platform"]["telegram"] > 0
    assert stats["inbound"]["by_platform"]["vk"] > 0
    assert stats["tickets"]["total"] > 0
    assert stats["outbox"]["by_status"]["sent"] > 0
    assert stats["tickets"]["answered"] > 0  # a moderator's reply reached a member
    if "spam" in stats:
        assert stats["spam"]["removed"] > 0
