"""The inbox worker: an event's stages and its new status commit together."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import inbox
from bot.pipeline import InboxWorker
from models import AuditEntry, InboundRecord
from tests.test_storage import event


async def test_a_crash_mid_event_applies_nothing_and_a_rerun_applies_it_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await inbox.store_batch(sessions, [event("msg:1")])
    crash = {"on": True}

    async def write_audit(session: AsyncSession, record: InboundRecord) -> str | None:
        session.add(AuditEntry(actor="system", action="seen", target=str(record.id), details={}))
        return None

    async def maybe_crash(session: AsyncSession, record: InboundRecord) -> str | None:
        if crash["on"]:
            raise RuntimeError("the process died here")
        return "done"

    worker = InboxWorker(sessions, [write_audit, maybe_crash])
    assert await worker.process_pending() == 1
    async with sessions() as session:
        record = await session.scalar(select(InboundRecord))
        assert record is not None and record.status == "error"
        assert "the process died here" in (record.status_detail or "")
        assert await session.scalar(select(func.count(AuditEntry.id))) == 0
    # After the fault is fixed, the event is replayed: its effects happen once.
    crash["on"] = False
    async with sessions() as session, session.begin():
        await session.execute(update(InboundRecord).values(status="new"))
    assert await worker.process_pending() == 1
    assert await worker.process_pending() == 0
    async with sessions() as session:
        record = await session.scalar(select(InboundRecord))
        assert record is not None and (record.status, record.status_detail) == ("processed", "done")
        assert await session.scalar(select(func.count(AuditEntry.id))) == 1
