"""`steward demo` from start to finish: everything in one process, nothing to set up.

1. load the classifier (trained once, with a progress bar, if there is no model yet);
2. start the Telegram and VK sandboxes (on the asked ports, or free ones if busy) and
   create the sample chats and community;
3. run Steward on a fresh SQLite file, with short SLA targets so that reminders and
   escalations happen within the first minutes;
4. let the simulated members write and the simulated moderators work, and refresh the
   summary every couple of seconds;
5. at the end of --duration or on Ctrl-C: stop the members and moderators, give
   Steward a few seconds to handle what is already in, stop Steward and the sandboxes,
   and print the final summary.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TextIO

import aiohttp
from dotenv import dotenv_values
from sqlalchemy import func, select

from bot.aio import sleep_or_stop
from bot.config import Settings, load_settings
from bot.demo.client import SandboxClient
from bot.demo.figures import Figures, read_figures
from bot.demo.members import MemberSimulator
from bot.demo.moderators import ModeratorSimulator
from bot.demo.plan import plan
from bot.demo.script import MODERATOR_HELLOS
from bot.demo.summary import LiveView, Snapshot, render_block, where_to_look
from bot.logs import RedactingFormatter
from bot.sandbox import sample
from bot.sandbox.sample import create_sample
from models import InboundRecord, OutboxItem, utcnow

log = logging.getLogger(__name__)

DEMO_TELEGRAM_TOKEN = "1000001:steward-demo"  # the sandbox accepts any well-formed token
REFRESH_SECONDS = 2.0
DRAIN_SECONDS = 8.0  # at most this long for Steward to finish what is already in
VK_CONNECT_SECONDS = 30.0
# Settings the demo takes from the environment or .env; everything else is its own.
PASSED_THROUGH = ("STEWARD_MODEL_PATH", "STEWARD_LOG_LEVEL", "STEWARD_DRY_RUN")
# Short targets, counted around the clock, so the demo shows reminders and escalations.
DEMO_SLA: dict[str, dict[str, str]] = {
    "complaint": {"first": "45s", "next": "90s", "resolve": "10m", "hours": "calendar"},
    "purchase": {"first": "60s", "next": "2m", "resolve": "10m", "hours": "calendar"},
    "support": {"first": "90s", "next": "3m", "resolve": "15m", "hours": "calendar"},
    "needs_triage": {"first": "2m", "next": "3m", "resolve": "15m", "hours": "calendar"},
    "praise": {"first": "2m", "next": "3m", "resolve": "15m", "hours": "calendar"},
    "other": {"first": "2m", "next": "3m", "resolve": "15m", "hours": "calendar"},
}


@dataclass(frozen=True)
class DemoOptions:
    """What `steward demo` was asked to do."""

    duration: float = 120.0  # seconds; 0 = until Ctrl-C
    rate: float = 40.0  # member messages a minute
    seed: int | None = None  # None: a random one, printed so the run can be replayed
    telegram_port: int = 8081
    vk_port: int = 8082
    database: Path | None = None  # None: steward-demo.db in a new temporary directory
    host: str = "127.0.0.1"


class DemoError(Exception):
    """The demo cannot start; the message says why and what to do."""


def inherited_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The few settings the demo honours: from `.env`, overridden by the environment."""
    merged: dict[str, str] = {}
    if Path(".env").is_file():
        merged.update({k: v for k, v in dotenv_values(".env").items() if v is not None})
    merged.update(os.environ if environ is None else environ)
    return {key: merged[key] for key in PASSED_THROUGH if merged.get(key)}


def demo_settings(
    base: Mapping[str, str], telegram_url: str, vk_url: str, database: Path
) -> Settings:
    """Settings that point Steward at the sandboxes' sample set-up and the demo database."""
    return load_settings(
        {
            **base,
            "TELEGRAM_BOT_TOKEN": DEMO_TELEGRAM_TOKEN,
            "TELEGRAM_API_URL": telegram_url,
            "STEWARD_MODERATORS_CHAT": str(sample.MODERATORS_CHAT),
            "STEWARD_ADMINS": str(sample.ADMIN["id"]),
            "VK_GROUP_ID": str(sample.VK_GROUP_ID),
            "VK_GROUP_TOKEN": sample.VK_GROUP_TOKEN,
            "VK_USER_TOKEN": sample.VK_ADMIN_TOKEN,
            "VK_API_URL": vk_url,
            "STEWARD_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            "STEWARD_POLL_TIMEOUT": "2",  # short polls: a quick, clean stop
        },
        env_file=None,
    )


def fresh_database(requested: Path | None) -> Path:
    """The demo's SQLite file: the one asked for (it must not exist yet) or a temporary one."""
    if requested is None:
        return Path(tempfile.mkdtemp(prefix="steward-demo-")) / "steward-demo.db"
    path = requested.expanduser().resolve()
    if path.exists():
        raise DemoError(
            f"{path} already exists; the demo starts from a fresh database: "
            "give --database a new file name, or leave it out for a temporary one"
        )
    if not path.parent.is_dir():
        raise DemoError(f"the folder {path.parent} does not exist; create it or pick another")
    return path


async def start_server(server: Any, host: str, port: int, name: str, out: TextIO) -> str:
    """Start a sandbox on `port`, or on a free port (and say so) when that one is taken."""
    try:
        return str(await server.start(host, port))
    except OSError as error:
        await server.stop()
        if port == 0:
            raise DemoError(f"cannot start the {name} sandbox: {error.strerror}") from error
    url = str(await server.start(host, 0))
    print(f"Port {port} is busy: the {name} sandbox runs at {url} instead.", file=out)
    return url


def model_exists(settings: Settings) -> bool:
    return Path(settings.model_path).is_file()


def log_to_file(path: Path, level: str, secrets: list[str]) -> None:
    """Steward's own log goes to a file: the terminal belongs to the summary."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)


async def store_demo_sla(app: Any) -> None:
    from bot.tickets.settings import set_value

    async with app.sessions() as session, session.begin():
        await set_value(session, "sla", DEMO_SLA, "steward demo")


async def drain(app: Any, seconds: float) -> None:
    """Wait (bounded) until every stored event is processed and every action due is sent.

    Actions held back for a later moment (Telegram's 20-a-minute limit on the moderators'
    chat, retries with backoff) are not waited for: they would only stretch the ending.
    """
    deadline = time.monotonic() + seconds
    quiet = 0
    while time.monotonic() < deadline and quiet < 2:
        soon = utcnow() + timedelta(seconds=1)
        async with app.sessions() as session:
            unprocessed = await session.scalar(
                select(func.count(InboundRecord.id)).where(InboundRecord.status == "new")
            )
            unsent = await session.scalar(
                select(func.count(OutboxItem.id)).where(
                    (OutboxItem.status == "sending")
                    | ((OutboxItem.status == "pending") & (OutboxItem.next_attempt_at <= soon))
                )
            )
        quiet = quiet + 1 if not unprocessed and not unsent else 0
        await asyncio.sleep(0.25)


class Demo:
    """One run of the demo; `run(stop)` returns the exit status."""

    def __init__(self, options: DemoOptions, out: TextIO) -> None:
        self.options = options
        self.out = out
        self.seed = options.seed if options.seed is not None else random.randrange(1, 100_000)
        self.figures: Figures | None = None
        self.members: MemberSimulator | None = None
        self.moderators: ModeratorSimulator | None = None
        self.started = 0.0  # monotonic time the members started
        self.elapsed: float | None = None  # set when they stop

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    async def run(self, stop: asyncio.Event) -> int:
        from bot.sandbox.telegram import TelegramSandbox
        from bot.sandbox.vk import VkSandbox

        options = self.options
        base = inherited_environment()
        preliminary = load_settings(base, env_file=None)  # a bad inherited value stops us here
        database = fresh_database(options.database)
        classifier = await self._classifier(preliminary)
        if stop.is_set():
            return 0
        telegram, vk = TelegramSandbox(), VkSandbox()
        try:
            telegram_url = await start_server(
                telegram, options.host, options.telegram_port, "Telegram", self.out
            )
            vk_url = await start_server(vk, options.host, options.vk_port, "VK", self.out)
            await create_sample(telegram_url, vk_url)
            settings = demo_settings(base, telegram_url, vk_url, database)
            log_path = database.with_suffix(".log")
            log_to_file(log_path, settings.log_level, [DEMO_TELEGRAM_TOKEN])
            self._introduce(telegram_url, vk_url, database, log_path)
            await self._with_steward(settings, classifier, telegram_url, vk_url, stop)
        finally:
            await vk.stop()
            await telegram.stop()
        self._farewell(database)
        return 0

    async def _classifier(self, settings: Settings) -> Any:
        from bot.app import load_classifier

        if not model_exists(settings):
            self.say(
                f"Training the classifier — this happens once (about a minute); the model is "
                f"saved to {settings.model_path} and reused next time."
            )
        return await asyncio.to_thread(load_classifier, settings)

    def _introduce(self, telegram_url: str, vk_url: str, database: Path, log_path: Path) -> None:
        options = self.options
        length = "until Ctrl-C" if options.duration <= 0 else f"for {options.duration:g} s"
        self.say(
            f"Steward demo: a simulated community on Telegram and VK, {length}, "
            f"about {options.rate:g} member messages a minute (seed {self.seed}; "
            f"--seed {self.seed} replays the same members)."
        )
        self.say(
            "Members ask, complain, praise, chat and spam in a Telegram group, channel "
            "comments, DMs and on a VK wall; moderators Boris and Carol take and answer "
            "cards in the moderators' chat and leave some to run past their (short) targets."
        )
        self.say(f"Telegram sandbox {telegram_url} · VK sandbox {vk_url}")
        self.say(f"Database {database} · Steward's log {log_path}")
        for line in where_to_look(telegram_url, vk_url):
            self.say(line)
        self.say()

    async def _with_steward(
        self,
        settings: Settings,
        classifier: Any,
        telegram_url: str,
        vk_url: str,
        stop: asyncio.Event,
    ) -> None:
        from bot.app import Steward

        app = Steward(settings, classifier=classifier)
        app.watchdog.interval = 2.0  # short targets want a watchdog that looks often
        await app.prepare()
        await store_demo_sla(app)
        app_stop = asyncio.Event()
        steward = asyncio.create_task(app.run(app_stop))
        try:
            await self._vk_connected(app, stop)
            async with aiohttp.ClientSession() as http:
                client = SandboxClient(http, telegram_url, vk_url)
                await self._moderators_arrive(client)
                await self._simulate(app, client, stop)
                self.say()
                await drain(app, DRAIN_SECONDS)
                self.figures = await read_figures(app.sessions)
        finally:
            app_stop.set()
            await steward

    async def _vk_connected(self, app: Any, stop: asyncio.Event) -> None:
        """Members start once VK's long poll listens (bounded; Ctrl-C is heard meanwhile)."""
        deadline = time.monotonic() + VK_CONNECT_SECONDS
        while not stop.is_set() and time.monotonic() < deadline:
            if all(poller.connected.is_set() for poller in app.vk_pollers):
                return
            await asyncio.sleep(0.1)

    async def _moderators_arrive(self, client: SandboxClient) -> None:
        """Writing once in the moderators' chat is how Steward learns who its moderators are."""
        for moderator, hello in zip(sample.MODERATORS, MODERATOR_HELLOS, strict=True):
            await client.telegram_say(sample.MODERATORS_CHAT, moderator, hello)

    async def _simulate(self, app: Any, client: SandboxClient, stop: asyncio.Event) -> None:
        options = self.options
        members = MemberSimulator(client, plan(self.seed, options.rate))
        moderators = ModeratorSimulator(client, random.Random(self.seed + 1))
        self.members, self.moderators = members, moderators
        simulation_stop = asyncio.Event()
        self.started = time.monotonic()
        self.elapsed = None
        tasks = [
            asyncio.create_task(members.run(simulation_stop)),
            asyncio.create_task(moderators.run(simulation_stop)),
        ]
        view = LiveView(self.out)
        try:
            while not stop.is_set():
                elapsed = time.monotonic() - self.started
                if 0 < options.duration <= elapsed:
                    break
                await self._refresh(app, view)
                left = options.duration - elapsed if options.duration > 0 else REFRESH_SECONDS
                await sleep_or_stop(stop, min(REFRESH_SECONDS, left))
        finally:
            simulation_stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
            self.elapsed = time.monotonic() - self.started
            view.show(self._snapshot("finishing"))
            view.release()

    async def _refresh(self, app: Any, view: LiveView) -> None:
        try:
            self.figures = await read_figures(app.sessions)
        except Exception:  # a busy database this once: the next refresh will do
            log.debug("could not read the figures", exc_info=True)
        view.show(self._snapshot("running"))

    def _snapshot(self, phase: str) -> Snapshot:
        assert self.members is not None and self.moderators is not None
        elapsed = self.elapsed if self.elapsed is not None else time.monotonic() - self.started
        return Snapshot(
            elapsed=elapsed,
            duration=self.options.duration,
            seed=self.seed,
            rate=self.options.rate,
            figures=self.figures,
            members=self.members.tally,
            moderators=self.moderators.tally,
            phase=phase,
        )

    def _farewell(self, database: Path) -> None:
        if self.members is None:
            return  # stopped before the members started
        self.say("Final summary")
        for line in render_block(self._snapshot("finished")):
            self.say("  " + line)
        self.say()
        self.say(f"The demo's database stays at {database}; to look at it again:")
        self.say(f"  STEWARD_DATABASE_URL=sqlite+aiosqlite:///{database} steward stats")


async def run_demo(options: DemoOptions, stop: asyncio.Event, out: TextIO) -> int:
    """Run the demo until its duration ends or `stop` is set; returns the exit status."""
    return await Demo(options, out).run(stop)
