"""Read-only questions the commands ask about tickets and staff, and the queue's order.

`rank_queue` is pure: given open tickets, the business calendar and `now`, it says
what to work on first — breached tickets, then the running response clocks by due
time, then tickets waiting on the member.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.policy import sla as sla_policy
from bot.policy.business_hours import BusinessCalendar
from bot.policy.triage import PRIORITY_RANK
from bot.tickets import service
from models import Staff, Ticket, TicketEvent

# Queue groups, most urgent first.
BREACHED, RUNNING, WAITING = 0, 1, 2


@dataclass(frozen=True, slots=True)
class QueueEntry:
    """One line of `/queue`: the ticket and where its clock stands."""

    ticket: Ticket
    group: int  # BREACHED, RUNNING or WAITING
    due_at: datetime | None  # the running response clock's due time (None: no running clock)
    breached: tuple[str, ...] = ()  # kinds of the running clocks past their target


def _urgency(ticket: Ticket, calendar: BusinessCalendar, now: datetime) -> QueueEntry:
    clocks = service.clocks(ticket)
    response = clocks.get("response")
    running = response if response is not None and response.running else None
    breached = tuple(
        clock.kind
        for clock in clocks.values()
        if clock.running and sla_policy.evaluate(clock, calendar, now).breached
    )
    if breached:
        group = BREACHED
    elif running is not None or ticket.state in service.ACTIVE_STATES:
        group = RUNNING
    else:
        group = WAITING
    due = running.due_at if running is not None else None
    if due is None and breached:
        # Only the resolution clock is overdue: rank by when that ran out.
        due = min(c.due_at for c in clocks.values() if c.running)
    return QueueEntry(ticket, group, due, breached)


def rank_queue(
    tickets: Iterable[Ticket], calendar: BusinessCalendar, now: datetime
) -> list[QueueEntry]:
    """Open tickets by urgency: breached first, then by due time, then by priority and age."""
    entries = [_urgency(ticket, calendar, now) for ticket in tickets]
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(
        entries,
        key=lambda e: (
            e.group,
            e.due_at or far,
            PRIORITY_RANK.get(e.ticket.priority, len(PRIORITY_RANK)),
            e.ticket.created_at,
            e.ticket.id,
        ),
    )


async def open_tickets(session: AsyncSession) -> list[Ticket]:
    return list(
        await session.scalars(
            select(Ticket).where(Ticket.state.in_(service.OPEN_STATES)).order_by(Ticket.id)
        )
    )


async def recent_events(
    session: AsyncSession, ticket_id: int, limit: int = 15
) -> list[TicketEvent]:
    """The ticket's last `limit` events, oldest first."""
    newest = await session.scalars(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket_id)
        .order_by(TicketEvent.id.desc())
        .limit(limit)
    )
    return list(reversed(list(newest)))


async def count_events(session: AsyncSession, ticket_id: int) -> int:
    total = await session.scalar(
        select(func.count(TicketEvent.id)).where(TicketEvent.ticket_id == ticket_id)
    )
    return int(total or 0)


async def staff_by_id(session: AsyncSession) -> dict[int, Staff]:
    return {member.id: member for member in await session.scalars(select(Staff))}


def staff_by_actor(team: Sequence[Staff]) -> dict[str, Staff]:
    """Staff keyed by the actor strings events and the audit log use (`tg:<user id>`)."""
    return {f"tg:{member.telegram_user_id}": member for member in team}


async def find_staff(session: AsyncSession, who: str) -> Staff | None:
    """A staff record by Telegram user id ("501") or @username ("@boris_mod")."""
    who = who.strip()
    if who.startswith("@") and len(who) > 1:
        # Telegram usernames are case-insensitive.
        return await session.scalar(
            select(Staff).where(func.lower(Staff.username) == who[1:].lower()).limit(1)
        )
    if who.isdigit():
        return await session.scalar(select(Staff).where(Staff.telegram_user_id == int(who)))
    return None
