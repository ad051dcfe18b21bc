"""Where members talk about a target: Telegram comment threads and member activity.

A Telegram channel's comments live in its linked discussion group: Telegram copies each
channel post into that group (an "automatic forward") and comments reply to the copy.
Steward stores those copies as skipped inbound events; this module finds the copy of one
of our posts there (its message id is the comment thread's id), and which group is a
channel's discussion group at all. VK comments sit on the wall post itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.inbound import CHANNEL_POST, MESSAGE_KINDS, NEW
from models import Community, InboundRecord, Publication

# How many stored channel-post copies to look through; they are few compared to messages.
SCAN_LIMIT = 2000


def _forward_origin(raw: dict[str, Any]) -> tuple[int, int] | None:
    """(channel id, channel message id) of an automatic forward, from the raw update."""
    message = raw.get("message")
    if not isinstance(message, dict) or not message.get("is_automatic_forward"):
        return None
    origin = message.get("forward_origin")
    if isinstance(origin, dict) and isinstance(origin.get("chat"), dict):
        chat_id, message_id = origin["chat"].get("id"), origin.get("message_id")
    else:  # the older fields some clients still send
        chat_id = (message.get("forward_from_chat") or {}).get("id")
        message_id = message.get("forward_from_message_id")
    if isinstance(chat_id, int) and isinstance(message_id, int):
        return chat_id, message_id
    return None


async def _forwards(
    session: AsyncSession, after_id: int = 0
) -> Sequence[tuple[int, str, dict[str, Any]]]:
    """Stored automatic forwards (id, group id, raw) after `after_id`, newest last."""
    rows = await session.execute(
        select(InboundRecord.id, InboundRecord.community_id, InboundRecord.raw)
        .where(
            InboundRecord.platform == "telegram",
            InboundRecord.kind == CHANNEL_POST,
            InboundRecord.event_type == "message",
            InboundRecord.id > after_id,
        )
        .order_by(InboundRecord.id)
        .limit(SCAN_LIMIT)
    )
    return [(row_id, group, raw or {}) for row_id, group, raw in rows.all()]


async def find_comment_thread(
    session: AsyncSession, publication: Publication
) -> tuple[int, int] | None:
    """(discussion group id, thread id) of a Telegram publication, stored once found."""
    if publication.discussion_chat_id and publication.discussion_thread_id:
        return publication.discussion_chat_id, publication.discussion_thread_id
    if publication.message_id is None or publication.chat_id is None:
        return None
    wanted = (int(publication.chat_id), int(publication.message_id))
    for _, group, raw in await _forwards(session, publication.inbound_mark or 0):
        if _forward_origin(raw) == wanted and group.lstrip("-").isdigit():
            publication.discussion_chat_id = int(group)
            publication.discussion_thread_id = int(raw["message"]["message_id"])
            return publication.discussion_chat_id, publication.discussion_thread_id
    return None


async def discussion_group(session: AsyncSession, channel: Community) -> str | None:
    """The id of a Telegram channel's discussion group, if Steward has seen it."""
    if channel.linked_chat_id:
        return channel.linked_chat_id
    known = await session.scalar(
        select(Publication.discussion_chat_id).where(
            Publication.community_id == channel.id, Publication.discussion_chat_id.is_not(None)
        )
    )
    if known:
        channel.linked_chat_id = str(known)
        return channel.linked_chat_id
    for _, group, raw in reversed(await _forwards(session)):
        origin = _forward_origin(raw)
        if origin is not None and str(origin[0]) == channel.external_id:
            channel.linked_chat_id = group
            return group
    return None


async def activity(
    session: AsyncSession, target: Community, since: datetime, until: datetime
) -> list[datetime]:
    """When members wrote where the target's audience is, in [since, until].

    A VK community: comments and messages in it. A Telegram channel: the comments in
    its discussion group (a channel has no member messages of its own).
    """
    places = [target.external_id]
    if target.platform == "telegram":
        group = await discussion_group(session, target)
        if group is not None:
            places.append(group)
    moments = await session.scalars(
        select(InboundRecord.occurred_at).where(
            InboundRecord.platform == target.platform,
            InboundRecord.community_id.in_(places),
            InboundRecord.kind.in_(sorted(MESSAGE_KINDS)),
            InboundRecord.action == NEW,
            InboundRecord.status != "skipped",  # e.g. the community's own comments
            InboundRecord.occurred_at >= since,
            InboundRecord.occurred_at <= until,
        )
    )
    return list(moments)
