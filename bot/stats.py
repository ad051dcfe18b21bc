"""`steward stats` and `/stats`: figures read straight from the database (safe while Steward runs).

`ticket_figures` is the one computation behind both the `tickets` section of
`steward stats --json` and the moderators' `/stats [today|7d|30d]`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.content.planning import PUBLISHED_STATES, history_of
from bot.content.service import setups as content_setups
from bot.content.targets import list_targets, stats_key
from bot.inbound import MESSAGE_KINDS
from bot.policy import sla as sla_policy
from bot.policy.business_hours import BusinessCalendar
from bot.policy.promo import POST_KINDS, current_share
from bot.policy.triage import CATEGORIES
from bot.tickets.settings import load_policy
from models import (
    InboundRecord,
    OutboxItem,
    Post,
    Publication,
    SpamRemoval,
    Ticket,
    TicketEvent,
    utcnow,
)

PLATFORMS = ("telegram", "vk")
OUTBOX_STATUSES = ("pending", "sending", "sent", "failed", "cancelled")
TICKET_STATES = ("new", "assigned", "waiting", "resolved")
# `/stats` periods: "today" starts at local midnight in the community's time zone.
PERIODS: dict[str, timedelta | None] = {
    "today": None,
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
}
DEFAULT_PERIOD = "7d"


async def _grouped(session: AsyncSession, *columns: Any, where: Any = None) -> list[Any]:
    query = select(*columns, func.count()).group_by(*columns)
    if where is not None:
        query = query.where(where)
    return list((await session.execute(query)).all())


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The `fraction` quantile with linear interpolation between the closest ranks.

    With values sorted as v[0..n-1] it is v at position (n - 1) * fraction, interpolated;
    so the median of an even count is the mean of the middle two. None when empty.
    """
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def period_start(period: str, now: datetime, calendar: BusinessCalendar) -> datetime:
    """Where a `/stats` period begins: local midnight for "today", else `now` minus its length."""
    if period not in PERIODS:
        raise ValueError(f"Unknown period {period!r}; use {', '.join(PERIODS)}.")
    length = PERIODS[period]
    if length is not None:
        return now - length
    local = now.astimezone(calendar.zone)
    midnight = datetime.combine(local.date(), time(0), tzinfo=calendar.zone)
    return midnight.astimezone(now.tzinfo)


def first_response_met(
    sla: Mapping[str, Any] | None, calendar: BusinessCalendar, now: datetime
) -> bool | None:
    """Whether a ticket's first reply came within target: True, False, or None (undecided).

    `first_response_met` is recorded with the first reply; a ticket with no reply whose
    first-response clock has run out counts as missed.
    """
    stored = sla or {}
    recorded = stored.get("first_response_met")
    if isinstance(recorded, bool):
        return recorded
    response = stored.get("response")
    if not isinstance(response, Mapping) or response.get("kind") != "first_response":
        return None
    try:
        clock = sla_policy.SlaClock.from_dict(response)
    except (KeyError, ValueError):
        return None  # an unreadable clock is no evidence either way
    return False if sla_policy.evaluate(clock, calendar, now).breached else None


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


async def ticket_figures(
    session: AsyncSession,
    *,
    now: datetime,
    since: datetime | None = None,
    calendar: BusinessCalendar | None = None,
) -> dict[str, Any]:
    """Figures for tickets opened at or after `since` (all tickets when None), as of `now`.

    Keys: total, by_state, by_category, by_platform, answered, response_rate (answered /
    opened), first_response_seconds {median, p90, count}, sla_met, sla_missed,
    sla_hit_rate (met / decided), breaches (SLA breaches recorded since `since`).
    Counts are 0 when zero; rates and times are None with no data.
    """
    if calendar is None:
        calendar = (await load_policy(session)).calendar
    query = select(
        Ticket.state,
        Ticket.category,
        Ticket.platform,
        Ticket.first_response_at,
        Ticket.first_response_seconds,
        Ticket.sla,
    )
    if since is not None:
        query = query.where(Ticket.created_at >= since)
    by_state = dict.fromkeys(TICKET_STATES, 0)
    by_category = dict.fromkeys(CATEGORIES, 0)
    by_platform = dict.fromkeys(PLATFORMS, 0)
    response_times: list[float] = []
    total = answered = met = missed = 0
    for state, category, platform, answered_at, seconds, sla in (
        await session.execute(query)
    ).all():
        total += 1
        by_state[state] = by_state.get(state, 0) + 1
        by_category[category] = by_category.get(category, 0) + 1
        by_platform[platform] = by_platform.get(platform, 0) + 1
        if answered_at is not None:
            answered += 1
        if seconds is not None:
            response_times.append(float(seconds))
        verdict = first_response_met(sla, calendar, now)
        met += verdict is True
        missed += verdict is False
    breach_query = select(func.count(TicketEvent.id)).where(TicketEvent.kind == "sla_breach")
    if since is not None:
        breach_query = breach_query.where(TicketEvent.at >= since)
    breaches = int(await session.scalar(breach_query) or 0)
    return {
        "total": total,
        "by_state": by_state,
        "by_category": by_category,
        "by_platform": by_platform,
        "answered": answered,
        "response_rate": _rounded(answered / total if total else None, 4),
        "first_response_seconds": {
            "median": _rounded(percentile(response_times, 0.5), 1),
            "p90": _rounded(percentile(response_times, 0.9), 1),
            "count": len(response_times),
        },
        "sla_met": met,
        "sla_missed": missed,
        "sla_hit_rate": _rounded(met / (met + missed) if met + missed else None, 4),
        "breaches": breaches,
    }


async def post_figures(
    sessions: async_sessionmaker[AsyncSession], *, now: datetime
) -> dict[str, Any]:
    """The `posts` section: copies published on any target, by kind, and each target's
    promotional share now, over its ratio policy's post window (0.0 with no posts)."""
    async with sessions() as session:
        by_kind = dict.fromkeys(POST_KINDS, 0)
        published = (
            select(Post.kind, func.count())
            .join(Publication, Publication.post_id == Post.id)
            .where(Publication.state.in_(PUBLISHED_STATES))
            .group_by(Post.kind)
        )
        for kind, count in (await session.execute(published)).all():
            by_kind[kind] = count
        shares: dict[str, float] = {}
        targets = await list_targets(session)
        for setup in await content_setups(session, targets, create=False):
            history = await history_of(session, setup.community.id, setup, now)
            snapshot = current_share(setup.policy, history, now)
            window = snapshot.posts_in_window
            share = snapshot.promotional_in_window / window if window else 0.0
            shares[stats_key(setup.community)] = round(share, 4)
    return {"published": sum(by_kind.values()), "by_kind": by_kind, "promo_share": shares}


async def spam_figures(session: AsyncSession) -> dict[str, int]:
    """Removals and undos: `removed` counts messages taken down (restored ones included)."""
    counts = dict(
        (
            await session.execute(
                select(SpamRemoval.status, func.count()).group_by(SpamRemoval.status)
            )
        ).all()
    )
    return {
        "removed": counts.get("removed", 0) + counts.get("restored", 0),
        "restored": counts.get("restored", 0),
        "marked_in_dms": counts.get("marked", 0),
        "would_remove": counts.get("would_remove", 0),
    }


async def collect(
    sessions: async_sessionmaker[AsyncSession], *, now: datetime | None = None
) -> dict[str, Any]:
    """The `steward stats --json` object (SANDBOX.md lists the stable keys)."""
    async with sessions() as session:
        tickets = await ticket_figures(session, now=now or utcnow())
        spam = await spam_figures(session)
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
        "tickets": tickets,
        "spam": spam,
        "posts": await post_figures(sessions, now=now or utcnow()),
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
    tickets = stats.get("tickets")
    if tickets is not None:
        lines.append(f"Tickets: {tickets['total']}")
        lines += [f"  {name:<16} {count}" for name, count in tickets["by_state"].items()]
        lines.append("  by category:")
        lines += [f"    {name:<16} {count}" for name, count in tickets["by_category"].items()]
        times = tickets["first_response_seconds"]
        median, p90 = _seconds_or_dash(times["median"]), _seconds_or_dash(times["p90"])
        lines.append(f"  first response   median {median}, p90 {p90}")
        rate = tickets["sla_hit_rate"]
        lines.append(f"  SLA hit rate     {_or_dash(None if rate is None else f'{rate:.0%}')}")
        lines.append(f"  SLA breaches     {tickets['breaches']}")
    spam = stats.get("spam")
    if spam is not None:
        lines.append(f"Spam: {spam['removed']} removed, {spam['restored']} restored as not spam")
    posts = stats.get("posts")
    if posts is not None:
        lines.append(f"Posts published: {posts['published']}")
        lines += [f"  {kind:<16} {count}" for kind, count in posts["by_kind"].items()]
        for target, share in posts["promo_share"].items():
            lines.append(
                f"  promo share {target}: {_or_dash(None if share is None else f'{share:.0%}')}"
            )
    return "\n".join(lines)


def _or_dash(value: object) -> str:
    return "—" if value is None else str(value)


def _seconds_or_dash(value: float | None) -> str:
    return "—" if value is None else f"{value} s"
