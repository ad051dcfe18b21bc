"""`steward stats`: what Steward has seen and done, from its database."""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from bot.commands._common import add_command


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "stats",
        summary="print counts of inbound events and outbox actions",
        description=(
            "Prints counts of stored events by platform and kind, and of outbox actions by "
            "status. Read-only: safe to run while `steward run` is running."
        ),
        settings=["STEWARD_DATABASE_URL"],
        handler=run,
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    from bot.config import load_settings
    from bot.stats import collect, render_text
    from models.db import make_engine, make_sessionmaker, migrate

    settings = load_settings()

    async def main() -> dict[str, Any]:
        engine = make_engine(settings.database_url)
        try:
            # A fresh database has no tables yet: creating them is harmless and idempotent.
            await migrate(engine)
            return await collect(make_sessionmaker(engine))
        finally:
            await engine.dispose()

    stats = asyncio.run(main())
    print(json.dumps(stats, ensure_ascii=False) if args.json else render_text(stats))
    return 0
