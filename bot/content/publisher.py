"""Turning publications into outbox items: publish, delete at expiry, close polls, reply
under a post. Nothing here calls a platform; the senders do, once per idempotency key.

Keys name the post and the target (`content:post:12:vk:2000001`), so planning the same
moment twice, or a crash between queueing and recording, never publishes twice.

- Telegram: `sendMessage` (HTML parse mode) or `sendPoll` into the channel.
- VK: `wall.post` from the community with the admin user token (the VK sender routes
  it); a poll is first created with `polls.create`, then attached to the wall post.
  The attachment needs the new poll's `owner_id` and `id` joined into one string, which
  a `$result_of` reference cannot build, so the wall post carries a `$render` spec and
  `render_vk_attachments` (registered as `VK_ATTACHMENTS`) builds it at send time. The
  poll and the post share a lane, so the poll has been sent (or has failed) by then.
"""

from __future__ import annotations

import html
import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content.targets import target_key
from bot.content.text import vk_text
from bot.outbox import enqueue
from bot.outbox.refs import Unresolved
from bot.tickets.workspace import Workspace
from models import Community, ContentPoll, InboundRecord, OutboxItem, Post, Publication

VK_ATTACHMENTS = "content_vk_attachments"
DEFAULT_POLL_LENGTH = timedelta(hours=24)


def publish_key(post_id: int, community: Community) -> str:
    return f"content:post:{post_id}:{target_key(community)}"


def poll_key(post_id: int, community: Community) -> str:
    return f"content:poll:{post_id}:{target_key(community)}"


def _lane(community: Community) -> str:
    if community.platform == "telegram":
        return f"tg:{community.external_id}"
    return f"vk:wall:{community.external_id}"


def _account(community: Community, ws: Workspace) -> str:
    return ws.telegram_account if community.platform == "telegram" else community.external_id


async def _queue(
    session: AsyncSession,
    ws: Workspace,
    community: Community,
    *,
    key: str,
    method: str,
    params: dict[str, Any],
    purpose: str,
    lane: str | None = None,
) -> None:
    await enqueue(
        session,
        platform=community.platform,
        account=_account(community, ws),
        lane=lane or _lane(community),
        key=key,
        method=method,
        params=params,
        purpose=purpose,
    )


def telegram_text(post: Post) -> str:
    """The channel message: the post's HTML, then its link on a line of its own."""
    if not post.link:
        return post.text
    return f"{post.text}\n\n{html.escape(post.link, quote=False)}"


async def publish(
    session: AsyncSession,
    ws: Workspace,
    post: Post,
    publication: Publication,
    community: Community,
    at: datetime,
    poll: ContentPoll | None = None,
) -> None:
    """Queue the platform calls that publish `post` on `community`, and note it as queued."""
    key = publish_key(post.id, community)
    purpose = f"content_publish:{publication.id}"
    # The channel's copy in its discussion group arrives after this: remember where to look.
    publication.inbound_mark = int(await session.scalar(select(func.max(InboundRecord.id))) or 0)
    if community.platform == "telegram":
        chat_id = int(community.external_id)
        if poll is not None:
            params: dict[str, Any] = {
                "chat_id": chat_id,
                "question": poll.question,
                "options": list(poll.options),
            }
            method = "sendPoll"
        else:
            params = {"chat_id": chat_id, "text": telegram_text(post), "parse_mode": "HTML"}
            method = "sendMessage"
        await _queue(session, ws, community, key=key, method=method, params=params, purpose=purpose)
        publication.chat_id = community.external_id
    else:
        group_id = int(community.external_id)
        params = {"owner_id": -group_id, "from_group": 1, "message": vk_text(post.text)}
        if poll is not None:
            created = poll_key(post.id, community)
            await _queue(
                session,
                ws,
                community,
                key=created,
                method="polls.create",
                params={
                    "owner_id": -group_id,
                    "question": poll.question,
                    "add_answers": json.dumps(poll.options, ensure_ascii=False),
                },
                purpose=f"content_poll_create:{publication.id}",
            )
            params["$render"] = {"name": VK_ATTACHMENTS, "poll_key": created, "link": post.link}
        elif post.link:
            params["attachments"] = post.link
        await _queue(
            session, ws, community, key=key, method="wall.post", params=params, purpose=purpose
        )
        publication.chat_id = str(-group_id)
    publication.state = "queued"
    publication.outbox_key = key
    publication.published_at = at
    publication.planned_at = at
    publication.expires_at = _expiry(post, at)
    if poll is not None:
        publication.poll_closes_at = poll.closes_at or at + timedelta(
            seconds=poll.closes_after_seconds or DEFAULT_POLL_LENGTH.total_seconds()
        )


def _expiry(post: Post, at: datetime) -> datetime | None:
    if post.expires_at is not None:
        return post.expires_at
    if post.expires_after_seconds:
        return at + timedelta(seconds=post.expires_after_seconds)
    return None


def _message_ref(publication: Publication, path: str) -> Any:
    """The published message id, or a reference to it if the hook has not stored it yet."""
    if publication.message_id is not None:
        return publication.message_id
    return {"$result_of": publication.outbox_key, "path": path}


async def queue_deletion(
    session: AsyncSession, ws: Workspace, publication: Publication, community: Community
) -> None:
    """Delete a published copy (its expiry has come)."""
    purpose = f"content_delete:{publication.id}"
    key = f"content:delete:{publication.id}"
    if community.platform == "telegram":
        params = {
            "chat_id": int(community.external_id),
            "message_id": _message_ref(publication, "message_id"),
        }
        method = "deleteMessage"
    else:
        params = {
            "owner_id": -int(community.external_id),
            "post_id": _message_ref(publication, "response.post_id"),
        }
        method = "wall.delete"
    await _queue(session, ws, community, key=key, method=method, params=params, purpose=purpose)
    publication.state = "deleting"


async def queue_poll_close(
    session: AsyncSession, ws: Workspace, publication: Publication, community: Community
) -> None:
    """Close a poll and fetch its results: Telegram `stopPoll`, VK `polls.getById`.

    VK has no "stop" for a wall poll; reading it at the close time is what counts.
    """
    purpose = f"content_poll_close:{publication.id}"
    key = f"content:poll_close:{publication.id}"
    if community.platform == "telegram":
        params: dict[str, Any] = {
            "chat_id": int(community.external_id),
            "message_id": _message_ref(publication, "message_id"),
        }
        method = "stopPoll"
    else:
        poll_id: Any = (
            int(publication.poll_ref)
            if publication.poll_ref
            else {"$result_of": poll_key(publication.post_id, community), "path": "response.id"}
        )
        params = {"owner_id": -int(community.external_id), "poll_id": poll_id}
        method = "polls.getById"
    await _queue(session, ws, community, key=key, method=method, params=params, purpose=purpose)


async def queue_reply_under(
    session: AsyncSession,
    ws: Workspace,
    publication: Publication,
    community: Community,
    *,
    key: str,
    text: str,
    purpose: str,
) -> None:
    """A message under a published post: in its Telegram comment thread (or as a reply in
    the channel when it has none), or a VK comment from the community."""
    if community.platform == "telegram":
        if publication.discussion_chat_id and publication.discussion_thread_id:
            chat_id, reply_to = publication.discussion_chat_id, publication.discussion_thread_id
        else:
            chat_id, reply_to = int(community.external_id), publication.message_id
        params: dict[str, Any] = {"chat_id": chat_id, "text": text[:4000]}
        if reply_to:
            params["reply_parameters"] = {
                "message_id": reply_to,
                "allow_sending_without_reply": True,
            }
        await _queue(
            session,
            ws,
            community,
            key=key,
            method="sendMessage",
            params=params,
            purpose=purpose,
            lane=f"tg:{chat_id}",
        )
        return
    group_id = int(community.external_id)
    await _queue(
        session,
        ws,
        community,
        key=key,
        method="wall.createComment",
        params={
            "owner_id": -group_id,
            "post_id": publication.message_id,
            "message": text[:4000],
            "from_group": group_id,
        },
        purpose=purpose,
    )


async def render_vk_attachments(
    session: AsyncSession, spec: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """`attachments` for a VK wall post with a poll: "poll<owner>_<id>[,<link>]"."""
    key = str(spec.get("poll_key", ""))
    item = await session.scalar(select(OutboxItem).where(OutboxItem.idempotency_key == key))
    if item is None:
        raise Unresolved(f"the poll {key!r} was never queued")
    if item.status == "failed":
        raise Unresolved(f"the poll could not be created: {item.last_error}")
    if item.status != "sent":
        raise Unresolved(f"waiting for the poll {key!r}", waiting=True)
    poll = (item.result or {}).get("response") or {}
    if "id" not in poll or "owner_id" not in poll:
        raise Unresolved(f"VK's answer to polls.create has no poll id: {poll!r}")
    attachments = [f"poll{poll['owner_id']}_{poll['id']}"]
    if spec.get("link"):
        attachments.append(str(spec["link"]))
    return {"attachments": ",".join(attachments)}
