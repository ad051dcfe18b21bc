"""The SLA watchdog: reminds at 75% of a target, escalates at 100%, once each.

`tick(now)` is the whole of it, with the time passed in, so tests drive it with
any clock; `run` calls it every few seconds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.aio import sleep_or_stop
from bot.i18n import say
from bot.policy import sla as sla_policy
from bot.tickets import cards, service
from bot.tickets.settings import load_policy
from bot.tickets.staff import mention
from bot.tickets.workspace import Workspace
from models import Staff, Ticket, utcnow

log = logging.getLogger(__name__)

TARGET_NAMES = {
    "first_response": "first response",
    "next_response": "next response",
    "resolution": "resolution",
}


class SlaWatchdog:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        ws: Workspace,
        *,
        interval: float = 10.0,
        clock: Callable[[], datetime] = utcnow,
        on_queued: Callable[[], None] | None = None,
    ) -> None:
        self.sessions = sessions
        self.ws = ws
        self.interval = interval
        self.clock = clock
        self.on_queued = on_queued or (lambda: None)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.tick()
            except Exception:
                log.exception("SLA watchdog tick failed")
            await sleep_or_stop(stop, self.interval)

    async def tick(self, now: datetime | None = None) -> int:
        """Evaluate every open ticket's clocks; returns how many events fired."""
        now = now or self.clock()
        fired = 0
        async with self.sessions() as session, session.begin():
            calendars: dict[tuple[str, str], object] = {}
            tickets = list(
                await session.scalars(
                    select(Ticket).where(Ticket.state.in_(service.OPEN_STATES)).order_by(Ticket.id)
                )
            )
            for ticket in tickets:
                place = (ticket.platform, ticket.community_id)
                if place not in calendars:  # each community may keep its own hours
                    calendars[place] = (await load_policy(session, place)).calendar
                fired += await self._check(session, ticket, calendars[place], now)
        if fired:
            self.on_queued()
        return fired

    async def _check(
        self, session: AsyncSession, ticket: Ticket, calendar: object, now: datetime
    ) -> int:
        fired = 0
        updated: dict[str, sla_policy.SlaClock] = {}
        for role, clock in service.clocks(ticket).items():
            status = sla_policy.evaluate(clock, calendar, now)  # type: ignore[arg-type]
            if status.clock != clock:
                updated[role] = status.clock
            for event in status.events:
                fired += 1
                if event.kind == "reminder":
                    await self._remind(session, ticket, event, now)
                else:
                    await self._breach(session, ticket, event, now)
        if updated:
            service.store_clocks(ticket, updated)
        if fired:
            await cards.queue_card(session, ticket, self.ws)
        return fired

    async def _assignee(self, session: AsyncSession, ticket: Ticket) -> Staff | None:
        return await session.get(Staff, ticket.assignee_id) if ticket.assignee_id else None

    async def _remind(
        self, session: AsyncSession, ticket: Ticket, event: sla_policy.SlaEvent, now: datetime
    ) -> None:
        assignee = await self._assignee(session, ticket)
        text = say(
            "reminder",
            self.ws.ui_language,
            id=ticket.id,
            percent=75,
            target=TARGET_NAMES.get(event.target, event.target),
            due=event.due_at.strftime("%H:%M UTC"),
            who=mention(assignee) if assignee else "",
        )
        key = f"sla:{ticket.id}:{event.target}:{event.due_at.isoformat()}:remind"
        await cards.notify(session, self.ws, key, text, reply_to_card=ticket)
        service.log_event(session, ticket, "system", "sla_reminder", now, target=event.target)

    async def _breach(
        self, session: AsyncSession, ticket: Ticket, event: sla_policy.SlaEvent, now: datetime
    ) -> None:
        ticket.breaches += 1
        ticket.updated_at = now
        service.log_event(
            session,
            ticket,
            "system",
            "sla_breach",
            now,
            target=event.target,
            due_at=event.due_at.isoformat(),
            elapsed=event.elapsed_seconds,
        )
        leads = await session.scalars(
            select(Staff).where(Staff.role.in_(("lead", "admin")), Staff.active.is_(True))
        )
        text = say(
            "breach",
            self.ws.ui_language,
            id=ticket.id,
            target=TARGET_NAMES.get(event.target, event.target),
            due=event.due_at.strftime("%H:%M UTC"),
            who=" ".join(mention(lead) for lead in leads),
        )
        key = f"sla:{ticket.id}:{event.target}:{event.due_at.isoformat()}:breach"
        await cards.notify(session, self.ws, key, text, reply_to_card=ticket)
        previous = ticket.assignee_id
        choice = await service.reassign_if_needed(session, ticket, now)
        if choice is not None and choice.moderator is not None and ticket.assignee_id != previous:
            new = await self._assignee(session, ticket)
            await cards.notify(
                session,
                self.ws,
                f"{key}:reassigned",
                say(
                    "reassigned",
                    self.ws.ui_language,
                    id=ticket.id,
                    who=mention(new) if new else "?",
                    why=choice.reason,
                ),
                reply_to_card=ticket,
            )
