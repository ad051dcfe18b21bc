"""The ticket card in the moderators' chat: rendering (pure) and queueing (outbox).

A card is posted once and then edited in place. Its text is rendered when the
outbox sends it (`{"$render": …}` params), so however many changes queue up,
what Telegram shows is the ticket as it is at that moment.
"""

from __future__ import annotations

import html
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.outbox import enqueue
from bot.policy.sla import format_duration
from bot.policy.triage import CATEGORIES
from bot.tickets import service
from bot.tickets.staff import mention
from bot.tickets.workspace import Workspace
from models import OutboxItem, Staff, Ticket

QUOTE_LIMIT = 700  # characters of the member's text on a card
PRIORITY_MARK = {"urgent": "🔴", "high": "🟠", "normal": "🟢", "low": "⚪"}
CATEGORY_TITLE = {
    "purchase": "Purchase / lead",
    "complaint": "Complaint",
    "support": "Support",
    "needs_triage": "Needs triage",
    "praise": "Praise",
    "other": "Other",
    "spam": "Possible spam",
}
SOURCE_TITLE = {"comment": "comment", "group_message": "group message", "dm": "DM"}


def trim(text: str, limit: int = QUOTE_LIMIT) -> str:
    """Shorten for a card without splitting a character or an emoji sequence."""
    if len(text) <= limit:
        return text
    cut = limit
    # Never end on a joiner or a variation selector: they belong to the next character.
    while cut > 0 and text[cut - 1] in "\u200d\ufe0f\ufe0e":
        cut -= 1
    return text[:cut].rstrip() + "…"


def origin_link(ticket: Ticket) -> str | None:
    """A link to where the member wrote, when the platform has one."""
    origin = ticket.origin or {}
    if ticket.platform == "vk":
        if "peer_id" in origin:
            return f"https://vk.com/gim{ticket.community_id}?sel={origin['peer_id']}"
        owner, object_id = origin.get("owner_id"), origin.get("object_id")
        comment = origin.get("comment_id")
        return {
            "wall": f"https://vk.com/wall{owner}_{object_id}?reply={comment}",
            "board": f"https://vk.com/topic{owner}_{object_id}?post={comment}",
            "photo": f"https://vk.com/photo{owner}_{object_id}",
            "video": f"https://vk.com/video{owner}_{object_id}",
            "market": f"https://vk.com/product{owner}_{object_id}",
        }.get(str(origin.get("object")))
    chat = str(origin.get("chat_id", ""))
    if chat.startswith("-100") and origin.get("message_id"):
        return f"https://t.me/c/{chat[4:]}/{origin['message_id']}"
    return None


def profile_link(ticket: Ticket) -> str:
    if ticket.platform == "vk":
        return f"https://vk.com/id{ticket.member_id}"
    if ticket.member_username:
        return f"https://t.me/{ticket.member_username}"
    return f"tg://user?id={ticket.member_id}"


def render(ticket: Ticket, assignee: Staff | None, now: datetime) -> dict[str, Any]:
    """The card's `text`, `parse_mode` and `reply_markup` for sendMessage/editMessageText."""
    esc = html.escape
    mark = PRIORITY_MARK.get(ticket.priority, "")
    title = CATEGORY_TITLE.get(ticket.category, ticket.category)
    lines = [
        f"{mark} <b>#{ticket.id} · {esc(title)}</b> · {esc(ticket.priority)}"
        f" · {round(ticket.confidence * 100)}%",
    ]
    where = f"{'VK' if ticket.platform == 'vk' else 'Telegram'} · "
    where += esc(ticket.community_title or ticket.community_id)
    where += f" · {SOURCE_TITLE.get(ticket.source_kind, ticket.source_kind)}"
    link = origin_link(ticket)
    if link:
        where += f' · <a href="{esc(link)}">open</a>'
    lines.append(where)
    name = esc(ticket.member_name or ticket.member_id)
    lines.append(f'👤 <a href="{esc(profile_link(ticket))}">{name}</a>')
    lines.append(f"<blockquote>{esc(trim(ticket.last_text)) or '—'}</blockquote>")
    if ticket.message_count > 1:
        lines.append(f"✉️ {ticket.message_count} messages in this conversation")
    facts = f"Sentiment: {esc(ticket.sentiment)}"
    if ticket.reasons:
        facts += " · " + esc("; ".join(ticket.reasons[:3]))
    lines.append(facts)
    state = f"State: <b>{esc(ticket.state)}</b>"
    state += f" · {esc(mention(assignee))}" if assignee else " · unassigned"
    lines.append(state)
    response = service.clocks(ticket).get("response")
    if ticket.state != "resolved" and response is not None and response.stopped_at is None:
        label = "first response" if response.kind == "first_response" else "next response"
        due = response.due_at.strftime("%d.%m %H:%M UTC")
        lines.append(f"⏱ {label} due {due}")
    if ticket.first_response_seconds is not None:
        took = format_duration_seconds(ticket.first_response_seconds)
        lines.append(f"First response in {took}")
    if ticket.card_note:
        lines.append(esc(ticket.card_note))
    if ticket.breaches:
        lines.append(f"🔥 SLA breached ({ticket.breaches}×)")
    return {
        "text": "\n".join(lines),
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": True},
        "reply_markup": keyboard(ticket),
    }


def format_duration_seconds(seconds: float) -> str:
    from datetime import timedelta

    return format_duration(timedelta(seconds=round(seconds)))


def button(text: str, data: str) -> dict[str, str]:
    return {"text": text, "callback_data": data}


def keyboard(ticket: Ticket) -> dict[str, Any]:
    t = f"t:{ticket.id}"
    rows: list[list[dict[str, str]]] = []
    if ticket.state == "resolved":
        rows.append([button("↩️ Reopen", f"{t}:take")])
    else:
        rows.append([button("✋ Take", f"{t}:take"), button("✅ Resolve", f"{t}:res")])
        rows.append([button("🏷 Relabel", f"{t}:rl"), button("📝 Templates", f"{t}:tpl")])
        if ticket.category in ("needs_triage", "spam", "other"):
            rows.append([button("🚫 Spam", f"{t}:spam"), button("👍 Not spam", f"{t}:ham")])
    if ticket.failed_outbox_key:
        rows.append([button("🔁 Retry delivery", f"{t}:retry")])
    return {"inline_keyboard": rows}


def relabel_keyboard(ticket: Ticket) -> dict[str, Any]:
    options = [c for c in CATEGORIES if c != ticket.category]
    rows = [
        [button(CATEGORY_TITLE.get(c, c), f"t:{ticket.id}:rl:{c}") for c in options[i : i + 2]]
        for i in range(0, len(options), 2)
    ]
    return {"inline_keyboard": rows}


async def card_params(session: AsyncSession, ticket_id: int, now: datetime) -> dict[str, Any]:
    """Render a card from the database (used by the outbox at send time)."""
    ticket = await session.get(Ticket, ticket_id)
    if ticket is None:
        raise LookupError(f"ticket {ticket_id} no longer exists")
    assignee = await session.get(Staff, ticket.assignee_id) if ticket.assignee_id else None
    return render(ticket, assignee, now)


def card_key(ticket_id: int) -> str:
    return f"card:{ticket_id}"


async def queue_card(session: AsyncSession, ticket: Ticket, ws: Workspace) -> None:
    """Post the card, or (if it was posted or is queued) queue one edit of it."""
    if ws.moderators_chat_id is None:
        return
    key = card_key(ticket.id)
    common = {"platform": "telegram", "account": ws.telegram_account, "lane": ws.lane}
    posted = await session.scalar(select(OutboxItem.id).where(OutboxItem.idempotency_key == key))
    render_ref = {"name": "card", "ticket_id": ticket.id}
    if posted is None:
        params: dict[str, Any] = {"chat_id": ws.moderators_chat_id, "$render": render_ref}
        if ws.is_forum:
            params["message_thread_id"] = {
                "$result_of": topic_key(ws, ticket.category),
                "path": "message_thread_id",
            }
            await queue_topic(session, ws, ticket.category)
        await enqueue(
            session,
            key=key,
            method="sendMessage",
            params=params,
            purpose=f"card:{ticket.id}",
            **common,
        )
        return
    waiting = await session.scalar(
        select(OutboxItem.id).where(
            OutboxItem.purpose == f"card_edit:{ticket.id}", OutboxItem.status == "pending"
        )
    )
    if waiting is not None:
        return  # a pending edit renders the latest state anyway
    params = {
        "chat_id": ws.moderators_chat_id,
        "message_id": {"$result_of": key, "path": "message_id"},
        "$render": render_ref,
    }
    await enqueue(
        session,
        key=f"{key}:edit:{uuid.uuid4().hex}",
        method="editMessageText",
        params=params,
        purpose=f"card_edit:{ticket.id}",
        **common,
    )


def topic_key(ws: Workspace, category: str) -> str:
    return f"topic:{ws.moderators_chat_id}:{category}"


async def queue_topic(session: AsyncSession, ws: Workspace, category: str) -> None:
    """One forum topic per category, created once (the idempotency key sees to that)."""
    await enqueue(
        session,
        platform="telegram",
        account=ws.telegram_account,
        lane=ws.lane,
        key=topic_key(ws, category),
        method="createForumTopic",
        params={
            "chat_id": ws.moderators_chat_id,
            "name": CATEGORY_TITLE.get(category, category),
            "icon_color": 7322096,
        },
        purpose="topic",
    )


async def notify(
    session: AsyncSession,
    ws: Workspace,
    key: str,
    text: str,
    *,
    reply_to_card: Ticket | None = None,
) -> None:
    """A plain message to the moderators' chat (reminders, escalations, alerts)."""
    if ws.moderators_chat_id is None:
        return
    params: dict[str, Any] = {"chat_id": ws.moderators_chat_id, "text": text}
    if reply_to_card is not None:
        params["reply_parameters"] = {
            "message_id": {"$result_of": card_key(reply_to_card.id), "path": "message_id"},
            "allow_sending_without_reply": True,
        }
    await enqueue(
        session,
        platform="telegram",
        account=ws.telegram_account,
        lane=ws.lane,
        key=key,
        method="sendMessage",
        params=params,
        purpose="notice",
    )
