"""Wiring: one `Steward` holds the database, the pollers, the inbox worker and the senders."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiogram import Bot
from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.aio import sleep_or_stop
from bot.config import Settings, VkCommunity
from bot.outbox.worker import OutboxWorker
from bot.pipeline import InboxWorker
from bot.platforms.telegram.client import make_bot
from bot.platforms.telegram.poller import TelegramPoller
from bot.platforms.telegram.sender import TelegramTransport
from bot.platforms.vk.client import DEFAULT_BASES, make_group_api, make_user_api
from bot.platforms.vk.poller import VkPoller
from bot.platforms.vk.sender import VkTransport
from models.db import make_engine, make_sessionmaker, migrate

log = logging.getLogger(__name__)


class Steward:
    """The running application. `run(stop)` returns when `stop` is set."""

    def __init__(self, settings: Settings, *, engine: AsyncEngine | None = None) -> None:
        settings.require_platform()
        self.settings = settings
        self.engine = engine or make_engine(settings.database_url)
        self._owns_engine = engine is None
        self.sessions = make_sessionmaker(self.engine)
        self.inbox_worker = InboxWorker(self.sessions)
        self.outbox_workers: list[OutboxWorker] = []
        self.telegram_bot: Bot | None = None
        self.telegram_poller: TelegramPoller | None = None
        self.vk_pollers: list[VkPoller] = []
        self._tasks: list[Callable[[asyncio.Event], Awaitable[None]]] = []

    def notify_outbox(self) -> None:
        """Wake every sender: call after queueing actions in this process."""
        for worker in self.outbox_workers:
            worker.wake()

    async def prepare(self) -> None:
        """Migrate the database and build the platform parts."""
        await migrate(self.engine)
        token = self.settings.telegram_token
        if token is not None:
            bot = make_bot(token.value, self.settings.telegram_api_url)
            self.telegram_bot = bot
            self.telegram_poller = TelegramPoller(
                bot,
                self.sessions,
                poll_timeout=self.settings.poll_timeout,
                on_stored=self.inbox_worker.wake,
            )
            self.outbox_workers.append(OutboxWorker(self.sessions, TelegramTransport(bot)))
            self._tasks.append(self._telegram)
        for community in self.settings.vk_communities:
            self._add_vk(community)
        self._tasks.append(self.inbox_worker.run)
        self._tasks.extend(worker.run for worker in self.outbox_workers)

    def _add_vk(self, community: VkCommunity) -> None:
        url = self.settings.vk_api_url
        group_api = make_group_api(community.group_token.value, url)
        user_api = make_user_api(community.user_token.value, url) if community.user_token else None
        poller = VkPoller(
            group_api,
            community.group_id,
            self.sessions,
            wait=self.settings.poll_timeout,
            on_stored=self.inbox_worker.wake,
            trust_env=url.rstrip("/") in DEFAULT_BASES,
        )
        self.vk_pollers.append(poller)
        self._tasks.append(poller.run)
        transport = VkTransport(community.group_id, group_api, user_api)
        self.outbox_workers.append(OutboxWorker(self.sessions, transport, concurrency=25))

    async def _telegram(self, stop: asyncio.Event) -> None:
        """Check the token, make sure no webhook blocks polling, then poll."""
        assert self.telegram_bot is not None and self.telegram_poller is not None
        bot = self.telegram_bot
        attempt = 0
        while not stop.is_set():
            try:
                me = await bot.get_me()
                await bot.delete_webhook(drop_pending_updates=False)
                break
            except TelegramUnauthorizedError:
                log.error("Telegram rejected TELEGRAM_BOT_TOKEN (401 Unauthorized); fix it")
                await sleep_or_stop(stop, 60)
            except (TelegramNetworkError, OSError, TimeoutError) as error:
                attempt += 1
                log.warning(
                    "cannot reach Telegram at %s yet (%s); retrying",
                    self.settings.telegram_api_url,
                    type(error).__name__,
                )
                await sleep_or_stop(stop, min(30.0, 1.0 * attempt))
        else:
            return
        log.info("Telegram: polling as @%s (id %s)", me.username, me.id)
        await self.telegram_poller.run(stop)

    async def run(self, stop: asyncio.Event) -> None:
        if not self._tasks:
            await self.prepare()
        tasks = [asyncio.create_task(task(stop)) for task in self._tasks]
        try:
            await stop.wait()
        finally:
            await asyncio.gather(*tasks, return_exceptions=True)
            await self.close()

    async def close(self) -> None:
        if self.telegram_bot is not None:
            await self.telegram_bot.session.close()
            self.telegram_bot = None
        if self._owns_engine:
            await self.engine.dispose()
