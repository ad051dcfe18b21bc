"""The moderator workspace end to end, against both sandboxes: a member writes, a card
appears, a moderator takes it and replies to the card, the reply lands where the member
wrote (once), the ticket is resolved, and a follow-up reopens it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from models import AuditEntry, InboundRecord, Staff, TicketEvent
from tests.workspace_fixtures import (
    ANN,
    BORIS,
    CAROL,
    CHANNEL,
    DISCUSSION,
    GROUP,
    MALLORY,
    MODS_CHAT,
    VK_GROUP,
    Workspace,
)

PURCHASE = "Здравствуйте! Сколько стоит доставка в Казань и сколько дней идёт?"
COMPLAINT = "Заказ не пришёл уже две недели, это просто ужас, верните деньги!"


async def member_writes(ws: Workspace, source: str, text: str) -> dict[str, Any]:
    """A member writes in one of the five places; returns what the test needs to check."""
    if source == "tg_group":
        message = await ws.say_as(GROUP, ANN, text)
        return {"chat": GROUP, "message_id": message["message_id"]}
    if source == "tg_comment":
        post = await ws.tg.post("/sandbox/channel_posts", {"chat_id": CHANNEL, "text": "New!"})
        thread = post["automatic_forward"]["message_id"]
        message = await ws.say_as(DISCUSSION, ANN, text, message_thread_id=thread)
        return {"chat": DISCUSSION, "message_id": message["message_id"], "thread": thread}
    if source == "tg_dm":
        message = await ws.say_as(ANN["id"], ANN, text)
        return {"chat": ANN["id"], "message_id": message["message_id"]}
    await ws.vk.post("/sandbox/users", {"id": ANN["id"], "first_name": "Ann", "last_name": "K"})
    if source == "vk_wall":
        post = await ws.vk.post("/sandbox/wall_posts", {"group_id": VK_GROUP, "text": "Sale"})
        comment = await ws.vk.post(
            "/sandbox/comments",
            {
                "group_id": VK_GROUP,
                "object": "wall",
                "object_id": post["post_id"],
                "from_id": ANN["id"],
                "text": text,
            },
        )
        return {"comment_id": comment["comment_id"], "post_id": post["post_id"]}
    await ws.vk.post(
        "/sandbox/messages", {"group_id": VK_GROUP, "from_id": ANN["id"], "text": text}
    )
    return {}


async def replies_at_origin(ws: Workspace, source: str, where: dict[str, Any]) -> list[str]:
    """What the community answered at the place the member wrote."""
    if source.startswith("tg_"):
        messages = await ws.tg.messages(where["chat"])
        answers = [m for m in messages if m["from"]["id"] == 1000001]
        if source != "tg_dm":
            answers = [
                m
                for m in answers
                if (m.get("reply_to_message") or {}).get("message_id") == where["message_id"]
            ]
        if source == "tg_comment":
            assert all(m.get("message_thread_id") == where["thread"] for m in answers)
        return [m["text"] for m in answers]
    if source == "vk_wall":
        wall = await ws.vk.get(f"/sandbox/groups/{VK_GROUP}/wall")
        comments = [c for post in wall for c in post["comments"]]
        return [
            c["text"]
            for c in comments
            if c["from_id"] == -VK_GROUP and c.get("reply_to_comment") == where["comment_id"]
        ]
    dialog = await ws.vk.get(f"/sandbox/groups/{VK_GROUP}/messages?peer_id={ANN['id']}")
    return [m["text"] for m in dialog if m.get("from_id") == -VK_GROUP]


async def reply_to_card(
    ws: Workspace, card: dict[str, Any], moderator: dict[str, Any], text: str
) -> None:
    await ws.say_as(
        MODS_CHAT,
        moderator,
        text,
        reply_to_message_id=card["message_id"],
        message_thread_id=card.get("message_thread_id"),
    )


@pytest.mark.parametrize("source", ["tg_group", "tg_comment", "tg_dm", "vk_wall", "vk_dm"])
async def test_member_to_card_to_reply_at_origin(workspace: Workspace, source: str) -> None:
    ws = workspace
    where = await member_writes(ws, source, PURCHASE)
    await ws.settle()
    (ticket,) = await ws.tickets()
    assert ticket.category == "purchase" and ticket.priority == "high"
    assert ticket.state == "assigned"  # round robin picked an on-shift moderator
    card = await ws.card(ticket.id)
    assert "Purchase" in card["text"] and "first response due" in card["text"]
    assert "Ann" in card["text"]  # VK ids are shown as names
    if source != "tg_dm":
        assert "Brand" in card["text"]  # the community's name
    due = ticket.sla["response"]["due_at"]
    assert due.startswith("2026-11-02T10:10")  # 10 minutes for a purchase question

    await ws.press(card, BORIS, f"t:{ticket.id}:take")
    await ws.settle()
    await reply_to_card(ws, card, BORIS, "Доставка в Казань — 300 ₽, 2–3 дня.")
    await ws.settle()
    assert await replies_at_origin(ws, source, where) == ["Доставка в Казань — 300 ₽, 2–3 дня."]
    (ticket,) = await ws.tickets()
    assert ticket.state == "waiting" and ticket.first_response_at is not None
    card = await ws.card(ticket.id)
    assert "Replied by @boris_mod" in card["text"] and "delivered" in card["text"]
    assert card.get("edited")  # the same card, edited in place

    await ws.press(card, BORIS, f"t:{ticket.id}:res")
    await ws.settle()
    (ticket,) = await ws.tickets()
    assert ticket.state == "resolved"

    # The member writes again: the same conversation reopens, the next-response clock runs.
    ws.clock.advance(hours=1)
    await member_writes_followup(ws, source, where)
    await ws.settle()
    tickets = await ws.tickets()
    assert len(tickets) == 1
    assert tickets[0].state == "assigned"
    assert tickets[0].sla["response"]["kind"] == "next_response"
    assert len([m for m in await ws.mods_chat() if m.get("text", "").startswith("🟠 #")]) == 1


async def member_writes_followup(ws: Workspace, source: str, where: dict[str, Any]) -> None:
    text = "А можно ещё оплатить картой при получении?"
    if source == "tg_group":
        await ws.say_as(GROUP, ANN, text, reply_to_message_id=where["message_id"])
    elif source == "tg_comment":
        await ws.say_as(DISCUSSION, ANN, text, message_thread_id=where["thread"])
    elif source == "tg_dm":
        await ws.say_as(ANN["id"], ANN, text)
    elif source == "vk_wall":
        await ws.vk.post(
            "/sandbox/comments",
            {
                "group_id": VK_GROUP,
                "object": "wall",
                "object_id": where["post_id"],
                "from_id": ANN["id"],
                "text": text,
                "reply_to_comment": where["comment_id"],
            },
        )
    else:
        await ws.vk.post(
            "/sandbox/messages", {"group_id": VK_GROUP, "from_id": ANN["id"], "text": text}
        )


async def test_reminder_at_75_percent_then_breach_escalates_and_reassigns(
    workspace: Workspace,
) -> None:
    ws = workspace
    await member_writes(ws, "tg_group", COMPLAINT)
    await ws.settle()
    (ticket,) = await ws.tickets()
    assert ticket.category == "complaint" and ticket.priority == "urgent"
    assignee_before = ticket.assignee_id

    ws.clock.advance(minutes=11)  # 11 of 15 minutes: 73%
    assert await ws.app.watchdog.tick() == 0
    ws.clock.advance(minutes=1)  # 80%
    assert await ws.app.watchdog.tick() == 1
    assert await ws.app.watchdog.tick() == 0  # once only
    await ws.settle()
    notices = [m["text"] for m in await ws.mods_chat() if m.get("text", "").startswith("⏰")]
    assert len(notices) == 1 and f"#{ticket.id}" in notices[0]

    # The assignee goes off shift, then the target runs out.
    async with ws.sessions() as session, session.begin():
        staff = await session.get(Staff, assignee_before)
        assert staff is not None
        staff.on_shift = False
    ws.clock.advance(minutes=4)
    assert await ws.app.watchdog.tick() == 1
    await ws.settle()
    texts = [m.get("text", "") for m in await ws.mods_chat()]
    breach = [t for t in texts if t.startswith("🔥")]
    assert len(breach) == 1 and "@alice_admin" in breach[0]  # the leads are mentioned
    assert any(t.startswith(f"#{ticket.id} reassigned") for t in texts)
    (ticket,) = await ws.tickets()
    assert ticket.breaches == 1 and ticket.assignee_id != assignee_before
    card = await ws.card(ticket.id)
    assert "SLA breached" in card["text"]
    async with ws.sessions() as session:
        kinds = list(
            await session.scalars(
                select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id)
            )
        )
    assert "sla_reminder" in kinds and "sla_breach" in kinds


async def test_forged_callback_from_a_non_moderator_is_refused(workspace: Workspace) -> None:
    ws = workspace
    await member_writes(ws, "tg_group", PURCHASE)
    await ws.settle()
    (ticket,) = await ws.tickets()
    card = await ws.card(ticket.id)
    answer = await ws.press(card, MALLORY, f"t:{ticket.id}:res")
    await ws.settle()
    (ticket,) = await ws.tickets()
    assert ticket.state != "resolved"
    shown = await ws.tg.get(f"/sandbox/callbacks/{answer['id']}")
    assert shown["answered"] and "only Steward's moderators" in shown["text"]
    async with ws.sessions() as session:
        refused = list(
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "refused"))
        )
    assert len(refused) == 1 and refused[0].actor == f"tg:{MALLORY['id']}"
    # Garbage callback data from staff is answered, never a crash.
    await ws.press(card, BORIS, "t:999999:take")
    await ws.press(card, BORIS, "t:abc:nonsense")
    await ws.settle()
    async with ws.sessions() as session:
        errors = list(
            await session.scalars(select(InboundRecord).where(InboundRecord.status == "error"))
        )
    assert errors == []


async def test_replies_under_platform_faults_arrive_exactly_once(workspace: Workspace) -> None:
    ws = workspace
    where_tg = await member_writes(ws, "tg_group", PURCHASE)
    where_vk = await member_writes(ws, "vk_wall", PURCHASE)
    await ws.settle()
    await ws.tg.post(
        "/sandbox/faults",
        {"method": "sendMessage", "kind": "500", "rate": 0.5, "count": 2, "seed": 1},
    )
    await ws.tg.post(
        "/sandbox/faults",
        {
            "method": "sendMessage",
            "kind": "429",
            "rate": 0.5,
            "count": 2,
            "retry_after": 1,
            "seed": 2,
        },
    )
    await ws.vk.post(
        "/sandbox/faults", {"method": "wall.createComment", "kind": "drop_connection", "count": 1}
    )
    await ws.vk.post(
        "/sandbox/faults", {"method": "wall.createComment", "error_code": 10, "count": 1}
    )
    for ticket in await ws.tickets():
        card = await ws.card(ticket.id)
        await reply_to_card(ws, card, CAROL, f"Ответ на #{ticket.id}")
    await ws.settle()
    tickets = {t.platform: t for t in await ws.tickets()}
    assert await replies_at_origin(ws, "tg_group", where_tg) == [
        f"Ответ на #{tickets['telegram'].id}"
    ]
    assert await replies_at_origin(ws, "vk_wall", where_vk) == [f"Ответ на #{tickets['vk'].id}"]


async def test_failed_delivery_shows_on_the_card_with_retry(workspace: Workspace) -> None:
    ws = workspace
    await member_writes(ws, "vk_dm", PURCHASE)
    await ws.settle()
    (ticket,) = await ws.tickets()
    # The member blocks messages from the community before the answer goes out.
    await ws.vk.post("/sandbox/message_deny", {"group_id": VK_GROUP, "user_id": ANN["id"]})
    card = await ws.card(ticket.id)
    await reply_to_card(ws, card, BORIS, "Ответ")
    await ws.settle()
    card = await ws.card(ticket.id)
    assert "Reply not delivered" in card["text"] and "901" in card["text"]
    buttons = [b["callback_data"] for row in card["reply_markup"]["inline_keyboard"] for b in row]
    assert f"t:{ticket.id}:retry" in buttons
    await ws.vk.post("/sandbox/message_allow", {"group_id": VK_GROUP, "user_id": ANN["id"]})
    await ws.press(card, BORIS, f"t:{ticket.id}:retry")
    await ws.settle()
    assert await replies_at_origin(ws, "vk_dm", {}) == ["Ответ"]
    card = await ws.card(ticket.id)
    assert "delivered" in card["text"]
