"""Who may act: staff records, roles, and keeping them in step with the moderators' chat."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Staff

ROLES = ("moderator", "lead", "admin")
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}


def has_role(staff: Staff | None, needed: str) -> bool:
    """Active staff with at least the `needed` role (admin ⊃ lead ⊃ moderator)."""
    return bool(staff and staff.active and ROLE_RANK[staff.role] >= ROLE_RANK[needed])


async def find(session: AsyncSession, telegram_user_id: int) -> Staff | None:
    return await session.scalar(select(Staff).where(Staff.telegram_user_id == telegram_user_id))


async def register(
    session: AsyncSession,
    telegram_user_id: int,
    *,
    name: str = "",
    username: str | None = None,
    language: str | None = None,
    role: str = "moderator",
) -> Staff:
    """Create a staff record, or refresh its name; never lowers a role or revives a removal."""
    staff = await find(session, telegram_user_id)
    if staff is None:
        staff = Staff(
            telegram_user_id=telegram_user_id,
            display_name=name,
            username=username,
            role=role,
            languages=[],
            ui_language=language or "en",
            on_shift=True,
            active=True,
            capacity=10,
        )
        session.add(staff)
    else:
        staff.display_name = name or staff.display_name
        staff.username = username or staff.username
        if ROLE_RANK[role] > ROLE_RANK[staff.role]:
            staff.role = role
    await session.flush()
    return staff


async def seed_admins(session: AsyncSession, admin_ids: Iterable[int]) -> None:
    """STEWARD_ADMINS are admins from the start."""
    for user_id in admin_ids:
        staff = await register(session, user_id, role="admin")
        staff.active = True


async def all_staff(session: AsyncSession) -> list[Staff]:
    return list(await session.scalars(select(Staff).order_by(Staff.id)))


def mention(staff: Staff) -> str:
    """How a card or reminder names someone (a Telegram @username, else the name)."""
    if staff.username:
        return f"@{staff.username}"
    return staff.display_name or f"id{staff.telegram_user_id}"
