"""Named leases in the database so exactly one process does a job (e.g. polls a token)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Lease, utcnow


async def acquire(
    sessions: async_sessionmaker[AsyncSession], name: str, holder: str, ttl: float
) -> bool:
    """Take or renew `name` for `holder`; False while another holder's lease is live."""
    now = utcnow()
    expires = now + timedelta(seconds=ttl)
    async with sessions() as session, session.begin():
        renewed = await session.execute(
            update(Lease)
            .where(Lease.name == name, (Lease.holder == holder) | (Lease.expires_at < now))
            .values(holder=holder, expires_at=expires)
        )
        if renewed.rowcount:
            return True
        if await session.scalar(select(Lease.name).where(Lease.name == name)) is not None:
            return False
    try:
        async with sessions() as session, session.begin():
            session.add(Lease(name=name, holder=holder, expires_at=expires))
        return True
    except IntegrityError:
        return False  # another process inserted it first


async def release(sessions: async_sessionmaker[AsyncSession], name: str, holder: str) -> None:
    async with sessions() as session, session.begin():
        await session.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))
