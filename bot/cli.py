"""The `steward` command line.

Each sub-command lives in its own module in `bot.commands` and exposes
`register(subparsers)`; the module's parser sets `handler=run` where
`run(args) -> int` returns the exit status. Heavy imports stay inside `run`
so that `steward --help` is instant.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from bot import __version__, commands
from bot.config import ConfigError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="steward",
        description=(
            "Steward reads every comment and direct message of your Telegram and VK "
            "communities, removes spam, and routes what needs a person to your moderators "
            "in Telegram with a response-time target."
        ),
    )
    parser.add_argument("--version", action="version", version=f"steward {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"bot.commands.{module_info.name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    try:
        return int(handler(args) or 0)
    except ConfigError as error:
        # One clear line, never a traceback: the operator fixes the setting and retries.
        print(f"steward: configuration error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
