"""`steward migrate`: bring the database schema up to date."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from bot.commands._common import add_command


def register(subparsers: Any) -> None:
    add_command(
        subparsers,
        "migrate",
        summary="apply database migrations (also done by `steward run` at start)",
        description="Applies every pending Alembic migration to the configured database.",
        settings=["STEWARD_DATABASE_URL"],
        handler=run,
    )


def run(args: argparse.Namespace) -> int:
    from bot.config import load_settings
    from models.db import current_revision, make_engine, migrate

    settings = load_settings()

    async def main() -> str | None:
        engine = make_engine(settings.database_url)
        try:
            await migrate(engine)
            return await current_revision(engine)
        finally:
            await engine.dispose()

    print(f"database is at revision {asyncio.run(main())}")
    return 0
