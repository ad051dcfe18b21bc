"""The loop that drains one account's outbox through a platform transport."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.aio import sleep_or_stop
from bot.outbox.outcome import Outcome
from bot.outbox.refs import Unresolved, needs_resolving, resolve
from bot.outbox.store import claim, finish, next_due_at
from models import OutboxItem, utcnow

log = logging.getLogger(__name__)

FinishedHook = Callable[[OutboxItem, str, Outcome], Awaitable[None]]


class Transport(Protocol):
    """A platform's way of performing one outbox item."""

    platform: str
    account: str
    max_attempts: int

    def hold_back(self, item: OutboxItem, now: float) -> float:
        """Seconds our own rate limits want this item to wait; 0 reserves a slot now."""

    async def send(self, item: OutboxItem) -> Outcome:
        """Perform the item once and say what happened; never raises."""


class OutboxWorker:
    """Claims due items, respects the transport's limits, sends lanes concurrently."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        transport: Transport,
        *,
        concurrency: int = 8,
        idle_poll: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sessions = sessions
        self.transport = transport
        self.concurrency = asyncio.Semaphore(concurrency)
        self.idle_poll = idle_poll
        self.clock = clock
        self.hooks: list[FinishedHook] = []
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Something was queued: look now rather than at the next idle poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                handled = await self.drain_once()
            except Exception:  # a database hiccup must not end the sender
                log.exception("outbox %s/%s: drain failed", self.transport.platform, self.account)
                handled = 0
            if handled:
                continue
            await self._idle(stop)

    @property
    def account(self) -> str:
        return self.transport.account

    async def _idle(self, stop: asyncio.Event) -> None:
        due = await next_due_at(
            self.sessions, platform=self.transport.platform, account=self.account
        )
        wait = self.idle_poll
        if due is not None:
            wait = min(wait, max(0.0, (due - utcnow()).total_seconds()))
        self._wake.clear()
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait(
                [waker, asyncio.ensure_future(sleep_or_stop(stop, wait))],
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            waker.cancel()

    async def drain_once(self) -> int:
        """Claim and handle one round of lane heads; returns how many were attempted."""
        items = await claim(self.sessions, platform=self.transport.platform, account=self.account)
        if not items:
            return 0
        attempted = 0
        tasks = []
        for item in items:
            wait = self.transport.hold_back(item, self.clock())
            if wait > 0:
                await self._finish(item, Outcome.deferred(wait))
                continue
            attempted += 1
            tasks.append(asyncio.create_task(self._send(item)))
        if tasks:
            await asyncio.gather(*tasks)
        return attempted

    async def _send(self, item: OutboxItem) -> None:
        async with self.concurrency:
            try:
                if needs_resolving(item.params):
                    async with self.sessions() as session:
                        item.params = await resolve(session, item.params)
                outcome = await self.transport.send(item)
            except Unresolved as error:
                outcome = (
                    Outcome.deferred(1.0)
                    if error.waiting
                    else Outcome.failed(f"cannot be sent: {error}")
                )
            except Exception as error:  # a transport bug must not lose the item
                log.exception("outbox item %s: transport raised", item.id)
                outcome = Outcome.retry(30.0, f"internal error: {type(error).__name__}")
        await self._finish(item, outcome)

    async def _finish(self, item: OutboxItem, outcome: Outcome) -> None:
        status = await finish(
            self.sessions, item, outcome, max_attempts=self.transport.max_attempts
        )
        if status == "failed":
            log.warning(
                "outbox %s %s (%s) failed: %s",
                item.platform,
                item.method,
                item.idempotency_key,
                outcome.error,
            )
        elif outcome.status == "retry":
            log.info(
                "outbox %s %s will retry in %.1f s: %s",
                item.platform,
                item.method,
                outcome.delay,
                outcome.error,
            )
        for hook in self.hooks:
            try:
                await hook(item, status, outcome)
            except Exception:
                log.exception("outbox hook failed for item %s", item.id)
