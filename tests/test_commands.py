"""The moderators' and admins' commands, end to end against both sandboxes, and the
ticket figures behind `/stats` and `steward stats --json`."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.platforms.telegram.sender import TelegramLimits, TelegramTransport
from bot.policy import sla as sla_policy
from bot.policy.business_hours import ALWAYS_OPEN, BusinessCalendar
from bot.stats import collect, percentile, period_start, ticket_figures
from bot.tickets import service
from bot.tickets.queries import BREACHED, RUNNING, WAITING, rank_queue
from models import AuditEntry, InboundRecord, Setting, Staff, Template, Ticket
from tests.workspace_fixtures import (
    ADMIN,
    ANN,
    BORIS,
    CAROL,
    GROUP,
    MALLORY,
    MODS_CHAT,
    VK_GROUP,
    Workspace,
)

BOB = {"id": 43, "first_name": "Bob", "language_code": "en"}
DAN = {"id": 44, "first_name": "Dan", "language_code": "en"}
EVE = {"id": 45, "first_name": "Eve", "language_code": "ru"}
LENA = {"id": 777, "first_name": "Lena", "username": "lena_lead", "language_code": "ru"}

SUPPORT_RU = "Не могу войти в личный кабинет, пишет ошибку пароля, что делать?"
SUPPORT_RU_2 = "Подскажите, как поменять адрес доставки в заказе?"
SUPPORT_EN = "How do I reset my password? The app says my account is locked."
COMPLAINT_RU = "Заказ не пришёл уже две недели, это просто ужас, верните деньги!"
COMPLAINT_EN = "Worst service ever, my order arrived broken and nobody answers!"
PURCHASE_EN = "I want to buy two of these, how much is shipping to Berlin?"

Request = tuple[dict[str, Any], str] | tuple[dict[str, Any], str, int]


def unthrottle(ws: Workspace) -> None:
    """These tests send more answers to one chat than Telegram allows a minute; the
    sender's own limiter (tested with the outbox) would hold them back for real minutes."""
    for worker in ws.app.outbox_workers:
        if isinstance(worker.transport, TelegramTransport):
            worker.transport.limits = TelegramLimits(margin=0.001)


async def ask(ws: Workspace, *requests: Request) -> list[str]:
    """Send each command (as a user, in the moderators' chat unless a chat is given), in
    order, and return the bot's answer to each — exactly one per command."""
    sent = []
    for user, text, *chat in requests:
        chat_id = chat[0] if chat else MODS_CHAT
        message = await ws.say_as(chat_id, user, text)
        sent.append((chat_id, message["message_id"]))
    await ws.settle()
    listings: dict[int, list[dict[str, Any]]] = {}
    answers = []
    for chat_id, message_id in sent:
        if chat_id not in listings:
            listings[chat_id] = await ws.tg.messages(chat_id)
        found = [
            m["text"]
            for m in listings[chat_id]
            if (m.get("reply_to_message") or {}).get("message_id") == message_id
        ]
        assert len(found) == 1, (chat_id, message_id, found)
        answers.append(found[0])
    return answers


async def reply_to_card(ws: Workspace, ticket: Ticket, user: dict[str, Any], text: str) -> None:
    card = await ws.card(ticket.id)
    await ws.say_as(MODS_CHAT, user, text, reply_to_message_id=card["message_id"])
    await ws.settle()


async def by_member(ws: Workspace) -> dict[str, Ticket]:
    return {ticket.member_id: ticket for ticket in await ws.tickets()}


async def audit_rows(ws: Workspace) -> list[AuditEntry]:
    async with ws.sessions() as session:
        return list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


async def assert_no_failed_events(ws: Workspace) -> None:
    """Bad input is answered, never an exception that marks the event as failed."""
    async with ws.sessions() as session:
        failed = list(
            await session.scalars(select(InboundRecord).where(InboundRecord.status == "error"))
        )
    assert not failed, [(r.text, r.status_detail) for r in failed]


async def vk_dm(ws: Workspace, user_id: int, name: str, text: str) -> None:
    await ws.vk.post("/sandbox/users", {"id": user_id, "first_name": name, "last_name": "K"})
    await ws.vk.post("/sandbox/messages", {"group_id": VK_GROUP, "from_id": user_id, "text": text})


# ------------------------------------------------------------------ end to end


async def test_queue_ticket_help_and_refusals(workspace: Workspace) -> None:
    ws = workspace
    unthrottle(ws)
    # 10:00 a support question (60 min), 10:50 a complaint (15 min), 10:52 a purchase
    # question (10 min) and a question that Carol answers at once (waits on the member).
    await ws.say_as(GROUP, ANN, SUPPORT_RU)
    await ws.settle()
    ws.clock.advance(minutes=50)
    await ws.say_as(GROUP, BOB, COMPLAINT_EN)
    await ws.settle()
    ws.clock.advance(minutes=2)
    await ws.say_as(GROUP, DAN, PURCHASE_EN)
    await ws.say_as(GROUP, EVE, SUPPORT_RU_2)
    await ws.settle()
    tickets = await by_member(ws)
    support, complaint = tickets[str(ANN["id"])], tickets[str(BOB["id"])]
    purchase, answered = tickets[str(DAN["id"])], tickets[str(EVE["id"])]
    assert (support.category, complaint.category, purchase.category) == (
        "support",
        "complaint",
        "purchase",
    )
    ws.clock.advance(minutes=1)
    await reply_to_card(ws, answered, CAROL, "Напишите номер заказа, пожалуйста.")
    ws.clock.advance(minutes=8)  # 11:01: the support question is 1 minute overdue

    queue_en, queue_ru, help_ru, help_admin = await ask(
        ws, (CAROL, "/queue"), (BORIS, "/queue"), (BORIS, "/help"), (ADMIN, "/help")
    )
    lines = queue_en.splitlines()
    assert lines[0] == "Open tickets: 4 (most urgent first)"
    # Breached first (even at normal priority), then by due time, waiting last.
    assert [line.split()[0] for line in lines[1:]] == [
        f"#{support.id}",
        f"#{purchase.id}",
        f"#{complaint.id}",
        f"#{answered.id}",
    ]
    assert "support · normal · TG · Ann · 🔥 overdue by 1 m" in lines[1]
    assert "purchase · high · TG · Dan · due in 1 m" in lines[2]
    assert "complaint · urgent · TG · Bob · due in 4 m" in lines[3]
    assert "waiting on the member · @carol_mod" in lines[4]
    assert "Открытые тикеты: 4" in queue_ru and "🔥 просрочен на 1 m" in queue_ru
    assert "ждём ответа участника" in queue_ru

    assert help_ru.startswith("Steward — команды для вашей роли (moderator)")
    assert "/queue — открытые тикеты" in help_ru and "/sla set" not in help_ru
    assert "/mods" not in help_ru
    assert "/sla set <category>" in help_admin and "/mods add <user id>" in help_admin

    details_en, details_ru, *bad = await ask(
        ws,
        (CAROL, f"/ticket {answered.id}"),
        (BORIS, f"/ticket #{support.id}"),
        (CAROL, "/ticket"),
        (CAROL, "/ticket abc"),
        (BORIS, "/ticket 999"),
        (CAROL, "/ticket 99999999999999999999999"),
    )
    assert details_en.startswith(f"Ticket #{answered.id} · support · normal · waiting")
    assert "Member: Eve" in details_en and "Assignee: @carol_mod" in details_en
    assert "First response in 1 m" in details_en
    assert "⏱ first response: met" in details_en
    assert "⏱ resolution: paused (waiting on the member)" in details_en
    history = details_en.split("History (last 3 of 3, UTC):\n")[1].splitlines()
    assert history[0].startswith("02.11 10:52 · Steward · opened (category=support")
    assert history[1].startswith("02.11 10:52 · Steward · assigned (to=@carol_mod")
    assert history[2].startswith("02.11 10:53 · @carol_mod · replied")
    assert details_ru.startswith(f"Тикет #{support.id} · support · normal · assigned")
    assert "⏱ первый ответ: 02.11 11:00 UTC · 🔥 просрочен на 1 m" in details_ru
    assert "Последнее сообщение: «" + SUPPORT_RU + "»" in details_ru
    assert "История (последние 2 из 2, UTC):" in details_ru
    assert bad == [
        "Usage: /ticket <id>, e.g. /ticket 12",
        "Usage: /ticket <id>, e.g. /ticket 12",
        "Тикета #999 нет.",
        "Ticket #99999999999999999999999 does not exist.",
    ]

    # Role checks: a moderator may not change policy or staff; a stranger may do nothing.
    refusals = await ask(
        ws,
        (BORIS, "/sla set complaint first=1m"),
        (CAROL, "/mods add 777 admin"),
        (CAROL, "/mods"),
        (BORIS, "/hours tz Europe/Moscow"),
        (CAROL, "/template add support hi Hello"),
        (MALLORY, "/queue", MALLORY["id"]),
        (MALLORY, "/sla set complaint first=1m", MALLORY["id"]),
        (MALLORY, f"/ticket {support.id}", MALLORY["id"]),
    )
    assert refusals == [
        "Извините, для этого нужна роль lead.",
        "Sorry, this needs the admin role.",
        "Sorry, this needs the lead role.",
        "Извините, для этого нужна роль lead.",
        "Sorry, this needs the lead role.",
        "Sorry, only Steward's moderators can do this.",
        "Sorry, only Steward's moderators can do this.",
        "Sorry, only Steward's moderators can do this.",
    ]
    async with ws.sessions() as session:
        assert await session.get(Setting, "sla") is None
        assert await session.get(Setting, "hours") is None
        assert await session.scalar(select(Staff).where(Staff.telegram_user_id == 777)) is None
        assert not list(await session.scalars(select(Template)))
    refused = [row for row in await audit_rows(ws) if row.action == "refused"]
    assert [(row.actor, row.details["needed"]) for row in refused] == [
        ("tg:501", "lead"),
        ("tg:502", "admin"),
        ("tg:502", "lead"),
        ("tg:501", "lead"),
        ("tg:502", "lead"),
        ("tg:666", "moderator"),
        ("tg:666", "lead"),
        ("tg:666", "moderator"),
    ]
    assert refused[5].target == "command '/queue'" and refused[5].details["role"] is None
    assert len(await ws.tickets()) == 4  # Mallory's commands to the bot made no ticket
    await assert_no_failed_events(ws)


async def test_leads_and_admins_configure_the_workspace(workspace: Workspace) -> None:
    ws = workspace
    unthrottle(ws)
    # --- SLA targets: set, shown, refused with a reason, used by new tickets.
    answers = await ask(
        ws,
        (ADMIN, "/sla set complaint first=5m next=10m resolve=8h hours=calendar"),
        (ADMIN, "/sla set purchase first=10m"),
        (ADMIN, "/sla set refunds first=5m"),
        (ADMIN, "/sla set complaint first=0m"),
        (ADMIN, "/sla set complaint first"),
        (ADMIN, "/sla set complaint"),
        (BORIS, "/sla set complaint first=5x"),
        (CAROL, "/sla"),
        (BORIS, "/sla complaint"),
    )
    assert answers[0] == (
        "complaint: first 5m · next 10m · resolve 8h · calendar hours (24/7)\n"
        "Saved. New tickets use it; running clocks keep their due times."
    )
    assert answers[1].startswith("purchase: first 10m · next 20m · resolve 24h · business hours")
    assert answers[2] == (
        "Unknown category 'refunds'; use one of: "
        "purchase, complaint, support, needs_triage, praise, other."
    )
    assert answers[3] == "That did not work: The first response target must be longer than zero."
    assert answers[4].startswith("That did not work: Cannot read 'first'")
    assert answers[5].startswith("Usage: /sla set <category> first=10m")
    assert answers[6] == "Извините, для этого нужна роль lead."  # refused before parsing
    assert "complaint: first 5m · next 10m · resolve 8h · calendar hours (24/7)" in answers[7]
    assert "support: first 1h · next 2h · resolve 24h · business hours" in answers[7]
    assert answers[7].endswith("Business hours are 24/7 at the moment (see /hours).")
    assert answers[8].startswith("Использование: /sla")

    # --- Business hours: split shift in Moscow, holidays, bad input.
    answers = await ask(
        ws,
        (ADMIN, "/hours set mon-fri 09:00-13:00, 14:00-20:00"),
        (ADMIN, "/hours tz Europe/Moscow"),
        (ADMIN, "/hours holiday add 2026-12-31,2027-01-01"),
        (ADMIN, "/hours holiday del 2027-01-01"),
        (ADMIN, "/hours tz Mars/Olympus"),
        (ADMIN, "/hours holiday add 31.12.2026"),
        (ADMIN, "/hours set mon-sun closed"),
        (ADMIN, "/hours set funday 09:00-10:00"),
        (ADMIN, "/hours set mon 25:00-26:00"),
        (ADMIN, "/hours lunch"),
        (BORIS, "/hours"),
    )
    assert answers[0].startswith("Business hours (time zone UTC):\nMon: 09:00-13:00, 14:00-20:00")
    assert "Sat: closed\nSun: closed\nHolidays: none\nSaved." in answers[0]
    assert answers[1].startswith("Business hours (time zone Europe/Moscow):")
    assert "Holidays: 2026-12-31, 2027-01-01" in answers[2]
    assert "Holidays: 2026-12-31\n" in answers[3]
    assert answers[4].startswith("That did not work: Unknown time zone 'Mars/Olympus'")
    assert answers[5] == "Cannot read '31.12.2026' as a date: write it like 2026-12-31."
    assert answers[6].startswith("That did not work: The business hours have no open time")
    assert answers[7].startswith("That did not work: ")
    assert answers[8].startswith("That did not work: Cannot read '25:00-26:00'")
    assert answers[9].startswith("Sorry, this needs") is False
    assert answers[9].startswith("Usage: /hours")
    assert answers[10] == (
        "Рабочие часы (часовой пояс Europe/Moscow):\n"
        "Пн: 09:00-13:00, 14:00-20:00\nВт: 09:00-13:00, 14:00-20:00\n"
        "Ср: 09:00-13:00, 14:00-20:00\nЧт: 09:00-13:00, 14:00-20:00\n"
        "Пт: 09:00-13:00, 14:00-20:00\nСб: выходной\nВс: выходной\n"
        "Праздники: 2026-12-31"
    )
    async with ws.sessions() as session:
        hours = (await session.get(Setting, "hours")).value  # type: ignore[union-attr]
        sla = (await session.get(Setting, "sla")).value  # type: ignore[union-attr]
    assert hours["timezone"] == "Europe/Moscow" and hours["holidays"] == ["2026-12-31"]
    assert hours["hours"]["mon"] == ["09:00-13:00", "14:00-20:00"] and hours["hours"]["sat"] == []
    assert sla["complaint"] == {"first": "5m", "next": "10m", "resolve": "8h", "hours": "calendar"}

    # New tickets use the new policy. 10:00 UTC is 13:00 in Moscow, the lunch break:
    # a purchase question's 10 business minutes run 14:00-14:10 MSK; a complaint's 5
    # calendar minutes run at once.
    await ws.say_as(
        GROUP, ANN, "Здравствуйте! Сколько стоит доставка в Казань и сколько дней идёт?"
    )
    await ws.say_as(GROUP, BOB, COMPLAINT_EN)
    await ws.settle()
    tickets = await by_member(ws)
    purchase, complaint = tickets[str(ANN["id"])], tickets[str(BOB["id"])]
    assert (purchase.category, complaint.category) == ("purchase", "complaint")
    assert purchase.sla["response"]["due_at"].startswith("2026-11-02T11:10")
    assert complaint.sla["response"]["due_at"].startswith("2026-11-02T10:05")

    (always,) = await ask(ws, (ADMIN, "/hours always"))
    assert always.startswith("Open 24/7 (time zone Europe/Moscow)")

    # --- Staff: an admin adds a lead; the lead may list but not change staff.
    answers = await ask(
        ws,
        (ADMIN, "/mods add 777 lead"),
        (ADMIN, "/mods lang 777 ru, en"),
        (ADMIN, "/mods lang 777 ru,EN,ru"),
        (ADMIN, "/mods capacity @boris_mod 3"),
        (LENA, "/mods", LENA["id"]),
        (LENA, "/mods remove 501", LENA["id"]),
        (LENA, "/sla set support first=30m", LENA["id"]),
        (ADMIN, "/mods add abc"),
        (ADMIN, "/mods add 778 boss"),
        (ADMIN, "/mods capacity 777 -1"),
        (ADMIN, "/mods capacity 777 100000"),
        (ADMIN, "/mods lang 777 russian"),
        (ADMIN, "/mods remove 999"),
        (ADMIN, "/mods role 500 moderator"),
        (ADMIN, "/mods remove 500"),
        (ADMIN, "/mods add 500 lead"),
        (ADMIN, "/mods promote 777"),
        (ADMIN, "/mods role 777 moderator"),
        (ADMIN, "/mods remove 777"),
        (LENA, "/queue", LENA["id"]),
        (ADMIN, "/mods add 777"),
        (ADMIN, "/mods"),
    )
    assert answers[0] == "id777 (id 777) is now staff: lead."  # no name known yet
    assert answers[1].startswith("Usage: /mods")  # "ru, en" is two words
    assert answers[2] == "id777 (id 777) answers in: ru, en."
    assert answers[3] == "@boris_mod (id 501) can hold 3 open tickets."
    listing = answers[4].splitlines()
    assert listing[0] == "Команда (4):"
    assert listing[1] == "@alice_admin · id 500 · admin · на смене · открыто 0/10 · любой язык"
    assert listing[2] == "id777 · id 777 · lead · на смене · открыто 0/10 · ru, en"
    assert listing[3].startswith("@boris_mod · id 501 · moderator · на смене · открыто ")
    assert listing[3].endswith("/3 · любой язык")  # one of the two new tickets is his
    assert answers[5] == "Извините, для этого нужна роль admin."
    assert answers[6].startswith("support: первый 30m")  # a lead may set SLAs
    assert answers[7] == "'abc' is not a Telegram user id: give the number, like 123456789."
    assert answers[8] == "Unknown role 'boss'; use admin, lead or moderator."
    assert answers[9] == "Capacity is a whole number from 0 to 500, not '-1'."
    assert answers[10] == "Capacity is a whole number from 0 to 500, not '100000'."
    assert answers[11] == "Cannot read 'russian' as languages: write codes like ru,en (or any)."
    assert answers[12] == "There is no staff member 999; see /mods."
    last_admin = "Steward must keep at least one active admin: make someone else admin first."
    assert answers[13] == answers[14] == answers[15] == last_admin
    assert answers[16].startswith("Usage: /mods")
    assert answers[17] == "id777 (id 777) is now moderator."
    assert answers[18].startswith("id777 (id 777) is removed from staff")
    assert answers[19] == "Извините, для этого нужна роль moderator."  # removed: no rights
    assert answers[20] == "id777 (id 777) is now staff: moderator."
    assert "id777 · id 777 · moderator · on shift" in answers[21]

    # --- Templates: a lead adds, anyone lists, a lead deletes.
    answers = await ask(
        ws,
        (ADMIN, "/template add support greeting Hello {name}!\nWelcome to {community}."),
        (ADMIN, "/template add complaint sorry Sorry, {name}, we are on it."),
        (BORIS, "/template list"),
        (CAROL, "/template list complaint"),
        (ADMIN, "/template add support greeting Hi {name}!"),
        (ADMIN, "/template add refunds x Hi"),
        (ADMIN, "/template add support onlyname"),
        (ADMIN, "/template del complaint sorry"),
        (ADMIN, "/template del complaint sorry"),
        (ADMIN, "/template add support long " + "x" * 3501),
        (CAROL, "/template list"),
        (CAROL, "/template list refunds"),
    )
    assert answers[0] == "Template support/greeting saved."
    assert answers[2] == (
        "Шаблоны:\ncomplaint/sorry: Sorry, {name}, we are on it.\n"
        "support/greeting: Hello {name}! Welcome to {community}."
    )
    assert answers[3] == "Templates:\ncomplaint/sorry: Sorry, {name}, we are on it."
    assert answers[4] == "Template support/greeting replaced."
    assert answers[5].startswith("Unknown category 'refunds'")
    assert answers[6].startswith("Usage: /template add")
    assert answers[7] == "Template complaint/sorry deleted."
    assert answers[8] == "There is no template complaint/sorry; see /template list."
    assert answers[9] == "A template is at most 3500 characters; this one has 3501."
    assert answers[10] == "Templates:\nsupport/greeting: Hi {name}!"
    assert answers[11].startswith("Unknown category 'refunds'")
    async with ws.sessions() as session:
        templates = list(await session.scalars(select(Template)))
        lena = await session.scalar(select(Staff).where(Staff.telegram_user_id == 777))
    assert [(t.category, t.name, t.text, t.created_by) for t in templates] == [
        ("support", "greeting", "Hi {name}!", "tg:500")
    ]
    assert lena is not None and lena.active and lena.languages == ["ru", "en"]

    # Every change is in the audit log, with who did it.
    changes = [(row.actor, row.action) for row in await audit_rows(ws) if row.action != "refused"]
    assert changes == [
        ("tg:500", "sla_set"),
        ("tg:500", "sla_set"),
        ("tg:500", "hours_set"),
        ("tg:500", "hours_tz"),
        ("tg:500", "holiday_add"),
        ("tg:500", "holiday_del"),
        ("tg:500", "hours_always"),
        ("tg:500", "mods_add"),
        ("tg:500", "mods_lang"),
        ("tg:500", "mods_capacity"),
        ("tg:777", "sla_set"),
        ("tg:500", "mods_role"),
        ("tg:500", "mods_remove"),
        ("tg:500", "mods_add"),
        ("tg:500", "template_add"),
        ("tg:500", "template_add"),
        ("tg:500", "template_add"),
        ("tg:500", "template_del"),
    ]
    await assert_no_failed_events(ws)


async def test_stats_command_and_cli_report_the_same_figures(
    workspace: Workspace, tmp_path: Path
) -> None:
    ws = workspace
    unthrottle(ws)
    # 10:00 four tickets: three in the Telegram group, one VK DM.
    await ws.say_as(GROUP, ANN, COMPLAINT_RU)
    await ws.say_as(GROUP, BOB, SUPPORT_EN)
    await ws.say_as(GROUP, DAN, PURCHASE_EN)
    await vk_dm(ws, 9001, "Vera", SUPPORT_RU)
    await ws.settle()
    tickets = await by_member(ws)
    assert len(tickets) == 4
    complaint, support = tickets[str(ANN["id"])], tickets[str(BOB["id"])]
    purchase, vk_support = tickets[str(DAN["id"])], tickets["9001"]
    assert [t.category for t in (complaint, support, purchase, vk_support)] == [
        "complaint",
        "support",
        "purchase",
        "support",
    ]
    # First replies after 2 and 5 minutes (within every target), then after 70 minutes
    # (past every target); the VK question is still unanswered at 10:75.
    ws.clock.advance(minutes=2)
    await reply_to_card(ws, complaint, BORIS, "Разбираемся, простите!")
    ws.clock.advance(minutes=3)
    await reply_to_card(ws, support, CAROL, "Use the reset link on the login page.")
    ws.clock.advance(minutes=65)
    assert await ws.app.watchdog.tick() == 2  # the purchase and VK questions breach
    await ws.settle()
    await reply_to_card(ws, purchase, BORIS, "Shipping to Berlin is 10 EUR.")
    ws.clock.advance(minutes=5)

    week_ru, today_en, *bad = await ask(
        ws,
        (BORIS, "/stats"),
        (CAROL, "/stats today"),
        (CAROL, "/stats yesterday"),
        (CAROL, "/stats 7d 30d"),
    )
    # Response times 120, 300, 4200 s: median 300 s; p90 = 300 + 0.8 × 3900 = 3420 s.
    assert week_ru == (
        "Тикетов открыто за 7 дней: 4\n"
        "По категориям: purchase 1, complaint 1, support 2\n"
        "По платформам: telegram 3, vk 1\n"
        "По состоянию: assigned 1, waiting 3\n"
        "Первый ответ: медиана 5 m, p90 57 m\n"
        "SLA первого ответа: 50% (2 в срок, 2 с нарушением) · нарушений: 2\n"
        "Доля отвеченных: 75% (3 из 4)"
    )
    assert today_en.startswith("Tickets opened today: 4\n")
    assert "First-response SLA hit: 50% (2 met, 2 missed) · breaches: 2" in today_en
    assert "Response rate: 75% (3 of 4 answered)" in today_en
    assert bad == [
        "Unknown period 'yesterday'; use today, 7d or 30d.",
        "Unknown period '7d 30d'; use today, 7d or 30d.",
    ]

    # The VK question is answered at 11:20 (4800 s); `steward stats --json` from outside.
    ws.clock.advance(minutes=5)
    await reply_to_card(ws, vk_support, CAROL, "Попробуйте сбросить пароль по ссылке.")
    figures = (await steward_stats(tmp_path))["tickets"]
    assert figures["total"] == 4
    assert figures["by_state"] == {"new": 0, "assigned": 0, "waiting": 4, "resolved": 0}
    assert figures["by_category"] == {
        "purchase": 1,
        "complaint": 1,
        "support": 2,
        "needs_triage": 0,
        "praise": 0,
        "other": 0,
    }
    assert figures["by_platform"] == {"telegram": 3, "vk": 1}
    # 120, 300, 4200, 4800 s: median (300 + 4200) / 2; p90 = 4200 + 0.7 × 600.
    assert figures["first_response_seconds"] == {"median": 2250.0, "p90": 4620.0, "count": 4}
    assert figures["sla_hit_rate"] == 0.5
    assert figures["breaches"] == 2
    assert figures["response_rate"] == 1.0
    await assert_no_failed_events(ws)


async def steward_stats(workdir: Path) -> dict[str, Any]:
    """`steward stats --json` as a separate process, reading the running app's database."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("STEWARD_", "TELEGRAM_", "VK_"))
    }
    env["STEWARD_DATABASE_URL"] = f"sqlite+aiosqlite:///{workdir}/steward.db"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "stats",
        "--json",
        env=env,
        cwd=workdir,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    return dict(json.loads(out))


# ------------------------------------------------------------- ticket figures

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
POLICY = sla_policy.DEFAULT_SLA_POLICIES


def make_ticket(
    category: str,
    *,
    opened: datetime,
    state: str = "new",
    platform: str = "telegram",
    priority: str = "normal",
    replied_after: timedelta | None = None,
    number: int = 0,
) -> Ticket:
    """A ticket as the service leaves it: clocks started at `opened`, maybe one reply."""
    target = POLICY.for_category(category)
    clocks = {
        "response": sla_policy.start_clock(target, ALWAYS_OPEN, "first_response", opened),
        "resolution": sla_policy.start_clock(target, ALWAYS_OPEN, "resolution", opened),
    }
    sla: dict[str, Any] = {}
    answered_at = None
    if replied_after is not None:
        answered_at = opened + replied_after
        status = sla_policy.evaluate(clocks["response"], ALWAYS_OPEN, answered_at)
        clocks["response"] = sla_policy.stop(status.clock, answered_at)
        clocks["resolution"] = sla_policy.pause(clocks["resolution"], answered_at)
        sla["first_response_met"] = not status.breached
    sla.update({role: clock.to_dict() for role, clock in clocks.items()})
    return Ticket(
        id=number or None,
        platform=platform,
        community_id="-100",
        community_title="Brand",
        thread_key=f"{platform}:thread:{category}:{opened.isoformat()}",
        source_kind="group_message",
        member_id="42",
        member_name="Ann",
        category=category,
        priority=priority,
        state=state,
        origin={},
        sla=sla,
        breaches=0,
        created_at=opened,
        updated_at=opened,
        last_member_at=opened,
        first_response_at=answered_at,
        first_response_seconds=replied_after.total_seconds() if replied_after else None,
    )


async def fill(session: AsyncSession) -> None:
    ten = NOW - timedelta(hours=2)
    tickets = [
        make_ticket("support", opened=ten, state="waiting", replied_after=timedelta(seconds=120)),
        make_ticket(
            "complaint",
            opened=ten,
            state="waiting",
            platform="vk",
            replied_after=timedelta(seconds=1200),  # past the 15-minute target
        ),
        make_ticket("purchase", opened=ten),  # unanswered, 10-minute target long gone
        make_ticket("support", opened=NOW - timedelta(minutes=30), state="assigned"),  # undecided
        make_ticket(
            "complaint",
            opened=NOW - timedelta(days=30),
            state="resolved",
            replied_after=timedelta(seconds=60),
        ),
    ]
    session.add_all(tickets)
    await session.flush()
    for ticket, at in (
        (tickets[2], ten + timedelta(minutes=10)),
        (tickets[4], NOW - timedelta(days=29)),
    ):
        service.log_event(session, ticket, "system", "sla_breach", at, target="first_response")
    service.log_event(session, tickets[0], "system", "created", ten)
    await session.commit()


async def test_ticket_figures_for_a_period_and_for_all_time(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        empty = await ticket_figures(session, now=NOW)
        await fill(session)
        week = await ticket_figures(session, now=NOW, since=NOW - timedelta(days=7))
        ever = await ticket_figures(session, now=NOW)
    assert empty == {
        "total": 0,
        "by_state": {"new": 0, "assigned": 0, "waiting": 0, "resolved": 0},
        "by_category": dict.fromkeys(
            ("purchase", "complaint", "support", "needs_triage", "praise", "other"), 0
        ),
        "by_platform": {"telegram": 0, "vk": 0},
        "answered": 0,
        "response_rate": None,
        "first_response_seconds": {"median": None, "p90": None, "count": 0},
        "sla_met": 0,
        "sla_missed": 0,
        "sla_hit_rate": None,
        "breaches": 0,
    }
    assert week["total"] == 4
    assert week["by_state"] == {"new": 1, "assigned": 1, "waiting": 2, "resolved": 0}
    assert week["by_category"]["support"] == 2 and week["by_category"]["purchase"] == 1
    assert week["by_platform"] == {"telegram": 3, "vk": 1}
    assert (week["answered"], week["response_rate"]) == (2, 0.5)
    # 120 and 1200 s: median 660; p90 = 120 + 0.9 × 1080 = 1092.
    assert week["first_response_seconds"] == {"median": 660.0, "p90": 1092.0, "count": 2}
    # Met: the support reply. Missed: the late complaint reply and the unanswered purchase
    # question; the half-hour-old support question is still within its hour: undecided.
    assert (week["sla_met"], week["sla_missed"], week["sla_hit_rate"]) == (1, 2, 0.3333)
    assert week["breaches"] == 1
    assert ever["total"] == 5 and ever["by_state"]["resolved"] == 1
    # 60, 120, 1200 s: median 120; p90 = 120 + 0.8 × 1080 = 984.
    assert ever["first_response_seconds"] == {"median": 120.0, "p90": 984.0, "count": 3}
    assert (ever["sla_met"], ever["sla_missed"], ever["sla_hit_rate"]) == (2, 2, 0.5)
    assert ever["breaches"] == 2


async def test_collect_adds_the_tickets_section(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        await fill(session)
    stats = await collect(sessions, now=NOW)
    assert {"inbound", "outbox", "tickets"} <= set(stats)
    tickets = stats["tickets"]
    for key in ("total", "by_state", "by_category", "first_response_seconds", "sla_hit_rate"):
        assert key in tickets
    assert tickets["total"] == 5 and tickets["sla_hit_rate"] == 0.5
    assert tickets["first_response_seconds"]["median"] == 120.0


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([], 0.5) is None
    assert percentile([42.0], 0.9) == 42.0
    assert percentile([300.0, 120.0, 4200.0], 0.5) == 300.0
    assert percentile([120.0, 300.0, 4200.0], 0.9) == pytest.approx(3420.0)
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert percentile([1.0, 2.0, 3.0, 4.0], 1.0) == 4.0


def test_today_starts_at_local_midnight() -> None:
    moscow = BusinessCalendar.weekly("Europe/Moscow")
    early = datetime(2026, 11, 2, 1, 30, tzinfo=UTC)  # 04:30 in Moscow
    assert period_start("today", early, moscow) == datetime(2026, 11, 1, 21, 0, tzinfo=UTC)
    # New York's clocks went back on 1 November 2026: that midnight was still at UTC-4.
    new_york = BusinessCalendar.weekly("America/New_York")
    evening = datetime(2026, 11, 2, 0, 30, tzinfo=UTC)  # 19:30 on 1 November there
    assert period_start("today", evening, new_york) == datetime(2026, 11, 1, 4, 0, tzinfo=UTC)
    assert period_start("7d", early, moscow) == early - timedelta(days=7)
    with pytest.raises(ValueError, match="Unknown period"):
        period_start("week", early, moscow)


# ---------------------------------------------------------------- queue order


def test_queue_puts_breached_first_then_due_time_then_priority() -> None:
    t0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    now = t0 + timedelta(minutes=61)
    overdue = make_ticket("support", opened=t0, number=1)  # due 11:00
    later = make_ticket("complaint", opened=t0 + timedelta(minutes=50), priority="urgent", number=2)
    sooner = make_ticket("purchase", opened=t0 + timedelta(minutes=52), priority="high", number=3)
    same_due = make_ticket(
        "purchase", opened=t0 + timedelta(minutes=52), priority="urgent", number=4
    )
    waiting = make_ticket(
        "support", opened=t0, state="waiting", replied_after=timedelta(minutes=1), number=5
    )
    # Reopened a day later: its next response is due soon, but its resolution is overdue.
    stale = make_ticket("support", opened=t0 - timedelta(hours=25), state="assigned", number=6)
    clocks = service.clocks(stale)
    next_response = sla_policy.start_clock(
        POLICY.for_category("support"), ALWAYS_OPEN, "next_response", t0 + timedelta(minutes=30)
    )
    service.store_clocks(stale, {"response": next_response, "resolution": clocks["resolution"]})

    entries = rank_queue([waiting, later, stale, sooner, overdue, same_due], ALWAYS_OPEN, now)
    assert [(e.ticket.id, e.group) for e in entries] == [
        (1, BREACHED),
        (6, BREACHED),
        (4, RUNNING),
        (3, RUNNING),
        (2, RUNNING),
        (5, WAITING),
    ]
    assert entries[0].due_at == t0 + timedelta(hours=1)
    assert (entries[0].breached, entries[1].breached) == (("first_response",), ("resolution",))
    assert entries[1].due_at == next_response.due_at  # ranked by its running response clock
    assert entries[-1].due_at is None
