"""VK Bots Long Poll into the inbox, from a thread (vk_api is synchronous).

The thread waits on `a_check`; each answer's events and the new `ts` are stored
in one transaction on the asyncio loop before the next `a_check`. A restart
resumes from the stored `ts` (VK replays what came after it), and events that
arrive twice hit the inbox's unique key. `failed` 1/2/3 are handled by
vk_api's `VkBotLongPoll`; network errors and malformed answers by backoff and a
fresh long-poll server, still from the stored `ts`.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import requests
import vk_api
from vk_api.bot_longpoll import VkBotLongPoll
from vk_api.exceptions import ApiError, ApiHttpError, VkApiError

from bot import leases
from bot.aio import sleep_or_stop
from bot.backoff import backoff_delay
from bot.inbox import load_cursor, store_batch
from bot.platforms.vk.normalize import normalize_event

log = logging.getLogger(__name__)

LEASE_TTL = 90.0


class RawBotLongPoll(VkBotLongPoll):
    """vk_api's long poll, handing events over as the dicts VK sent.

    Our own `normalize_event` reads them, so one odd event cannot break the
    whole answer the way a parsing error inside vk_api would.
    """

    def _parse_event(self, raw_event: Any) -> Any:
        return raw_event


class VkPoller:
    """Long-polls one VK community; `on_stored` wakes the inbox worker."""

    def __init__(
        self,
        api: vk_api.VkApi,
        group_id: int,
        sessions: Any,
        *,
        wait: int = 25,
        on_stored: Callable[[], None] | None = None,
        trust_env: bool = True,
    ) -> None:
        self.api = api
        self.group_id = group_id
        self.sessions = sessions
        self.wait = wait
        self.on_stored = on_stored or (lambda: None)
        self.trust_env = trust_env
        self.name = f"vk:{group_id}"
        self.holder = leases.make_holder()
        self.batches = 0
        # Set once the long-poll server is known: events from then on will arrive.
        self.connected = threading.Event()

    async def run(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            if await leases.acquire(self.sessions, self.name, self.holder, LEASE_TTL):
                break
            log.info("another Steward process polls %s; waiting for its lease", self.name)
            await sleep_or_stop(stop, LEASE_TTL / 3)
        else:
            return
        halt = threading.Event()
        done: Future[None] = Future()

        def target() -> None:
            try:
                self._poll_forever(loop, halt)
            finally:
                done.set_result(None)

        # A daemon thread: a long poll parked in `requests` must not hold up shutdown.
        threading.Thread(target=target, name=f"vk-longpoll-{self.group_id}", daemon=True).start()
        await stop.wait()
        halt.set()
        try:
            await asyncio.wait_for(asyncio.wrap_future(done), timeout=2.0)
        except TimeoutError:
            log.info("%s: long poll still parked; leaving it to end with the process", self.name)
        await leases.release(self.sessions, self.name, self.holder)

    def _on_loop(self, loop: asyncio.AbstractEventLoop, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result()

    def _connect(self, loop: asyncio.AbstractEventLoop) -> RawBotLongPoll:
        longpoll = RawBotLongPoll(self.api, self.group_id, wait=self.wait)
        longpoll.session.trust_env = self.trust_env
        stored = self._on_loop(loop, load_cursor(self.sessions, self.name))
        if stored:
            longpoll.ts = stored  # resume after the last stored event, not "from now"
        return longpoll

    def _poll_forever(self, loop: asyncio.AbstractEventLoop, halt: threading.Event) -> None:
        longpoll: RawBotLongPoll | None = None
        failures = 0
        while not halt.is_set():
            try:
                if longpoll is None:
                    longpoll = self._connect(loop)
                    if not self.connected.is_set():
                        log.info("VK: polling community %s", self.group_id)
                    self.connected.set()
                before = longpoll.ts
                events = longpoll.check()
                if halt.is_set():
                    return
                if events or longpoll.ts != before:
                    self._store(loop, events, str(longpoll.ts))
                failures = 0
                if self.batches % 20 == 0:
                    self._on_loop(
                        loop, leases.acquire(self.sessions, self.name, self.holder, LEASE_TTL)
                    )
            except (ApiError, ApiHttpError, VkApiError) as error:
                failures += 1
                longpoll = None
                self._pause(halt, failures, f"VK API error: {error}")
            except (requests.RequestException, ValueError, KeyError, TypeError) as error:
                # Network trouble or an answer that is not the expected JSON.
                failures += 1
                longpoll = None
                self._pause(halt, failures, f"{type(error).__name__}: {error}")
            except RuntimeError:
                if loop.is_closed() or halt.is_set():
                    return  # the event loop is gone: Steward is shutting down
                log.exception("%s: long poll loop failed", self.name)
                failures += 1
                longpoll = None
                self._pause(halt, failures, "internal error")

    def _store(self, loop: asyncio.AbstractEventLoop, events: list[Any], ts: str) -> None:
        normalised = [normalize_event(raw, self.group_id) for raw in events]
        for event in normalised:
            if event.status == "error":
                log.warning("%s: stored an unreadable event: %s", self.name, event.status_detail)
        new_ids = self._on_loop(loop, store_batch(self.sessions, normalised, self.name, ts))
        self.batches += 1
        if new_ids:
            loop.call_soon_threadsafe(self.on_stored)

    def _pause(self, halt: threading.Event, failures: int, reason: str) -> None:
        delay = backoff_delay(failures, base=1.0, cap=30.0)
        log.warning("%s: long poll failed (%s); retrying in %.1f s", self.name, reason[:300], delay)
        halt.wait(delay)
