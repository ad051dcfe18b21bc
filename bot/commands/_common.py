"""What every command shares: its parser with the settings it reads, and async running."""

from __future__ import annotations

import argparse
import asyncio
import signal
from collections.abc import Callable, Coroutine
from typing import Any

from bot.config import SETTINGS_DOC


def add_command(
    subparsers: Any,
    name: str,
    *,
    summary: str,
    description: str,
    settings: list[str],
    handler: Callable[[argparse.Namespace], int],
) -> argparse.ArgumentParser:
    """A sub-command whose --help ends with the settings it reads (never their values)."""
    known = dict(SETTINGS_DOC)
    epilog = ""
    if settings:
        epilog = "settings it reads (environment or .env):\n" + "\n".join(
            f"  {setting:<24} {known.get(setting, '')}" for setting in settings
        )
    parser = subparsers.add_parser(
        name,
        help=summary,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(handler=handler)
    return parser


def run_until_signal(main: Callable[[asyncio.Event], Coroutine[Any, Any, int | None]]) -> int:
    """Run `main(stop)`; SIGINT/SIGTERM set `stop` so it can finish cleanly."""

    async def wrapper() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        return int(await main(stop) or 0)

    return asyncio.run(wrapper())
