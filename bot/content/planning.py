"""The content plan of one target, from the database: queue and history in, the pure
planner (`bot.policy.slots.plan`) over them, its answer kept on the publications.

Every scheduler tick and every command that changes the queue plans again; the plan
is never stored as a schedule of its own, only noted on each publication (`planned_at`,
`plan_note`) so that lists and notices can show it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content.targets import TargetSetup
from bot.policy.promo import PublishedPost
from bot.policy.slots import PlannedPublication, QueuedPost, Requested, plan
from models import Post, Publication

# Publications that went out (or are on their way): these are what members see.
PUBLISHED_STATES = ("queued", "sent", "deleting", "deleted")
HORIZON_DAYS = 14
# The planner counts a slot starting exactly at `now` as free even if something was
# published at that very instant, so a second tick at the same moment would fill it
# again. Planning a microsecond later counts that slot only if nothing went out since.
PLAN_OFFSET = timedelta(microseconds=1)


def requested_of(post: Post) -> Requested:
    """The planner's `requested` for a stored post."""
    if post.requested == "at" and post.requested_at is not None:
        return post.requested_at
    return "now" if post.requested == "now" else "next"


def queued_post(post: Post, publication: Publication) -> QueuedPost:
    """The planner's view of one publication.

    Once the policy has refused a post its requested time (`moved`), it waits for a free
    slot like a `next` post, keeping its place in the queue: re-planned as `now` on every
    tick it would otherwise go out at whatever tick first allows it, e.g. at midnight.
    """
    return QueuedPost(
        id=publication.id,
        kind=post.kind,
        requested="next" if publication.moved else requested_of(post),
        queued_at=post.queued_at,
        evergreen=post.evergreen,
    )


async def history_of(
    session: AsyncSession, community_id: int, setup: TargetSetup, now: datetime
) -> list[PublishedPost]:
    """What the target has published that any rule of its policy can still see."""
    policy = setup.policy
    reach = max(timedelta(days=policy.window_days), policy.min_gap, timedelta(days=2))
    published = (
        select(Publication.id, Post.kind, Publication.published_at)
        .join(Post, Post.id == Publication.post_id)
        .where(
            Publication.community_id == community_id,
            Publication.state.in_(PUBLISHED_STATES),
            Publication.published_at.is_not(None),
        )
    )
    recent = await session.execute(
        published.where(Publication.published_at > now - reach - timedelta(days=1))
    )
    latest = await session.execute(
        published.order_by(Publication.published_at.desc()).limit(policy.window_posts)
    )
    rows = {row_id: (kind, at) for row_id, kind, at in [*recent.all(), *latest.all()]}
    return sorted((PublishedPost(kind, at) for kind, at in rows.values()), key=lambda post: post.at)


@dataclass
class TargetPlan:
    """One target's plan at a moment, with the rows it was made from."""

    setup: TargetSetup
    now: datetime
    history: list[PublishedPost]
    items: list[PlannedPublication]
    publications: dict[int, Publication] = field(default_factory=dict)
    posts: dict[int, Post] = field(default_factory=dict)

    def item_for(self, publication_id: int) -> PlannedPublication | None:
        return next((item for item in self.items if item.post_id == publication_id), None)

    def planned_times(self) -> list[datetime | None]:
        return [item.at for item in self.items]


async def plan_target(session: AsyncSession, setup: TargetSetup, now: datetime) -> TargetPlan:
    """Plan every queued publication of one target at `now` (see `PLAN_OFFSET`)."""
    now = now + PLAN_OFFSET
    rows = (
        await session.execute(
            select(Publication, Post)
            .join(Post, Post.id == Publication.post_id)
            .where(
                Publication.community_id == setup.community.id,
                Publication.state == "planned",
                Post.cancelled_at.is_(None),
            )
            .order_by(Post.queued_at, Publication.id)
        )
    ).all()
    publications = {publication.id: publication for publication, _ in rows}
    posts = {publication.id: post for publication, post in rows}
    history = await history_of(session, setup.community.id, setup, now)
    queue = [queued_post(post, publication) for publication, post in rows]
    items = plan(queue, history, setup.slots, setup.zone, setup.policy, now, HORIZON_DAYS)
    return TargetPlan(setup, now, history, items, publications, posts)


def note_plan(target_plan: TargetPlan) -> None:
    """Keep each publication's planned moment and reason, for lists and notices; a post
    whose requested time has come and was refused becomes `moved` (see `queued_post`)."""
    for item in target_plan.items:
        publication = target_plan.publications.get(int(item.post_id))
        post = target_plan.posts.get(int(item.post_id))
        if publication is None or post is None:
            continue
        requested = requested_of(post)
        due = requested == "now" or (
            isinstance(requested, datetime) and requested <= target_plan.now
        )
        if item.moved_because and due and not publication.moved:
            publication.moved = True
        note = item.not_planned_because or item.moved_because
        if publication.planned_at != item.at:
            publication.planned_at = item.at
        if publication.plan_note != note:
            publication.plan_note = note


def told_marker(item: PlannedPublication) -> str:
    """What an admin was told about a plan: its moment (or that it found none)."""
    return item.at.isoformat() if item.at is not None else "unplanned"
