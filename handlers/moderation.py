"""Rose-style moderator commands: /spam, /warn, /mute, /ban, /unmute, /unban, and /dry.

Where they work, and on whom:
- in the moderators' chat (or a DM to the bot): as a reply to a ticket card or to a
  spam log entry (a removal digest, a flood notice), or naming the member in full,
  `/ban tg:<chat id>:<user id> …` or `/mute vk:<group id>:<user id> 2h …`; a bare user id
  is enough when Steward knows the member in one community only;
- in a Telegram community group: as a reply to a member's message, or with the member's
  user id (`/ban 12345 …`), acting in that group.

Who may use them: Steward's staff, moderator or above (`/dry on|off`: lead or above), in
both places. Handlers never call a platform, so Steward does not ask Telegram who a
group's admins are: a group admin who is not on Steward's staff gets the polite refusal,
which is audited (`handlers.access`). Admins and moderators are never the target.

After the member come an optional length (`/mute`: default 24 h; `/ban`: default for
ever) and an optional reason. Every action goes through the spam `Enforcer` (the outbox,
or "would …" in dry run), a penalty is recorded as a strike (reason "moderator"), the
audit log gets the moderator and the reason, and the chat gets an answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from sqlalchemy import select

from bot.inbound import COMMENT, GROUP_MESSAGE
from bot.labels import store_label
from bot.platforms.telegram.normalize import TELEGRAM_SERVICE_USER_ID
from bot.policy.durations import format_duration, parse_duration
from bot.spam import digest
from bot.spam.enforce import Enforcer, Target
from bot.spam.guard import target_of
from bot.tickets import cards, service
from bot.tickets.staff import find as find_staff
from handlers.arguments import BadInput, Subcommand, friendly
from handlers.context import HandlerContext
from models import (
    Classification,
    Community,
    InboundRecord,
    Member,
    OutboxItem,
    SpamRemoval,
    Strike,
    Ticket,
    TicketMessage,
)

router = Router(name="moderation")
MODERATOR = {"role": "moderator"}
LEAD = {"role": "lead"}

PENALTIES = ("spam", "warn", "mute", "ban")
LIFTS = {"unmute": "mute", "unban": "ban"}
ACTIONS = (*PENALTIES, *LIFTS)
GROUP_COMMANDS = frozenset((*ACTIONS, "dry"))
DEFAULT_MUTE = timedelta(hours=24)
SHORTEST = timedelta(minutes=1)  # Telegram reads a restriction under 30 s as for ever …
LONGEST = timedelta(days=366)  # … and one over 366 days as well
REASON_MAX = 200
PUBLIC_KINDS = ("group", "supergroup", "vk_community")  # where members write and /dry applies

USAGE = {
    "spam": "/spam",
    "warn": "/warn [reason]",
    "mute": "/mute [2h] [reason]",
    "ban": "/ban [30d] [reason]",
    "unmute": "/unmute [reason]",
    "unban": "/unban [reason]",
}
DRY_USAGE = "/dry · /dry on|off [tg:<chat id> | vk:<group id> | all]"

_COMMAND = re.compile(r"^/([A-Za-z0-9_]+)(?:@\w+)?(?:\s|$)")
_ID = r"[0-9]{1,18}"  # ASCII digits only: str.isdigit() would take '²'
_MEMBER = re.compile(rf"^(?:(tg|telegram|vk):(-?{_ID}):)?({_ID})$", re.IGNORECASE)
_PLACE = re.compile(rf"^(?:(tg|telegram|vk):)?(-?{_ID})$", re.IGNORECASE)


# ------------------------------------------------------------------ parsing (pure)


def is_group_command(text: str) -> bool:
    """A moderation command as written in a community group (`/ban`, `/ban@Steward …`)."""
    match = _COMMAND.match(text)
    return bool(match) and match.group(1).lower() in GROUP_COMMANDS


@dataclass(frozen=True)
class MemberRef:
    """A member named in a command: a bare user id, or with its platform and community."""

    member_id: str
    platform: str | None = None  # "telegram" | "vk"; None for a bare id
    community_id: str | None = None


def _platform(word: str) -> str:
    return "vk" if word.lower() == "vk" else "telegram"


def parse_member(word: str) -> MemberRef | None:
    """`12345`, `tg:-1001234:12345` or `vk:2000001:12345`; None when it is none of these."""
    match = _MEMBER.match(word)
    if match is None or int(match.group(3)) == 0:
        return None
    if match.group(1) is None:
        return MemberRef(match.group(3))
    return MemberRef(match.group(3), _platform(match.group(1)), match.group(2))


def parse_place(word: str) -> tuple[str | None, str] | None:
    """`tg:-1001234`, `vk:2000001` or a bare id: (platform or None, community id)."""
    match = _PLACE.match(word)
    if match is None:
        return None
    return (_platform(match.group(1)) if match.group(1) else None), match.group(2)


def parse_length(words: list[str]) -> tuple[timedelta | None, list[str]]:
    """An optional length first (`2h`, `1h30m`, `7d`), then the rest of the words."""
    if not words:
        return None, words
    try:
        length = parse_duration(words[0])
    except ValueError:
        return None, words  # not a length: the reason starts here
    if not SHORTEST <= length <= LONGEST:
        raise BadInput("mod_bad_length", text=words[0])
    return length, words[1:]


def place_ref(platform: str, community_id: str) -> str:
    """How commands name a community: `tg:-1001234` or `vk:2000001`."""
    return f"{'vk' if platform == 'vk' else 'tg'}:{community_id}"


# ------------------------------------------------------------------ whom a command is about


@dataclass
class Subject:
    """Whom a command is about, and what it was written on."""

    target: Target
    via: str  # for the audit log: "card #12", "spam entry #3", "message 17", "id"
    records: list[InboundRecord] = field(default_factory=list)  # what /spam would remove
    removals: list[SpamRemoval] = field(default_factory=list)  # already removed as spam


def in_community(ctx: HandlerContext) -> bool:
    """Written in a community group (not the moderators' chat, not a DM)."""
    return ctx.record.kind in (GROUP_MESSAGE, COMMENT) and ctx.record.community_id != str(
        ctx.ws.moderators_chat_id
    )


async def resolve(
    ctx: HandlerContext, message: Message, command: str, words: list[str]
) -> tuple[Subject, list[str]]:
    """The subject of a command, from what it replies to or from its first word."""
    reply = message.reply_to_message
    if reply is not None:
        if in_community(ctx):
            subject = await _group_reply(ctx, reply)
        else:
            subject, words = await _log_reply(ctx, reply, words)
        if subject is not None:
            return subject, words
    ref = parse_member(words[0]) if words else None
    if ref is None:
        raise BadInput("mod_whom", usage=USAGE[command])
    return await _named(ctx, ref, command), words[1:]


async def _group_reply(ctx: HandlerContext, reply: Message) -> Subject | None:
    """A reply to a member's message in a community group; None for a bot's, a channel's
    or a thread root (a comment implicitly replies to the channel post)."""
    author = reply.from_user
    if (
        author is None
        or author.is_bot
        or author.id == TELEGRAM_SERVICE_USER_ID
        or reply.sender_chat is not None
        or reply.is_automatic_forward
    ):
        return None
    chat_id = str(reply.chat.id)
    record = await ctx.session.scalar(
        select(InboundRecord).where(
            InboundRecord.platform == "telegram",
            InboundRecord.community_id == chat_id,
            InboundRecord.external_id == f"msg:{reply.message_id}",
        )
    )
    via = f"message {reply.message_id}"
    if record is not None:
        return Subject(target_of(record), via, [record])
    # A message from before Steward joined: the member can still be acted on.
    name = " ".join(part for part in (author.first_name, author.last_name) if part)
    location = {"chat_id": reply.chat.id, "message_id": reply.message_id}
    location["chat_type"] = reply.chat.type
    return Subject(Target("telegram", chat_id, str(author.id), name, location), via)


async def _log_reply(
    ctx: HandlerContext, reply: Message, words: list[str]
) -> tuple[Subject | None, list[str]]:
    """A reply in the moderators' chat: to a ticket card, a spam digest or a flood notice."""
    session = ctx.session
    ticket = await session.scalar(
        select(Ticket).where(
            Ticket.card_chat_id == reply.chat.id, Ticket.card_message_id == reply.message_id
        )
    )
    if ticket is not None:
        inbound_ids = await session.scalars(
            select(TicketMessage.inbound_id)
            .where(TicketMessage.ticket_id == ticket.id, TicketMessage.direction == "in")
            .order_by(TicketMessage.id)
        )
        records = [await session.get(InboundRecord, i) for i in inbound_ids if i is not None]
        target = Target(
            ticket.platform,
            ticket.community_id,
            ticket.member_id,
            ticket.member_name,
            dict(ticket.origin or {}),
        )
        return Subject(target, f"card #{ticket.id}", [r for r in records if r]), words
    posted = await session.scalar(
        select(OutboxItem).where(
            OutboxItem.lane == ctx.ws.lane,
            OutboxItem.method == "sendMessage",
            OutboxItem.status == "sent",
            OutboxItem.result["message_id"].as_integer() == reply.message_id,
        )
    )
    kind, _, ref = (posted.idempotency_key if posted else "").partition(":")
    if kind == "spamdigest" and ref.isdigit():
        return _pick_removal(await digest.removals_of(session, int(ref)), words)
    if kind == "flood" and ref.isdigit():
        record = await session.get(InboundRecord, int(ref))
        if record is not None:
            return Subject(target_of(record), f"flood notice {record.id}", [record]), words
    return None, words  # not a card or a log entry: the member must be named


def _pick_removal(
    removals: list[SpamRemoval], words: list[str]
) -> tuple[Subject | None, list[str]]:
    """One entry in a digest: the only one, or the one of the member named first."""
    ref = parse_member(words[0]) if words else None
    if len(removals) == 1:
        only = removals[0]
        if ref is not None and ref.platform is None and ref.member_id == only.member_id:
            words = words[1:]  # the member named as well: not part of the reason
        return Subject(target_of(only), f"spam entry #{only.id}", [], removals), words
    if ref is not None and ref.platform is None:
        theirs = [r for r in removals if r.member_id == ref.member_id]
        if theirs:
            subject = Subject(target_of(theirs[-1]), f"spam entry #{theirs[-1].id}", [], theirs)
            return subject, words[1:]
    if ref is not None and ref.platform is not None:
        return None, words  # named in full: act on that
    members = ", ".join(dict.fromkeys(f"{r.member_name} ({r.member_id})" for r in removals))
    raise BadInput("mod_pick_member", members=members)


async def _named(ctx: HandlerContext, ref: MemberRef, command: str) -> Subject:
    """A member named by id: in this group, in the place named, or where Steward knows them."""
    if in_community(ctx):
        here = ("telegram", ctx.record.community_id)
        if ref.platform is not None and (ref.platform, ref.community_id) != here:
            raise BadInput("mod_elsewhere")
        platform, community_id = here
    elif ref.platform is not None and ref.community_id is not None:
        platform, community_id = ref.platform, ref.community_id
    else:
        platform, community_id = await _only_place(ctx, ref.member_id, command)
    community = await _public_community(ctx, platform, community_id)
    location: dict[str, Any] = {}
    if platform == "telegram":
        location = {"chat_id": int(community_id), "chat_type": community.kind}
        if in_community(ctx):  # a warning goes to the thread the command was written in
            here = ctx.record.location or {}
            for key in ("message_thread_id", "is_topic_message"):
                if key in here:
                    location[key] = here[key]
    member = await ctx.session.scalar(
        select(Member).where(Member.platform == platform, Member.external_id == ref.member_id)
    )
    name = member.display_name if member else ""
    return Subject(Target(platform, community_id, ref.member_id, name, location), "id")


async def _public_communities(ctx: HandlerContext) -> list[Community]:
    """The groups and VK communities Steward watches (not the moderators' chat)."""
    found = await ctx.session.scalars(
        select(Community)
        .where(Community.kind.in_(PUBLIC_KINDS))
        .order_by(Community.platform, Community.title, Community.id)
    )
    return [c for c in found if not _is_workspace(ctx, c.platform, c.external_id)]


def _is_workspace(ctx: HandlerContext, platform: str, community_id: str) -> bool:
    return platform == "telegram" and community_id == str(ctx.ws.moderators_chat_id)


async def _public_community(ctx: HandlerContext, platform: str, community_id: str) -> Community:
    community = await ctx.session.scalar(
        select(Community).where(
            Community.platform == platform, Community.external_id == community_id
        )
    )
    if (
        community is None
        or community.kind not in PUBLIC_KINDS
        or _is_workspace(ctx, platform, community_id)
    ):
        known = ", ".join(
            place_ref(c.platform, c.external_id) for c in await _public_communities(ctx)
        )
        raise BadInput(
            "mod_unknown_place", place=place_ref(platform, community_id), known=known or "—"
        )
    return community


async def _only_place(ctx: HandlerContext, member_id: str, command: str) -> tuple[str, str]:
    """The one community where Steward has dealt with this member (tickets, spam, strikes)."""
    places: set[tuple[str, str]] = set()
    for model in (Ticket, SpamRemoval, Strike):
        rows = await ctx.session.execute(
            select(model.platform, model.community_id).where(model.member_id == member_id)
        )
        places.update((platform, community) for platform, community in rows.all())
    public = sorted(
        (platform, community)
        for platform, community in places
        # A Telegram DM's "community" is the private chat itself: nothing to act on there.
        if (platform == "vk" or community.startswith("-"))
        and not _is_workspace(ctx, platform, community)
    )
    if len(public) == 1:
        return public[0]
    if not public:
        raise BadInput("mod_unknown_member", member=member_id)
    choices = " · ".join(f"{place_ref(*place)}:{member_id}" for place in public)
    raise BadInput("mod_ambiguous", member=member_id, places=choices, command=command)


# ------------------------------------------------------------------ the commands


def _who(target: Target) -> str:
    return (
        f"{target.member_name} (id {target.member_id})" if target.member_name else target.member_id
    )


async def _place(ctx: HandlerContext, target: Target) -> str:
    community = await ctx.session.scalar(
        select(Community).where(
            Community.platform == target.platform, Community.external_id == target.community_id
        )
    )
    return (community.title if community else "") or place_ref(target.platform, target.community_id)


async def _check_target(ctx: HandlerContext, command: str, target: Target) -> None:
    """Admins and moderators are never penalised; a private chat has no penalties."""
    if target.platform != "telegram":
        return
    if target.member_id == ctx.ws.telegram_account:
        raise BadInput("mod_self")
    if command in PENALTIES:
        staff = await find_staff(ctx.session, int(target.member_id))
        if staff is not None and staff.active:
            ctx.audit(
                "refused",
                f"telegram:{target.community_id}:{target.member_id}",
                command=f"/{command}",
                why="staff are never penalised",
            )
            raise BadInput("mod_staff_target", who=_who(target))
    if not target.community_id.startswith("-") and command != "spam":
        raise BadInput("mod_private_chat")


@router.message(Command(*ACTIONS, ignore_case=True), flags=MODERATOR)
@friendly
async def moderate(message: Message, command: CommandObject, ctx: HandlerContext) -> None:
    """/spam, /warn, /mute, /ban, /unmute, /unban — by reply or by id, with a reason."""
    name = command.command.lower()
    if ctx.spam is None:
        raise BadInput("mod_unavailable")
    subject, words = await resolve(ctx, message, name, (command.args or "").split())
    await _check_target(ctx, name, subject.target)
    if name == "spam":
        answer = await _spam(ctx, subject, " ".join(words)[:REASON_MAX])
    else:
        answer = await _penalty(ctx, name, subject, words)
    target = subject.target
    if await ctx.spam.enforcer.is_dry(ctx.session, target.platform, target.community_id):
        answer += "\n" + ctx.t("mod_dry_note")
    await ctx.answer(answer)


async def _penalty(ctx: HandlerContext, name: str, subject: Subject, words: list[str]) -> str:
    """/warn, /mute, /ban and the lifts: one platform action, a strike, an audit entry."""
    enforcer: Enforcer = ctx.spam.enforcer
    target = subject.target
    length, words = parse_length(words) if name in ("mute", "ban") else (None, words)
    reason = " ".join(words)[:REASON_MAX]
    logged = reason or f"/{name} by a moderator"  # what the Enforcer's audit entry says
    key = f"mod:{name}:{ctx.record.id}"
    args = (ctx.session, target)
    values = {"who": _who(target), "place": await _place(ctx, target), "reason": reason or "—"}
    if name == "warn":
        text = ctx.t("mod_public_warning", name=target.member_name or ctx.t("mod_member"))
        if reason:
            text += "\n" + ctx.t("mod_public_reason", reason=reason)
        posted = await enforcer.warn(*args, text, key, ctx.actor, ctx.now, logged)
        dry = await enforcer.is_dry(ctx.session, target.platform, target.community_id)
        answer = ctx.t("mod_warned" if posted or dry else "mod_warned_quiet", **values)
        until = None
    elif name == "mute":
        length = length or DEFAULT_MUTE
        until = ctx.now + length
        await enforcer.mute(*args, until, key, ctx.actor, ctx.now, logged)
        answer = ctx.t("mod_muted", length=format_duration(length), **values)
    elif name == "ban":
        until = ctx.now + length if length else None
        await enforcer.ban(*args, until, key, ctx.actor, ctx.now, logged)
        shown = format_duration(length) if length else ctx.t("mod_forever")
        answer = ctx.t("mod_banned", length=shown, **values)
    else:
        await enforcer.lift(*args, LIFTS[name], key, ctx.actor, ctx.now, logged)
        lifted = ctx.t("mod_unmuted" if name == "unmute" else "mod_unbanned", **values)
        return _audited(ctx, name, subject, reason, lifted)
    ctx.session.add(
        Strike(
            platform=target.platform,
            community_id=target.community_id,
            member_id=target.member_id,
            at=ctx.now,
            reason="moderator",
            penalty=name,
            until=until,
            actor=ctx.actor,
        )
    )
    length_seconds = int(length.total_seconds()) if length else None
    return _audited(ctx, name, subject, reason, answer, length_seconds=length_seconds)


def _audited(
    ctx: HandlerContext, name: str, subject: Subject, reason: str, answer: str, **extra: Any
) -> str:
    """The command's own audit entry: who did what to whom, how it was named, and why."""
    target = subject.target
    ctx.audit(
        f"/{name}",
        f"{target.platform}:{target.community_id}:{target.member_id}",
        reason=reason,
        via=subject.via,
        **extra,
    )
    return answer


async def _spam(ctx: HandlerContext, subject: Subject, reason: str) -> str:
    """Remove the message(s) through the SpamGuard: removal, ladder, digest; plus a label."""
    if subject.removals:
        raise BadInput("mod_already_spam", id=subject.removals[-1].id)
    if not subject.records:
        raise BadInput("mod_spam_needs_message")
    session = ctx.session
    done: list[SpamRemoval] = []
    earlier: SpamRemoval | None = None
    for record in subject.records:
        earlier = await session.scalar(
            select(SpamRemoval).where(SpamRemoval.inbound_id == record.id)
        )
        if earlier is not None:
            continue
        verdict = await session.get(Classification, record.id)
        removal = await ctx.spam.remove(session, record, verdict, actor=ctx.actor, now=ctx.now)
        why = f"/spam by {ctx.actor}" + (f": {reason}" if reason else "")
        removal.reasons = [why, *removal.reasons]  # shown first in the digest
        store_label(session, record.text, intent="spam", spam=True, who=ctx.actor, at=ctx.now)
        done.append(removal)
    if not done:
        raise BadInput("mod_already_spam", id=earlier.id if earlier else "?")
    await _close_tickets(ctx, [record.id for record in subject.records])
    answer = ctx.t(
        "mod_spammed",
        count=len(done),
        who=_who(subject.target),
        place=await _place(ctx, subject.target),
        penalty=done[-1].penalty,
        reason=reason or "—",
    )
    return _audited(ctx, "spam", subject, reason, answer, removals=[r.id for r in done])


async def _close_tickets(ctx: HandlerContext, inbound_ids: list[int]) -> None:
    """Tickets opened for messages that turned out to be spam are resolved as spam."""
    ticket_ids = await ctx.session.scalars(
        select(TicketMessage.ticket_id).where(TicketMessage.inbound_id.in_(inbound_ids)).distinct()
    )
    for ticket_id in list(ticket_ids):
        ticket = await ctx.session.get(Ticket, ticket_id)
        if ticket is None or ticket.state == "resolved":
            continue
        ticket.category = "spam"
        service.resolve(ctx.session, ticket, ctx.actor, ctx.now)
        await cards.queue_card(ctx.session, ticket, ctx.ws)


# ------------------------------------------------------------------ /dry


@router.message(Command("dry", ignore_case=True), Subcommand("on", "off"), flags=LEAD)
@friendly
async def dry_set(message: Message, command: CommandObject, ctx: HandlerContext) -> None:
    """/dry on|off [community|all]: Steward logs what it would do and does nothing."""
    words = (command.args or "").split()
    turn_on = words[0].lower() == "on"
    chosen = await _dry_places(ctx, words[1:])
    state = ctx.t("dry_on" if turn_on else "dry_off")
    lines = []
    for community in chosen:
        community.settings = {**(community.settings or {}), "dry_run": turn_on}
        ref = place_ref(community.platform, community.external_id)
        ctx.audit(f"dry {'on' if turn_on else 'off'}", ref)
        lines.append(ctx.t("dry_set", title=community.title or ref, ref=ref, state=state))
    await ctx.answer("\n".join(lines))


async def _dry_places(ctx: HandlerContext, words: list[str]) -> list[Community]:
    """The communities `/dry on|off` names: this group, one named, or all."""
    known = await _public_communities(ctx)
    listing = ", ".join(place_ref(c.platform, c.external_id) for c in known) or "—"
    if len(words) > 1:
        raise BadInput("usage", usage=DRY_USAGE)
    if not words:
        here = [c for c in known if in_community(ctx) and c.external_id == ctx.record.community_id]
        if not here:
            raise BadInput("dry_which", usage=DRY_USAGE, known=listing)
        return here
    if words[0].lower() == "all":
        if not known:
            raise BadInput("dry_none")
        return known
    place = parse_place(words[0])
    found = [
        c
        for c in known
        if place is not None and c.external_id == place[1] and place[0] in (None, c.platform)
    ]
    if len(found) != 1:
        raise BadInput("dry_which", usage=DRY_USAGE, known=listing)
    return found


@router.message(Command("dry", ignore_case=True), flags=MODERATOR)
async def dry_show(message: Message, command: CommandObject, ctx: HandlerContext) -> None:
    """/dry: which communities are in dry run."""
    if (command.args or "").strip():
        await ctx.answer(ctx.t("usage", usage=DRY_USAGE))
        return
    known = await _public_communities(ctx)
    lines = [ctx.t("dry_title")]
    if ctx.spam is not None and ctx.spam.enforcer.dry_run:
        lines.append(ctx.t("dry_global"))
    for community in known:
        on = bool((community.settings or {}).get("dry_run"))
        ref = place_ref(community.platform, community.external_id)
        state = ctx.t("dry_on" if on else "dry_off")
        lines.append(ctx.t("dry_line", title=community.title or ref, ref=ref, state=state))
    if not known:
        lines.append(ctx.t("dry_none"))
    await ctx.answer("\n".join(lines))
