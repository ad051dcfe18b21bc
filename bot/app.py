"""Wiring: one `Steward` holds the database, the pollers, the pipeline and the senders.

adapter → inbox → classify → triage → tickets/SLA → outbox → adapter
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError, TelegramUnauthorizedError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.aio import sleep_or_stop
from bot.config import Settings, VkCommunity
from bot.content.hooks import make_content_hook
from bot.content.publisher import VK_ATTACHMENTS, render_vk_attachments
from bot.content.scheduler import ContentScheduler
from bot.outbox.refs import register_renderer
from bot.outbox.worker import OutboxWorker
from bot.pipeline import InboxWorker, Stage, record_community
from bot.platforms.telegram.client import make_bot
from bot.platforms.telegram.poller import TelegramPoller
from bot.platforms.telegram.sender import TelegramTransport
from bot.platforms.vk.client import DEFAULT_BASES, make_group_api, make_user_api
from bot.platforms.vk.names import VkNames
from bot.platforms.vk.poller import VkPoller
from bot.platforms.vk.sender import VkTransport
from bot.spam import digest
from bot.spam.enforce import Enforcer
from bot.spam.guard import REVIEW_THRESHOLD, SpamGuard
from bot.tickets import cards
from bot.tickets.hooks import make_hook
from bot.tickets.intake import Intake
from bot.tickets.staff import seed_admins
from bot.tickets.watchdog import SlaWatchdog
from bot.tickets.workspace import Workspace
from handlers.dispatch import HandlerStage
from models import utcnow
from models.db import make_engine, make_sessionmaker, migrate

log = logging.getLogger(__name__)


async def _render_card(
    session: AsyncSession, spec: dict[str, Any], now: datetime
) -> dict[str, Any]:
    return await cards.card_params(session, int(spec["ticket_id"]), now)


def load_classifier(settings: Settings) -> Any:
    """The trained model, trained once (with a progress bar) if it is missing."""
    from bot.classifier.service import Classifier

    return Classifier.load_or_train(settings.model_path, progress=True)


class Steward:
    """The running application. `run(stop)` returns when `stop` is set."""

    def __init__(
        self,
        settings: Settings,
        *,
        engine: AsyncEngine | None = None,
        classifier: Any = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        settings.require_platform()
        self.settings = settings
        self.engine = engine or make_engine(settings.database_url)
        self._owns_engine = engine is None
        self.sessions = make_sessionmaker(self.engine)
        self.clock = clock
        self.classifier = classifier
        self.ws = Workspace(
            moderators_chat_id=settings.moderators_chat_id if settings.telegram_token else None,
            telegram_account=str(settings.telegram_bot_id or ""),
        )
        self.inbox_worker = InboxWorker(self.sessions, on_processed=self.notify_outbox)
        self.outbox_workers: list[OutboxWorker] = []
        self.telegram_bot: Bot | None = None
        self.telegram_poller: TelegramPoller | None = None
        self.vk_pollers: list[VkPoller] = []
        self.vk_apis: dict[int, Any] = {}
        self.watchdog = SlaWatchdog(
            self.sessions, self.ws, clock=clock, on_queued=self.notify_outbox
        )
        self.content = ContentScheduler(
            self.sessions,
            self.ws,
            vk_group_ids=[community.group_id for community in settings.vk_communities],
            clock=clock,
            on_queued=self.notify_outbox,
        )
        self._tasks: list[Callable[[asyncio.Event], Awaitable[None]]] = []

    def notify_outbox(self) -> None:
        """Wake every sender: call after queueing actions in this process."""
        for worker in self.outbox_workers:
            worker.wake()

    async def prepare(self) -> None:
        """Migrate the database, load the classifier and build the platform parts."""
        await migrate(self.engine)
        async with self.sessions() as session, session.begin():
            await seed_admins(session, self.settings.admin_ids)
        if self.classifier is None:
            self.classifier = await asyncio.to_thread(load_classifier, self.settings)
        register_renderer("card", _render_card)
        register_renderer(VK_ATTACHMENTS, render_vk_attachments)
        register_renderer("spam_digest", digest.render)
        self.enforcer = Enforcer(self.ws, dry_run=self.settings.dry_run)
        policy = getattr(self.classifier, "policy", None)
        self.spam_guard = SpamGuard(
            self.enforcer,
            self.ws,
            review_threshold=getattr(policy, "review_threshold", REVIEW_THRESHOLD),
            clock=self.clock,
        )
        stages: list[Stage] = [record_community]
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
            stages.append(HandlerStage(bot, self.ws, clock=self.clock, spam=self.spam_guard))
        for community in self.settings.vk_communities:
            self._add_vk(community)
        if self.vk_apis:
            stages.append(VkNames(self.vk_apis))
        intake = Intake(self.classifier, self.ws, clock=self.clock)
        stages += [intake.classify, self.spam_guard, intake.triage]
        self.inbox_worker.stages = stages
        hook = make_hook(self.sessions, self.ws, self.notify_outbox)
        content_hook = make_content_hook(self.sessions, self.ws, self.notify_outbox)
        for worker in self.outbox_workers:
            worker.hooks += [hook, content_hook]
        self._tasks.append(self.inbox_worker.run)
        self._tasks.extend(worker.run for worker in self.outbox_workers)
        self._tasks.append(self.watchdog.run)
        self._tasks.append(self.content.run)

    def _add_vk(self, community: VkCommunity) -> None:
        url = self.settings.vk_api_url
        group_api = make_group_api(community.group_token.value, url)
        self.vk_apis[community.group_id] = group_api
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
        """Check the token, learn about the moderators' chat, then poll."""
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
        await self._learn_workspace(bot)
        log.info("Telegram: polling as @%s (id %s)", me.username, me.id)
        await self.telegram_poller.run(stop)

    async def _learn_workspace(self, bot: Bot) -> None:
        chat_id = self.ws.moderators_chat_id
        if chat_id is None:
            log.warning("STEWARD_MODERATORS_CHAT is not set: tickets are kept but no cards posted")
            return
        try:
            chat = await bot.get_chat(chat_id)
            self.ws.is_forum = bool(chat.is_forum)
        except TelegramAPIError as error:
            log.warning("cannot read the moderators' chat %s: %s", chat_id, error.message)

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
