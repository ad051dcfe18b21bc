"""`steward run`: poll the platforms and serve the moderators until stopped."""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any

from bot.commands._common import add_command, run_until_signal
from bot.config import SETTINGS_DOC

log = logging.getLogger("steward")


def register(subparsers: Any) -> None:
    add_command(
        subparsers,
        "run",
        summary="run Steward: poll Telegram and VK, triage, and send through the outbox",
        description=(
            "Runs Steward until Ctrl-C: applies database migrations, long-polls every "
            "configured Telegram bot and VK community into the inbox, processes each "
            "event, and delivers queued actions through the outbox with retries and "
            "rate limits."
        ),
        settings=[name for name, _ in SETTINGS_DOC],
        handler=run,
    )


def run(args: argparse.Namespace) -> int:
    from bot.config import load_settings

    settings = load_settings()
    settings.require_platform()  # before the slow imports, so a mistake is reported at once

    from bot.app import Steward
    from bot.logs import setup_logging

    secrets = [s.value for s in _secrets(settings)]
    setup_logging(settings.log_level, secrets)
    steward = Steward(settings)

    async def main(stop: asyncio.Event) -> int:
        await steward.prepare()
        log.info("Steward is running (database %s); Ctrl-C stops it", _safe_url(settings))
        await steward.run(stop)
        log.info("Steward stopped")
        return 0

    return run_until_signal(main)


def _secrets(settings: Any) -> list[Any]:
    found = [settings.telegram_token] if settings.telegram_token else []
    for community in settings.vk_communities:
        found.append(community.group_token)
        if community.user_token:
            found.append(community.user_token)
    return found


def _safe_url(settings: Any) -> str:
    """The database URL without a password."""
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)
