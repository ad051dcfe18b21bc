"""The inbox: store a batch of events and the poller's new cursor in one transaction.

A crash before the commit loses nothing (the platform re-delivers from the old
cursor); a re-delivered event hits the unique key and is skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.inbound import Inbound
from models import InboundRecord, Member, PollState, utcnow

log = logging.getLogger(__name__)


def _insert(session: AsyncSession, table: type) -> postgresql.Insert | sqlite.Insert:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


async def load_cursor(sessions: async_sessionmaker[AsyncSession], poller: str) -> str | None:
    async with sessions() as session:
        return await session.scalar(select(PollState.cursor).where(PollState.poller == poller))


async def save_cursor(session: AsyncSession, poller: str, cursor: str) -> None:
    statement = _insert(session, PollState).values(
        poller=poller, cursor=cursor, updated_at=utcnow()
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[PollState.poller],
            set_={"cursor": statement.excluded.cursor, "updated_at": statement.excluded.updated_at},
        )
    )


def clean_text(text: str) -> str:
    """PostgreSQL text cannot hold NUL; replace it so both databases store the same thing."""
    return text.replace("\x00", "\ufffd")


def _row(event: Inbound) -> dict[str, object]:
    author = event.author
    return {
        "platform": event.platform,
        "community_id": event.community_id,
        "external_id": event.external_id,
        "event_type": event.event_type,
        "kind": event.kind,
        "action": event.action,
        "author_id": author.id if author else None,
        "author_name": clean_text(author.name if author else "")[:256],
        "text": clean_text(event.text),
        "thread_key": event.thread_key,
        "location": event.location,
        "occurred_at": event.occurred_at,
        "received_at": utcnow(),
        "status": event.status,
        "status_detail": event.status_detail,
        "raw": event.raw,
    }


async def store_batch(
    sessions: async_sessionmaker[AsyncSession],
    events: Sequence[Inbound],
    poller: str | None = None,
    cursor: str | None = None,
) -> list[int]:
    """Store new events (skipping ones already stored) and the cursor atomically.

    Returns the ids of the rows that were new.
    """
    async with sessions() as session, session.begin():
        new_ids: list[int] = []
        for event in events:
            statement = (
                _insert(session, InboundRecord)
                .values(**_row(event))
                .on_conflict_do_nothing(index_elements=["platform", "community_id", "external_id"])
                .returning(InboundRecord.id)
            )
            inserted = await session.scalar(statement)
            if inserted is None:
                log.info(
                    "skipped re-delivered %s event %s in %s",
                    event.platform,
                    event.external_id,
                    event.community_id,
                )
                continue
            new_ids.append(inserted)
            if event.author is not None:
                await _touch_member(session, event)
        if poller is not None and cursor is not None:
            await save_cursor(session, poller, cursor)
        return new_ids


async def _touch_member(session: AsyncSession, event: Inbound) -> None:
    """Keep one member row per account, counting the messages they wrote."""
    author = event.author
    assert author is not None
    now = utcnow()
    counted = 1 if event.is_member_message else 0
    statement = _insert(session, Member).values(
        platform=event.platform,
        external_id=author.id,
        display_name=clean_text(author.name)[:256],
        username=author.username,
        language=author.language,
        is_bot=author.is_bot,
        first_seen_at=now,
        last_seen_at=now,
        message_count=counted,
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Member.platform, Member.external_id],
            set_={
                "display_name": statement.excluded.display_name,
                "username": statement.excluded.username,
                "last_seen_at": now,
                "message_count": Member.message_count + counted,
            },
        )
    )


async def next_unprocessed(
    sessions: async_sessionmaker[AsyncSession], after_id: int = 0, limit: int = 100
) -> list[InboundRecord]:
    """Stored events not yet acted on, oldest first."""
    async with sessions() as session:
        result = await session.scalars(
            select(InboundRecord)
            .where(InboundRecord.status == "new", InboundRecord.id > after_id)
            .order_by(InboundRecord.id)
            .limit(limit)
        )
        return list(result)


async def mark(
    sessions: async_sessionmaker[AsyncSession], record_id: int, status: str, detail: str | None
) -> None:
    async with sessions() as session, session.begin():
        await session.execute(
            update(InboundRecord)
            .where(InboundRecord.id == record_id)
            .values(status=status, status_detail=detail)
        )


async def count_inbound(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count(InboundRecord.id))) or 0)
