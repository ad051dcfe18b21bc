"""Where posts go: the targets, their names, and their publishing settings.

Targets are every Telegram channel where the bot is an admin (learned from the
`my_chat_member` update Telegram sends when the bot is added; `record_community`
keeps the `communities` row) and every VK community Steward serves. Each has a
`ContentTarget` row with its slots, time zone and ratio policy; a missing value
means the default (slots 10:00, 14:00, 19:00; the workspace time zone; the
default `RatioPolicy`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.communities import upsert_community
from bot.policy.promo import RatioPolicy
from bot.policy.slots import DEFAULT_SLOTS, Slots, parse_slots
from bot.tickets.settings import load_policy
from models import Community, ContentTarget, utcnow

PLATFORM_WORDS = {"tg": "telegram", "telegram": "telegram", "vk": "vk"}


def target_key(community: Community) -> str:
    """The stable name of a target in stats and commands, e.g. `vk:2000001`."""
    short = "tg" if community.platform == "telegram" else community.platform
    return f"{short}:{community.external_id}"


def stats_key(community: Community) -> str:
    """The key of a target in `steward stats --json`, e.g. `telegram:-1001000000003`."""
    return f"{community.platform}:{community.external_id}"


def target_label(community: Community) -> str:
    """How messages name a target: its title and key."""
    title = community.title or ("VK community" if community.platform == "vk" else "channel")
    return f"{title} ({target_key(community)})"


async def ensure_vk_targets(session: AsyncSession, group_ids: Iterable[int]) -> None:
    """Make sure each configured VK community has its `communities` row."""
    for group_id in group_ids:
        await upsert_community(
            session, platform="vk", external_id=str(group_id), kind="vk_community"
        )


async def list_targets(session: AsyncSession) -> list[Community]:
    """Every place a post may go, Telegram first, in a stable order."""
    found = await session.scalars(
        select(Community)
        .where(
            or_(
                (Community.platform == "telegram")
                & (Community.kind == "channel")
                & Community.bot_is_admin.is_(True),
                (Community.platform == "vk") & (Community.kind == "vk_community"),
            )
        )
        .order_by(Community.platform, Community.id)
    )
    return list(found)


def select_targets(available: Sequence[Community], names: Sequence[str]) -> list[Community]:
    """The targets `to …` names: `tg`/`vk` (all of a platform), `vk:2000001`, an id, or a
    word of the title. Raises ValueError naming the known targets."""
    if not available:
        raise ValueError(
            "There is nowhere to post yet: add the bot as an admin of a Telegram channel, "
            "or configure a VK community."
        )
    if not names:
        return list(available)
    chosen: list[Community] = []
    for name in names:
        matches = _matching(available, name.strip())
        if not matches:
            known = ", ".join(target_key(c) for c in available)
            raise ValueError(f"No target called '{name}'. Targets: {known} (or tg, vk).")
        chosen += [match for match in matches if match not in chosen]
    return chosen


def _matching(available: Sequence[Community], name: str) -> list[Community]:
    lowered = name.lower()
    if lowered in PLATFORM_WORDS:
        return [c for c in available if c.platform == PLATFORM_WORDS[lowered]]
    exact = [
        c
        for c in available
        if lowered in (target_key(c).lower(), stats_key(c).lower(), c.external_id.lower())
    ]
    if exact:
        return exact
    return [c for c in available if lowered and lowered in c.title.lower().split()]


async def settings_of(
    session: AsyncSession, community: Community, *, create: bool = True
) -> ContentTarget:
    """The target's settings row, created with the defaults on first use (or, for
    readers such as `steward stats`, a default row that is not stored)."""
    settings = await session.scalar(
        select(ContentTarget).where(ContentTarget.community_id == community.id)
    )
    if settings is None:
        settings = ContentTarget(community_id=community.id, auto_slots=False, ratio_policy={})
        if create:
            session.add(settings)
            await session.flush()
    return settings


def zone_named(name: str) -> ZoneInfo:
    """A time zone by IANA name; ValueError with a sentence if unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"Unknown time zone '{name}': use a name like Europe/Moscow or Asia/Yekaterinburg."
        ) from None


async def workspace_zone(session: AsyncSession) -> str:
    """The workspace's time zone (`/hours tz`), the default for every target."""
    return (await load_policy(session)).calendar.timezone


@dataclass(frozen=True)
class TargetSetup:
    """Everything the planner needs to know about one target."""

    community: Community
    settings: ContentTarget
    zone: ZoneInfo
    slots: Slots
    policy: RatioPolicy

    @property
    def zone_name(self) -> str:
        return str(self.zone.key)


def slots_from_json(value: object) -> Slots | None:
    """Stored slots (a list of "HH:MM", or per weekday) back into planner slots."""
    if isinstance(value, list) and value:
        return parse_slots(" ".join(str(item) for item in value))
    if isinstance(value, dict) and value:
        return {
            int(day): parse_slots(" ".join(times)) if times else () for day, times in value.items()
        }
    return None


def slots_to_json(slots: Sequence[time]) -> list[str]:
    return [f"{slot:%H:%M}" for slot in slots]


async def setup_of(
    session: AsyncSession,
    community: Community,
    default_zone: str | None = None,
    *,
    create: bool = True,
) -> TargetSetup:
    """The target's effective slots, zone and policy (defaults filled in)."""
    settings = await settings_of(session, community, create=create)
    zone_name = settings.timezone or default_zone or await workspace_zone(session)
    slots: Slots = DEFAULT_SLOTS
    if settings.auto_slots:
        slots = slots_from_json(settings.suggested_slots) or DEFAULT_SLOTS
    else:
        slots = slots_from_json(settings.slots) or DEFAULT_SLOTS
    return TargetSetup(
        community=community,
        settings=settings,
        zone=zone_named(zone_name),
        slots=slots,
        policy=RatioPolicy.from_dict(settings.ratio_policy or {}),
    )


def touch(settings: ContentTarget, who: str, now: datetime | None = None) -> None:
    """Record who changed a target's settings, and when."""
    settings.updated_by = who
    settings.updated_at = now or utcnow()
