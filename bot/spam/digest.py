"""Removals in the moderators' chat: one compact entry, growing into a digest edited in
place ("12 spam messages removed in the last 5 minutes"), so a spam wave never floods
the chat or hits Telegram's 20-messages-a-minute group limit. Every item keeps its
Not spam button (paged when there are many)."""

from __future__ import annotations

import html
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.outbox import enqueue
from bot.tickets.cards import button, trim
from bot.tickets.workspace import Workspace
from models import OutboxItem, SpamDigest, SpamRemoval

WINDOW = timedelta(minutes=5)
PAGE = 8  # Not spam buttons per page
STATUS_MARK = {"removed": "🚫", "marked": "🏷", "would_remove": "🧪", "restored": "↩️"}


def digest_key(digest_id: int) -> str:
    return f"spamdigest:{digest_id}"


async def add(session: AsyncSession, ws: Workspace, removal: SpamRemoval, now: datetime) -> None:
    digest = await session.scalar(
        select(SpamDigest)
        .where(SpamDigest.started_at >= now - WINDOW)
        .order_by(SpamDigest.id.desc())
    )
    if digest is None:
        digest = SpamDigest(started_at=now, updated_at=now, items=0)
        session.add(digest)
        await session.flush()
    digest.items += 1
    digest.updated_at = now
    removal.digest_id = digest.id
    await _queue(session, ws, digest.id)


async def refresh(session: AsyncSession, ws: Workspace, removal: SpamRemoval) -> None:
    if removal.digest_id is not None:
        await _queue(session, ws, removal.digest_id)


async def _queue(session: AsyncSession, ws: Workspace, digest_id: int) -> None:
    if ws.moderators_chat_id is None:
        return
    key = digest_key(digest_id)
    common = {"platform": "telegram", "account": ws.telegram_account, "lane": ws.lane}
    spec = {"name": "spam_digest", "digest_id": digest_id}
    posted = await session.scalar(select(OutboxItem.id).where(OutboxItem.idempotency_key == key))
    if posted is None:
        await enqueue(
            session,
            key=key,
            method="sendMessage",
            params={"chat_id": ws.moderators_chat_id, "$render": spec},
            purpose="spam_digest",
            **common,
        )
        return
    pending = await session.scalar(
        select(OutboxItem.id).where(
            OutboxItem.purpose == f"spam_digest_edit:{digest_id}", OutboxItem.status == "pending"
        )
    )
    if pending is None:
        params = {
            "chat_id": ws.moderators_chat_id,
            "message_id": {"$result_of": key, "path": "message_id"},
            "$render": spec,
        }
        await enqueue(
            session,
            key=f"{key}:edit:{uuid.uuid4().hex}",
            method="editMessageText",
            params=params,
            purpose=f"spam_digest_edit:{digest_id}",
            **common,
        )


def _where(removal: SpamRemoval) -> str:
    platform = "VK" if removal.platform == "vk" else "Telegram"
    place = {"comment": "comment", "group_message": "group", "direct_message": "DM"}
    title = removal.community_title or removal.community_id
    return f"{platform} · {title} · {place.get(removal.kind, removal.kind)}"


def render_items(removals: list[SpamRemoval], page: int = 0) -> dict[str, Any]:
    """Text and buttons for a digest (pure)."""
    esc = html.escape
    if len(removals) == 1:
        one = removals[0]
        mark = STATUS_MARK.get(one.status, "")
        lines = [
            f"{mark} <b>Spam {_verb(one.status)}</b> · {esc(_where(one))}",
            f"👤 {esc(one.member_name or one.member_id)} (id {esc(one.member_id)})",
            f"<blockquote>{esc(trim(one.text, 400)) or '—'}</blockquote>",
            "Why: " + esc("; ".join(one.reasons[:3]) or "marked by a moderator"),
        ]
        if one.penalty and one.penalty != "none":
            lines.append(f"Penalty: {esc(one.penalty)}")
    else:
        removed = sum(1 for r in removals if r.status != "restored")
        lines = [f"🚫 <b>{removed} spam messages removed in the last 5 minutes</b>"]
        for removal in removals[-10:]:
            mark = STATUS_MARK.get(removal.status, "")
            lines.append(
                f"{mark} #{removal.id} {esc(removal.member_name or removal.member_id)}: "
                f"{esc(trim(removal.text, 60))}"
            )
    if any(r.status == "would_remove" for r in removals):
        lines.append("<i>Dry run: nothing was removed; this is what Steward would do.</i>")
    start = page * PAGE
    shown = [r for r in removals if r.status != "restored"][start : start + PAGE]
    rows = [[button(f"👍 Not spam #{r.id}", f"s:{r.id}:ham")] for r in shown]
    pages = []
    if page > 0:
        pages.append(button("◀️", f"sd:{removals[0].digest_id}:{page - 1}"))
    if start + PAGE < len([r for r in removals if r.status != "restored"]):
        pages.append(button("show more ▶️", f"sd:{removals[0].digest_id}:{page + 1}"))
    if pages:
        rows.append(pages)
    return {
        "text": "\n".join(lines),
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": True},
        "reply_markup": {"inline_keyboard": rows},
    }


def _verb(status: str) -> str:
    return {
        "removed": "removed",
        "marked": "marked (a DM cannot be removed)",
        "would_remove": "would be removed",
        "restored": "— restored",
    }.get(status, status)


async def removals_of(session: AsyncSession, digest_id: int) -> list[SpamRemoval]:
    return list(
        await session.scalars(
            select(SpamRemoval).where(SpamRemoval.digest_id == digest_id).order_by(SpamRemoval.id)
        )
    )


async def render(session: AsyncSession, spec: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The outbox renderer `spam_digest`."""
    removals = await removals_of(session, int(spec["digest_id"]))
    if not removals:
        raise LookupError(f"spam digest {spec['digest_id']} is empty")
    return render_items(removals, int(spec.get("page", 0)))
