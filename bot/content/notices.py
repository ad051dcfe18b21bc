"""Telling people about the plan: the admin who queued a post, and the admins at large.

Both go through the outbox with keys derived from what they are about, so a notice is
sent once however often the scheduler looks.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.outbox import enqueue
from bot.tickets import cards
from bot.tickets.staff import mention
from bot.tickets.workspace import Workspace
from models import Post, Staff


async def admins_mention(session: AsyncSession) -> str:
    """@mentions of every active lead and admin (who must act on a failure)."""
    leads = await session.scalars(
        select(Staff)
        .where(Staff.role.in_(("lead", "admin")), Staff.active.is_(True))
        .order_by(Staff.id)
    )
    return " ".join(mention(lead) for lead in leads)


async def tell_admins(session: AsyncSession, ws: Workspace, key: str, text: str) -> None:
    """A message to the moderators' chat, where the admins and leads work."""
    await cards.notify(session, ws, key, text)


async def tell_author(
    session: AsyncSession, ws: Workspace, post: Post, key: str, text: str
) -> None:
    """A reply to the command that queued `post`, in the chat where it was given.

    Without a recorded origin (e.g. a post queued some other way) it goes to the
    moderators' chat instead.
    """
    if post.origin_chat_id is None or not ws.telegram_account:
        await tell_admins(session, ws, key, text)
        return
    params: dict[str, Any] = {"chat_id": post.origin_chat_id, "text": text[:4000]}
    if post.origin_message_id is not None:
        params["reply_parameters"] = {
            "message_id": post.origin_message_id,
            "allow_sending_without_reply": True,
        }
    if post.origin_thread_id is not None:
        params["message_thread_id"] = post.origin_thread_id
    await enqueue(
        session,
        platform="telegram",
        account=ws.telegram_account,
        lane=f"tg:{post.origin_chat_id}",
        key=key,
        method="sendMessage",
        params=params,
        purpose="notice",
    )
