"""Giveaway draws from the database: who commented under the post, who is left out, and
the reproducible draw (`bot.policy.giveaway`) with its seed recorded first.

Entrants are the distinct members who commented under any published copy of the post
before the giveaway ended, named `telegram:<id>` / `vk:<id>` (the same person on two
platforms is two entrants; Steward cannot know they are one). Left out:
- staff (moderators, leads, admins) — by their Telegram account;
- the community itself, channels writing as themselves, Telegram's service account;
- members banned in the community (a platform ban Steward saw, or a ban on the ladder);
- members who had a comment removed as spam (a removed comment is no entry either).
A comment deleted afterwards does not count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content.discussion import find_comment_thread
from bot.inbound import COMMENT, DELETE, MEMBERSHIP, NEW
from bot.platforms.telegram.normalize import TELEGRAM_SERVICE_USER_ID
from bot.policy.giveaway import draw, eligible, new_seed
from models import (
    Classification,
    Community,
    Giveaway,
    InboundRecord,
    Publication,
    SpamRemoval,
    Staff,
    Strike,
)

# Spam-removal states that mean the message is not (or should not be) visible.
REMOVED_STATES = ("removed", "marked", "would_remove")
BANNED_STATUSES = ("kicked",)  # Telegram's ChatMember status of a banned member


@dataclass
class Comment:
    """One member comment under a published copy."""

    inbound_id: int
    member: str
    """`platform:author_id`"""
    name: str
    community_id: str
    identity: str
    """What identifies the comment within its community (to find its deletion)."""


@dataclass
class DrawOutcome:
    """What a draw found and chose; the giveaway row holds the same, for audit."""

    entrants: list[str]
    excluded: dict[str, str]
    winners: list[dict[str, str]]
    seed: int
    names: dict[str, str] = field(default_factory=dict)


async def comments_under(
    session: AsyncSession, publication: Publication, community: Community, until: datetime
) -> list[Comment]:
    """Member comments under one published copy, written by `until`, oldest first."""
    if publication.message_id is None:
        return []
    query = select(InboundRecord).where(
        InboundRecord.kind == COMMENT,
        InboundRecord.action == NEW,
        InboundRecord.occurred_at <= until,
    )
    if community.platform == "telegram":
        thread = await find_comment_thread(session, publication)
        if thread is None:
            return []
        group, thread_id = thread
        query = query.where(
            InboundRecord.platform == "telegram",
            InboundRecord.community_id == str(group),
            InboundRecord.thread_key == f"tg:thread:{group}:{thread_id}",
        )
    else:
        owner = -int(community.external_id)
        query = query.where(
            InboundRecord.platform == "vk",
            InboundRecord.community_id == community.external_id,
            InboundRecord.thread_key.like(f"vk:wall:{owner}:{publication.message_id}:%"),
        )
    records = await session.scalars(query.order_by(InboundRecord.id))
    return [
        Comment(
            inbound_id=record.id,
            member=f"{record.platform}:{record.author_id}",
            name=record.author_name or str(record.author_id),
            community_id=record.community_id,
            identity=_identity(record),
        )
        for record in records
        if record.author_id
    ]


def _identity(record: InboundRecord) -> str:
    """A comment's identity: VK `wall:-1_5:9`; Telegram the message id in its group."""
    if record.platform == "vk":
        return record.external_id
    return str((record.location or {}).get("message_id", record.external_id))


async def _deleted(session: AsyncSession, comments: list[Comment]) -> set[int]:
    """Comments whose deletion Steward saw (VK sends `wall_reply_delete`)."""
    communities = {comment.community_id for comment in comments}
    if not communities:
        return set()
    deletions = await session.scalars(
        select(InboundRecord.external_id).where(
            InboundRecord.kind == COMMENT,
            InboundRecord.action == DELETE,
            InboundRecord.community_id.in_(communities),
            InboundRecord.external_id.like("%:%"),
        )
    )
    # A deletion's id is `delete:<comment identity>:<event id>`.
    gone = {external.split(":", 1)[1].rsplit(":", 1)[0] for external in deletions}
    return {comment.inbound_id for comment in comments if comment.identity in gone}


async def _spam(session: AsyncSession, comments: list[Comment]) -> set[int]:
    """Comments removed as spam, or judged spam by the classifier and never restored."""
    ids = [comment.inbound_id for comment in comments]
    if not ids:
        return set()
    removals = dict(
        (
            await session.execute(
                select(SpamRemoval.inbound_id, SpamRemoval.status).where(
                    SpamRemoval.inbound_id.in_(ids)
                )
            )
        ).all()
    )
    judged = set(
        await session.scalars(
            select(Classification.inbound_id).where(
                Classification.inbound_id.in_(ids), Classification.is_spam.is_(True)
            )
        )
    )
    return {
        inbound_id
        for inbound_id in ids
        if removals.get(inbound_id) in REMOVED_STATES
        or (inbound_id in judged and inbound_id not in removals)
    }


async def _banned(session: AsyncSession, comments: list[Comment], now: datetime) -> set[str]:
    """Members banned where they commented: the platform's last word, or a live ladder ban."""
    banned: set[str] = set()
    by_place = {(comment.member.split(":")[0], comment.community_id) for comment in comments}
    for platform, community_id in by_place:
        events = await session.scalars(
            select(InboundRecord)
            .where(
                InboundRecord.platform == platform,
                InboundRecord.community_id == community_id,
                InboundRecord.kind == MEMBERSHIP,
            )
            .order_by(InboundRecord.id)
        )
        latest: dict[str, bool] = {}
        for event in events:
            location = event.location or {}
            user = str(location.get("user_id", event.author_id or ""))
            if platform == "telegram":
                latest[user] = location.get("new_status") in BANNED_STATUSES
            elif event.action in ("block", "unblock"):
                latest[user] = event.action == "block"
        banned |= {f"{platform}:{user}" for user, is_banned in latest.items() if is_banned}
        strikes = await session.scalars(
            select(Strike).where(
                Strike.platform == platform,
                Strike.community_id == community_id,
                Strike.penalty == "ban",
                Strike.withdrawn.is_(False),
            )
        )
        banned |= {
            f"{platform}:{strike.member_id}"
            for strike in strikes
            if strike.until is None or strike.until > now
        }
    return banned


async def _staff_members(session: AsyncSession) -> set[str]:
    ids = await session.scalars(select(Staff.telegram_user_id))
    return {f"telegram:{user_id}" for user_id in ids}


def _not_a_member(member: str) -> bool:
    """The community, a channel writing as itself, or Telegram's service account."""
    _, _, user = member.partition(":")
    return user.startswith("-") or user == str(TELEGRAM_SERVICE_USER_ID)


async def collect_entries(
    session: AsyncSession,
    copies: Iterable[tuple[Publication, Community]],
    until: datetime,
    now: datetime,
) -> tuple[list[Comment], dict[str, str]]:
    """Every comment that counts, and the commenters left out with the reason."""
    comments: list[Comment] = []
    for publication, community in copies:
        comments += await comments_under(session, publication, community, until)
    deleted = await _deleted(session, comments)
    comments = [comment for comment in comments if comment.inbound_id not in deleted]
    spam = await _spam(session, comments)
    banned = await _banned(session, comments, now)
    staff = await _staff_members(session)
    excluded: dict[str, str] = {}
    for comment in comments:
        if comment.member in staff:
            excluded[comment.member] = "staff"
        elif _not_a_member(comment.member):
            excluded[comment.member] = "not a member"
        elif comment.member in banned:
            excluded[comment.member] = "banned"
        elif comment.inbound_id in spam:
            excluded.setdefault(comment.member, "spam")
    return comments, excluded


async def run_draw(
    session: AsyncSession,
    giveaway: Giveaway,
    copies: list[tuple[Publication, Community]],
    now: datetime,
    *,
    seed: int | None = None,
) -> DrawOutcome:
    """Draw the winners and record everything on `giveaway` (the seed before the draw)."""
    comments, excluded = await collect_entries(session, copies, giveaway.ends_at, now)
    names: dict[str, str] = {}
    for comment in comments:
        names.setdefault(comment.member, comment.name)
    entrants = eligible((comment.member for comment in comments), excluded)
    giveaway.seed = new_seed() if seed is None else seed
    await session.flush()  # the seed is on record before anyone is drawn
    chosen = draw(entrants, giveaway.winners_count, giveaway.seed) if entrants else []
    winners = [{"id": member, "name": names.get(member, member)} for member in chosen]
    giveaway.entrants = entrants
    giveaway.excluded = excluded
    giveaway.winners = winners
    giveaway.drawn_at = now
    giveaway.state = "drawn"
    return DrawOutcome(entrants, excluded, winners, giveaway.seed, names)
