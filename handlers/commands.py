"""Bot commands for moderators, leads and admins (role-checked by `handlers.access`).

Each command, and each sub-command that needs a higher role (`/sla set`, `/mods add`),
is its own handler with a `role` flag; the `Subcommand` filter picks the handler, the
role check runs after it. Arguments are user input: a bad one is answered with a
sentence (`BadInput`), never an exception that would mark the event as failed.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from sqlalchemy import func, select

from bot.i18n import TEXTS
from bot.policy import sla as sla_policy
from bot.policy.business_hours import BusinessCalendar
from bot.policy.sla import format_duration
from bot.policy.triage import CATEGORIES
from bot.stats import DEFAULT_PERIOD, PERIODS, period_start, ticket_figures
from bot.tickets import queries, service
from bot.tickets import staff as staff_records
from bot.tickets.cards import PRIORITY_MARK, SOURCE_TITLE, origin_link, trim
from bot.tickets.settings import community_key, get_value, load_policy, set_value
from handlers.arguments import BadInput, Subcommand, friendly, policy_error
from handlers.context import HandlerContext
from models import Staff, Template, Ticket, TicketEvent

router = Router(name="commands")
MODERATOR = {"role": "moderator"}
LEAD = {"role": "lead"}
ADMIN = {"role": "admin"}

QUEUE_LINES = 25  # a longer queue is cut, with "…and N more" (Telegram's 4096-char limit)
HISTORY_EVENTS = 15
TEMPLATE_MAX = 3500  # leaves room under the platforms' message limits once filled in
TEMPLATE_NAME_MAX = 64
CAPACITY_MAX = 500
TIME_FORMAT = "%d.%m %H:%M"


def arguments(command: CommandObject) -> list[str]:
    return (command.args or "").split()


# ------------------------------------------------------------------------------ /help

# (least role, usage, description key), in the order /help lists them.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("moderator", "/queue", "help_queue"),
    ("moderator", "/ticket <id>", "help_ticket"),
    ("moderator", "/stats [today|7d|30d]", "help_stats"),
    ("moderator", "/shift on|off", "help_shift"),
    ("moderator", "/sla", "help_sla"),
    ("moderator", "/hours", "help_hours"),
    ("moderator", "/template list [category]", "help_template_list"),
    (
        "lead",
        "/sla set <category> first=10m next=30m resolve=24h [hours=business|calendar]",
        "help_sla_set",
    ),
    (
        "lead",
        "/hours set mon-fri 09:00-13:00,14:00-20:00 · /hours tz Europe/Moscow · "
        "/hours holiday add|del 2026-12-31 · /hours always",
        "help_hours_set",
    ),
    (
        "lead",
        "/template add <category> <name> <text> · /template del <category> <name>",
        "help_template_edit",
    ),
    ("lead", "/mods", "help_mods"),
    (
        "admin",
        "/mods add <user id> [role] · remove <user id> · role <user id> admin|lead|moderator · "
        "lang <user id> ru,en · capacity <user id> <n>",
        "help_mods_edit",
    ),
    (
        "moderator",
        "/spam · /warn · /mute [2h] · /ban [7d] · /unmute · /unban  [reply or id] [reason]",
        "help_moderation",
    ),
    ("moderator", "/dry", "help_dry"),
    ("lead", "/dry on|off [tg:<chat id>|vk:<group id>|all]", "help_dry_set"),
    (
        "lead",
        "/post add [kind] [now|next|at <time>] [to <target>] [expires <duration>] <text> · "
        "/post list|show|now|cancel <id>",
        "help_post",
    ),
    ("lead", "/promo · /promo set share=20% window=10 gap=4h daily=1 · /promo check", "help_promo"),
    ("lead", "/slots · /slots set|tz|suggest|auto on|off", "help_slots"),
    (
        "lead",
        "/giveaway <post> <ends at> [winners=1] · /poll <question> | <option> | …",
        "help_events",
    ),
    ("moderator", "/help", "help_help"),
)


@router.message(Command("help", "start"), flags=MODERATOR)
async def help_command(message: Message, ctx: HandlerContext) -> None:
    """The commands the caller's role may use."""
    assert ctx.staff is not None
    lines = [ctx.t("help_title", role=ctx.staff.role), ctx.t("help_reply"), ""]
    for role, usage, key in COMMANDS:
        if staff_records.has_role(ctx.staff, role):
            lines.append(f"{usage} — {ctx.t(key)}")
    await ctx.answer("\n".join(lines))


# ----------------------------------------------------------------------------- /shift


@router.message(Command("shift"), flags=MODERATOR)
async def shift(message: Message, command: CommandObject, ctx: HandlerContext) -> None:
    assert ctx.staff is not None
    wanted = (command.args or "").strip().lower()
    if wanted not in ("on", "off"):
        await ctx.answer(ctx.t("usage", usage="/shift on|off"))
        return
    ctx.staff.on_shift = wanted == "on"
    ctx.audit("shift", f"staff:{ctx.staff.id}", on_shift=ctx.staff.on_shift)
    await ctx.answer(ctx.t("shift_on" if ctx.staff.on_shift else "shift_off"))


# ----------------------------------------------------------------------------- /queue


def _platform(ticket: Ticket) -> str:
    return "VK" if ticket.platform == "vk" else "TG"


def _who(member: Staff | None, ctx: HandlerContext) -> str:
    return staff_records.mention(member) if member is not None else ctx.t("unassigned")


def _due(entry: queries.QueueEntry, ctx: HandlerContext) -> str:
    if entry.due_at is None:  # no running clock: the ticket waits on the member
        return ctx.t("waiting_member")
    left = entry.due_at - ctx.now
    if left <= timedelta(0):
        text = ctx.t("overdue_by", time=format_duration(abs(left)))
    else:
        text = ctx.t("due_in", time=format_duration(left))
    if "resolution" in entry.breached:
        text += " · " + ctx.t("resolution_overdue")
    return text


@router.message(Command("queue"), flags=MODERATOR)
async def queue(message: Message, ctx: HandlerContext) -> None:
    """Open tickets by urgency: breached first, then by due time."""
    entries = queries.rank_queue(
        await queries.open_tickets(ctx.session), ctx.policy.calendar, ctx.now
    )
    if not entries:
        await ctx.answer(ctx.t("queue_empty"))
        return
    team = await queries.staff_by_id(ctx.session)
    lines = [ctx.t("queue_title", count=len(entries))]
    for entry in entries[:QUEUE_LINES]:
        ticket = entry.ticket
        lines.append(
            ctx.t(
                "queue_line",
                id=ticket.id,
                mark=PRIORITY_MARK.get(ticket.priority, ""),
                category=ticket.category,
                priority=ticket.priority,
                platform=_platform(ticket),
                member=trim(ticket.member_name or ticket.member_id, 24),
                due=_due(entry, ctx),
                assignee=_who(team.get(ticket.assignee_id or 0), ctx),
            )
        )
    if len(entries) > QUEUE_LINES:
        lines.append(ctx.t("queue_more", count=len(entries) - QUEUE_LINES))
    await ctx.answer("\n".join(lines))


# ---------------------------------------------------------------------------- /ticket


def _event_name(kind: str, ctx: HandlerContext) -> str:
    key = f"ev_{kind}"
    return ctx.t(key) if key in TEXTS else kind


# Event details that say nothing to a person reading the history.
_QUIET_DETAILS = frozenset({"inbound_id", "outbox_key", "due_at", "elapsed"})


def _event_line(
    event: TicketEvent, team: dict[int, Staff], actors: dict[str, Staff], ctx: HandlerContext
) -> str:
    if event.actor == "system":
        who = ctx.t("actor_system")
    elif event.actor in actors:
        who = staff_records.mention(actors[event.actor])
    else:
        who = event.actor
    details = []
    for key, value in (event.details or {}).items():
        if key in _QUIET_DETAILS or value is None or value == "":
            continue
        if key in ("to", "was") and isinstance(value, int) and value in team:
            value = staff_records.mention(team[value])
        details.append(f"{key}={value}")
    line = f"{event.at.strftime(TIME_FORMAT)} · {who} · {_event_name(event.kind, ctx)}"
    if details:
        line += f" ({trim(', '.join(details), 90)})"
    return line


def _clock_line(clock: sla_policy.SlaClock, ctx: HandlerContext) -> str:
    status = sla_policy.evaluate(clock, ctx.policy.calendar, ctx.now)
    if clock.stopped_at is not None:
        text = ctx.t("clock_missed" if status.breached else "clock_met")
    elif clock.paused_at is not None:
        text = ctx.t("clock_paused")
    else:
        left = clock.due_at - ctx.now
        text = clock.due_at.strftime(TIME_FORMAT) + " UTC · "
        if status.breached:
            text += ctx.t("overdue_by", time=format_duration(abs(left)))
        else:
            text += ctx.t("due_in", time=format_duration(left))
    key = f"target_{clock.kind}"
    target = ctx.t(key) if key in TEXTS else clock.kind
    return ctx.t("ticket_clock", target=target, status=text)


@router.message(Command("ticket"), flags=MODERATOR)
@friendly
async def ticket_details(message: Message, command: CommandObject, ctx: HandlerContext) -> None:
    """A ticket's details and its last events."""
    args = arguments(command)
    if len(args) != 1 or not args[0].lstrip("#").isdigit():
        raise BadInput("usage", usage="/ticket <id>, e.g. /ticket 12")
    ticket_id = int(args[0].lstrip("#"))
    # SQLite and PostgreSQL integer keys: anything longer cannot exist.
    ticket = await ctx.session.get(Ticket, ticket_id) if ticket_id < 2**31 else None
    if ticket is None:
        raise BadInput("unknown_ticket", id=ticket_id)
    team = await queries.staff_by_id(ctx.session)
    where = f"{_platform(ticket)} · {ticket.community_title or ticket.community_id}"
    where += f" · {SOURCE_TITLE.get(ticket.source_kind, ticket.source_kind)}"
    link = origin_link(ticket)
    if link:
        where += f" · {link}"
    member = ticket.member_name or ticket.member_id
    if ticket.member_username:
        member += f" (@{ticket.member_username})"
    lines = [
        ctx.t(
            "ticket_head",
            id=ticket.id,
            category=ticket.category,
            priority=ticket.priority,
            state=ticket.state,
        ),
        ctx.t("ticket_where", where=where),
        ctx.t("ticket_member", name=member),
        ctx.t("ticket_assignee", who=_who(team.get(ticket.assignee_id or 0), ctx)),
        ctx.t(
            "ticket_opened",
            at=ticket.created_at.strftime(TIME_FORMAT),
            count=ticket.message_count,
            language=ticket.language,
        ),
        ctx.t("ticket_text", text=trim(ticket.last_text, 300)),
    ]
    if ticket.first_response_seconds is not None:
        took = timedelta(seconds=round(ticket.first_response_seconds))
        lines.append(ctx.t("ticket_first_response", time=format_duration(took)))
    lines += [_clock_line(clock, ctx) for clock in service.clocks(ticket).values()]
    if ticket.breaches:
        lines.append(ctx.t("ticket_breaches", count=ticket.breaches))
    events = await queries.recent_events(ctx.session, ticket.id, HISTORY_EVENTS)
    total = await queries.count_events(ctx.session, ticket.id)
    lines += ["", ctx.t("ticket_history", shown=len(events), total=total)]
    actors = queries.staff_by_actor(list(team.values()))
    lines += [_event_line(event, team, actors, ctx) for event in events]
    await ctx.answer("\n".join(lines))


# ------------------------------------------------------------------------------- /sla


def _sla_line(category: str, policy: sla_policy.SlaPolicy, ctx: HandlerContext) -> str:
    spec = policy.to_dict()
    return ctx.t(
        "sla_line",
        category=category,
        first=spec["first"],
        next=spec["next"],
        resolve=spec["resolve"],
        hours=ctx.t(f"sla_hours_{policy.hours}"),
    )


def _category(text: str) -> str:
    category = text.lower()
    if category not in CATEGORIES:
        raise BadInput("unknown_category", category=text, categories=", ".join(CATEGORIES))
    return category


SLA_SET_USAGE = (
    "/sla set <category> first=10m next=30m resolve=24h [hours=business|calendar] "
    "[in tg:<chat id>|vk:<group id>]"
)


def _community_ref(args: list[str]) -> tuple[list[str], tuple[str, str] | None]:
    """A trailing `in tg:<id>` / `in vk:<id>` narrows a setting to one community."""
    if len(args) >= 2 and args[-2].lower() == "in":
        platform, _, ident = args[-1].partition(":")
        platform = {"tg": "telegram", "telegram": "telegram", "vk": "vk"}.get(platform.lower(), "")
        if not platform or not ident.lstrip("-").isdigit():
            raise BadInput("usage", usage=SLA_SET_USAGE)
        return args[:-2], (platform, ident)
    return args, None


@router.message(Command("sla"), Subcommand("set"), flags=LEAD)
@friendly
async def sla_set(message: Message, command: CommandObject, ctx: HandlerContext) -> None:
    """Change one category's targets, for the workspace or for one community."""
    args, community = _community_ref(arguments(command))
    if len(args) < 3:
        raise BadInput("usage", usage=SLA_SET_USAGE)
    category = _category(args[1])
    policy = await load_policy(ctx.session, community) if community else ctx.policy
    before = policy.sla.for_category(category)
    try:
        after = before.with_settings(" ".join(args[2:]))
    except ValueError as error:
        raise policy_error(error) from error
    if community is None:
        await set_value(
            ctx.session, "sla", policy.sla.with_policy(category, after).to_dict(), ctx.actor
        )
    else:
        key = community_key(*community)
        own = await get_value(ctx.session, key) or {}
        own["sla"] = {**own.get("sla", {}), category: after.to_dict()}
        await set_value(ctx.session, key, own, ctx.actor)
    where = f"{community[0]}:{community[1]}" if community else "workspace"
    ctx.audit("sla_set", f"sla:{category}:{where}", before=before.to_dict(), after=after.to_dict())
    await ctx.answer(_sla_line(category, after, ctx) + "\n" + ctx.t("sla_saved"))


@router.message(Command("sla"), flags=MODERATOR)
@friendly
async def sla_show(message: Message, command: CommandObject, ctx: HandlerContext) -> None:
    """Every category's targets."""
    if command.args and command.args.strip():
        raise BadInput("usage", usage=f"/sla · {SLA_SET_USAGE}")
    lines = [ctx.t("sla_title")]
    lines += [_sla_line(c, ctx.policy.sla.for_category(c), ctx) for c in CATEGORIES]
    if ctx.policy.calendar.always:
        lines.append(ctx.t("sla_always_open"))
    await ctx.answer("\n".join(lines))


# ----------------------------------------------------------------------------- /hours


def describe_hours(calendar: BusinessCalendar, ctx: HandlerContext) -> str:
    if calendar.always:
        lines = [ctx.t("hours_always", tz=calendar.timezone)]
    else:
        names = ctx.t("weekdays").split(",")
        lines = [ctx.t("hours_title", tz=calendar.timezone)]
        for day in range(7):
            intervals = ", ".join(str(i) for i in calendar.week[day]) or ctx.t("hours_closed")
            lines.append(f"{names[day]}: {intervals}")
    dates = ", ".join(sorted(d.isoformat() for d in calendar.holidays)) or ctx.t("none")
    lines.append(ctx.t("hours_holidays", dates=dates))
    return "\n".join(lines)


def _dates(words: list[str]) -> list[date]:
    found = []
    for word in ",".join(words).split(","):
        if not word.strip():
            continue
        try:
            found.append(date.fromisoformat(word.strip()))
        except ValueError as error:
            raise BadInput("bad_date", text=word.strip()) from error
    if not found:
        raise BadInput("usage", usage="/hours holiday add|del 2026-12-31")
    return found


HOURS_USAGE = (
    "/hours set mon-fri 09:00-13:00,14:00-20:00 · /hours tz Europe/Moscow · "
    "/hours holiday add|del 2026-12-31 · /hours always"
)


def changed_calendar(calendar: BusinessCalendar, args: list[str]) -> tuple[BusinessCalendar, str]:
    """Apply `/hours set|tz|holiday|always …`; returns the new calendar and the audit action."""
    action = args[0].lower()
    try:
        if action == "set" and len(args) >= 3:
            return calendar.with_hours(args[1], " ".join(args[2:])), "hours_set"
        if action == "tz" and len(args) == 2:
            return replace(calendar, timezone=args[1]), "hours_tz"
        if action == "always" and len(args) == 1:
            return replace(calendar, always=True), "hours_always"
        if action == "holiday" and len(args) >= 3 and args[1].lower() in ("add", "del"):
            if args[1].lower() == "add":
                return calendar.with_holidays(add=_dates(args[2:])), "holiday_add"
            return calendar.with_holidays(remove=_dates(args[2:])), "holiday_del"
    except ValueError as error:
        raise policy_error(error) from error
    raise BadInput("usage", usage=HOURS_USAGE)


@router.message(Command("hours"), Subcommand("set", "tz", "holiday", "always"), flags=LEAD)
@friendly
async def hours_change(message: Message, command: CommandObject, ctx: HandlerContext) -> None:
    before = ctx.policy.calendar
    after, action = changed_calendar(before, arguments(command))
    await set_value(ctx.session, "hours", after.to_dict(), ctx.actor)
    ctx.audit(action, "hours", args=command.args, before=before.to_dict(), after=after.to_dict())
    await ctx.answer(describe_hours(after, ctx) + "\n" + ctx.t("hours_saved"))


@router.message(Command("hours"), flags=MODERATOR)
@friendly
async def hours_show(message: Message, command: CommandObject, ctx: HandlerContext) -> None:
    if command.args and command.args.strip():
        raise BadInput("usage", usage=f"/hours · {HOURS_USAGE}")
    await ctx.answer(describe_hours(ctx.policy.calendar, ctx))


# ------------------------------------------------------------------------------ /mods

MODS_USAGE = (
    "/mods · /mods add <user id> [admin|lead|moderator] · /mods remove <user id> · "
    "/mods role <user id> admin|lead|moderator · /mods lang <user id> ru,en · "
    "/mods capacity <user id> <n>"
)
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


def _user_id(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 2**63:
        raise BadInput("bad_user_id", text=text)
    return int(text)


def _role(text: str) -> str:
    if text.lower() not in staff_records.ROLES:
        raise BadInput("bad_role", text=text)
    return text.lower()


def _languages(text: str) -> list[str]:
    if text.lower() in ("any", "*", "-"):
        return []
    codes = [code.strip().lower() for code in text.split(",") if code.strip()]
    if not codes or not all(_LANGUAGE.match(code) for code in codes):
        raise BadInput("bad_languages", text=text)
    return list(dict.fromkeys(codes))


def _capacity(text: str) -> int:
    if not text.isdigit() or int(text) > CAPACITY_MAX:
        raise BadInput("bad_capacity", text=text, max=CAPACITY_MAX)
    return int(text)


async def _existing(ctx: HandlerContext, who: str) -> Staff:
    if not who.startswith("@"):
        _user_id(who)
    member = await queries.find_staff(ctx.session, who)
    if member is None:
        raise BadInput("unknown_staff", who=who)
    return member


async def _keep_an_admin(ctx: HandlerContext, member: Staff) -> None:
    """Refuse a change that would leave no active admin."""
    if member.role != "admin" or not member.active:
        return
    others = await ctx.session.scalar(
        select(func.count(Staff.id)).where(
            Staff.role == "admin", Staff.active.is_(True), Staff.id != member.id
        )
    )
    if not others:
        raise BadInput("last_admin")


def _label(member: Staff) -> str:
    return f"{staff_records.mention(member)} (id {member.telegram_user_id})"


@router.message(
    Command("mods"), Subcommand("add", "remove", "role", "lang", "capacity"), flags=ADMIN
)
@friendly
async def mods_change(message: Message, command: CommandObject, ctx: HandlerContext) -> None:
    args = arguments(command)
    action = args[0].lower()
    expected = {"add": (2, 3), "remove": (2, 2), "role": (3, 3), "lang": (3, 3), "capacity": (3, 3)}
    least, most = expected[action]
    if not least <= len(args) <= most:
        raise BadInput("usage", usage=MODS_USAGE)
    if action == "add":
        user_id = _user_id(args[1])
        role = _role(args[2]) if len(args) == 3 else None
        member = await staff_records.find(ctx.session, user_id)
        if member is None:
            member = await staff_records.register(ctx.session, user_id, role=role or "moderator")
        else:
            # Adding again brings a removed member back; a given role is set as given.
            if role is not None and role != "admin":
                await _keep_an_admin(ctx, member)
            member.active = True
            member.role = role or member.role
        ctx.audit("mods_add", f"staff:{member.id}", user_id=user_id, role=member.role)
        await ctx.answer(ctx.t("mods_added", who=_label(member), role=member.role))
        return
    member = await _existing(ctx, args[1])
    if action == "remove":
        await _keep_an_admin(ctx, member)
        member.active = False
        ctx.audit("mods_remove", f"staff:{member.id}", user_id=member.telegram_user_id)
        await ctx.answer(ctx.t("mods_removed", who=_label(member)))
    elif action == "role":
        role = _role(args[2])
        if role != "admin":
            await _keep_an_admin(ctx, member)
        ctx.audit("mods_role", f"staff:{member.id}", was=member.role, to=role)
        member.role = role
        await ctx.answer(ctx.t("mods_role_set", who=_label(member), role=role))
    elif action == "lang":
        languages = _languages(args[2])
        ctx.audit("mods_lang", f"staff:{member.id}", was=member.languages, to=languages)
        member.languages = languages
        shown = ", ".join(languages) or ctx.t("any_language")
        await ctx.answer(ctx.t("mods_lang_set", who=_label(member), languages=shown))
    else:
        capacity = _capacity(args[2])
        ctx.audit("mods_capacity", f"staff:{member.id}", was=member.capacity, to=capacity)
        member.capacity = capacity
        await ctx.answer(ctx.t("mods_capacity_set", who=_label(member), capacity=capacity))


@router.message(Command("mods"), flags=LEAD)
@friendly
async def mods_list(message: Message, command: CommandObject, ctx: HandlerContext) -> None:
    if command.args and command.args.strip():
        raise BadInput("usage", usage=MODS_USAGE)
    team = await staff_records.all_staff(ctx.session)
    counts = await service.open_counts(ctx.session)
    lines = [ctx.t("mods_title", count=sum(1 for m in team if m.active))]
    # Active staff first, leads and admins before moderators.
    ordered = sorted(
        team, key=lambda m: (not m.active, -staff_records.ROLE_RANK.get(m.role, 0), m.id)
    )
    for member in ordered:
        if member.active:
            shift_text = ctx.t("on_shift" if member.on_shift else "off_shift")
        else:
            shift_text = ctx.t("removed")
        lines.append(
            ctx.t(
                "mods_line",
                who=staff_records.mention(member),
                user_id=member.telegram_user_id,
                role=member.role,
                shift=shift_text,
                open=counts.get(member.id, 0),
                capacity=member.capacity,
                languages=", ".join(member.languages or []) or ctx.t("any_language"),
            )
        )
    await ctx.answer("\n".join(lines))


# ----------------------------------------------------------------------------- /stats


def _percent(rate: float | None, ctx: HandlerContext) -> str:
    return ctx.t("no_data") if rate is None else f"{rate:.0%}"


def _seconds(value: float | None, ctx: HandlerContext) -> str:
    return ctx.t("no_data") if value is None else format_duration(timedelta(seconds=round(value)))


def _counts(counts: dict[str, int]) -> str:
    shown = [f"{name} {count}" for name, count in counts.items() if count]
    return ", ".join(shown) or "0"


@router.message(Command("stats"), flags=MODERATOR)
@friendly
async def stats(message: Message, command: CommandObject, ctx: HandlerContext) -> None:
    """Tickets by category and platform, response times and SLA hits for a period."""
    args = arguments(command)
    period = args[0].lower() if args else DEFAULT_PERIOD
    if len(args) > 1 or period not in PERIODS:
        raise BadInput("bad_period", text=" ".join(args))
    since = period_start(period, ctx.now, ctx.policy.calendar)
    figures = await ticket_figures(
        ctx.session, now=ctx.now, since=since, calendar=ctx.policy.calendar
    )
    times = figures["first_response_seconds"]
    lines = [
        ctx.t("stats_title", period=ctx.t(f"period_{period}"), total=figures["total"]),
        ctx.t("stats_categories", items=_counts(figures["by_category"])),
        ctx.t("stats_platforms", items=_counts(figures["by_platform"])),
        ctx.t("stats_states", items=_counts(figures["by_state"])),
        ctx.t(
            "stats_first_response",
            median=_seconds(times["median"], ctx),
            p90=_seconds(times["p90"], ctx),
        ),
        ctx.t(
            "stats_sla",
            rate=_percent(figures["sla_hit_rate"], ctx),
            met=figures["sla_met"],
            missed=figures["sla_missed"],
            breaches=figures["breaches"],
        ),
        ctx.t(
            "stats_response_rate",
            rate=_percent(figures["response_rate"], ctx),
            answered=figures["answered"],
            total=figures["total"],
        ),
    ]
    await ctx.answer("\n".join(lines))


# -------------------------------------------------------------------------- /template

TEMPLATE_USAGE = (
    "/template add <category> <name> <text> · /template del <category> <name> · "
    "/template list [category]"
)


def _template_name(text: str) -> str:
    if len(text) > TEMPLATE_NAME_MAX:
        raise BadInput("bad_template_name", text=trim(text, 40), max=TEMPLATE_NAME_MAX)
    return text


async def _template(ctx: HandlerContext, category: str, name: str) -> Template | None:
    return await ctx.session.scalar(
        select(Template).where(Template.category == category, Template.name == name)
    )


@router.message(Command("template"), Subcommand("add", "del"), flags=LEAD)
@friendly
async def template_change(message: Message, command: CommandObject, ctx: HandlerContext) -> None:
    # Split off three words; the rest is the text as written, line breaks included.
    parts = (command.args or "").strip().split(maxsplit=3)
    action = parts[0].lower()
    if (action == "add" and len(parts) < 4) or (action == "del" and len(parts) != 3):
        raise BadInput("usage", usage=TEMPLATE_USAGE)
    category, name = _category(parts[1]), _template_name(parts[2])
    existing = await _template(ctx, category, name)
    if action == "del":
        if existing is None:
            raise BadInput("template_missing", category=category, name=name)
        await ctx.session.delete(existing)
        ctx.audit("template_del", f"template:{category}/{name}", text=existing.text)
        await ctx.answer(ctx.t("template_deleted", category=category, name=name))
        return
    text = parts[3].strip()
    if len(text) > TEMPLATE_MAX:
        raise BadInput("template_too_long", max=TEMPLATE_MAX, length=len(text))
    if existing is None:
        ctx.session.add(
            Template(
                category=category, name=name, text=text, created_by=ctx.actor, created_at=ctx.now
            )
        )
        answer = "template_saved"
    else:
        existing.text = text
        answer = "template_replaced"
    await ctx.session.flush()
    ctx.audit("template_add", f"template:{category}/{name}", text=text)
    await ctx.answer(ctx.t(answer, category=category, name=name))


@router.message(Command("template", "templates"), flags=MODERATOR)
@friendly
async def template_list(message: Message, command: CommandObject, ctx: HandlerContext) -> None:
    args = arguments(command)
    if args and args[0].lower() == "list":
        args = args[1:]
    if len(args) > 1:
        raise BadInput("usage", usage=TEMPLATE_USAGE)
    query = select(Template).order_by(Template.category, Template.name)
    if args:
        query = query.where(Template.category == _category(args[0]))
    found = list(await ctx.session.scalars(query))
    if not found:
        await ctx.answer(ctx.t("templates_empty"))
        return
    lines = [ctx.t("templates_title")]
    lines += [f"{t.category}/{t.name}: {trim(' '.join(t.text.split()), 80)}" for t in found]
    await ctx.answer("\n".join(lines))
