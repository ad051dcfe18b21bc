"""The VK adapter against the VK sandbox over real HTTP with the real vk_api."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.outbox import enqueue
from bot.outbox.worker import OutboxWorker
from bot.platforms.vk import actions
from bot.platforms.vk.client import make_group_api, make_user_api
from bot.platforms.vk.poller import VkPoller
from bot.platforms.vk.sender import VkTransport
from bot.sandbox.vk import VkSandbox
from models import InboundRecord, OutboxItem
from models.db import make_sessionmaker
from tests.sandbox_fixtures import VkControl

GROUP_ID = 2000001
GROUP_TOKEN = "vk-group-token"
ADMIN_TOKEN = "vk-admin-token"
ADMIN_ID = 500
ANN, BOB = 42, 43


async def make_sandbox(strict_limits: bool = False) -> tuple[VkSandbox, VkControl, Any]:
    server = VkSandbox(strict_limits=strict_limits)
    await server.start("127.0.0.1", 0)
    http = aiohttp.ClientSession()
    control = VkControl(server.base_url, http)
    await control.post("/sandbox/users", {"id": ADMIN_ID, "first_name": "Alice", "last_name": "A"})
    await control.post(
        "/sandbox/groups",
        {
            "id": GROUP_ID,
            "name": "Brand",
            "token": GROUP_TOKEN,
            "admin_token": ADMIN_TOKEN,
            "admin_user_id": ADMIN_ID,
        },
    )
    for user_id, name in ((ANN, "Ann"), (BOB, "Bob")):
        await control.post("/sandbox/users", {"id": user_id, "first_name": name, "last_name": "X"})
    return server, control, http


@pytest.fixture
async def vk() -> AsyncIterator[tuple[VkSandbox, VkControl]]:
    server, control, http = await make_sandbox()
    yield server, control
    await http.close()
    await server.stop()


@pytest.fixture
def vk_sessions(sqlite_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(sqlite_engine)


class RunningPoller:
    """A VkPoller running in the background of a test, stopped on exit."""

    def __init__(self, base_url: str, sessions: async_sessionmaker[AsyncSession]) -> None:
        api = make_group_api(GROUP_TOKEN, base_url)
        self.poller = VkPoller(api, GROUP_ID, sessions, wait=1, trust_env=False)
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> VkPoller:
        self.task = asyncio.create_task(self.poller.run(self.stop))
        connected = await asyncio.to_thread(self.poller.connected.wait, 30)
        assert connected, "the poller never reached the long-poll server"
        return self.poller

    async def __aexit__(self, *exc: object) -> None:
        self.stop.set()
        assert self.task is not None
        await self.task


async def stored(sessions: async_sessionmaker[AsyncSession]) -> list[InboundRecord]:
    async with sessions() as session:
        return list(await session.scalars(select(InboundRecord).order_by(InboundRecord.id)))


async def wait_for(
    sessions: async_sessionmaker[AsyncSession], predicate: Any
) -> list[InboundRecord]:
    for _ in range(200):
        records = await stored(sessions)
        if predicate(records):
            return records
        await asyncio.sleep(0.1)
    raise AssertionError(
        f"condition never met; stored: {[(r.event_type, r.text) for r in records]}"
    )


async def test_every_event_kind_arrives_normalised_once(
    vk: tuple[VkSandbox, VkControl], vk_sessions: async_sessionmaker[AsyncSession]
) -> None:
    server, control = vk
    admin = make_user_api(ADMIN_TOKEN, server.base_url)
    async with RunningPoller(server.base_url, vk_sessions):
        dm = await control.post(
            "/sandbox/messages", {"group_id": GROUP_ID, "from_id": ANN, "text": "где мой заказ?"}
        )
        await control.post(
            "/sandbox/edits",
            {
                "group_id": GROUP_ID,
                "object": "message",
                "message_id": dm["id"],
                "text": "где мой заказ №5?",
            },
        )
        post = await control.post(
            "/sandbox/wall_posts", {"group_id": GROUP_ID, "text": "New collection"}
        )
        wall = await control.post(
            "/sandbox/comments",
            {
                "group_id": GROUP_ID,
                "object": "wall",
                "object_id": post["post_id"],
                "from_id": ANN,
                "text": "сколько стоит?",
            },
        )
        await control.post(
            "/sandbox/comments",
            {
                "group_id": GROUP_ID,
                "object": "wall",
                "object_id": post["post_id"],
                "from_id": BOB,
                "text": "me too",
                "reply_to_comment": wall["comment_id"],
            },
        )
        await control.post(
            "/sandbox/edits",
            {
                "group_id": GROUP_ID,
                "object": "wall",
                "comment_id": wall["comment_id"],
                "text": "сколько стоит синяя?",
            },
        )
        for kind in ("board", "photo", "video", "market"):
            await control.post(
                "/sandbox/comments",
                {
                    "group_id": GROUP_ID,
                    "object": kind,
                    "object_id": 9,
                    "from_id": BOB,
                    "text": f"{kind} question",
                },
            )
        owner = -GROUP_ID
        await asyncio.to_thread(
            admin.method,
            "wall.deleteComment",
            {"owner_id": owner, "comment_id": wall["comment_id"]},
        )
        await asyncio.to_thread(
            admin.method,
            "wall.restoreComment",
            {"owner_id": owner, "comment_id": wall["comment_id"]},
        )
        group = make_group_api(GROUP_TOKEN, server.base_url)
        await asyncio.to_thread(
            group.method,
            "wall.createComment",
            {
                "owner_id": owner,
                "post_id": post["post_id"],
                "from_group": GROUP_ID,
                "message": "от сообщества",
                "reply_to_comment": wall["comment_id"],
            },
        )
        await control.post("/sandbox/joins", {"group_id": GROUP_ID, "user_id": BOB})
        await control.post("/sandbox/leaves", {"group_id": GROUP_ID, "user_id": BOB})
        await control.post("/sandbox/message_allow", {"group_id": GROUP_ID, "user_id": BOB})
        await control.post("/sandbox/message_deny", {"group_id": GROUP_ID, "user_id": BOB})
        await asyncio.to_thread(
            admin.method, "groups.ban", {"group_id": GROUP_ID, "owner_id": BOB, "reason": 1}
        )
        records = await wait_for(
            vk_sessions, lambda rs: any(r.event_type == "user_block" for r in rs)
        )

    by_type: dict[str, list[InboundRecord]] = {}
    for record in records:
        by_type.setdefault(record.event_type, []).append(record)
    expected = {
        "message_new": ("direct_message", "new"),
        "message_edit": ("direct_message", "edit"),
        "wall_reply_edit": ("comment", "edit"),
        "wall_reply_delete": ("comment", "delete"),
        "wall_reply_restore": ("comment", "restore"),
        "board_post_new": ("comment", "new"),
        "photo_comment_new": ("comment", "new"),
        "video_comment_new": ("comment", "new"),
        "market_comment_new": ("comment", "new"),
        "group_join": ("membership", "join"),
        "group_leave": ("membership", "leave"),
        "message_allow": ("membership", "allow"),
        "message_deny": ("membership", "deny"),
        "user_block": ("membership", "block"),
    }
    for event_type, (kind, action) in expected.items():
        assert len(by_type.get(event_type, [])) == 1, event_type
        assert (by_type[event_type][0].kind, by_type[event_type][0].action) == (kind, action)
    replies = by_type["wall_reply_new"]
    members = [r for r in replies if r.status == "new"]
    assert [r.text for r in members] == ["сколько стоит?", "me too"]
    assert members[0].thread_key == members[1].thread_key  # a reply joins its top comment's thread
    own = [r for r in replies if r.status == "skipped"]
    assert [r.text for r in own] == ["от сообщества"]
    dm_record = by_type["message_new"][0]
    assert dm_record.thread_key == f"vk:dm:{GROUP_ID}:{ANN}"
    assert dm_record.location["peer_id"] == ANN
    board = by_type["board_post_new"][0]
    assert board.location["object"] == "board" and board.location["object_id"] == 9
    keys = [(r.community_id, r.external_id) for r in records]
    assert len(keys) == len(set(keys))


async def test_restart_and_failed_1_2_3_lose_nothing(
    vk: tuple[VkSandbox, VkControl], vk_sessions: async_sessionmaker[AsyncSession]
) -> None:
    server, control = vk
    sent: list[str] = []

    async def say(text: str) -> None:
        sent.append(text)
        await control.post(
            "/sandbox/messages", {"group_id": GROUP_ID, "from_id": ANN, "text": text}
        )

    def dm_texts(records: list[InboundRecord]) -> list[str]:
        return [r.text for r in records if r.event_type == "message_new"]

    async with RunningPoller(server.base_url, vk_sessions):
        for n in range(5):
            await say(f"first {n}")
        await wait_for(vk_sessions, lambda rs: len(dm_texts(rs)) == 5)
    for n in range(5):
        await say(f"while stopped {n}")
    stream = server.state.groups[GROUP_ID].stream
    async with RunningPoller(server.base_url, vk_sessions):
        await wait_for(vk_sessions, lambda rs: len(dm_texts(rs)) == 10)
        for failure in (1, 2, 3):
            await control.post(
                "/sandbox/faults", {"longpoll_failed": failure, "group_id": GROUP_ID}
            )
            for _ in range(100):  # wait until the poller has been given the failure
                if not stream.pending_failures:
                    break
                await asyncio.sleep(0.05)
            for n in range(3):
                await say(f"after failed {failure} #{n}")
            await wait_for(vk_sessions, lambda rs: len(dm_texts(rs)) == len(sent))
    records = await stored(vk_sessions)
    assert dm_texts(records) == sent


async def queue_replies(
    sessions: async_sessionmaker[AsyncSession], records: list[InboundRecord], per_item: int
) -> int:
    queued = 0
    async with sessions() as session, session.begin():
        for record in records:
            for n in range(per_item):
                method, params = actions.reply(record.location, f"reply {record.id}/{n}", GROUP_ID)
                await enqueue(
                    session,
                    platform="vk",
                    account=str(GROUP_ID),
                    lane=record.thread_key or "",
                    key=f"reply:{record.id}:{n}",
                    method=method,
                    params=params,
                )
                queued += 1
    return queued


async def drain(worker: OutboxWorker, sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    for _ in range(2000):
        await worker.drain_once()
        async with sessions() as session:
            left = await session.scalar(
                select(func.count(OutboxItem.id)).where(
                    OutboxItem.status.in_(("pending", "sending"))
                )
            )
        if not left:
            break
        await asyncio.sleep(0.05)
    async with sessions() as session:
        rows = await session.execute(
            select(OutboxItem.status, func.count()).group_by(OutboxItem.status)
        )
        return dict(rows.all())


async def test_300_replies_arrive_exactly_once_under_errors_and_dropped_answers(
    vk: tuple[VkSandbox, VkControl], vk_sessions: async_sessionmaker[AsyncSession]
) -> None:
    server, control = vk
    users = list(range(1000, 1030))
    post = await control.post("/sandbox/wall_posts", {"group_id": GROUP_ID, "text": "Sale"})
    async with RunningPoller(server.base_url, vk_sessions):
        for user in users:
            await control.post(
                "/sandbox/users", {"id": user, "first_name": f"U{user}", "last_name": "X"}
            )
            await control.post(
                "/sandbox/messages", {"group_id": GROUP_ID, "from_id": user, "text": "hi"}
            )
            await control.post(
                "/sandbox/comments",
                {
                    "group_id": GROUP_ID,
                    "object": "wall",
                    "object_id": post["post_id"],
                    "from_id": user,
                    "text": "price?",
                },
            )
        records = await wait_for(vk_sessions, lambda rs: len(rs) >= 60)
    members = [r for r in records if r.status == "new" and r.kind in ("comment", "direct_message")]
    assert len(members) == 60
    assert await queue_replies(vk_sessions, members, 5) == 300
    for method in ("messages.send", "wall.createComment"):
        for code in (6, 9, 10):
            await control.post(
                "/sandbox/faults", {"method": method, "error_code": code, "rate": 0.05, "seed": 3}
            )
        await control.post(
            "/sandbox/faults",
            {"method": method, "kind": "drop_connection", "rate": 0.05, "seed": 4},
        )
    transport = VkTransport(
        GROUP_ID,
        make_group_api(GROUP_TOKEN, server.base_url),
        make_user_api(ADMIN_TOKEN, server.base_url),
        seed=5,
    )
    statuses = await drain(OutboxWorker(vk_sessions, transport, concurrency=25), vk_sessions)
    assert statuses == {"sent": 300}

    log = await control.get("/sandbox/log")
    assert any(entry.get("fault") for entry in log), "faults were injected"
    assert any(entry.get("via") == "execute" for entry in log), "replies were batched"
    for record in members:
        expected = sorted(f"reply {record.id}/{n}" for n in range(5))
        if record.kind == "direct_message":
            dialog = await control.get(
                f"/sandbox/groups/{GROUP_ID}/messages?peer_id={record.location['peer_id']}"
            )
            got = [
                m["text"]
                for m in dialog
                if m.get("from_id") == -GROUP_ID or m.get("out") in (1, True)
            ]
        else:
            wall = await control.get(f"/sandbox/groups/{GROUP_ID}/wall")
            comments = [c for p in wall for c in p["comments"]]
            got = [
                c["text"]
                for c in comments
                if c["from_id"] == -GROUP_ID
                and c.get("reply_to_comment") == record.location["comment_id"]
            ]
        assert sorted(got) == expected, (record.kind, got)


async def test_burst_of_500_under_strict_limits_never_records_error_6(
    vk_sessions: async_sessionmaker[AsyncSession],
) -> None:
    server, control, http = await make_sandbox(strict_limits=True)
    try:
        users = list(range(3000, 3050))
        for user in users:
            await control.post("/sandbox/users", {"id": user, "first_name": "U", "last_name": "X"})
            await control.post(
                "/sandbox/messages", {"group_id": GROUP_ID, "from_id": user, "text": "hi"}
            )
        async with vk_sessions() as session, session.begin():
            for n in range(500):
                user = users[n % 50]
                await enqueue(
                    session,
                    platform="vk",
                    account=str(GROUP_ID),
                    lane=f"vk:dm:{user}",
                    key=f"burst:{n}",
                    method="messages.send",
                    params={"peer_id": user, "message": f"burst {n}"},
                )
        transport = VkTransport(GROUP_ID, make_group_api(GROUP_TOKEN, server.base_url), None)
        statuses = await drain(OutboxWorker(vk_sessions, transport, concurrency=25), vk_sessions)
        assert statuses == {"sent": 500}
        async with vk_sessions() as session:
            errors = list(
                await session.scalars(
                    select(OutboxItem.last_error).where(OutboxItem.last_error.is_not(None))
                )
            )
        assert not [e for e in errors if "error 6" in e]
        log = await control.get("/sandbox/log")
        assert not [e for e in log if e.get("error_code") == 6]
        dialogs = await control.get(f"/sandbox/groups/{GROUP_ID}/messages")
        texts = [m["text"] for m in dialogs if m["text"].startswith("burst ")]
        assert sorted(texts) == sorted(f"burst {n}" for n in range(500))
    finally:
        await http.close()
        await server.stop()


async def test_permanent_errors_are_recorded_with_their_meaning(
    vk: tuple[VkSandbox, VkControl], vk_sessions: async_sessionmaker[AsyncSession]
) -> None:
    server, control = vk
    post = await control.post("/sandbox/wall_posts", {"group_id": GROUP_ID, "text": "Closed"})
    comment = await control.post(
        "/sandbox/comments",
        {
            "group_id": GROUP_ID,
            "object": "wall",
            "object_id": post["post_id"],
            "from_id": ANN,
            "text": "hm",
        },
    )
    await control.post(
        "/sandbox/close_comments", {"group_id": GROUP_ID, "post_id": post["post_id"]}
    )
    location = {
        "object": "wall",
        "owner_id": -GROUP_ID,
        "object_id": post["post_id"],
        "comment_id": comment["comment_id"],
        "top_comment_id": comment["comment_id"],
    }
    jobs = {
        "never-wrote": ("messages.send", {"peer_id": BOB, "message": "hello"}),
        "closed": actions.reply(location, "answer", GROUP_ID),
        "needs-user-token": actions.delete_comment(location),
    }
    async with vk_sessions() as session, session.begin():
        for key, (method, params) in jobs.items():
            await enqueue(
                session,
                platform="vk",
                account=str(GROUP_ID),
                lane=key,
                key=key,
                method=method,
                params=params,
            )
    # Only the community token is configured: user-only methods cannot work.
    transport = VkTransport(GROUP_ID, make_group_api(GROUP_TOKEN, server.base_url), None)
    statuses = await drain(OutboxWorker(vk_sessions, transport), vk_sessions)
    assert statuses == {"failed": 3}
    async with vk_sessions() as session:
        errors = dict(
            (await session.execute(select(OutboxItem.idempotency_key, OutboxItem.last_error))).all()
        )
    assert "has not allowed messages from the community" in errors["never-wrote"]
    assert "901" in errors["never-wrote"]
    assert "comments are closed" in errors["closed"]
    assert "VK_USER_TOKEN is not set" in errors["needs-user-token"]


async def test_malformed_answers_and_unknown_events_are_logged_never_a_crash(
    vk: tuple[VkSandbox, VkControl],
    vk_sessions: async_sessionmaker[AsyncSession],
    caplog: pytest.LogCaptureFixture,
) -> None:
    server, control = vk
    caplog.set_level(logging.WARNING)
    runner = RunningPoller(server.base_url, vk_sessions)
    async with runner:
        await control.post(
            "/sandbox/raw_events",
            {
                "group_id": GROUP_ID,
                "event": {
                    "type": "wall_reply_new",
                    "object": {"text": "no ids"},
                    "group_id": GROUP_ID,
                    "event_id": "e1",
                },
            },
        )
        await control.post(
            "/sandbox/raw_events", {"group_id": GROUP_ID, "event": "not even an object"}
        )
        await control.post(
            "/sandbox/raw_events",
            {
                "group_id": GROUP_ID,
                "event": {
                    "type": "donut_subscription_create",
                    "object": {"user_id": 1},
                    "group_id": GROUP_ID,
                    "event_id": "e2",
                },
            },
        )
        await control.post(
            "/sandbox/messages",
            {"group_id": GROUP_ID, "from_id": ANN, "text": "before the garbage"},
        )
        await wait_for(vk_sessions, lambda rs: any(r.text == "before the garbage" for r in rs))
        await control.post("/sandbox/faults", {"longpoll_malformed": "not_json"})
        await control.post("/sandbox/faults", {"longpoll_malformed": "no_updates"})
        await control.post(
            "/sandbox/messages", {"group_id": GROUP_ID, "from_id": ANN, "text": "after the garbage"}
        )
        records = await wait_for(
            vk_sessions, lambda rs: any(r.text == "after the garbage" for r in rs)
        )
        assert runner.task is not None and not runner.task.done()
    errors = [r for r in records if r.status == "error"]
    assert len(errors) == 2
    unknown = [r for r in records if r.event_type == "donut_subscription_create"]
    assert len(unknown) == 1 and unknown[0].status == "skipped"
    assert "long poll failed" in caplog.text
    assert "stored an unreadable event" in caplog.text


async def test_several_communities_each_have_their_own_poll_loop(
    vk: tuple[VkSandbox, VkControl], tmp_path: Any, classifier: Any
) -> None:
    from bot.app import Steward
    from bot.config import load_settings
    from bot.stats import collect

    server, control = vk
    second = 2000002
    await control.post(
        "/sandbox/groups",
        {
            "id": second,
            "name": "Brand Two",
            "token": "vk-two-token",
            "admin_token": "vk-two-admin",
            "admin_user_id": ADMIN_ID,
        },
    )
    listing = tmp_path / "vk-communities.txt"
    listing.write_text(f"# the second brand\n{second} vk-two-token vk-two-admin\n")
    settings = load_settings(
        {
            "VK_GROUP_ID": str(GROUP_ID),
            "VK_GROUP_TOKEN": GROUP_TOKEN,
            "VK_USER_TOKEN": ADMIN_TOKEN,
            "VK_COMMUNITIES": str(listing),
            "VK_API_URL": server.base_url,
            "STEWARD_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/two.db",
            "STEWARD_POLL_TIMEOUT": "1",
        },
        env_file=None,
    )
    app = Steward(settings, classifier=classifier)
    await app.prepare()
    stop = asyncio.Event()
    runner = asyncio.create_task(app.run(stop))
    try:
        assert [p.group_id for p in app.vk_pollers] == [GROUP_ID, second]
        for poller in app.vk_pollers:
            assert await asyncio.to_thread(poller.connected.wait, 30)
        for group in (GROUP_ID, second):
            await control.post(
                "/sandbox/messages", {"group_id": group, "from_id": ANN, "text": f"hi {group}"}
            )
        records = await wait_for(app.sessions, lambda rs: len(rs) >= 2)
        assert sorted(r.community_id for r in records) == [str(GROUP_ID), str(second)]
        stats = await collect(app.sessions)
        assert stats["inbound"]["by_platform"]["vk"] == 2
    finally:
        stop.set()
        await runner
