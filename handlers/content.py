"""Content-plan commands for leads and admins: posts, the promotion ratio, slots,
giveaways and polls (role-checked by `handlers.access`; answers go through the outbox).

    /post add [kind] [now|next|at <time>] [to <target>] [expires <duration|time>] <text>
    /post list · /post show <id> · /post cancel <id> · /post now <id>
    /promo · /promo set share=20% window=10 gap=4h daily=1 [to <target>] · /promo check
    /slots · /slots set 10:00 14:00 19:00 [to <target>] · /slots tz <zone> [to <target>]
    /slots suggest [to <target>] · /slots auto on|off [to <target>]
    /giveaway <post> <ends> [winners=1] [condition=comment]
    /poll [now|next|at <time>] [to <target>] [closes <duration|time>] <question> | <a> | <b>

Times are in the workspace time zone (`/hours tz`); every answer shows them with the
zone. `/post add` as a reply to a message takes that message's text and formatting.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from sqlalchemy import select

from bot.content import service
from bot.content.describe import local_time, plan_line, state_line
from bot.content.grammar import parse_giveaway, parse_poll, parse_post_options
from bot.content.planning import TargetPlan, plan_target
from bot.content.publisher import DEFAULT_POLL_LENGTH
from bot.content.targets import (
    TargetSetup,
    list_targets,
    select_targets,
    slots_to_json,
    target_label,
    touch,
    zone_named,
)
from bot.content.text import check_length, plain_preview, telegram_html
from bot.policy.best_times import suggested_slots
from bot.policy.promo import PublishedPost, current_share, is_promotional, parse_set_arguments
from bot.policy.slots import format_slots, parse_slots
from handlers.arguments import BadInput, Subcommand, friendly, policy_error
from handlers.context import HandlerContext
from models import Community, Post, Publication

router = Router(name="content")
LEAD = {"role": "lead"}

POST_USAGE = (
    "/post add [kind] [now|next|at <time>] [to <target>] [expires <duration>] <text> · "
    "/post list · /post show <id> · /post cancel <id> · /post now <id>"
)
PROMO_USAGE = "/promo · /promo set share=20% window=10 gap=4h daily=1 [to <target>] · /promo check"
SLOTS_USAGE = (
    "/slots · /slots set 10:00 14:00 19:00 [to <target>] · /slots tz Europe/Moscow · "
    "/slots suggest · /slots auto on|off"
)
LIST_POSTS = 20
_FIRST_WORD = re.compile(r"^\s*\S+\s*")


def _zone(ctx: HandlerContext) -> ZoneInfo:
    """Times in commands are read in the workspace time zone (`/hours tz`)."""
    return zone_named(ctx.policy.calendar.timezone)


def _after_first_word(command: CommandObject) -> str:
    """The arguments after the sub-command, exactly as written (line breaks kept)."""
    return _FIRST_WORD.sub("", command.args or "", count=1)


def _origin(ctx: HandlerContext) -> service.Origin:
    location = ctx.record.location or {}
    thread = location.get("message_thread_id") if location.get("is_topic_message") else None
    return service.Origin(
        actor=ctx.actor,
        chat_id=location.get("chat_id"),
        message_id=location.get("message_id"),
        thread_id=thread,
        language=ctx.lang,
    )


def _split_targets(words: list[str]) -> tuple[list[str], list[str]]:
    """`… to tg,vk` → (the other words, the target names)."""
    if "to" not in (word.lower() for word in words):
        return words, []
    index = [word.lower() for word in words].index("to")
    if index + 1 >= len(words):
        raise BadInput("bad_input", error="'to' needs a target after it, e.g. to vk or to tg.")
    names = [name for name in words[index + 1].split(",") if name]
    return words[:index] + words[index + 2 :], names


async def _targets(ctx: HandlerContext, names: list[str]) -> list[Community]:
    try:
        return select_targets(await list_targets(ctx.session), names)
    except ValueError as error:
        raise policy_error(error) from error


async def _post(ctx: HandlerContext, text: str) -> Post:
    if not text.lstrip("#").isdigit() or int(text.lstrip("#")) >= 2**31:
        raise BadInput("usage", usage=POST_USAGE)
    post = await ctx.session.get(Post, int(text.lstrip("#")))
    if post is None:
        raise BadInput("post_unknown", id=text.lstrip("#"))
    return post


def _one_id(command: CommandObject) -> str:
    words = (command.args or "").split()
    if len(words) != 2:
        raise BadInput("usage", usage=POST_USAGE)
    return words[1]


# ------------------------------------------------------------------------------- /post


@router.message(Command("post"), Subcommand("add"), flags=LEAD)
@friendly
async def post_add(message: Message, command: CommandObject, ctx: HandlerContext) -> None:
    """Queue a post on its targets and say where the plan puts it."""
    try:
        options = parse_post_options(_after_first_word(command), ctx.now, _zone(ctx))
    except ValueError as error:
        raise policy_error(error) from error
    kind = options.kind or "useful"
    if kind == "poll":
        raise BadInput("post_use_poll")
    text = options.text
    replied = message.reply_to_message
    if not text and replied is not None and (replied.text or replied.caption):
        text = replied.html_text  # the replied message's formatting, as Telegram HTML
    if not text:
        raise BadInput("post_no_text")
    text = telegram_html(text)
    try:
        check_length(text)
        targets = select_targets(await list_targets(ctx.session), options.targets)
        post = await service.queue_post(
            ctx.session,
            kind=kind,
            text=text,
            targets=targets,
            origin=_origin(ctx),
            now=ctx.now,
            requested=options.requested,
            requested_at=options.requested_at,
            evergreen=options.evergreen,
            link=options.link,
            expires_after=options.expires_after,
            expires_at=options.expires_at,
        )
    except ValueError as error:
        raise policy_error(error) from error
    lines = await service.plan_lines(ctx.session, post, ctx.now, ctx.lang)
    ctx.audit(
        "post_add",
        f"post:{post.id}",
        kind=kind,
        requested=options.requested,
        targets=[target_label(target) for target in targets],
    )
    await ctx.answer("\n".join([ctx.t("post_queued", id=post.id, kind=kind), *lines]))


@router.message(Command("post"), Subcommand("list"), flags=LEAD)
@friendly
async def post_list(message: Message, command: CommandObject, ctx: HandlerContext) -> None:
    """Posts still waiting somewhere: each target's planned time, or its state if out."""
    waiting = select(Publication.post_id).where(Publication.state.in_(("planned", "queued")))
    posts = list(
        await ctx.session.scalars(
            select(Post)
            .where(Post.id.in_(waiting), Post.cancelled_at.is_(None))
            .order_by(Post.id)
            .limit(LIST_POSTS)
        )
    )
    if not posts:
        await ctx.answer(ctx.t("post_list_empty"))
        return
    plans: dict[int, tuple[TargetSetup, TargetPlan]] = {}
    lines = [ctx.t("post_list_title", count=len(posts))]
    for post in posts:
        lines.append(f"#{post.id} {post.kind} · {plain_preview(post.text, 50)}")
        for publication, community in await service.copies_of(ctx.session, post.id):
            if community.id not in plans:
                (setup,) = await service.setups(ctx.session, [community])
                plans[community.id] = (setup, await plan_target(ctx.session, setup, ctx.now))
            setup, target_plan = plans[community.id]
            if publication.state == "planned":
                item = target_plan.item_for(publication.id)
                lines.append("  " + plan_line(item, setup, target_plan.now, ctx.lang))
            else:
                lines.append("  " + state_line(publication, setup, ctx.lang))
    await ctx.answer("\n".join(lines))


@router.message(Command("post"), Subcommand("show"), flags=LEAD)
@friendly
async def post_show(message: Message, command: CommandObject, ctx: HandlerContext) -> None:
    post = await _post(ctx, _one_id(command))
    zone = _zone(ctx)
    lines = [
        ctx.t(
            "post_head",
            id=post.id,
            kind=post.kind,
            queued=local_time(post.queued_at, zone),
            who=post.created_by,
        )
    ]
    if post.evergreen:
        lines.append(ctx.t("post_evergreen"))
    if post.expires_at is not None:
        lines.append(ctx.t("post_expires_at", when=local_time(post.expires_at, zone)))
    elif post.expires_after_seconds:
        hours = round(post.expires_after_seconds / 3600, 1)
        lines.append(ctx.t("post_expires_after", hours=f"{hours:g}"))
    if post.link:
        lines.append(ctx.t("post_link", link=post.link))
    lines += await service.plan_lines(ctx.session, post, ctx.now, ctx.lang)
    lines += ["", plain_preview(post.text, 1500)]
    await ctx.answer("\n".join(lines))


@router.message(Command("post"), Subcommand("cancel"), flags=LEAD)
@friendly
async def post_cancel(message: Message, command: CommandObject, ctx: HandlerContext) -> None:
    post = await _post(ctx, _one_id(command))
    cancelled = await service.cancel(ctx.session, post, ctx.now)
    if not cancelled:
        raise BadInput("post_nothing_to_cancel", id=post.id)
    ctx.audit("post_cancel", f"post:{post.id}", publications=cancelled)
    await ctx.answer(ctx.t("post_cancelled", id=post.id, count=cancelled))


@router.message(Command("post"), Subcommand("now"), flags=LEAD)
@friendly
async def post_now(message: Message, command: CommandObject, ctx: HandlerContext) -> None:
    """As soon as the ratio policy allows (a promotion may still have to wait)."""
    post = await _post(ctx, _one_id(command))
    copies = await service.copies_of(ctx.session, post.id)
    if not any(publication.state == "planned" for publication, _ in copies):
        raise BadInput("post_nothing_waiting", id=post.id)
    service.hurry(post)
    service.hurry_copies(copies)
    ctx.audit("post_now", f"post:{post.id}")
    lines = await service.plan_lines(ctx.session, post, ctx.now, ctx.lang)
    await ctx.answer("\n".join([ctx.t("post_hurried", id=post.id), *lines]))


@router.message(Command("post"), flags=LEAD)
@friendly
async def post_usage(message: Message, command: CommandObject, ctx: HandlerContext) -> None:
    raise BadInput("usage", usage=POST_USAGE)


# ------------------------------------------------------------------------------ /promo


def _share_line(setup: TargetSetup, history: Sequence[PublishedPost], ctx: HandlerContext) -> str:
    snapshot = current_share(setup.policy, history, ctx.now)
    return ctx.t(
        "promo_line",
        target=target_label(setup.community),
        policy=setup.policy.describe(),
        share=snapshot.describe(setup.policy),
    )


@router.message(Command("promo"), Subcommand("set"), flags=LEAD)
@friendly
async def promo_set(message: Message, command: CommandObject, ctx: HandlerContext) -> None:
    words, names = _split_targets((command.args or "").split()[1:])
    targets = await _targets(ctx, names)
    try:
        changes = parse_set_arguments(" ".join(words))
    except ValueError as error:
        raise policy_error(error) from error
    for setup in await service.setups(ctx.session, targets):
        before = setup.policy
        try:
            after = before.apply_arguments(" ".join(words))
        except ValueError as error:
            raise policy_error(error) from error
        setup.settings.ratio_policy = after.to_dict()
        touch(setup.settings, ctx.actor, ctx.now)
        ctx.audit(
            "promo_set",
            target_label(setup.community),
            before=before.to_dict(),
            after=after.to_dict(),
            changed=sorted(changes),
        )
    lines = [ctx.t("promo_saved", targets=", ".join(target_label(t) for t in targets))]
    for setup in await service.setups(ctx.session, targets):
        target_plan = await plan_target(ctx.session, setup, ctx.now)
        lines.append(_share_line(setup, target_plan.history, ctx))
    await ctx.answer("\n".join(lines))


@router.message(Command("promo"), Subcommand("check"), flags=LEAD)
@friendly
async def promo_check(message: Message, command: CommandObject, ctx: HandlerContext) -> None:
    """What the planner would do with every queued promotion, and why."""
    words, names = _split_targets((command.args or "").split()[1:])
    if words:
        raise BadInput("usage", usage=PROMO_USAGE)
    lines = [ctx.t("promo_check_title")]
    for setup in await service.setups(ctx.session, await _targets(ctx, names)):
        target_plan = await plan_target(ctx.session, setup, ctx.now)
        lines.append(_share_line(setup, target_plan.history, ctx))
        promotions = [item for item in target_plan.items if is_promotional(item.kind)]
        if not promotions:
            lines.append("  " + ctx.t("promo_check_none"))
        for item in promotions:
            line = plan_line(item, setup, target_plan.now, ctx.lang)
            lines.append(f"  #{target_plan.posts[int(item.post_id)].id} {item.kind}: {line}")
    await ctx.answer("\n".join(lines))


@router.message(Command("promo"), flags=LEAD)
@friendly
async def promo_show(message: Message, command: CommandObject, ctx: HandlerContext) -> None:
    """The policy in force on each target and the current promotional share."""
    if (command.args or "").strip():
        raise BadInput("usage", usage=PROMO_USAGE)
    lines = [ctx.t("promo_title")]
    for setup in await service.setups(ctx.session, await _targets(ctx, [])):
        target_plan = await plan_target(ctx.session, setup, ctx.now)
        lines.append(_share_line(setup, target_plan.history, ctx))
    await ctx.answer("\n".join(lines))


# ------------------------------------------------------------------------------ /slots


def _slots_line(setup: TargetSetup, ctx: HandlerContext) -> str:
    mode = ctx.t("slots_mode_auto" if setup.settings.auto_slots else "slots_mode_fixed")
    return ctx.t(
        "slots_line",
        target=target_label(setup.community),
        zone=setup.zone_name,
        mode=mode,
        slots=format_slots(setup.slots),
    )


async def _slot_targets(
    ctx: HandlerContext, command: CommandObject
) -> tuple[list[str], list[TargetSetup]]:
    words, names = _split_targets((command.args or "").split()[1:])
    return words, await service.setups(ctx.session, await _targets(ctx, names))


@router.message(Command("slots"), Subcommand("set"), flags=LEAD)
@friendly
async def slots_set(message: Message, command: CommandObject, ctx: HandlerContext) -> None:
    words, targets = await _slot_targets(ctx, command)
    try:
        slots = parse_slots(" ".join(words))
    except ValueError as error:
        raise policy_error(error) from error
    for setup in targets:
        ctx.audit("slots_set", target_label(setup.community), slots=slots_to_json(slots))
        setup.settings.slots = slots_to_json(slots)
        setup.settings.auto_slots = False
        touch(setup.settings, ctx.actor, ctx.now)
    refreshed = await service.setups(ctx.session, [setup.community for setup in targets])
    await ctx.answer(
        "\n".join([ctx.t("slots_saved"), *(_slots_line(setup, ctx) for setup in refreshed)])
    )


@router.message(Command("slots"), Subcommand("tz"), flags=LEAD)
@friendly
async def slots_tz(message: Message, command: CommandObject, ctx: HandlerContext) -> None:
    words, targets = await _slot_targets(ctx, command)
    if len(words) != 1:
        raise BadInput("usage", usage=SLOTS_USAGE)
    try:
        zone_named(words[0])
    except ValueError as error:
        raise policy_error(error) from error
    for setup in targets:
        ctx.audit("slots_tz", target_label(setup.community), was=setup.zone_name, to=words[0])
        setup.settings.timezone = words[0]
        touch(setup.settings, ctx.actor, ctx.now)
    refreshed = await service.setups(ctx.session, [setup.community for setup in targets])
    await ctx.answer(
        "\n".join([ctx.t("slots_saved"), *(_slots_line(setup, ctx) for setup in refreshed)])
    )


@router.message(Command("slots"), Subcommand("suggest"), flags=LEAD)
@friendly
async def slots_suggest(message: Message, command: CommandObject, ctx: HandlerContext) -> None:
    """The three best hours per weekday from the last 8 weeks of member activity."""
    words, targets = await _slot_targets(ctx, command)
    if words:
        raise BadInput("usage", usage=SLOTS_USAGE)
    lines = []
    for setup in targets:
        suggestion, count = await service.suggest(ctx.session, setup, ctx.now)
        lines.append(
            ctx.t(
                "slots_suggestion",
                target=target_label(setup.community),
                zone=setup.zone_name,
                count=count,
            )
        )
        if not count:
            lines.append(ctx.t("slots_no_activity"))
        lines.append(format_slots(suggested_slots(suggestion)))
    lines.append(ctx.t("slots_suggest_hint"))
    await ctx.answer("\n".join(lines))


@router.message(Command("slots"), Subcommand("auto"), flags=LEAD)
@friendly
async def slots_auto(message: Message, command: CommandObject, ctx: HandlerContext) -> None:
    """`on`: the slots follow the suggestion (refreshed daily); `off`: the set slots."""
    words, targets = await _slot_targets(ctx, command)
    if len(words) != 1 or words[0].lower() not in ("on", "off"):
        raise BadInput("usage", usage=SLOTS_USAGE)
    enabled = words[0].lower() == "on"
    for setup in targets:
        settings = setup.settings
        settings.auto_slots = enabled
        if enabled:
            suggestion, _ = await service.suggest(ctx.session, setup, ctx.now)
            settings.suggested_slots = {
                str(day): slots_to_json(times) for day, times in suggested_slots(suggestion).items()
            }
            settings.suggested_at = ctx.now
        touch(settings, ctx.actor, ctx.now)
        ctx.audit("slots_auto", target_label(setup.community), on=enabled)
    refreshed = await service.setups(ctx.session, [setup.community for setup in targets])
    await ctx.answer(
        "\n".join(
            [
                ctx.t("slots_auto_on" if enabled else "slots_auto_off"),
                *(_slots_line(setup, ctx) for setup in refreshed),
            ]
        )
    )


@router.message(Command("slots"), flags=LEAD)
@friendly
async def slots_show(message: Message, command: CommandObject, ctx: HandlerContext) -> None:
    if (command.args or "").strip():
        raise BadInput("usage", usage=SLOTS_USAGE)
    targets = await service.setups(ctx.session, await _targets(ctx, []))
    await ctx.answer("\n".join([ctx.t("slots_title"), *(_slots_line(s, ctx) for s in targets)]))


# ---------------------------------------------------------------------------- /giveaway


@router.message(Command("giveaway"), flags=LEAD)
@friendly
async def giveaway(message: Message, command: CommandObject, ctx: HandlerContext) -> None:
    """Draw winners among the post's commenters when it ends (see `bot.content.giveaways`)."""
    try:
        post_id, ends_at, winners, condition = parse_giveaway(
            command.args or "", ctx.now, _zone(ctx)
        )
    except ValueError as error:
        raise policy_error(error) from error
    post = await _post(ctx, str(post_id))
    if post.kind != "giveaway":
        raise BadInput("giveaway_wrong_kind", id=post.id, kind=post.kind)
    if post.cancelled_at is not None:
        raise BadInput("post_unknown", id=post.id)
    existing = await service.open_giveaway(ctx.session, post.id)
    if existing is not None:
        raise BadInput("giveaway_exists", id=post.id, when=local_time(existing.ends_at, _zone(ctx)))
    created = await service.create_giveaway(
        ctx.session,
        post,
        ends_at=ends_at,
        winners=winners,
        condition=condition,
        actor=ctx.actor,
        now=ctx.now,
    )
    ctx.audit(
        "giveaway_set",
        f"giveaway:{created.id}",
        post=post.id,
        ends_at=ends_at.isoformat(),
        winners=winners,
        condition=condition,
    )
    await ctx.answer(
        ctx.t(
            "giveaway_set",
            gid=created.id,
            id=post.id,
            when=local_time(ends_at, _zone(ctx)),
            winners=winners,
        )
    )


# -------------------------------------------------------------------------------- /poll


@router.message(Command("poll"), flags=LEAD)
@friendly
async def poll(message: Message, command: CommandObject, ctx: HandlerContext) -> None:
    """A poll on every target (Telegram sendPoll, VK poll on a wall post)."""
    try:
        options = parse_post_options(
            command.args or "", ctx.now, _zone(ctx), allow_kind=False, allow_close=True
        )
        question, answers = parse_poll(options.text)
        if options.closes_at is not None and options.closes_at <= ctx.now:
            raise ValueError("The poll would close before it opens; give a later time.")
        targets = select_targets(await list_targets(ctx.session), options.targets)
        post = await service.queue_post(
            ctx.session,
            kind="poll",
            text=html.escape(question, quote=False),
            targets=targets,
            origin=_origin(ctx),
            now=ctx.now,
            requested=options.requested,
            requested_at=options.requested_at,
            expires_after=options.expires_after,
            expires_at=options.expires_at,
        )
    except ValueError as error:
        raise policy_error(error) from error
    await service.add_poll(
        ctx.session,
        post,
        question,
        answers,
        closes_after=options.closes_after,
        closes_at=options.closes_at,
    )
    lines = await service.plan_lines(ctx.session, post, ctx.now, ctx.lang)
    ctx.audit("poll_add", f"post:{post.id}", question=question, options=answers)
    closes = (
        local_time(options.closes_at, _zone(ctx))
        if options.closes_at is not None
        else ctx.t("poll_closes_after", hours=_hours(options.closes_after or DEFAULT_POLL_LENGTH))
    )
    await ctx.answer("\n".join([ctx.t("poll_queued", id=post.id, closes=closes), *lines]))


def _hours(duration: timedelta) -> str:
    return f"{round(duration.total_seconds() / 3600, 1):g}"
