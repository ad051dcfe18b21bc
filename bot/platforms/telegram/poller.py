"""Long-polling Telegram into the inbox.

Each batch and the next offset are committed in one transaction before the
offset is sent back to Telegram (which is what confirms the batch). A crash at
any point therefore means a re-delivery, and re-delivered updates hit the
inbox's unique key.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiogram import Bot
from aiogram.exceptions import (
    TelegramConflictError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import leases
from bot.aio import sleep_or_stop
from bot.backoff import backoff_delay
from bot.inbox import load_cursor, store_batch
from bot.platforms.telegram.client import ALLOWED_UPDATES, GetRawUpdates
from bot.platforms.telegram.normalize import normalize_update

log = logging.getLogger(__name__)

LEASE_TTL = 60.0
# Telegram repeats a 409 at most every few seconds; back off longer than that.
CONFLICT_BACKOFF = 15.0


def poller_name(bot_id: int) -> str:
    return f"telegram:{bot_id}"


class TelegramPoller:
    """Fetches updates for one bot token and stores them; `on_stored` wakes the worker."""

    def __init__(
        self,
        bot: Bot,
        sessions: async_sessionmaker[AsyncSession],
        *,
        poll_timeout: int = 25,
        on_stored: Callable[[], None] | None = None,
        holder: str | None = None,
    ) -> None:
        self.bot = bot
        self.sessions = sessions
        self.poll_timeout = poll_timeout
        self.on_stored = on_stored or (lambda: None)
        self.name = poller_name(bot.id)
        self.holder = holder or leases.make_holder()
        self.batches = 0

    async def run(self, stop: asyncio.Event) -> None:
        failures = 0
        while not stop.is_set():
            if not await leases.acquire(self.sessions, self.name, self.holder, LEASE_TTL):
                log.info("another Steward process polls %s; waiting for its lease", self.name)
                await sleep_or_stop(stop, LEASE_TTL / 3)
                continue
            try:
                await self.poll_once()
                failures = 0
            except TelegramConflictError:
                log.warning(
                    "Telegram answered 409 Conflict: another program is polling this bot token "
                    "(a second Steward, or a webhook). Retrying in %.0f s.",
                    CONFLICT_BACKOFF,
                )
                await sleep_or_stop(stop, CONFLICT_BACKOFF)
            except TelegramRetryAfter as error:
                log.warning("Telegram asked to wait %s s before polling again", error.retry_after)
                await sleep_or_stop(stop, float(error.retry_after))
            except TelegramUnauthorizedError:
                log.error("Telegram rejected the bot token (401); check TELEGRAM_BOT_TOKEN")
                await sleep_or_stop(stop, 60.0)
            except (TelegramNetworkError, TelegramServerError, TimeoutError, OSError) as error:
                failures += 1
                delay = backoff_delay(failures, base=1.0, cap=30.0)
                log.warning("polling Telegram failed (%s); retry in %.1f s", _brief(error), delay)
                await sleep_or_stop(stop, delay)
            except Exception:  # the poller must outlive any single bad batch
                failures += 1
                delay = backoff_delay(failures, base=1.0, cap=30.0)
                log.exception("unexpected error while polling Telegram; retrying in %.1f s", delay)
                await sleep_or_stop(stop, delay)
        await leases.release(self.sessions, self.name, self.holder)

    async def poll_once(self) -> int:
        """One getUpdates round trip; returns how many new events were stored."""
        cursor = await load_cursor(self.sessions, self.name)
        offset = int(cursor) if cursor else None
        raw_updates = await self.bot(
            GetRawUpdates(
                offset=offset,
                timeout=self.poll_timeout,
                limit=100,
                allowed_updates=ALLOWED_UPDATES,
            ),
            request_timeout=self.poll_timeout + 15,
        )
        if not raw_updates:
            return 0
        events = [normalize_update(raw) for raw in raw_updates]
        update_ids = [raw["update_id"] for raw in raw_updates if _has_update_id(raw)]
        next_offset = max(update_ids) + 1 if update_ids else offset
        new_ids = await store_batch(
            self.sessions,
            events,
            poller=self.name,
            cursor=str(next_offset) if next_offset is not None else None,
        )
        for event in events:
            if event.status == "error":
                log.warning("stored an unreadable Telegram update: %s", event.status_detail)
        self.batches += 1
        if new_ids:
            self.on_stored()
        return len(new_ids)


def _has_update_id(raw: object) -> bool:
    return isinstance(raw, dict) and isinstance(raw.get("update_id"), int)


def _brief(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:300]
