"""The content scheduler: publishes what the plan says is due, and keeps the plan honest.

`tick(now)` is the whole of it, with the time passed in (tests move a clock); `run`
calls it every `interval` seconds while this process holds the scheduler's lease (so
several Steward processes on one database publish once). Each tick, per target:

1. plan (`bot.content.planning`), publish every due post through the outbox;
2. tell the admin who queued a promotion when the ratio policy moves it, and why;
3. warn the admins, once a day, when the next 7 days hold fewer than 2 posts;

then, across targets: delete copies whose expiry has come, close polls and show the
results to the admins, and draw giveaways that have ended. Every step is keyed in the
outbox, so a tick that runs twice (or a crash mid-tick) does nothing twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import leases
from bot.aio import sleep_or_stop
from bot.content.describe import local_time
from bot.content.discussion import activity
from bot.content.giveaways import run_draw
from bot.content.notices import admins_mention, tell_admins, tell_author
from bot.content.planning import TargetPlan, note_plan, plan_target, told_marker
from bot.content.publisher import (
    publish,
    queue_deletion,
    queue_poll_close,
    queue_reply_under,
)
from bot.content.service import ACTIVITY_WINDOW, copies_of, setups
from bot.content.targets import (
    TargetSetup,
    ensure_vk_targets,
    list_targets,
    slots_to_json,
    target_label,
)
from bot.i18n import say
from bot.policy.best_times import cadence_warning, suggest_hours, suggested_slots
from bot.policy.promo import is_promotional
from bot.policy.slots import PlannedPublication, due_now
from bot.tickets.workspace import Workspace
from models import AuditEntry, Community, ContentPoll, Giveaway, Post, Publication, utcnow

log = logging.getLogger(__name__)

LEASE = "content-scheduler"
AUTO_SLOTS_REFRESH = timedelta(days=1)


class ContentScheduler:
    """Runs the content plan: see the module docstring."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        ws: Workspace,
        *,
        vk_group_ids: Iterable[int] = (),
        interval: float = 20.0,
        clock: Callable[[], datetime] = utcnow,
        on_queued: Callable[[], None] | None = None,
    ) -> None:
        self.sessions = sessions
        self.ws = ws
        self.vk_group_ids = tuple(vk_group_ids)
        self.interval = interval
        self.clock = clock
        self.on_queued = on_queued or (lambda: None)
        self.holder = leases.make_holder()
        # One tick at a time in this process: a test's tick and the loop's never interleave.
        self._lock = asyncio.Lock()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                if await leases.acquire(self.sessions, LEASE, self.holder, self.interval * 3):
                    await self.tick()
            except Exception:
                log.exception("content scheduler tick failed")
            await sleep_or_stop(stop, self.interval)
        try:
            await leases.release(self.sessions, LEASE, self.holder)
        except Exception:
            log.warning("could not release the content scheduler lease", exc_info=True)

    async def tick(self, now: datetime | None = None) -> int:
        """Do everything that is due at `now`; returns how many outbox items it queued."""
        now = now or self.clock()
        async with self._lock:
            async with self.sessions() as session, session.begin():
                await ensure_vk_targets(session, self.vk_group_ids)
                communities = await self._communities(session)
            queued = 0
            for community_id in communities:
                queued += await self._step(self._target, community_id, now)
            for step in (self._expire, self._close_polls, self._draw_giveaways):
                queued += await self._step(step, None, now)
        if queued:
            self.on_queued()
        return queued

    async def _step(
        self, step: Callable[..., Awaitable[int]], arg: int | None, now: datetime
    ) -> int:
        """One step in its own transaction: a failure stays with that step."""
        try:
            async with self.sessions() as session, session.begin():
                if arg is None:
                    return await step(session, now)
                return await step(session, arg, now)
        except Exception:
            log.exception("content scheduler: %s failed", getattr(step, "__name__", step))
            return 0

    async def _communities(self, session: AsyncSession) -> list[int]:
        """Every target, plus any community that still has posts waiting for it."""
        ids = [community.id for community in await list_targets(session)]
        waiting = await session.scalars(
            select(Publication.community_id).where(Publication.state == "planned").distinct()
        )
        return ids + sorted(set(waiting) - set(ids))

    # ------------------------------------------------------------------ per target

    async def _target(self, session: AsyncSession, community_id: int, now: datetime) -> int:
        community = await session.get(Community, community_id)
        if community is None:
            return 0
        (setup,) = await setups(session, [community])
        if setup.settings.auto_slots:
            setup = await self._refresh_auto_slots(session, setup, now)
        target_plan = await plan_target(session, setup, now)
        queued = 0
        for item in due_now(target_plan.items, target_plan.now):
            queued += await self._publish(session, target_plan, item, now)
        note_plan(target_plan)
        for item in target_plan.items:
            queued += await self._tell_moves(session, target_plan, item)
        queued += await self._cadence(session, target_plan, now)
        return queued

    async def _publish(
        self,
        session: AsyncSession,
        target_plan: TargetPlan,
        item: PlannedPublication,
        now: datetime,
    ) -> int:
        publication = target_plan.publications[int(item.post_id)]
        post = target_plan.posts[int(item.post_id)]
        community = target_plan.setup.community
        assert item.at is not None
        if post.expires_at is not None and post.expires_at <= item.at:
            # A flash sale the policy held back past its end must not go out late.
            expired = local_time(post.expires_at, target_plan.setup.zone)
            publication.state = "cancelled"
            publication.plan_note = say("expired_unpublished", post.language, when=expired)
            text = say(
                "notice_expired_unpublished",
                post.language,
                id=post.id,
                target=target_label(community),
                when=expired,
            )
            await tell_author(session, self.ws, post, f"content:expired:{publication.id}", text)
            return 1
        poll = await session.scalar(select(ContentPoll).where(ContentPoll.post_id == post.id))
        # `now` posts are planned a microsecond after the tick (see PLAN_OFFSET).
        at = min(item.at, now)
        await publish(session, self.ws, post, publication, community, at, poll)
        session.add(
            AuditEntry(
                at=now,
                actor="system",
                action="post_published",
                target=f"post:{post.id}",
                details={
                    "publication": publication.id,
                    "to": target_label(community),
                    "kind": post.kind,
                    "at": at.isoformat(),
                    "moved_because": item.moved_because,
                },
            )
        )
        return 2 if poll is not None and community.platform == "vk" else 1

    async def _tell_moves(
        self, session: AsyncSession, target_plan: TargetPlan, item: PlannedPublication
    ) -> int:
        """Tell the admin who queued a promotion when the policy moves it, or finds no place."""
        publication = target_plan.publications.get(int(item.post_id))
        post = target_plan.posts.get(int(item.post_id))
        if publication is None or post is None or publication.state != "planned":
            return 0
        if post.evergreen and item.at is None:
            return 0  # a filler waiting for an empty slot is no news
        if not is_promotional(post.kind) and item.at is not None:
            return 0
        if item.at is not None and not item.moved_because:
            return 0
        marker = told_marker(item)
        if publication.told == marker:
            return 0
        publication.told = marker
        target = target_label(target_plan.setup.community)
        if item.at is None:
            text = say(
                "notice_unplanned",
                post.language,
                id=post.id,
                kind=post.kind,
                target=target,
                why=item.not_planned_because or "",
            )
        else:
            text = say(
                "notice_moved",
                post.language,
                id=post.id,
                kind=post.kind,
                target=target,
                when=local_time(item.at, target_plan.setup.zone),
                why=item.moved_because or "",
            )
        key = f"content:moved:{publication.id}:{marker}"
        await tell_author(session, self.ws, post, key, text)
        return 1

    async def _cadence(self, session: AsyncSession, target_plan: TargetPlan, now: datetime) -> int:
        """At most once a day per target: too few posts planned for the next 7 days."""
        warning = cadence_warning(target_plan.planned_times(), now)
        settings = target_plan.setup.settings
        today = now.astimezone(target_plan.setup.zone).date().isoformat()
        if warning is None or settings.cadence_warned_on == today:
            return 0
        settings.cadence_warned_on = today
        community = target_plan.setup.community
        text = say(
            "notice_cadence",
            self.ws.ui_language,
            target=target_label(community),
            warning=warning,
            who=await admins_mention(session),
        )
        await tell_admins(session, self.ws, f"content:cadence:{community.id}:{today}", text)
        return 1

    async def _refresh_auto_slots(
        self, session: AsyncSession, setup: TargetSetup, now: datetime
    ) -> TargetSetup:
        """Recompute the best hours once a day while `/slots auto on`."""
        settings = setup.settings
        if settings.suggested_at is not None and now - settings.suggested_at < AUTO_SLOTS_REFRESH:
            return setup
        moments = await activity(session, setup.community, now - ACTIVITY_WINDOW, now)
        slots = suggested_slots(suggest_hours(moments, setup.zone))
        settings.suggested_slots = {str(day): slots_to_json(times) for day, times in slots.items()}
        settings.suggested_at = now
        (fresh,) = await setups(session, [setup.community])
        return fresh

    # ------------------------------------------------------------------ across targets

    async def _expire(self, session: AsyncSession, now: datetime) -> int:
        """Delete every published copy whose expiry has come."""
        rows = (
            await session.execute(
                select(Publication, Community)
                .join(Community, Community.id == Publication.community_id)
                .where(
                    Publication.state == "sent",
                    Publication.expires_at.is_not(None),
                    Publication.expires_at <= now,
                    Publication.deleted_at.is_(None),
                )
            )
        ).all()
        for publication, community in rows:
            await queue_deletion(session, self.ws, publication, community)
        return len(rows)

    async def _close_polls(self, session: AsyncSession, now: datetime) -> int:
        """Close each poll copy at its time; the hook shows the results to the admins."""
        rows = (
            await session.execute(
                select(Publication, Community)
                .join(Community, Community.id == Publication.community_id)
                .where(
                    Publication.state.in_(("sent", "deleting", "deleted")),
                    Publication.poll_closes_at.is_not(None),
                    Publication.poll_closes_at <= now,
                    Publication.poll_closed_at.is_(None),
                )
            )
        ).all()
        for publication, community in rows:
            if publication.state == "deleted":
                publication.poll_closed_at = now  # nothing left to read
                continue
            await queue_poll_close(session, self.ws, publication, community)
            publication.poll_closed_at = now
        return len(rows)

    async def _draw_giveaways(self, session: AsyncSession, now: datetime) -> int:
        """Draw every giveaway that has ended, announce under the post, tell the admins."""
        due = list(
            await session.scalars(
                select(Giveaway)
                .where(Giveaway.state == "open", Giveaway.ends_at <= now)
                .order_by(Giveaway.id)
            )
        )
        queued = 0
        for giveaway in due:
            queued += await self._draw(session, giveaway, now)
        return queued

    async def _draw(self, session: AsyncSession, giveaway: Giveaway, now: datetime) -> int:
        post = await session.get(Post, giveaway.post_id)
        copies = await copies_of(session, giveaway.post_id)
        if post is None:
            return 0
        if any(publication.state in ("planned", "queued") for publication, _ in copies):
            return 0  # not out everywhere yet: draw once it is
        out = [
            (publication, community)
            for publication, community in copies
            if publication.state in ("sent", "deleting", "deleted")
        ]
        lang = self.ws.ui_language
        if not out:
            giveaway.state = "void"
            giveaway.note = "the post was never published"
            text = say("notice_giveaway_void", lang, gid=giveaway.id, id=post.id)
            await tell_admins(session, self.ws, f"content:giveaway:{giveaway.id}:void", text)
            return 1
        outcome = await run_draw(session, giveaway, out, now)
        session.add(
            AuditEntry(
                at=now,
                actor="system",
                action="giveaway_drawn",
                target=f"giveaway:{giveaway.id}",
                details={
                    "post": post.id,
                    "seed": outcome.seed,
                    "entrants": outcome.entrants,
                    "excluded": outcome.excluded,
                    "winners": [winner["id"] for winner in outcome.winners],
                },
            )
        )
        names = ", ".join(winner["name"] for winner in outcome.winners)
        queued = 1
        if not outcome.winners:
            text = say("notice_giveaway_empty", lang, gid=giveaway.id, id=post.id)
            await tell_admins(session, self.ws, f"content:giveaway:{giveaway.id}:drawn", text)
            return queued
        announcement = say(
            "giveaway_announcement",
            post.language,
            winners=names,
            count=len(outcome.entrants),
            seed=outcome.seed,
        )
        for publication, community in out:
            if publication.state != "sent":
                continue  # deleted at expiry: nowhere to reply
            await queue_reply_under(
                session,
                self.ws,
                publication,
                community,
                key=f"content:giveaway:{giveaway.id}:announce:{publication.id}",
                text=announcement,
                purpose=f"content_announce:{giveaway.id}",
            )
            queued += 1
        text = say(
            "notice_giveaway",
            lang,
            gid=giveaway.id,
            id=post.id,
            count=len(outcome.entrants),
            excluded=len(outcome.excluded),
            winners=", ".join(f"{w['name']} ({w['id']})" for w in outcome.winners),
            seed=outcome.seed,
        )
        await tell_admins(session, self.ws, f"content:giveaway:{giveaway.id}:drawn", text)
        return queued
