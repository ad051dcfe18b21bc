"""The numbers the demo shows, read from Steward's database while it runs (read-only).

The core is `bot.stats.collect` — the same object `steward stats --json` prints — plus
two counts it does not carry: messages by the category Steward gave them, and member
replies by delivery status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.stats import collect
from models import Classification, OutboxItem


@dataclass(frozen=True)
class Figures:
    """One reading of Steward's state."""

    stats: dict[str, Any]  # bot.stats.collect(); sections may be missing
    by_category: dict[str, int] = field(default_factory=dict)  # spam wins over the intent
    replies: dict[str, int] = field(default_factory=dict)  # moderators' replies by status


async def read_figures(sessions: async_sessionmaker[AsyncSession]) -> Figures:
    stats = await collect(sessions)
    async with sessions() as session:
        category = Classification.intent
        rows = await session.execute(
            select(Classification.is_spam, category, func.count()).group_by(
                Classification.is_spam, category
            )
        )
        by_category: dict[str, int] = {}
        for is_spam, intent, count in rows.all():
            name = "spam" if is_spam else str(intent)
            by_category[name] = by_category.get(name, 0) + int(count)
        # A moderator's reply to a card is relayed to the member under purpose "relay:<id>".
        replies = await session.execute(
            select(OutboxItem.status, func.count())
            .where(OutboxItem.purpose.like("relay:%"))
            .group_by(OutboxItem.status)
        )
        by_status = {str(status): int(count) for status, count in replies.all()}
    return Figures(stats=stats, by_category=by_category, replies=by_status)
