"""`steward sandbox`: the local Telegram and VK servers Steward is tested against."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from bot.commands._common import add_command, run_until_signal


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "sandbox",
        summary="run the local Telegram and VK sandbox servers (no tokens needed)",
        description=(
            "Runs local servers that speak Telegram's Bot API and VK's API, keeping their "
            "state in memory, until Ctrl-C. Point Steward at them with TELEGRAM_API_URL and "
            "VK_API_URL; drive them as members through the control API under /sandbox/ "
            "(see ../shared/SANDBOX.md or the README)."
        ),
        settings=[],
        handler=run,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--telegram-port", type=int, default=8081, help="Telegram port")
    parser.add_argument("--vk-port", type=int, default=8082, help="VK port")
    parser.add_argument(
        "--strict-limits", action="store_true", help="answer 429 / error 6 over the rate limits"
    )
    parser.add_argument(
        "--sample",
        action="store_true",
        help="create the sample chats and VK community that .env.example points at",
    )


def run(args: argparse.Namespace) -> int:
    from bot.sandbox.sample import create_sample
    from bot.sandbox.telegram import TelegramSandbox
    from bot.sandbox.vk import VkSandbox

    async def main(stop: asyncio.Event) -> int:
        telegram = TelegramSandbox(strict_limits=args.strict_limits)
        vk = VkSandbox(strict_limits=args.strict_limits)
        try:
            telegram_url = await telegram.start(args.host, args.telegram_port)
            vk_url = await vk.start(args.host, args.vk_port)
        except OSError as error:
            print(f"steward sandbox: cannot listen: {error.strerror}", file=sys.stderr)
            await telegram.stop()
            return 1
        print(f"Telegram sandbox: {telegram_url}", flush=True)
        print(f"VK sandbox: {vk_url}", flush=True)
        if args.sample:
            for line in await create_sample(telegram_url, vk_url):
                print(f"created {line}", flush=True)
        await stop.wait()
        await vk.stop()
        await telegram.stop()
        return 0

    return run_until_signal(main)
