"""The spam stage of the pipeline: remove at once, climb the ladder, keep undo one tap away.

Runs after classification and before triage. The hard rule holds here as well as in
the classifier: a complaint is never removed and never penalised.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.communities import title_of
from bot.labels import store_label
from bot.policy import penalties
from bot.policy.triage import TriageDecision
from bot.spam import digest
from bot.spam.enforce import Enforcer, Target
from bot.tickets import cards, service
from bot.tickets.intake import is_member_message
from bot.tickets.settings import get_value, load_policy
from bot.tickets.staff import find as find_staff
from bot.tickets.workspace import Workspace
from models import (
    Classification,
    InboundRecord,
    SpamRemoval,
    Strike,
    utcnow,
)

REVIEW_THRESHOLD = 0.5  # spam scores from here to the removal threshold go to a person


async def ladder_policy(session: AsyncSession) -> penalties.LadderPolicy:
    return penalties.LadderPolicy.from_dict(await get_value(session, "ladder") or {})


async def flood_policy(session: AsyncSession) -> penalties.FloodPolicy:
    return penalties.FloodPolicy.from_dict(await get_value(session, "flood") or {})


def target_of(record: InboundRecord | SpamRemoval) -> Target:
    if isinstance(record, SpamRemoval):
        return Target(
            record.platform,
            record.community_id,
            record.member_id,
            record.member_name,
            record.location,
        )
    return Target(
        record.platform,
        record.community_id,
        record.author_id or "",
        record.author_name,
        record.location,
    )


class SpamGuard:
    def __init__(
        self,
        enforcer: Enforcer,
        ws: Workspace,
        *,
        review_threshold: float = REVIEW_THRESHOLD,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.enforcer = enforcer
        self.ws = ws
        self.review_threshold = review_threshold
        self.clock = clock
        self.flood = penalties.FloodTracker()

    async def _is_staff(self, session: AsyncSession, record: InboundRecord) -> bool:
        if record.platform != "telegram" or not (record.author_id or "").isdigit():
            return False
        staff = await find_staff(session, int(record.author_id or 0))
        return bool(staff and staff.active)

    async def __call__(self, session: AsyncSession, record: InboundRecord) -> str | None:
        if not is_member_message(record, self.ws):
            return None
        verdict = await session.get(Classification, record.id)
        if verdict is None or await self._is_staff(session, record):
            return None
        now = self.clock()
        public = record.kind in ("group_message", "comment")
        if public and verdict.intent != "complaint":
            await self._check_flood(session, record, now)
        if verdict.intent == "complaint":
            return None  # the hard rule: never removed, never penalised
        if verdict.is_spam and verdict.sentiment == "negative":
            # An angry message with spam evidence may be a complaint that recruits others
            # ("write to me, who else was cheated"): a person decides, nothing is removed.
            await self._possible_spam(session, record, verdict, now, priority="normal")
            return "negative and spam-like: a person decides"
        if verdict.is_spam:
            await self.remove(session, record, verdict, actor="system", now=now)
            return "removed as spam"
        if verdict.spam_score >= self.review_threshold:
            await self._possible_spam(session, record, verdict, now)
            return "possible spam: a person decides"
        return None

    async def _check_flood(
        self, session: AsyncSession, record: InboundRecord, now: datetime
    ) -> None:
        rules = await flood_policy(session)
        community = f"{record.platform}:{record.community_id}"
        if not self.flood.record(community, record.author_id or "", record.occurred_at, rules):
            return
        until = now + rules.mute
        target = target_of(record)
        done = await self.enforcer.mute(
            session, target, until, f"flood:mute:{record.id}", "system", now, "flood"
        )
        session.add(
            Strike(
                platform=record.platform,
                community_id=record.community_id,
                member_id=record.author_id or "",
                at=now,
                reason="flood",
                penalty="mute",
                until=until,
                actor="system",
            )
        )
        prefix = "" if done else "(dry run) would be "
        await cards.notify(
            session,
            self.ws,
            f"flood:{record.id}",
            f"🌊 {record.author_name or record.author_id} sent more than {rules.max_messages} "
            f"messages in {int(rules.window.total_seconds())} s in "
            f"{await title_of(session, record.platform, record.community_id) or 'the group'}"
            f": {prefix}muted until {until:%H:%M} UTC.",
        )

    async def remove(
        self,
        session: AsyncSession,
        record: InboundRecord,
        verdict: Classification | None,
        *,
        actor: str,
        now: datetime,
    ) -> SpamRemoval:
        """Remove one message, record it, apply the ladder, and list it in the digest."""
        existing = await session.scalar(
            select(SpamRemoval).where(SpamRemoval.inbound_id == record.id)
        )
        if existing is not None:
            return existing
        target = target_of(record)
        removed = await self.enforcer.remove(
            session, target, f"spam:remove:{record.id}", actor, now, "spam"
        )
        is_dm = record.kind == "direct_message"
        dry = await self.enforcer.is_dry(session, record.platform, record.community_id)
        removal = SpamRemoval(
            inbound_id=record.id,
            platform=record.platform,
            community_id=record.community_id,
            community_title=await title_of(session, record.platform, record.community_id),
            member_id=record.author_id or "",
            member_name=record.author_name,
            kind=record.kind,
            text=record.text,
            score=verdict.spam_score if verdict else 1.0,
            reasons=list(verdict.reasons) if verdict else [f"marked by {actor}"],
            location=dict(record.location or {}),
            status="removed" if removed else ("would_remove" if dry else "marked"),
            created_at=now,
        )
        session.add(removal)
        await session.flush()
        if not is_dm:
            removal.penalty = await self._climb_ladder(session, record, removal, actor, now)
        await digest.add(session, self.ws, removal, now)
        return removal

    async def _climb_ladder(
        self,
        session: AsyncSession,
        record: InboundRecord,
        removal: SpamRemoval,
        actor: str,
        now: datetime,
    ) -> str:
        history = [
            penalties.Strike(at=strike.at, withdrawn=strike.withdrawn)
            for strike in await session.scalars(
                select(Strike).where(
                    Strike.platform == record.platform,
                    Strike.community_id == record.community_id,
                    Strike.member_id == removal.member_id,
                    Strike.reason.in_(("spam", "moderator")),
                )
            )
        ]
        penalty = penalties.next_penalty(await ladder_policy(session), history, now, False)
        until = penalty.ends_at(now)
        session.add(
            Strike(
                platform=record.platform,
                community_id=record.community_id,
                member_id=removal.member_id,
                at=now,
                reason="spam",
                penalty=penalty.kind,
                until=until,
                removal_id=removal.id,
                actor=actor,
            )
        )
        target = target_of(record)
        key = f"spam:{penalty.kind}:{record.id}"
        if penalty.kind == "warn":
            name = record.author_name or "Member"
            text = f"⚠️ {name}, your message was removed as spam. Next time you will be muted."
            await self.enforcer.warn(session, target, text, key, actor, now, penalty.reason)
        elif penalty.kind == "mute" and until is not None:
            await self.enforcer.mute(session, target, until, key, actor, now, penalty.reason)
        elif penalty.kind == "ban":
            await self.enforcer.ban(session, target, until, key, actor, now, penalty.reason)
        return penalty.kind

    async def _possible_spam(
        self,
        session: AsyncSession,
        record: InboundRecord,
        verdict: Classification,
        now: datetime,
        priority: str = "low",
    ) -> None:
        decision = TriageDecision(
            True,
            "needs_triage",
            priority,
            "spam",
            None,
            f"Possible spam (score {verdict.spam_score:.2f}).",
        )
        policy = await load_policy(session, (record.platform, record.community_id))
        ticket, _ = await service.open_ticket(
            session, record, decision, verdict, policy=policy, now=now
        )
        ticket.category = "spam"  # shown as "Possible spam", with Spam / Not spam buttons
        await cards.queue_card(session, ticket, self.ws)

    async def not_spam(
        self, session: AsyncSession, removal: SpamRemoval, *, actor: str, now: datetime
    ) -> bool:
        """Undo: bring the message back, withdraw the strike and its penalty, store a label."""
        if removal.status == "restored":
            return False
        target = target_of(removal)
        if removal.status == "removed":
            await self.enforcer.bring_back(
                session, target, removal.text, f"spam:restore:{removal.id}", actor, now
            )
        strikes = list(await session.scalars(select(Strike).where(Strike.removal_id == removal.id)))
        for strike in strikes:
            strike.withdrawn = True
            if strike.penalty in ("mute", "ban"):
                await self.enforcer.lift(
                    session,
                    target,
                    strike.penalty,
                    f"spam:lift:{strike.id}",
                    actor,
                    now,
                    "not spam",
                )
        removal.status = "restored"
        removal.restored_at = now
        removal.restored_by = actor
        store_label(session, removal.text, spam=False, who=actor, at=now)
        await digest.refresh(session, self.ws, removal)
        return True
