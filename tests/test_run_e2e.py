"""`steward run` as a real process against the sandbox: killed mid-stream, restarted,
nothing lost and nothing stored twice; `steward stats --json` sees it all."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from bot.sandbox.telegram import TelegramSandbox
from models import InboundRecord
from models.db import make_engine
from tests.sandbox_fixtures import ANN, TG_TOKEN, TgControl

GROUP = -1001000000300


@pytest.fixture
async def sandbox() -> AsyncIterator[TelegramSandbox]:
    server = TelegramSandbox()
    await server.start("127.0.0.1", 0)
    yield server
    await server.stop()


def steward_env(sandbox: TelegramSandbox, workdir: Path, model: Path) -> dict[str, str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("STEWARD_", "TELEGRAM_", "VK_"))
    }
    return {
        **clean,
        "TELEGRAM_BOT_TOKEN": TG_TOKEN,
        "TELEGRAM_API_URL": sandbox.base_url,
        "STEWARD_DATABASE_URL": f"sqlite+aiosqlite:///{workdir}/steward.db",
        "STEWARD_POLL_TIMEOUT": "1",
        "STEWARD_MODEL_PATH": str(model),
    }


def open_log(workdir: Path) -> Any:
    return (workdir / "run.log").open("ab")


async def start_steward(env: dict[str, str], workdir: Path) -> asyncio.subprocess.Process:
    log = open_log(workdir)
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", env=env, cwd=workdir, stdout=log, stderr=log
    )


async def stats(env: dict[str, str], workdir: Path) -> dict[str, Any]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "stats",
        "--json",
        env=env,
        cwd=workdir,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    return json.loads(out)


async def group_messages_stored(workdir: Path) -> int:
    """Read the database the running process writes (WAL lets us read alongside it)."""
    engine = make_engine(f"sqlite+aiosqlite:///{workdir}/steward.db")
    try:
        async with engine.connect() as connection:
            return int(
                await connection.scalar(
                    select(func.count(InboundRecord.id)).where(
                        InboundRecord.kind == "group_message"
                    )
                )
                or 0
            )
    except OperationalError:
        return 0  # not migrated yet
    finally:
        await engine.dispose()


async def wait_for_group_messages(workdir: Path, count: int) -> None:
    for _ in range(300):
        if await group_messages_stored(workdir) >= count:
            return
        await asyncio.sleep(0.3)
    raise AssertionError(f"never saw {count} group messages")


async def test_kill_and_restart_loses_and_duplicates_nothing(
    sandbox: TelegramSandbox, tmp_path: Path, trained_model_path: Path
) -> None:
    env = steward_env(sandbox, tmp_path, trained_model_path)
    async with aiohttp.ClientSession() as http:
        control = TgControl(http, sandbox.base_url)
        await control.chat(GROUP, "supergroup", title="Kill test", members=[ANN])
        process = await start_steward(env, tmp_path)
        try:
            for n in range(20):
                await control.say(GROUP, ANN, f"before kill {n}")
            await wait_for_group_messages(tmp_path, 5)
            # Kill at once, with updates possibly fetched but not yet confirmed.
            for n in range(20, 30):
                await control.say(GROUP, ANN, f"before kill {n}")
            process.send_signal(signal.SIGKILL)
            await process.wait()
            for n in range(30, 40):
                await control.say(GROUP, ANN, f"while down {n}")
            process = await start_steward(env, tmp_path)
            for n in range(40, 50):
                await control.say(GROUP, ANN, f"after restart {n}")
            await wait_for_group_messages(tmp_path, 50)
            await asyncio.sleep(2)  # anything duplicated would show up now
            final = await stats(env, tmp_path)
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                assert await asyncio.wait_for(process.wait(), timeout=60) == 0
    assert final["inbound"]["by_kind"]["group_message"] == 50
    assert final["inbound"]["by_platform"]["telegram"] == final["inbound"]["total"]
    log = (tmp_path / "run.log").read_text()
    assert TG_TOKEN.split(":")[1] not in log
    assert "Traceback" not in log
