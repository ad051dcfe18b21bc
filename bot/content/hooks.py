"""What the content plan does when one of its outbox items is finished.

- a publication sent: its message id (and poll id) are stored, for expiry, polls and
  giveaways; failed for good (after the sender's retries): marked failed and reported
  to the admins with the platform's reason;
- a deletion at expiry done: the publication is `deleted`; failed: reported;
- a poll closed: the results are kept and shown to the admins.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.content.notices import admins_mention, tell_admins
from bot.content.targets import target_label
from bot.i18n import say
from bot.outbox.outcome import Outcome
from bot.tickets.workspace import Workspace
from models import Community, ContentPoll, OutboxItem, Publication, utcnow

log = logging.getLogger(__name__)

PURPOSES = (
    "content_publish",
    "content_poll_create",
    "content_delete",
    "content_poll_close",
    "content_announce",
)


def poll_results(platform: str, result: dict[str, Any]) -> tuple[list[tuple[str, int]], int]:
    """(option, votes) pairs and the number of voters from a close call's result."""
    if platform == "telegram":
        options = [
            (str(option.get("text", "")), int(option.get("voter_count", 0)))
            for option in result.get("options", [])
        ]
        return options, int(result.get("total_voter_count", sum(v for _, v in options)))
    poll = result.get("response") or {}
    options = [
        (str(answer.get("text", "")), int(answer.get("votes", 0)))
        for answer in poll.get("answers", [])
    ]
    return options, int(poll.get("votes", sum(v for _, v in options)))


def make_content_hook(
    sessions: async_sessionmaker[AsyncSession], ws: Workspace, wake: Callable[[], None]
) -> Callable[[OutboxItem, str, Outcome], Awaitable[None]]:
    """A worker hook for the items the content plan queued (see the module docstring)."""

    async def hook(item: OutboxItem, status: str, outcome: Outcome) -> None:
        kind, _, ref = item.purpose.partition(":")
        if kind not in PURPOSES or not ref.isdigit() or status not in ("sent", "failed"):
            return
        async with sessions() as session, session.begin():
            if kind == "content_announce":
                if status == "failed":
                    text = say(
                        "notice_announce_failed", ws.ui_language, id=ref, error=outcome.error
                    )
                    await tell_admins(session, ws, f"content:announce_failed:{item.id}", text)
                    wake()
                return
            publication = await session.get(Publication, int(ref))
            if publication is None:
                return
            queued = await _finished(session, ws, kind, publication, item, status, outcome)
        if queued:
            wake()

    return hook


async def _tell_failure(
    session: AsyncSession,
    ws: Workspace,
    what: str,
    publication: Publication,
    target: str,
    outcome: Outcome,
) -> bool:
    """Record why a publication's call failed and tell the admins (`notice_{what}`)."""
    publication.error = outcome.error
    text = say(
        f"notice_{what}",
        ws.ui_language,
        id=publication.post_id,
        target=target,
        error=outcome.error,
        who=await admins_mention(session),
    )
    await tell_admins(session, ws, f"content:{what}:{publication.id}", text)
    return True


async def _finished(
    session: AsyncSession,
    ws: Workspace,
    kind: str,
    publication: Publication,
    item: OutboxItem,
    status: str,
    outcome: Outcome,
) -> bool:
    """Apply one finished item to its publication; True if a notice was queued."""
    result = outcome.result or {}
    community = await session.get(Community, publication.community_id)
    target = target_label(community) if community is not None else str(publication.community_id)
    lang = ws.ui_language
    if kind == "content_poll_create":
        if status == "sent":
            publication.poll_ref = str((result.get("response") or {}).get("id", "")) or None
        return False  # a failure shows on the wall post that depends on it
    if kind == "content_publish":
        if status == "sent":
            _store_ids(publication, item.platform, result)
            if publication.state == "queued":
                publication.state = "sent"
            return False
        publication.state = "failed"
        return await _tell_failure(session, ws, "publish_failed", publication, target, outcome)
    if kind == "content_delete":
        if status == "sent":
            publication.state = "deleted"
            publication.deleted_at = utcnow()
            return False
        publication.state = "sent"  # still out there
        return await _tell_failure(session, ws, "delete_failed", publication, target, outcome)
    # content_poll_close
    poll = await session.scalar(
        select(ContentPoll).where(ContentPoll.post_id == publication.post_id)
    )
    if status == "failed":
        text = say(
            "notice_poll_failed", lang, id=publication.post_id, target=target, error=outcome.error
        )
        await tell_admins(session, ws, f"content:poll_failed:{publication.id}", text)
        return True
    options, voters = poll_results(item.platform, result)
    if poll is not None:
        poll.results = {
            **(poll.results or {}),
            str(publication.id): {"options": [list(pair) for pair in options], "voters": voters},
        }
    lines = "\n".join(f"• {text} — {votes}" for text, votes in options)
    text = say(
        "notice_poll_results",
        lang,
        id=publication.post_id,
        target=target,
        question=poll.question if poll is not None else "",
        lines=lines,
        voters=voters,
    )
    await tell_admins(session, ws, f"content:poll_results:{publication.id}", text)
    return True


def _store_ids(publication: Publication, platform: str, result: dict[str, Any]) -> None:
    if platform == "telegram":
        message_id = result.get("message_id")
        if isinstance(message_id, int):
            publication.message_id = message_id
        poll = result.get("poll")
        if isinstance(poll, dict) and poll.get("id"):
            publication.poll_ref = str(poll["id"])
        return
    response = result.get("response")
    if isinstance(response, dict) and isinstance(response.get("post_id"), int):
        publication.message_id = response["post_id"]
