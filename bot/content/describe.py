"""Sentences about the plan for admins: times in the target's zone, one line per target."""

from __future__ import annotations

from datetime import datetime, tzinfo

from bot.content.targets import TargetSetup, target_label
from bot.i18n import say
from bot.policy.slots import PlannedPublication
from models import Publication

TIME_FORMAT = "%d.%m %H:%M"


def local_time(moment: datetime, zone: tzinfo) -> str:
    """e.g. "03.11 19:00 Europe/Moscow"."""
    name = getattr(zone, "key", None) or str(zone)
    return f"{moment.astimezone(zone).strftime(TIME_FORMAT)} {name}"


def plan_line(item: PlannedPublication | None, setup: TargetSetup, now: datetime, lang: str) -> str:
    """Where the planner put one publication, as a line of an answer."""
    target = target_label(setup.community)
    if item is None:
        return say("plan_unknown", lang, target=target)
    if item.at is None:
        return say("plan_unplanned", lang, target=target, why=item.not_planned_because or "")
    when = local_time(item.at, setup.zone)
    if item.moved_because:
        return say("plan_moved", lang, target=target, when=when, why=item.moved_because)
    if item.provisional:
        return say("plan_provisional", lang, target=target, when=when)
    if item.at <= now:
        return say("plan_now", lang, target=target)
    if item.evergreen_fill:
        return say("plan_filler", lang, target=target, when=when)
    return say("plan_at", lang, target=target, when=when)


def state_line(publication: Publication, setup: TargetSetup, lang: str) -> str:
    """A publication that is no longer waiting: sent, deleted, failed or cancelled."""
    target = target_label(setup.community)
    when = local_time(publication.published_at, setup.zone) if publication.published_at else "—"
    if publication.state == "failed":
        return say("state_failed", lang, target=target, error=publication.error or "?")
    if publication.state == "cancelled":
        why = publication.plan_note or say("by_admin", lang)
        return say("state_cancelled", lang, target=target, why=why)
    if publication.state in ("deleting", "deleted"):
        return say("state_deleted", lang, target=target, when=when)
    if publication.state == "queued":
        return say("state_sending", lang, target=target, when=when)
    return say("state_sent", lang, target=target, when=when)
