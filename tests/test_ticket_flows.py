"""Workspace flows beyond the main path: templates, relabel, staff messages, chatter in the
moderators' chat, and cards for huge texts."""

from __future__ import annotations

from sqlalchemy import select

from models import Template, TicketEvent, TrainingLabel
from tests.workspace_fixtures import ANN, BORIS, GROUP, MODS_CHAT, Workspace

QUESTION = "Сколько стоит доставка в Казань?"


async def open_one(ws: Workspace, text: str = QUESTION) -> int:
    await ws.say_as(GROUP, ANN, text)
    await ws.settle()
    (ticket,) = await ws.tickets()
    return ticket.id


def buttons(message: dict) -> list[str]:
    return [b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row]


async def test_template_is_sent_after_a_confirm_step(workspace: Workspace) -> None:
    ws = workspace
    async with ws.sessions() as session, session.begin():
        session.add(
            Template(
                category="purchase",
                name="delivery",
                created_by="tg:500",
                text="{name}, доставка по России — 300 ₽. Ваш {community}",
            )
        )
    ticket_id = await open_one(ws)
    card = await ws.card(ticket_id)
    await ws.press(card, BORIS, f"t:{ticket_id}:tpl")
    await ws.settle()
    card = await ws.card(ticket_id)
    (template_button,) = [b for b in buttons(card) if b.startswith(f"t:{ticket_id}:tpl:")]
    await ws.press(card, BORIS, template_button)
    await ws.settle()
    card = await ws.card(ticket_id)
    assert f"t:{ticket_id}:tok:" in " ".join(buttons(card))  # nothing sent before the confirm
    assert not [m for m in await ws.tg.messages(GROUP) if m["from"]["id"] == 1000001]
    confirm = next(b for b in buttons(card) if b.startswith(f"t:{ticket_id}:tok:"))
    await ws.press(card, BORIS, confirm)
    await ws.settle()
    sent = [m["text"] for m in await ws.tg.messages(GROUP) if m["from"]["id"] == 1000001]
    assert sent == ["Ann, доставка по России — 300 ₽. Ваш Brand community chat"]
    (ticket,) = await ws.tickets()
    assert ticket.state == "waiting"


async def test_relabel_changes_category_and_stores_a_label(workspace: Workspace) -> None:
    ws = workspace
    ticket_id = await open_one(ws)
    card = await ws.card(ticket_id)
    await ws.press(card, BORIS, f"t:{ticket_id}:rl")
    await ws.settle()
    menu = await ws.card(ticket_id)
    assert f"t:{ticket_id}:rl:support" in buttons(menu)
    await ws.press(menu, BORIS, f"t:{ticket_id}:rl:support")
    await ws.settle()
    (ticket,) = await ws.tickets()
    assert ticket.category == "support" and ticket.priority == "normal"
    card = await ws.card(ticket_id)
    assert "Support" in card["text"] and f"t:{ticket_id}:take" in buttons(card)
    async with ws.sessions() as session:
        labels = list(await session.scalars(select(TrainingLabel)))
        events = list(
            await session.scalars(
                select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket_id)
            )
        )
    assert [(label.intent, label.source) for label in labels] == [("support", "moderator")]
    assert "relabelled" in events


async def test_staff_messages_never_make_tickets_and_chatter_is_ignored(
    workspace: Workspace,
) -> None:
    ws = workspace
    # A moderator asks a question in the community group: not a ticket.
    await ws.say_as(GROUP, BORIS, QUESTION)
    # Moderators talk among themselves, not replying to any card: ignored.
    await ws.say_as(MODS_CHAT, BORIS, "Кто сегодня на смене?")
    await ws.settle()
    assert await ws.tickets() == []
    answers = [
        m
        for m in await ws.mods_chat()
        if m["from"]["id"] == 1000001 and (m.get("reply_markup") or m.get("reply_to_message"))
    ]
    assert answers == []  # no card, and nothing said back to the chatter


async def test_card_for_a_huge_text_fits_telegram(workspace: Workspace) -> None:
    ws = workspace
    text = "Сколько стоит доставка? " + "очень длинный вопрос " * 300 + "👩‍👩‍👧‍👦"
    await ws.say_as(ANN["id"], ANN, text[:4096])  # a DM: always a ticket
    await ws.settle()
    (ticket,) = await ws.tickets()
    card = await ws.card(ticket.id)
    assert len(card["text"]) < 4096 and "…" in card["text"]


async def test_a_community_can_keep_its_own_sla_targets(workspace: Workspace) -> None:
    from tests.workspace_fixtures import ADMIN, VK_GROUP

    ws = workspace
    await ws.say_as(MODS_CHAT, ADMIN, f"/sla set purchase first=30m in vk:{VK_GROUP}")
    await ws.settle()
    await ws.say_as(GROUP, ANN, QUESTION)
    await ws.vk.post("/sandbox/users", {"id": ANN["id"], "first_name": "Ann", "last_name": "K"})
    await ws.vk.post(
        "/sandbox/messages", {"group_id": VK_GROUP, "from_id": ANN["id"], "text": QUESTION}
    )
    await ws.settle()
    due = {t.platform: t.sla["response"]["due_at"] for t in await ws.tickets()}
    assert due["telegram"].startswith("2026-11-02T10:10")  # the workspace's 10 minutes
    assert due["vk"].startswith("2026-11-02T10:30")  # this community's own 30 minutes
