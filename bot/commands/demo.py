"""`steward demo`: the whole product on a simulated community, with no tokens and no set-up."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from bot.commands._common import add_command, run_until_signal


def _non_negative(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, got {text}")
    return value


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port from 0 to 65535, got {text}")
    return value


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "demo",
        summary="see Steward work on a simulated community (no tokens needed)",
        description=(
            "Starts the Telegram and VK sandboxes, a sample community (a Telegram group, "
            "a channel with comments, a VK wall, a moderators' chat) and Steward on a fresh "
            "SQLite file. Simulated members write questions, complaints, praise, chatter and "
            "spam bursts in Russian and English; simulated moderators take and answer some "
            "cards and leave others to breach their short demo targets. A live summary shows "
            "what Steward did; Ctrl-C stops everything. The classifier is trained once if "
            "there is no model yet."
        ),
        settings=["STEWARD_MODEL_PATH", "STEWARD_LOG_LEVEL", "STEWARD_DRY_RUN"],
        handler=run,
    )
    parser.add_argument(
        "--duration",
        type=_non_negative,
        default=120.0,
        metavar="SECONDS",
        help="how long the members write (default 120; 0 = until Ctrl-C)",
    )
    parser.add_argument(
        "--rate",
        type=_positive,
        default=40.0,
        metavar="MESSAGES_PER_MINUTE",
        help="how many member messages a minute, spam included (default 40)",
    )
    parser.add_argument(
        "--seed", type=int, default=None, help="replay the same members (default: a random seed)"
    )
    parser.add_argument(
        "--telegram-port", type=_port, default=8081, help="Telegram sandbox port (default 8081)"
    )
    parser.add_argument(
        "--vk-port", type=_port, default=8082, help="VK sandbox port (default 8082)"
    )
    parser.add_argument(
        "--database",
        type=Path,
        default=None,
        metavar="PATH",
        help="a new SQLite file for the demo (default: steward-demo.db in a temporary folder)",
    )


def run(args: argparse.Namespace) -> int:
    from bot.demo.runner import DemoError, DemoOptions, run_demo

    options = DemoOptions(
        duration=args.duration,
        rate=args.rate,
        seed=args.seed,
        telegram_port=args.telegram_port,
        vk_port=args.vk_port,
        database=args.database,
    )

    async def main(stop: asyncio.Event) -> int:
        try:
            return await run_demo(options, stop, sys.stdout)
        except DemoError as error:
            print(f"steward demo: {error}", file=sys.stderr)
            return 2

    return run_until_signal(main)
