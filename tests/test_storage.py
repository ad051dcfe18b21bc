"""Inbox, cursor, outbox and lease storage on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import inbox, leases
from bot.inbound import Author, Inbound
from bot.outbox import Outcome, claim, enqueue, finish
from models import InboundRecord, Member, OutboxItem, PollState
from models.db import current_revision, make_engine, migrate


def event(external_id: str, text: str = "hello", author: str = "42") -> Inbound:
    return Inbound(
        platform="telegram",
        community_id="-100500",
        external_id=external_id,
        event_type="message",
        kind="group_message",
        action="new",
        occurred_at=datetime(2026, 11, 1, 12, 0, tzinfo=UTC),
        raw={"update_id": 1, "message": {"text": text}},
        author=Author(id=author, name="Ann"),
        text=text,
        thread_key="tg:chat:-100500",
        location={"chat_id": -100500, "message_id": 1},
    )


async def test_migrations_are_idempotent(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        await migrate(engine)
        await migrate(engine)
        assert await current_revision(engine) is not None
    finally:
        await engine.dispose()


async def test_store_batch_skips_redelivered_events_and_saves_cursor(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    first = await inbox.store_batch(sessions, [event("msg:1"), event("msg:2")], "tg:1", "3")
    again = await inbox.store_batch(sessions, [event("msg:2"), event("msg:3")], "tg:1", "4")
    assert len(first) == 2 and len(again) == 1
    async with sessions() as session:
        assert await session.scalar(select(func.count(InboundRecord.id))) == 3
        assert await session.scalar(select(PollState.cursor)) == "4"
        member = await session.scalar(select(Member))
        assert member is not None and member.message_count == 3
        stored = await session.scalar(
            select(InboundRecord).where(InboundRecord.external_id == "msg:1")
        )
        assert stored is not None
        assert stored.raw == {"update_id": 1, "message": {"text": "hello"}}
        assert stored.occurred_at == datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


async def test_odd_and_huge_texts_round_trip(sessions: async_sessionmaker[AsyncSession]) -> None:
    texts = ["", "x" * 100_000, "שלום \u200f مرحبا \u200b👩‍👩‍👧‍👦🏳️‍🌈 e\u0301", "\x00nul"]
    batch = [event(f"msg:{n}", text) for n, text in enumerate(texts)]
    await inbox.store_batch(sessions, batch)
    async with sessions() as session:
        stored = list(await session.scalars(select(InboundRecord.text).order_by(InboundRecord.id)))
    # PostgreSQL text cannot hold NUL: both databases store U+FFFD in its place.
    assert stored == [*texts[:3], "\ufffdnul"]


async def test_outbox_enqueue_is_idempotent(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        params = {"chat_id": 1, "text": "hi"}
        common = {"platform": "telegram", "account": "1", "lane": "chat:1", "method": "x"}
        assert await enqueue(session, key="k1", params=params, **common)
        assert not await enqueue(session, key="k1", params=params, **common)
    async with sessions() as session:
        assert await session.scalar(select(func.count(OutboxItem.id))) == 1


async def _queue(sessions: async_sessionmaker[AsyncSession], lane: str, keys: list[str]) -> None:
    async with sessions() as session, session.begin():
        for key in keys:
            await enqueue(
                session,
                platform="telegram",
                account="1",
                lane=lane,
                key=key,
                method="sendMessage",
                params={"chat_id": lane, "text": key},
            )


async def test_claim_takes_only_the_head_of_each_lane(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await _queue(sessions, "a", ["a1", "a2", "a3"])
    await _queue(sessions, "b", ["b1"])
    claimed = await claim(sessions, platform="telegram", account="1")
    assert sorted(item.idempotency_key for item in claimed) == ["a1", "b1"]
    assert await claim(sessions, platform="telegram", account="1") == []
    a1 = next(item for item in claimed if item.idempotency_key == "a1")
    # A retry keeps the lane blocked: a2 must not overtake a1.
    await finish(sessions, a1, Outcome.retry(0.0, "boom"), max_attempts=5)
    again = await claim(sessions, platform="telegram", account="1")
    assert [item.idempotency_key for item in again] == ["a1"]
    await finish(sessions, again[0], Outcome.sent({"message_id": 1}), max_attempts=5)
    nxt = await claim(sessions, platform="telegram", account="1")
    assert [item.idempotency_key for item in nxt] == ["a2"]


async def test_finish_gives_up_after_max_attempts_and_defers_without_counting(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await _queue(sessions, "a", ["a1"])
    (item,) = await claim(sessions, platform="telegram", account="1")
    assert await finish(sessions, item, Outcome.deferred(0.0), max_attempts=2) == "pending"
    (item,) = await claim(sessions, platform="telegram", account="1")
    assert item.attempts == 0
    assert await finish(sessions, item, Outcome.retry(0.0, "500"), max_attempts=2) == "pending"
    (item,) = await claim(sessions, platform="telegram", account="1")
    assert await finish(sessions, item, Outcome.retry(0.0, "500"), max_attempts=2) == "failed"
    async with sessions() as session:
        row = await session.scalar(select(OutboxItem))
        assert row is not None and row.status == "failed" and row.attempts == 2
        assert "gave up after 2 attempts" in (row.last_error or "")


async def test_expired_claim_is_claimed_again(sessions: async_sessionmaker[AsyncSession]) -> None:
    await _queue(sessions, "a", ["a1"])
    now = datetime.now(UTC)
    (item,) = await claim(sessions, platform="telegram", account="1", lease_seconds=30, now=now)
    assert await claim(sessions, platform="telegram", account="1", now=now) == []
    later = now + timedelta(seconds=31)
    (again,) = await claim(sessions, platform="telegram", account="1", now=later)
    assert again.id == item.id


async def test_concurrent_claimers_never_share_an_item(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    for lane in range(40):
        await _queue(sessions, f"lane{lane}", [f"k{lane}"])
    results = await asyncio.gather(
        *(claim(sessions, platform="telegram", account="1", limit=7) for _ in range(8))
    )
    keys = [item.idempotency_key for batch in results for item in batch]
    assert len(keys) == len(set(keys)) == 40


async def test_lease_has_one_holder_until_it_expires(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    assert await leases.acquire(sessions, "poll:tg:1", "A", ttl=30)
    assert not await leases.acquire(sessions, "poll:tg:1", "B", ttl=30)
    assert await leases.acquire(sessions, "poll:tg:1", "A", ttl=30)
    await leases.release(sessions, "poll:tg:1", "A")
    assert await leases.acquire(sessions, "poll:tg:1", "B", ttl=0.001)
    await asyncio.sleep(0.01)
    assert await leases.acquire(sessions, "poll:tg:1", "A", ttl=30)


async def test_lease_of_a_dead_process_on_this_host_is_taken_over(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    import socket
    import sys

    child = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await child.wait()
    dead = f"{socket.gethostname()}:{child.pid}:abcd"
    assert await leases.acquire(sessions, "poll:tg:2", dead, ttl=300)
    assert await leases.acquire(sessions, "poll:tg:2", leases.make_holder(), ttl=300)
    remote = "some-other-host:1:abcd"
    assert await leases.acquire(sessions, "poll:tg:3", remote, ttl=300)
    assert not await leases.acquire(sessions, "poll:tg:3", leases.make_holder(), ttl=300)
