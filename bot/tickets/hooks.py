"""What the ticket workspace does when an outbox item it queued is finished."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox.outcome import Outcome
from bot.tickets import cards
from bot.tickets.workspace import Workspace
from models import OutboxItem, Ticket, utcnow

log = logging.getLogger(__name__)


def make_hook(
    sessions: async_sessionmaker[AsyncSession], ws: Workspace, wake: Callable[[], None]
) -> Callable[[OutboxItem, str, Outcome], Awaitable[None]]:
    """A worker hook: records card ids and the fate of replies, then refreshes the card."""

    async def hook(item: OutboxItem, status: str, outcome: Outcome) -> None:
        kind, _, ref = item.purpose.partition(":")
        if kind not in ("card", "relay") or not ref.isdigit() or status not in ("sent", "failed"):
            return
        async with sessions() as session, session.begin():
            ticket = await session.get(Ticket, int(ref))
            if ticket is None:
                return
            if kind == "card" and status == "sent":
                result = outcome.result or {}
                ticket.card_chat_id = (result.get("chat") or {}).get("id", ws.moderators_chat_id)
                ticket.card_message_id = result.get("message_id")
                ticket.card_thread_id = result.get("message_thread_id")
                return
            if kind == "card":
                log.error("the card of ticket %s could not be posted: %s", ticket.id, outcome.error)
                return
            if status == "sent":
                ticket.card_note = ticket.card_note.replace("sending…", "delivered ✅")
                if ticket.failed_outbox_key == item.idempotency_key:
                    ticket.failed_outbox_key = None
            else:
                ticket.card_note = f"⚠️ Reply not delivered: {outcome.error}"
                ticket.failed_outbox_key = item.idempotency_key
            ticket.updated_at = utcnow()
            await cards.queue_card(session, ticket, ws)
        wake()

    return hook
