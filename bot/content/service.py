"""The content plan's operations on the database, shared by the commands and the scheduler:
queue a post (or a poll), plan it on its targets, cancel it, hurry it, set up a giveaway,
suggest slots. Each works inside the caller's transaction and queues nothing itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content.describe import plan_line, state_line
from bot.content.discussion import activity
from bot.content.planning import note_plan, plan_target, told_marker
from bot.content.targets import TargetSetup, setup_of, workspace_zone
from bot.policy.best_times import suggest_hours
from models import Community, ContentPoll, Giveaway, Post, Publication

ACTIVITY_WINDOW = timedelta(weeks=8)


@dataclass(frozen=True)
class Origin:
    """Who queued a post and where, so later notices can reply to them."""

    actor: str
    chat_id: int | None = None
    message_id: int | None = None
    thread_id: int | None = None
    language: str = "en"


async def setups(
    session: AsyncSession, communities: Sequence[Community], *, create: bool = True
) -> list[TargetSetup]:
    """Each target's effective settings (the workspace zone is read once)."""
    zone = await workspace_zone(session)
    return [await setup_of(session, c, zone, create=create) for c in communities]


async def queue_post(
    session: AsyncSession,
    *,
    kind: str,
    text: str,
    targets: Sequence[Community],
    origin: Origin,
    now: datetime,
    requested: str = "next",
    requested_at: datetime | None = None,
    evergreen: bool = False,
    link: str | None = None,
    expires_after: timedelta | None = None,
    expires_at: datetime | None = None,
) -> Post:
    """A new post with one planned publication per target."""
    if expires_at is not None and expires_at <= now:
        raise ValueError("The expiry time has already passed; give a later one.")
    if expires_at is not None and requested_at is not None and expires_at <= requested_at:
        raise ValueError("The post would expire before it is published; check the times.")
    post = Post(
        kind=kind,
        text=text,
        link=link,
        requested=requested,
        requested_at=requested_at,
        evergreen=evergreen,
        expires_after_seconds=int(expires_after.total_seconds()) if expires_after else None,
        expires_at=expires_at,
        queued_at=now,
        created_by=origin.actor,
        origin_chat_id=origin.chat_id,
        origin_message_id=origin.message_id,
        origin_thread_id=origin.thread_id,
        language=origin.language,
    )
    session.add(post)
    await session.flush()
    for community in targets:
        session.add(
            Publication(post_id=post.id, community_id=community.id, platform=community.platform)
        )
    await session.flush()
    return post


async def add_poll(
    session: AsyncSession,
    post: Post,
    question: str,
    options: list[str],
    *,
    closes_after: timedelta | None,
    closes_at: datetime | None,
) -> ContentPoll:
    poll = ContentPoll(
        post_id=post.id,
        question=question,
        options=options,
        closes_after_seconds=int(closes_after.total_seconds()) if closes_after else None,
        closes_at=closes_at,
        results={},
    )
    session.add(poll)
    await session.flush()
    return poll


async def copies_of(session: AsyncSession, post_id: int) -> list[tuple[Publication, Community]]:
    """Every publication of a post with its target, in target order."""
    rows = await session.execute(
        select(Publication, Community)
        .join(Community, Community.id == Publication.community_id)
        .where(Publication.post_id == post_id)
        .order_by(Community.platform, Community.id)
    )
    return [(publication, community) for publication, community in rows.all()]


async def plan_lines(session: AsyncSession, post: Post, now: datetime, lang: str) -> list[str]:
    """One line per target: where the plan puts the post now (or what became of it).

    The admin reads these as the answer to their command, so each waiting publication
    is marked as told: the scheduler speaks up again only if its plan changes.
    """
    copies = await copies_of(session, post.id)
    by_setup = await setups(session, [community for _, community in copies])
    lines = []
    for (publication, _), setup in zip(copies, by_setup, strict=True):
        if publication.state != "planned":
            lines.append(state_line(publication, setup, lang))
            continue
        target_plan = await plan_target(session, setup, now)
        note_plan(target_plan)
        item = target_plan.item_for(publication.id)
        if item is not None:
            publication.told = told_marker(item)
        lines.append(plan_line(item, setup, target_plan.now, lang))
    return lines


async def cancel(session: AsyncSession, post: Post, now: datetime) -> int:
    """Cancel every copy not yet published; returns how many were cancelled."""
    cancelled = 0
    for publication, _ in await copies_of(session, post.id):
        if publication.state == "planned":
            publication.state = "cancelled"
            publication.plan_note = None
            cancelled += 1
    if cancelled and all(
        publication.state == "cancelled" for publication, _ in await copies_of(session, post.id)
    ):
        post.cancelled_at = now
    return cancelled


def hurry(post: Post) -> None:
    """`/post now`: as soon as the ratio policy allows."""
    post.requested = "now"
    post.requested_at = None


def hurry_copies(copies: Sequence[tuple[Publication, Community]]) -> None:
    """Waiting copies of a hurried post are checked at `now` again, not only at slots."""
    for publication, _ in copies:
        if publication.state == "planned":
            publication.moved = False
            publication.told = None


async def open_giveaway(session: AsyncSession, post_id: int) -> Giveaway | None:
    return await session.scalar(
        select(Giveaway).where(Giveaway.post_id == post_id, Giveaway.state == "open")
    )


async def create_giveaway(
    session: AsyncSession,
    post: Post,
    *,
    ends_at: datetime,
    winners: int,
    condition: str,
    actor: str,
    now: datetime,
) -> Giveaway:
    giveaway = Giveaway(
        post_id=post.id,
        ends_at=ends_at,
        winners_count=winners,
        condition=condition,
        state="open",
        created_by=actor,
        created_at=now,
    )
    session.add(giveaway)
    await session.flush()
    return giveaway


async def suggest(
    session: AsyncSession, setup: TargetSetup, now: datetime
) -> tuple[dict[int, list[int]], int]:
    """The three best local hours per weekday from the last 8 weeks of member activity,
    and how many messages and comments that was."""
    moments = await activity(session, setup.community, now - ACTIVITY_WINDOW, now)
    return suggest_hours(moments, setup.zone), len(moments)
