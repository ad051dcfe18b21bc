"""The Telegram adapter against the sandbox over real HTTP: inbox, restarts, outbox, 409."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import inbox
from bot.outbox import enqueue
from bot.outbox.worker import OutboxWorker
from bot.platforms.telegram.client import GetRawUpdates, make_bot
from bot.platforms.telegram.poller import TelegramPoller
from bot.platforms.telegram.sender import TelegramTransport
from bot.sandbox.telegram import TelegramSandbox
from models import InboundRecord, OutboxItem
from models.db import make_sessionmaker
from tests.sandbox_fixtures import ANN, BOB, TG_TOKEN, TgControl

GROUP = -1001000000100
CHANNEL = -1001000000200
DISCUSSION = -1001000000201


@pytest.fixture
async def sandbox() -> AsyncIterator[TelegramSandbox]:
    server = TelegramSandbox()
    await server.start("127.0.0.1", 0)
    yield server
    await server.stop()


@pytest.fixture
async def control(sandbox: TelegramSandbox) -> AsyncIterator[TgControl]:
    async with aiohttp.ClientSession() as http:
        yield TgControl(http, sandbox.base_url)


@pytest.fixture
def tg_sessions(sqlite_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(sqlite_engine)


async def poll_until_quiet(poller: TelegramPoller, rounds: int = 20) -> None:
    """Poll with short waits until a round brings nothing new (bounded)."""
    for _ in range(rounds):
        if await poller.poll_once() == 0:
            return
    raise AssertionError("updates kept coming")


async def stored(sessions: async_sessionmaker[AsyncSession]) -> list[InboundRecord]:
    async with sessions() as session:
        return list(await session.scalars(select(InboundRecord).order_by(InboundRecord.id)))


async def test_every_source_kind_is_normalised_once(
    sandbox: TelegramSandbox,
    control: TgControl,
    tg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    await control.chat(GROUP, "supergroup", title="Shop chat", members=[ANN, BOB])
    await control.chat(DISCUSSION, "supergroup", title="Comments", members=[ANN])
    await control.chat(CHANNEL, "channel", title="Shop news", linked_chat_id=DISCUSSION)
    group_message = await control.say(GROUP, ANN, "сколько стоит доставка?")
    await control.post(
        "/sandbox/edits",
        {
            "chat_id": GROUP,
            "message_id": group_message["message_id"],
            "text": "сколько стоит доставка в Казань?",
        },
    )
    await control.post(
        "/sandbox/messages", {"chat_id": ANN["id"], "from": ANN, "text": "hi, my order is late"}
    )
    post = await control.post(
        "/sandbox/channel_posts", {"chat_id": CHANNEL, "text": "New arrivals!"}
    )
    thread_id = post["automatic_forward"]["message_id"]
    await control.say(DISCUSSION, BOB, "love the blue one", message_thread_id=thread_id)
    await control.post(
        "/sandbox/joins", {"chat_id": GROUP, "user": {"id": 77, "first_name": "New"}}
    )

    bot = make_bot(TG_TOKEN, sandbox.base_url)
    try:
        poller = TelegramPoller(bot, tg_sessions, poll_timeout=1)
        await poll_until_quiet(poller)
    finally:
        await bot.session.close()
    records = await stored(tg_sessions)
    kinds = {(r.kind, r.action, r.community_id) for r in records}
    assert ("group_message", "new", str(GROUP)) in kinds
    assert ("group_message", "edit", str(GROUP)) in kinds
    assert ("direct_message", "new", str(ANN["id"])) in kinds
    assert ("comment", "new", str(DISCUSSION)) in kinds
    assert ("bot_membership", "join", str(GROUP)) in kinds
    comment = next(r for r in records if r.kind == "comment")
    assert comment.text == "love the blue one"
    assert comment.thread_key == f"tg:thread:{DISCUSSION}:{thread_id}"
    assert comment.location["message_thread_id"] == thread_id
    auto_forward = [
        r for r in records if r.community_id == str(DISCUSSION) and r.kind == "channel_post"
    ]
    assert auto_forward and all(r.status == "skipped" for r in auto_forward)
    keys = [(r.platform, r.community_id, r.external_id) for r in records]
    assert len(keys) == len(set(keys))


async def test_unconfirmed_batch_is_redelivered_and_stored_once(
    sandbox: TelegramSandbox,
    control: TgControl,
    tg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    await control.chat(GROUP, "supergroup", members=[ANN])
    for n in range(5):
        await control.say(GROUP, ANN, f"message {n}")
    bot = make_bot(TG_TOKEN, sandbox.base_url)
    try:
        # A process that fetched the batch and died before storing it: nothing confirmed.
        fetched = await bot(GetRawUpdates(timeout=0))
        assert len(fetched) >= 5
        poller = TelegramPoller(bot, tg_sessions, poll_timeout=1)
        assert await poller.poll_once() == len(fetched)
        # A process that stored the batch but died before confirming it: the cursor is lost
        # here on purpose, so Telegram sends the same batch again; none of it is new.
        async with tg_sessions() as session, session.begin():
            await inbox.save_cursor(session, poller.name, "0")
        assert await poller.poll_once() == 0
        for n in range(5, 8):
            await control.say(GROUP, ANN, f"message {n}")
        await poll_until_quiet(TelegramPoller(bot, tg_sessions, poll_timeout=1))
    finally:
        await bot.session.close()
    texts = [r.text for r in await stored(tg_sessions) if r.kind == "group_message"]
    assert texts == [f"message {n}" for n in range(8)]


async def test_outbox_delivers_200_messages_exactly_once_under_faults(
    sandbox: TelegramSandbox,
    control: TgControl,
    tg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    users = [{"id": 1000 + n, "first_name": f"User{n}"} for n in range(20)]
    for user in users:
        await control.say(user["id"], user, "hello")  # a member must write first
    async with tg_sessions() as session, session.begin():
        for n in range(200):
            user = users[n % 20]
            await enqueue(
                session,
                platform="telegram",
                account="1000001",
                lane=f"chat:{user['id']}",
                key=f"reply:{n}",
                method="sendMessage",
                params={"chat_id": user["id"], "text": f"reply {n}"},
            )
    # 429s and 5xx; requests lost on the way in (timeouts, dropped connections) and
    # slow answers (the call acted, the answer came late but within our timeout).
    faults: list[dict[str, Any]] = [
        {"kind": "429", "rate": 0.1, "retry_after": 1},
        {"kind": "500", "rate": 0.1},
        {"kind": "timeout", "rate": 0.05, "act": False, "delay": 5},
        {"kind": "drop_connection", "rate": 0.03, "act": False},
        {"kind": "timeout", "rate": 0.05, "act": True, "delay": 0.5},
    ]
    for fault in faults:
        await control.post("/sandbox/faults", {"method": "sendMessage", "seed": 7, **fault})

    bot = make_bot(TG_TOKEN, sandbox.base_url)
    transport = TelegramTransport(bot, request_timeout=2.0, seed=1)
    worker = OutboxWorker(tg_sessions, transport, concurrency=20)
    try:
        for _ in range(600):  # bounded: each round sends at most one item per chat
            await worker.drain_once()
            async with tg_sessions() as session:
                left = await session.scalar(
                    select(func.count(OutboxItem.id)).where(
                        OutboxItem.status.in_(("pending", "sending"))
                    )
                )
            if not left:
                break
            await asyncio.sleep(0.2)
    finally:
        await bot.session.close()

    async with tg_sessions() as session:
        statuses = dict(
            (
                await session.execute(
                    select(OutboxItem.status, func.count()).group_by(OutboxItem.status)
                )
            ).all()
        )
    assert statuses == {"sent": 200}
    log = await control.get("/sandbox/log")
    failures = [e for e in log if e["method"].lower() == "sendmessage" and not e["ok"]]
    assert failures, "faults were injected, so some calls must have failed"
    for n, user in enumerate(users):
        sent = [m["text"] for m in await control.messages(user["id"]) if m["from"]["id"] == 1000001]
        assert sorted(sent) == sorted(f"reply {k}" for k in range(n, 200, 20)), user


async def test_second_poller_gets_409_logs_it_and_keeps_going(
    sandbox: TelegramSandbox,
    control: TgControl,
    sqlite_engine: AsyncEngine,
    tmp_path: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from models.db import make_engine, migrate

    other_engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/other.db")
    await migrate(other_engine)
    bots = [make_bot(TG_TOKEN, sandbox.base_url), make_bot(TG_TOKEN, sandbox.base_url)]
    pollers = [
        TelegramPoller(bots[0], make_sessionmaker(sqlite_engine), poll_timeout=2),
        TelegramPoller(bots[1], make_sessionmaker(other_engine), poll_timeout=2),
    ]
    stop = asyncio.Event()
    caplog.set_level(logging.WARNING, logger="bot.platforms.telegram.poller")
    tasks = [asyncio.create_task(p.run(stop)) for p in pollers]
    try:
        for _ in range(100):
            if "409 Conflict" in caplog.text:
                break
            await asyncio.sleep(0.1)
        assert "409 Conflict" in caplog.text
        assert "another program is polling this bot token" in caplog.text
        assert not any(task.done() for task in tasks)
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        for bot in bots:
            await bot.session.close()
        await other_engine.dispose()


async def test_bad_input_is_logged_and_stored_never_a_crash(
    sandbox: TelegramSandbox,
    control: TgControl,
    tg_sessions: async_sessionmaker[AsyncSession],
    caplog: pytest.LogCaptureFixture,
) -> None:
    await control.chat(GROUP, "supergroup", members=[ANN])
    chat = {"id": GROUP, "type": "supergroup", "title": "Shop chat"}
    user = {"id": 42, "is_bot": False, "first_name": "Ann"}
    odd = "שלום \u200f\u202e مرحبا \u200b\u200d 👩‍👩‍👧‍👦🏳️‍🌈 e\u0301 \ufeff"
    raw_updates: list[dict[str, Any]] = [
        {"message": {"message_id": "not a number", "chat": chat}},  # malformed
        {"message": {"message_id": 900, "date": 1760000000}},  # no chat
        {"guest_message_v99": {"id": "x", "user": user}},  # a type from a newer Bot API
        {
            "message": {
                "message_id": 901,
                "date": 1760000000,
                "chat": chat,
                "from": user,
                "text": "",
            }
        },
        {
            "message": {
                "message_id": 902,
                "date": 1760000000,
                "chat": chat,
                "from": user,
                "text": "x" * 100_000,
            }
        },
        {
            "message": {
                "message_id": 903,
                "date": 1760000000,
                "chat": chat,
                "from": user,
                "text": odd,
            }
        },
    ]
    for fields in raw_updates:
        await control.post("/sandbox/raw_updates", {"update": fields})
    await control.say(GROUP, ANN, "a normal message after all that")
    caplog.set_level(logging.WARNING)
    bot = make_bot(TG_TOKEN, sandbox.base_url)
    try:
        await poll_until_quiet(TelegramPoller(bot, tg_sessions, poll_timeout=1))
    finally:
        await bot.session.close()
    records = {r.external_id: r for r in await stored(tg_sessions)}
    errors = [r for r in records.values() if r.status == "error"]
    assert len(errors) == 2 and all(r.event_type == "malformed" for r in errors)
    assert "stored an unreadable Telegram update" in caplog.text
    skipped = [r for r in records.values() if r.kind == "unknown" and r.status == "skipped"]
    assert [r.event_type for r in skipped] == ["guest_message_v99"]
    assert records["msg:901"].text == ""
    assert len(records["msg:902"].text) == 100_000
    assert records["msg:903"].text == odd
    assert any(r.text == "a normal message after all that" for r in records.values())
