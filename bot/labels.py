"""Training labels from people: every relabel, Spam and Not spam is kept for `steward train`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from models import TrainingLabel


def store_label(
    session: AsyncSession,
    text: str,
    *,
    who: str,
    at: datetime,
    intent: str | None = None,
    spam: bool | None = None,
) -> None:
    """A moderator's label for `text` (intent and/or spam), in the caller's transaction."""
    session.add(
        TrainingLabel(
            text=text, intent=intent, sentiment=None, spam=spam, who=who, at=at, source="moderator"
        )
    )
