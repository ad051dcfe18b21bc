"""`steward stats`: counts read straight from the database (safe while Steward runs)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.inbound import MESSAGE_KINDS
from models import InboundRecord, OutboxItem

PLATFORMS = ("telegram", "vk")
OUTBOX_STATUSES = ("pending", "sending", "sent", "failed", "cancelled")


async def _grouped(session: AsyncSession, *columns: Any, where: Any = None) -> list[Any]:
    query = select(*columns, func.count()).group_by(*columns)
    if where is not None:
        query = query.where(where)
    return list((await session.execute(query)).all())


async def collect(sessions: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
    """The `steward stats --json` object (SANDBOX.md lists the stable keys)."""
    async with sessions() as session:
        by_platform = dict.fromkeys(PLATFORMS, 0)
        by_kind = dict.fromkeys(sorted(MESSAGE_KINDS), 0)
        by_status: dict[str, int] = {}
        total = 0
        for platform, kind, status, count in await _grouped(
            session, InboundRecord.platform, InboundRecord.kind, InboundRecord.status
        ):
            total += count
            by_platform[platform] = by_platform.get(platform, 0) + count
            by_kind[kind] = by_kind.get(kind, 0) + count
            by_status[status] = by_status.get(status, 0) + count
        outbox_status = dict.fromkeys(OUTBOX_STATUSES, 0)
        outbox_platform: dict[str, dict[str, int]] = {p: {} for p in PLATFORMS}
        for platform, status, count in await _grouped(
            session, OutboxItem.platform, OutboxItem.status
        ):
            outbox_status[status] = outbox_status.get(status, 0) + count
            outbox_platform.setdefault(platform, {})[status] = count
    return {
        "inbound": {
            "total": total,
            "by_platform": by_platform,
            "by_kind": by_kind,
            "by_status": by_status,
        },
        "outbox": {"by_status": outbox_status, "by_platform": outbox_platform},
    }


def render_text(stats: dict[str, Any]) -> str:
    """The same figures for a person at a terminal."""
    inbound, outbox = stats["inbound"], stats["outbox"]
    lines = [f"Inbound events: {inbound['total']}"]
    lines += [f"  {name:<16} {count}" for name, count in inbound["by_platform"].items()]
    lines.append("  by kind:")
    lines += [f"    {name:<16} {count}" for name, count in sorted(inbound["by_kind"].items())]
    lines.append("Outbox:")
    lines += [f"  {name:<16} {count}" for name, count in outbox["by_status"].items()]
    return "\n".join(lines)
