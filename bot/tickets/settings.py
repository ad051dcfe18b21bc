"""Policy as data: the triage table, SLA targets and business hours, stored in `settings`.

Defaults come from `bot.policy`; an admin's `/sla set` or `/hours` writes a
JSON value that is merged over them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.policy.business_hours import BusinessCalendar
from bot.policy.sla import SlaPolicies
from bot.policy.triage import TriagePolicy
from models import Setting, utcnow


@dataclass(frozen=True)
class WorkspacePolicy:
    """Everything the ticket flow needs to decide, read once per event."""

    triage: TriagePolicy
    sla: SlaPolicies
    calendar: BusinessCalendar
    grouping_hours: float = 24.0  # a follow-up within this adds to the open ticket
    reopen_days: float = 7.0  # a follow-up within this reopens a resolved ticket


async def get_value(session: AsyncSession, key: str) -> dict[str, Any] | None:
    setting = await session.get(Setting, key)
    return dict(setting.value) if setting is not None else None


async def set_value(session: AsyncSession, key: str, value: dict[str, Any], who: str) -> None:
    setting = await session.get(Setting, key)
    if setting is None:
        session.add(Setting(key=key, value=value, updated_by=who, updated_at=utcnow()))
    else:
        setting.value = value
        setting.updated_by = who
        setting.updated_at = utcnow()
    await session.flush()


def community_key(platform: str, community_id: str) -> str:
    """The setting that holds one community's overrides (`sla`, `triage`, `hours`)."""
    return f"community:{platform}:{community_id}"


def _merged(base: dict[str, Any] | None, override: dict[str, Any] | None) -> dict[str, Any]:
    """`override` over `base`, one level deep (per category, per intent)."""
    merged: dict[str, Any] = dict(base or {})
    for key, value in (override or {}).items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


async def load_policy(
    session: AsyncSession, community: tuple[str, str] | None = None
) -> WorkspacePolicy:
    """The workspace's policy, with a community's own overrides on top when given."""
    rows = {s.key: s.value for s in await session.scalars(select(Setting))}
    own: dict[str, Any] = (rows.get(community_key(*community)) or {}) if community else {}
    return WorkspacePolicy(
        triage=TriagePolicy.from_dict(_merged(rows.get("triage"), own.get("triage"))),
        sla=SlaPolicies.from_dict(_merged(rows.get("sla"), own.get("sla"))),
        calendar=BusinessCalendar.from_dict(own.get("hours") or rows.get("hours") or {}),
    )
