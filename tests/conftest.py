"""Shared fixtures: real databases (SQLite file, throwaway PostgreSQL database) and sandboxes."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from models.db import make_engine, make_sessionmaker, migrate

# Fixtures shared across modules: a classifier trained once per session, and the
# whole application running against both sandboxes.
pytest_plugins = ["tests.classifier_fixtures", "tests.workspace_fixtures"]

PG_HOST = os.environ.get("STEWARD_TEST_PG_HOST", "127.0.0.1")
PG_ADMIN_DSN = f"postgresql://postgres@{PG_HOST}:5432/test"
# CI sets this so that PostgreSQL tests fail rather than skip when the server is missing.
REQUIRE_POSTGRES = os.environ.get("STEWARD_REQUIRE_POSTGRES") == "1"


async def _postgres_reachable() -> str | None:
    try:
        import asyncpg

        connection = await asyncio.wait_for(asyncpg.connect(PG_ADMIN_DSN), timeout=5)
        await connection.close()
        return None
    except Exception as error:  # any failure means "not here"
        return f"{type(error).__name__}: {error}"


_pg_checked: list[str | None] = []


async def require_postgres() -> None:
    """Skip (or, in CI, fail) unless PostgreSQL at 127.0.0.1:5432 answers; checked once."""
    if not _pg_checked:
        _pg_checked.append(await _postgres_reachable())
    problem = _pg_checked[0]
    if problem is None:
        return
    message = f"PostgreSQL at {PG_HOST}:5432 (user postgres, database test) unreachable: {problem}"
    if REQUIRE_POSTGRES:
        pytest.fail(message)
    pytest.skip(message)


async def create_pg_database() -> str:
    import asyncpg

    name = f"steward_t_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return name


async def drop_pg_database(name: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: object) -> AsyncIterator[str]:
    """A fresh, empty database URL: a SQLite file, and a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/steward.db"
        return
    await require_postgres()
    name = await create_pg_database()
    try:
        yield f"postgresql+asyncpg://postgres@{PG_HOST}:5432/{name}"
    finally:
        await drop_pg_database(name)


@pytest.fixture
async def sqlite_url(tmp_path: object) -> str:
    return f"sqlite+aiosqlite:///{tmp_path}/steward.db"


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    await migrate(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
async def sqlite_engine(sqlite_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(sqlite_url)
    await migrate(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)
