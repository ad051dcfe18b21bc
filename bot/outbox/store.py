"""Outbox rows: enqueue idempotently, claim the head of each lane, record outcomes.

Only the oldest unfinished item of a lane is ever claimed, so a reply that is
being retried cannot be overtaken by the next one in the same chat. A claim is
a lease: if the sender dies mid-send, the row becomes claimable again when the
lease runs out.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox.outcome import Outcome
from models import OutboxItem, utcnow

UNFINISHED = ("pending", "sending")


async def enqueue(
    session: AsyncSession,
    *,
    platform: str,
    account: str,
    lane: str,
    key: str,
    method: str,
    params: dict[str, Any],
    purpose: str = "",
    not_before: datetime | None = None,
) -> bool:
    """Queue an action in the caller's transaction; False if `key` was already queued."""
    now = utcnow()
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(OutboxItem)
        .values(
            platform=platform,
            account=account,
            lane=lane,
            idempotency_key=key,
            method=method,
            params=params,
            purpose=purpose,
            status="pending",
            attempts=0,
            next_attempt_at=not_before or now,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(OutboxItem.id)
    )
    return (await session.scalar(statement)) is not None


async def claim(
    sessions: async_sessionmaker[AsyncSession],
    *,
    platform: str,
    account: str,
    limit: int = 50,
    lease_seconds: float = 120.0,
    now: datetime | None = None,
) -> list[OutboxItem]:
    """Claim due lane heads for one sender; they are `sending` until `finish`."""
    now = now or utcnow()
    async with sessions() as session, session.begin():
        heads = (
            select(func.min(OutboxItem.id))
            .where(
                OutboxItem.platform == platform,
                OutboxItem.account == account,
                OutboxItem.status.in_(UNFINISHED),
            )
            .group_by(OutboxItem.lane)
        )
        due = ((OutboxItem.status == "pending") & (OutboxItem.next_attempt_at <= now)) | (
            (OutboxItem.status == "sending") & (OutboxItem.claimed_until < now)
        )
        chosen = (
            select(OutboxItem.id)
            .where(OutboxItem.id.in_(heads), due)
            .order_by(OutboxItem.next_attempt_at, OutboxItem.id)
            .limit(limit)
        )
        if session.bind is not None and session.bind.dialect.name == "postgresql":
            # Several Steward processes may share the database: skip rows another one holds.
            chosen = chosen.with_for_update(skip_locked=True)
        # One UPDATE … RETURNING is atomic on SQLite too, so two claimers never share a row.
        claimed = await session.scalars(
            update(OutboxItem)
            .where(OutboxItem.id.in_(chosen.scalar_subquery()))
            .values(status="sending", claimed_until=now + timedelta(seconds=lease_seconds))
            .returning(OutboxItem)
            .execution_options(synchronize_session=False)
        )
        return sorted(claimed, key=lambda item: (item.next_attempt_at, item.id))


async def finish(
    sessions: async_sessionmaker[AsyncSession],
    item: OutboxItem,
    outcome: Outcome,
    *,
    max_attempts: int,
    now: datetime | None = None,
) -> str:
    """Record an outcome; returns the row's new status."""
    now = now or utcnow()
    values: dict[str, Any] = {"claimed_until": None}
    attempts = item.attempts if outcome.status == "deferred" else item.attempts + 1
    values["attempts"] = attempts
    if outcome.status == "sent":
        values.update(status="sent", sent_at=now, result=outcome.result, last_error=None)
    elif outcome.status == "failed":
        values.update(status="failed", last_error=outcome.error)
    elif outcome.status == "retry" and attempts >= max_attempts:
        values.update(
            status="failed",
            last_error=f"gave up after {attempts} attempts; last error: {outcome.error}",
        )
    else:
        values.update(status="pending", next_attempt_at=now + timedelta(seconds=outcome.delay))
        if outcome.error:
            values["last_error"] = outcome.error
    if outcome.new_params is not None:
        values["params"] = outcome.new_params
    async with sessions() as session, session.begin():
        await session.execute(
            update(OutboxItem)
            .where(OutboxItem.id == item.id, OutboxItem.status == "sending")
            .values(**values)
        )
    return str(values.get("status", "pending"))


async def next_due_at(
    sessions: async_sessionmaker[AsyncSession], *, platform: str, account: str
) -> datetime | None:
    async with sessions() as session:
        return await session.scalar(
            select(func.min(OutboxItem.next_attempt_at)).where(
                OutboxItem.platform == platform,
                OutboxItem.account == account,
                OutboxItem.status == "pending",
            )
        )
