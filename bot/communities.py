"""Keeping the `communities` table in step with what the platforms tell us."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Community


async def upsert_community(
    session: AsyncSession,
    *,
    platform: str,
    external_id: str,
    kind: str,
    title: str | None = None,
    **fields: Any,
) -> Community:
    """Find or create the community; update the fields given (None leaves a value alone)."""
    community = await session.scalar(
        select(Community).where(
            Community.platform == platform, Community.external_id == external_id
        )
    )
    if community is None:
        community = Community(
            platform=platform, external_id=external_id, kind=kind, title=title or "", settings={}
        )
        session.add(community)
    else:
        community.kind = kind or community.kind
        if title:
            community.title = title
    for name, value in fields.items():
        if value is not None:
            setattr(community, name, value)
    await session.flush()
    return community


async def title_of(session: AsyncSession, platform: str, external_id: str) -> str:
    """The community's name as Steward knows it ("" when it does not)."""
    title = await session.scalar(
        select(Community.title).where(
            Community.platform == platform, Community.external_id == external_id
        )
    )
    return title or ""
