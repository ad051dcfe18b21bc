"""Outbox params that are completed at send time.

- `{"$result_of": KEY, "path": "message_id"}` anywhere in the params: a value from the
  result of an earlier outbox item (e.g. the id of a card posted before it is
  edited). Lanes keep order, so the earlier item has been sent by then.
- `"$render": {"name": NAME, …}` at the top level: a registered renderer produces
  params (e.g. a ticket card's text and buttons as the ticket is now).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import OutboxItem, utcnow

Renderer = Callable[[AsyncSession, dict[str, Any], datetime], Awaitable[dict[str, Any]]]
RENDERERS: dict[str, Renderer] = {}


class Unresolved(Exception):
    """A reference cannot be completed; `waiting` means "try again shortly"."""

    def __init__(self, message: str, *, waiting: bool = False) -> None:
        super().__init__(message)
        self.waiting = waiting


def register_renderer(name: str, renderer: Renderer) -> None:
    RENDERERS[name] = renderer


def needs_resolving(params: Any) -> bool:
    if isinstance(params, dict):
        return any(str(k).startswith("$") or needs_resolving(v) for k, v in params.items())
    if isinstance(params, list):
        return any(needs_resolving(v) for v in params)
    return False


async def _result_of(session: AsyncSession, key: str, path: str) -> Any:
    item = await session.scalar(select(OutboxItem).where(OutboxItem.idempotency_key == key))
    if item is None:
        raise Unresolved(f"it refers to {key!r}, which was never queued")
    if item.status == "failed":
        raise Unresolved(f"it depends on {key!r}, which failed: {item.last_error}")
    if item.status != "sent":
        raise Unresolved(f"waiting for {key!r}", waiting=True)
    value: Any = item.result or {}
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            raise Unresolved(f"the result of {key!r} has no {path!r}")
        value = value[part]
    return value


async def _walk(session: AsyncSession, value: Any) -> Any:
    if isinstance(value, dict):
        if "$result_of" in value:
            return await _result_of(session, str(value["$result_of"]), str(value.get("path", "")))
        return {k: await _walk(session, v) for k, v in value.items()}
    if isinstance(value, list):
        return [await _walk(session, v) for v in value]
    return value


async def resolve(session: AsyncSession, params: dict[str, Any]) -> dict[str, Any]:
    """Concrete params for the platform call."""
    spec = params.get("$render")
    rest = {k: v for k, v in params.items() if k != "$render"}
    resolved = await _walk(session, rest)
    if isinstance(spec, dict):
        renderer = RENDERERS.get(str(spec.get("name")))
        if renderer is None:
            raise Unresolved(f"no renderer called {spec.get('name')!r}")
        try:
            resolved.update(await renderer(session, spec, utcnow()))
        except LookupError as error:
            raise Unresolved(str(error)) from None
    return resolved
