"""Named leases in the database so exactly one process does a job (e.g. polls a token).

A holder is `host:pid:nonce`. A lease held by a process on this host that no
longer exists is taken over at once, so a restart after a crash does not wait
for the dead process's lease to run out.
"""

from __future__ import annotations

import os
import secrets
import socket
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
        current = await session.scalar(select(Lease.holder).where(Lease.name == name))
        if current is not None:
            if not holder_is_dead(current):
                return False
            taken = await session.execute(
                update(Lease)
                .where(Lease.name == name, Lease.holder == current)
                .values(holder=holder, expires_at=expires)
            )
            return bool(taken.rowcount)
    try:
        async with sessions() as session, session.begin():
            session.add(Lease(name=name, holder=holder, expires_at=expires))
        return True
    except IntegrityError:
        return False  # another process inserted it first


async def release(sessions: async_sessionmaker[AsyncSession], name: str, holder: str) -> None:
    async with sessions() as session, session.begin():
        await session.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))


def make_holder() -> str:
    """A holder id for this process."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def holder_is_dead(holder: str) -> bool:
    """True only when the holder ran on this host and its process is gone."""
    host, _, rest = holder.partition(":")
    pid_text = rest.split(":", 1)[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False  # another object in this very process: not dead
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # exists, owned by someone else
    return False
