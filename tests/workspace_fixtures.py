"""The whole of Steward in-process against both sandboxes, for end-to-end tests.

`workspace` starts a Telegram and a VK sandbox with the sample set-up (moderators'
chat, community group, channel with comments, VK community), runs `Steward` on a
fresh SQLite file with the session's trained classifier and a clock the test moves,
and offers `settle()` to wait until everything queued has been processed and sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import Steward
from bot.classifier import Classifier
from bot.config import load_settings
from bot.sandbox import sample
from bot.sandbox.sample import create_sample
from bot.sandbox.telegram import TelegramSandbox
from bot.sandbox.vk import VkSandbox
from models import InboundRecord, OutboxItem, Ticket
from tests.sandbox_fixtures import TG_TOKEN, TgControl, VkControl

MODS_CHAT = sample.MODERATORS_CHAT
GROUP = sample.COMMUNITY_GROUP
CHANNEL = sample.CHANNEL
DISCUSSION = sample.DISCUSSION_GROUP
VK_GROUP = sample.VK_GROUP_ID
ADMIN = sample.ADMIN
BORIS = sample.MODERATORS[1]
CAROL = sample.MODERATORS[2]
ANN = {"id": 42, "first_name": "Ann", "username": "ann", "language_code": "ru"}
MALLORY = {"id": 666, "first_name": "Mallory"}


@dataclass
class Clock:
    """The application's clock: starts at a fixed moment, moved by the test."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 2, 10, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Workspace:
    app: Steward
    tg: TgControl
    vk: VkControl
    clock: Clock
    sessions: async_sessionmaker[AsyncSession]

    async def settle(self, rounds: int = 400) -> None:
        """Wait until no stored event is unprocessed and nothing due is left unsent."""
        quiet = 0
        for _ in range(rounds):
            async with self.sessions() as session:
                unprocessed = await session.scalar(
                    select(func.count(InboundRecord.id)).where(InboundRecord.status == "new")
                )
                unsent = await session.scalar(
                    select(func.count(OutboxItem.id)).where(
                        OutboxItem.status.in_(("pending", "sending"))
                    )
                )
            quiet = quiet + 1 if not unprocessed and not unsent else 0
            if quiet >= 3:  # three quiet looks in a row: pollers had time to bring more
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"never settled: {unprocessed} unprocessed, {unsent} unsent")

    async def tickets(self) -> list[Ticket]:
        async with self.sessions() as session:
            return list(await session.scalars(select(Ticket).order_by(Ticket.id)))

    async def mods_chat(self) -> list[dict[str, Any]]:
        return await self.tg.messages(MODS_CHAT)

    async def card(self, ticket_id: int) -> dict[str, Any]:
        for message in await self.mods_chat():
            if message.get("text", "").split("\n")[0].find(f"#{ticket_id} ") >= 0:
                return message
        raise AssertionError(f"no card for ticket #{ticket_id}")

    async def say_as(self, chat_id: int, user: dict[str, Any], text: str, **extra: Any) -> Any:
        return await self.tg.say(chat_id, user, text, **extra)

    async def press(self, message: dict[str, Any], user: dict[str, Any], data: str) -> Any:
        return await self.tg.post(
            "/sandbox/callbacks",
            {"chat_id": MODS_CHAT, "message_id": message["message_id"], "from": user, "data": data},
        )


@pytest.fixture
async def workspace(classifier: Classifier, tmp_path: Path) -> AsyncIterator[Workspace]:
    telegram = TelegramSandbox()
    vk = VkSandbox()
    await telegram.start("127.0.0.1", 0)
    await vk.start("127.0.0.1", 0)
    await create_sample(telegram.base_url, vk.base_url)
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": TG_TOKEN,
            "TELEGRAM_API_URL": telegram.base_url,
            "STEWARD_MODERATORS_CHAT": str(MODS_CHAT),
            "STEWARD_ADMINS": str(ADMIN["id"]),
            "VK_GROUP_ID": str(VK_GROUP),
            "VK_GROUP_TOKEN": sample.VK_GROUP_TOKEN,
            "VK_USER_TOKEN": sample.VK_ADMIN_TOKEN,
            "VK_API_URL": vk.base_url,
            "STEWARD_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/steward.db",
            "STEWARD_POLL_TIMEOUT": "1",
        },
        env_file=None,
    )
    clock = Clock()
    app = Steward(settings, classifier=classifier, clock=clock)
    app.watchdog.interval = 3600  # tests tick the watchdog themselves
    await app.prepare()
    stop = asyncio.Event()
    runner = asyncio.create_task(app.run(stop))
    http = aiohttp.ClientSession()
    space = Workspace(
        app=app,
        tg=TgControl(http, telegram.base_url),
        vk=VkControl(vk.base_url, http),
        clock=clock,
        sessions=app.sessions,
    )
    try:
        for poller in app.vk_pollers:
            assert await asyncio.to_thread(poller.connected.wait, 30)
        # The moderators write once in their chat, which is how Steward learns who they are.
        for moderator in (ADMIN, BORIS, CAROL):
            await space.say_as(MODS_CHAT, moderator, "hi")
        await space.settle()
        yield space
    finally:
        stop.set()
        await runner
        await http.close()
        await vk.stop()
        await telegram.stop()
