"""The inbox worker: takes stored events in order and runs them through the stages.

A stage is an async callable `(session, record) -> str | None`; returning a
string stops the event there with that as the reason (e.g. "spam removed").
Every stage is idempotent: a crash mid-event means the event runs again, and
outbox keys derived from the inbound id make its actions happen once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import inbox
from bot.aio import sleep_or_stop
from bot.communities import upsert_community
from models import InboundRecord

log = logging.getLogger(__name__)

Stage = Callable[[AsyncSession, InboundRecord], Awaitable[str | None]]


async def record_community(session: AsyncSession, record: InboundRecord) -> str | None:
    """Remember each chat or community an event came from, and the bot's rights there."""
    if record.community_id == "unknown" or record.kind == "callback":
        return None
    location = record.location or {}
    if record.platform == "telegram":
        chat = _telegram_chat(record)
        if chat is None:
            return None
        fields: dict[str, object] = {}
        if record.kind == "bot_membership":
            status = str(location.get("new_status", "member"))
            fields = {"bot_status": status, "bot_is_admin": status in ("administrator", "creator")}
        await upsert_community(
            session,
            platform="telegram",
            external_id=record.community_id,
            kind=str(chat.get("type", "group")),
            title=str(chat.get("title") or chat.get("first_name") or ""),
            **fields,
        )
    elif record.platform == "vk":
        await upsert_community(
            session, platform="vk", external_id=record.community_id, kind="vk_community"
        )
    return None


def _telegram_chat(record: InboundRecord) -> dict[str, object] | None:
    raw = record.raw or {}
    for key in ("message", "edited_message", "channel_post", "edited_channel_post"):
        if isinstance(raw.get(key), dict):
            return raw[key].get("chat")
    for key in ("my_chat_member", "chat_member"):
        if isinstance(raw.get(key), dict):
            return raw[key].get("chat")
    return None


class InboxWorker:
    """Processes stored events one at a time, in the order they were stored."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        stages: list[Stage] | None = None,
        *,
        idle_poll: float = 1.0,
        on_processed: Callable[[], None] | None = None,
    ) -> None:
        self.sessions = sessions
        self.stages: list[Stage] = stages if stages is not None else [record_community]
        self.idle_poll = idle_poll
        self.on_processed = on_processed or (lambda: None)
        self._wake = asyncio.Event()
        self.processed = 0

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                handled = await self.process_pending()
            except Exception:
                log.exception("inbox worker: could not read pending events")
                handled = 0
            if handled:
                continue
            self._wake.clear()
            waker = asyncio.ensure_future(self._wake.wait())
            sleeper = asyncio.ensure_future(sleep_or_stop(stop, self.idle_poll))
            await asyncio.wait([waker, sleeper], return_when=asyncio.FIRST_COMPLETED)
            waker.cancel()
            sleeper.cancel()

    async def process_pending(self, limit: int = 100) -> int:
        records = await inbox.next_unprocessed(self.sessions, limit=limit)
        for record in records:
            await self.process(record)
        return len(records)

    async def process(self, record: InboundRecord) -> None:
        """Run the stages; their changes and the event's new status commit together.

        A crash mid-event therefore leaves the event `new` with nothing of it applied,
        and it runs again from the start.
        """
        detail = None
        try:
            async with self.sessions() as session, session.begin():
                for stage in self.stages:
                    reason = await stage(session, record)
                    if reason:
                        detail = reason
                        break
                await session.execute(
                    update(InboundRecord)
                    .where(InboundRecord.id == record.id)
                    .values(status="processed", status_detail=detail)
                )
        except Exception as error:
            # One bad event must not stall the ones behind it; it stays visible as `error`.
            log.exception("event %s (%s) failed in the pipeline", record.id, record.event_type)
            await inbox.mark(
                self.sessions, record.id, "error", f"{type(error).__name__}: {error}"[:500]
            )
        self.processed += 1
        self.on_processed()  # stages may have queued platform actions
