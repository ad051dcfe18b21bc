"""Tickets: a member's message that needs a person becomes a ticket with an owner and a clock.

Everything here runs inside the caller's transaction and queues platform actions in
the outbox, so a crash anywhere leaves either all of a change or none of it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.communities import title_of
from bot.policy import sla as sla_policy
from bot.policy.assignment import Choice, Moderator, choose_assignee, needs_reassignment
from bot.policy.triage import TriageDecision
from bot.tickets.settings import WorkspacePolicy, get_value, set_value
from bot.tickets.staff import all_staff
from models import Classification, InboundRecord, Staff, Ticket, TicketEvent, TicketMessage

OPEN_STATES = ("new", "assigned", "waiting")
ACTIVE_STATES = ("new", "assigned")  # waiting on us, not on the member


def log_event(
    session: AsyncSession, ticket: Ticket, actor: str, kind: str, now: datetime, **details: Any
) -> None:
    session.add(TicketEvent(ticket_id=ticket.id, at=now, actor=actor, kind=kind, details=details))


def clocks(ticket: Ticket) -> dict[str, sla_policy.SlaClock]:
    """The ticket's SLA clocks by role: `response` (first or next) and `resolution`."""
    stored = ticket.sla or {}
    return {
        role: sla_policy.SlaClock.from_dict(data)
        for role, data in stored.items()
        if isinstance(data, dict) and "kind" in data
    }


def store_clocks(ticket: Ticket, updated: dict[str, sla_policy.SlaClock]) -> None:
    data = dict(ticket.sla or {})
    for role, clock in updated.items():
        data[role] = clock.to_dict()
    ticket.sla = data  # a new dict so SQLAlchemy sees the change


async def find_conversation(
    session: AsyncSession, record: InboundRecord, policy: WorkspacePolicy, now: datetime
) -> Ticket | None:
    """The member's ticket in this thread that a new message belongs to, if any."""
    latest = await session.scalar(
        select(Ticket)
        .where(
            Ticket.platform == record.platform,
            Ticket.thread_key == record.thread_key,
            Ticket.member_id == record.author_id,
        )
        .order_by(Ticket.id.desc())
        .limit(1)
    )
    if latest is None:
        return None
    if latest.state in ACTIVE_STATES:
        if latest.last_member_at >= now - timedelta(hours=policy.grouping_hours):
            return latest
        return None
    if latest.state == "waiting":
        return latest
    if latest.resolved_at and latest.resolved_at >= now - timedelta(days=policy.reopen_days):
        return latest
    return None


async def open_counts(session: AsyncSession) -> dict[int, int]:
    rows = await session.execute(
        select(Ticket.assignee_id, func.count())
        .where(Ticket.state.in_(OPEN_STATES), Ticket.assignee_id.is_not(None))
        .group_by(Ticket.assignee_id)
    )
    return {assignee: count for assignee, count in rows.all()}


def as_moderators(team: list[Staff], counts: dict[int, int]) -> list[Moderator]:
    return [
        Moderator(
            id=member.id,
            role=member.role,
            on_shift=member.on_shift,
            capacity=member.capacity,
            open_tickets=counts.get(member.id, 0),
            languages=frozenset(member.languages or []),
        )
        for member in team
        if member.active
    ]


async def auto_assign(
    session: AsyncSession, ticket: Ticket, now: datetime, exclude: tuple[int, ...] = ()
) -> Choice:
    """Round-robin assignment; records the choice and remembers whom it picked last."""
    team = as_moderators(await all_staff(session), await open_counts(session))
    last = (await get_value(session, "assignment") or {}).get("last")
    choice = choose_assignee(team, ticket.language, last, exclude_ids=exclude)
    if choice.moderator is not None:
        ticket.assignee_id = int(choice.moderator.id)  # type: ignore[call-overload]
        ticket.state = "assigned"
        await set_value(session, "assignment", {"last": ticket.assignee_id}, "system")
        log_event(
            session, ticket, "system", "assigned", now, to=ticket.assignee_id, why=choice.reason
        )
    else:
        log_event(session, ticket, "system", "unassigned", now, why=choice.detail)
    return choice


def _start_response_clock(
    ticket: Ticket, policy: WorkspacePolicy, kind: str, now: datetime
) -> None:
    target = policy.sla.for_category(ticket.category)
    store_clocks(ticket, {"response": sla_policy.start_clock(target, policy.calendar, kind, now)})


async def open_ticket(
    session: AsyncSession,
    record: InboundRecord,
    decision: TriageDecision,
    verdict: Classification,
    *,
    policy: WorkspacePolicy,
    now: datetime,
) -> tuple[Ticket, Choice]:
    """A new ticket for the member's message, assigned and with its clocks running."""
    lang, confidence, sentiment = verdict.lang, verdict.confidence, verdict.sentiment
    reasons = list(verdict.reasons)
    community_title = await title_of(session, record.platform, record.community_id)
    ticket = Ticket(
        platform=record.platform,
        community_id=record.community_id,
        community_title=community_title,
        thread_key=record.thread_key or f"{record.platform}:{record.community_id}",
        source_kind="dm" if record.kind == "direct_message" else record.kind,
        member_id=record.author_id or "",
        member_name=record.author_name,
        member_username=_username(record),
        category=decision.category or "needs_triage",
        priority=decision.priority or "normal",
        language=lang,
        confidence=confidence,
        sentiment=sentiment,
        reasons=reasons,
        state="new",
        origin=dict(record.location or {}),
        last_text=record.text,
        message_count=1,
        created_at=now,
        updated_at=now,
        last_member_at=now,
        sla={},
    )
    session.add(ticket)
    await session.flush()
    target = policy.sla.for_category(ticket.category)
    store_clocks(
        ticket,
        {
            "response": sla_policy.start_clock(target, policy.calendar, "first_response", now),
            "resolution": sla_policy.start_clock(target, policy.calendar, "resolution", now),
        },
    )
    _member_wrote(session, ticket, record, now)
    log_event(
        session,
        ticket,
        "system",
        "created",
        now,
        category=ticket.category,
        priority=ticket.priority,
        why=decision.reason,
        inbound_id=record.id,
    )
    choice = await auto_assign(session, ticket, now)
    return ticket, choice


def _member_wrote(
    session: AsyncSession, ticket: Ticket, record: InboundRecord, now: datetime
) -> None:
    """The member's message, kept in the ticket's conversation."""
    session.add(
        TicketMessage(
            ticket_id=ticket.id,
            inbound_id=record.id,
            direction="in",
            text=record.text,
            author=record.author_name or "",
            at=now,
        )
    )


def _username(record: InboundRecord) -> str | None:
    raw = record.raw or {}
    for key in ("message", "edited_message"):
        sender = (raw.get(key) or {}).get("from") if isinstance(raw.get(key), dict) else None
        if isinstance(sender, dict) and sender.get("username"):
            return str(sender["username"])
    return None


async def add_member_message(
    session: AsyncSession,
    ticket: Ticket,
    record: InboundRecord,
    policy: WorkspacePolicy,
    now: datetime,
) -> bool:
    """A follow-up from the member; returns True when it reopened the ticket."""
    _member_wrote(session, ticket, record, now)
    ticket.message_count += 1
    ticket.last_text = record.text
    ticket.origin = dict(record.location or {})  # answer the latest message
    ticket.last_member_at = now
    ticket.updated_at = now
    reopened = ticket.state in ("waiting", "resolved")
    if not reopened:
        log_event(session, ticket, "system", "member_message", now, inbound_id=record.id)
        return False
    previous = ticket.state
    ticket.state = "assigned" if ticket.assignee_id else "new"
    ticket.resolved_at = None
    _start_response_clock(ticket, policy, "next_response", now)
    resolution = clocks(ticket).get("resolution")
    if resolution is not None:
        if resolution.stopped_at is not None:
            target = policy.sla.for_category(ticket.category)
            resolution = sla_policy.start_clock(target, policy.calendar, "resolution", now)
        else:
            resolution = sla_policy.resume(resolution, policy.calendar, now)
        store_clocks(ticket, {"resolution": resolution})
    log_event(session, ticket, "system", "reopened", now, was=previous, inbound_id=record.id)
    return True


def record_reply(
    session: AsyncSession,
    ticket: Ticket,
    *,
    actor: str,
    text: str,
    outbox_key: str,
    policy: WorkspacePolicy,
    now: datetime,
) -> None:
    """A moderator answered: stop the response clock, wait on the member."""
    session.add(
        TicketMessage(
            ticket_id=ticket.id,
            inbound_id=None,
            direction="out",
            text=text,
            author=actor,
            at=now,
            outbox_key=outbox_key,
        )
    )
    current = clocks(ticket)
    response = current.get("response")
    updated: dict[str, sla_policy.SlaClock] = {}
    if response is not None and response.stopped_at is None:
        status = sla_policy.evaluate(response, policy.calendar, now)
        updated["response"] = sla_policy.stop(status.clock, now)
        if response.kind == "first_response":
            ticket.sla = {**(ticket.sla or {}), "first_response_met": not status.breached}
    if ticket.first_response_at is None:
        ticket.first_response_at = now
        ticket.first_response_seconds = (now - ticket.created_at).total_seconds()
    resolution = current.get("resolution")
    if resolution is not None:
        updated["resolution"] = sla_policy.pause(resolution, now)
    store_clocks(ticket, updated)
    previous = ticket.state
    ticket.state = "waiting"
    ticket.updated_at = now
    log_event(
        session, ticket, actor, "replied", now, was=previous, outbox_key=outbox_key, chars=len(text)
    )


def resolve(session: AsyncSession, ticket: Ticket, actor: str, now: datetime) -> None:
    current = clocks(ticket)
    store_clocks(ticket, {role: sla_policy.stop(clock, now) for role, clock in current.items()})
    previous = ticket.state
    ticket.state = "resolved"
    ticket.resolved_at = now
    ticket.updated_at = now
    log_event(session, ticket, actor, "resolved", now, was=previous)


def take(session: AsyncSession, ticket: Ticket, staff: Staff, now: datetime) -> None:
    """Taking a ticket by hand always wins over automatic assignment."""
    previous = ticket.assignee_id
    ticket.assignee_id = staff.id
    if ticket.state in ("new", "resolved"):
        ticket.state = "assigned"
    ticket.updated_at = now
    log_event(session, ticket, f"tg:{staff.telegram_user_id}", "taken", now, was=previous)


def relabel(
    session: AsyncSession,
    ticket: Ticket,
    category: str,
    actor: str,
    policy: WorkspacePolicy,
    now: datetime,
) -> None:
    previous = ticket.category
    ticket.category = category
    rule = policy.triage.rules.get(category)
    if rule is not None and rule.priority:
        ticket.priority = rule.priority
    ticket.updated_at = now
    log_event(session, ticket, actor, "relabelled", now, was=previous, to=category)


async def reassign_if_needed(session: AsyncSession, ticket: Ticket, now: datetime) -> Choice | None:
    """At a breach: move the ticket if its assignee is off shift or at capacity."""
    if ticket.assignee_id is None:
        return await auto_assign(session, ticket, now)
    team = as_moderators(await all_staff(session), await open_counts(session))
    assignee = next((m for m in team if m.id == ticket.assignee_id), None)
    if assignee is not None and not needs_reassignment(assignee, team):
        return None
    return await auto_assign(session, ticket, now, exclude=(ticket.assignee_id,))
