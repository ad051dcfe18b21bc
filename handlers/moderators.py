"""The moderators' chat: card buttons and replies to cards.

Callback data is `t:<ticket>:<action>[:<arg>]`, at most 64 bytes; it is parsed
here and trusted for nothing — the role check has already run and every id is
looked up again.
"""

from __future__ import annotations

from datetime import timedelta

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from sqlalchemy import select

from bot.labels import store_label
from bot.outbox import enqueue
from bot.policy.sla import format_duration
from bot.policy.triage import CATEGORIES
from bot.tickets import cards, service
from bot.tickets.relay import reply_to_member
from bot.tickets.settings import load_policy
from bot.tickets.staff import mention
from handlers.context import HandlerContext
from models import (
    Classification,
    InboundRecord,
    OutboxItem,
    Template,
    Ticket,
    TicketMessage,
)

router = Router(name="moderators")
MODERATOR = {"role": "moderator"}


async def relay_reply(ctx: HandlerContext, ticket: Ticket, text: str, key: str) -> None:
    """Send `text` to where the member wrote and record it on the ticket."""
    delivery = reply_to_member(ticket, text, ctx.ws.telegram_account)
    await enqueue(
        ctx.session,
        platform=delivery.platform,
        account=delivery.account,
        lane=delivery.lane,
        key=key,
        method=delivery.method,
        params=delivery.params,
        purpose=f"relay:{ticket.id}",
    )
    waited = (ctx.now - ticket.last_member_at).total_seconds()
    who = mention(ctx.staff) if ctx.staff else ctx.actor
    took = format_duration(timedelta(seconds=max(round(waited), 0)))
    ticket.card_note = f"↩️ Replied by {who} in {took} — sending…"
    ticket.failed_outbox_key = None
    if ticket.assignee_id is None and ctx.staff is not None:
        ticket.assignee_id = ctx.staff.id
    service.record_reply(
        ctx.session,
        ticket,
        actor=ctx.actor,
        text=text,
        outbox_key=key,
        policy=await load_policy(ctx.session, (ticket.platform, ticket.community_id)),
        now=ctx.now,
    )
    ctx.audit("reply", f"ticket:{ticket.id}", chars=len(text), waited_seconds=round(waited))
    await cards.queue_card(ctx.session, ticket, ctx.ws)


@router.message(F.reply_to_message, flags=MODERATOR)
async def reply_to_card(message: Message, ctx: HandlerContext) -> None:
    """A Telegram reply to a card goes to the member; other messages are ignored."""
    if message.text is None or message.text.startswith("/"):
        return
    assert message.reply_to_message is not None
    ticket = await ctx.session.scalar(
        select(Ticket).where(
            Ticket.card_chat_id == message.chat.id,
            Ticket.card_message_id == message.reply_to_message.message_id,
        )
    )
    if ticket is None:
        return
    await relay_reply(ctx, ticket, message.text, f"relay:{ctx.record.id}")


def parse(data: str | None) -> tuple[int, str, str] | None:
    parts = (data or "").split(":")
    if len(parts) < 3 or parts[0] != "t" or not parts[1].isdigit():
        return None
    return int(parts[1]), parts[2], ":".join(parts[3:])


@router.callback_query(F.data.startswith("t:"), flags=MODERATOR)
async def card_button(query: CallbackQuery, ctx: HandlerContext) -> None:
    parsed = parse(query.data)
    ticket = await ctx.session.get(Ticket, parsed[0]) if parsed else None
    if parsed is None or ticket is None:
        await ctx.answer_callback(ctx.t("unknown_ticket", id=parsed[0] if parsed else "?"))
        return
    _, action, arg = parsed
    handler = ACTIONS.get(action)
    if handler is None:
        await ctx.answer_callback(ctx.t("unknown_ticket", id=ticket.id))
        return
    await handler(ctx, ticket, arg)
    ctx.audit(f"button:{action}", f"ticket:{ticket.id}", arg=arg)


async def _take(ctx: HandlerContext, ticket: Ticket, arg: str) -> None:
    assert ctx.staff is not None
    service.take(ctx.session, ticket, ctx.staff, ctx.now)
    await cards.queue_card(ctx.session, ticket, ctx.ws)
    await ctx.answer_callback(ctx.t("taken", id=ticket.id))


async def _resolve(ctx: HandlerContext, ticket: Ticket, arg: str) -> None:
    service.resolve(ctx.session, ticket, ctx.actor, ctx.now)
    await cards.queue_card(ctx.session, ticket, ctx.ws)
    await ctx.answer_callback(ctx.t("resolved", id=ticket.id))


async def _relabel(ctx: HandlerContext, ticket: Ticket, arg: str) -> None:
    if not arg:
        await ctx.edit_buttons(cards.relabel_keyboard(ticket))
        await ctx.answer_callback(ctx.t("pick_category"))
        return
    if arg not in CATEGORIES:
        await ctx.answer_callback(ctx.t("unknown_ticket", id=ticket.id))
        return
    service.relabel(ctx.session, ticket, arg, ctx.actor, ctx.policy, ctx.now)
    if arg in ("purchase", "support", "complaint", "praise", "other"):
        store_label(
            ctx.session, ticket.last_text, intent=arg, spam=False, who=ctx.actor, at=ctx.now
        )
    await cards.queue_card(ctx.session, ticket, ctx.ws)
    await ctx.answer_callback(ctx.t("relabelled", id=ticket.id, category=arg))


async def _templates(ctx: HandlerContext, ticket: Ticket, arg: str) -> None:
    found = list(
        await ctx.session.scalars(
            select(Template).where(Template.category == ticket.category).order_by(Template.name)
        )
    )
    if not found:
        await ctx.answer_callback(ctx.t("no_templates", category=ticket.category), alert=True)
        return
    rows = [[cards.button(f"📝 {t.name}", f"t:{ticket.id}:tpl:{t.id}")] for t in found[:20]]
    rows.append([cards.button("↩️", f"t:{ticket.id}:back")])
    if not arg:
        await ctx.edit_buttons({"inline_keyboard": rows})
        await ctx.answer_callback()
        return
    template = await ctx.session.get(Template, int(arg)) if arg.isdigit() else None
    if template is None:
        await ctx.answer_callback(ctx.t("no_templates", category=ticket.category), alert=True)
        return
    text = fill_template(template.text, ticket)
    confirm = [
        [
            cards.button("✅ Send", f"t:{ticket.id}:tok:{template.id}"),
            cards.button("✖️", f"t:{ticket.id}:back"),
        ]
    ]
    await ctx.edit_buttons({"inline_keyboard": confirm})
    await ctx.answer_callback(ctx.t("confirm_template", text=text)[:200], alert=True)


def fill_template(text: str, ticket: Ticket) -> str:
    """`{name}` and `{community}`; any other braces are left as written."""
    return text.replace("{name}", ticket.member_name or "").replace(
        "{community}", ticket.community_title or ""
    )


async def _send_template(ctx: HandlerContext, ticket: Ticket, arg: str) -> None:
    template = await ctx.session.get(Template, int(arg)) if arg.isdigit() else None
    if template is None:
        await ctx.answer_callback(ctx.t("no_templates", category=ticket.category), alert=True)
        return
    await relay_reply(ctx, ticket, fill_template(template.text, ticket), f"relay:{ctx.record.id}")
    await ctx.answer_callback(ctx.t("reply_queued", id=ticket.id))


async def _back(ctx: HandlerContext, ticket: Ticket, arg: str) -> None:
    await cards.queue_card(ctx.session, ticket, ctx.ws)
    await ctx.answer_callback()


async def _label_spam(ctx: HandlerContext, ticket: Ticket, arg: str) -> None:
    """Spam after all: remove the member's message(s), climb the ladder, store a label."""
    if ctx.spam is not None:
        inbound_ids = await ctx.session.scalars(
            select(TicketMessage.inbound_id).where(
                TicketMessage.ticket_id == ticket.id, TicketMessage.direction == "in"
            )
        )
        for inbound_id in [i for i in inbound_ids if i is not None]:
            record = await ctx.session.get(InboundRecord, inbound_id)
            if record is not None:
                verdict = await ctx.session.get(Classification, inbound_id)
                await ctx.spam.remove(ctx.session, record, verdict, actor=ctx.actor, now=ctx.now)
    store_label(ctx.session, ticket.last_text, intent="spam", spam=True, who=ctx.actor, at=ctx.now)
    ticket.category = "spam"
    service.resolve(ctx.session, ticket, ctx.actor, ctx.now)
    await cards.queue_card(ctx.session, ticket, ctx.ws)
    await ctx.answer_callback(ctx.t("labelled_spam"))


async def _label_ham(ctx: HandlerContext, ticket: Ticket, arg: str) -> None:
    store_label(ctx.session, ticket.last_text, spam=False, who=ctx.actor, at=ctx.now)
    if ticket.category == "spam":
        # A possible-spam ticket that is not spam becomes an ordinary one for triage.
        service.relabel(ctx.session, ticket, "needs_triage", ctx.actor, ctx.policy, ctx.now)
        ticket.priority = "normal"
    await cards.queue_card(ctx.session, ticket, ctx.ws)
    await ctx.answer_callback(ctx.t("labelled_ham"))


async def _retry(ctx: HandlerContext, ticket: Ticket, arg: str) -> None:
    failed = None
    if ticket.failed_outbox_key:
        failed = await ctx.session.scalar(
            select(OutboxItem).where(OutboxItem.idempotency_key == ticket.failed_outbox_key)
        )
    if failed is None or failed.status != "failed":
        await ctx.answer_callback(ctx.t("nothing_to_retry"))
        return
    await enqueue(
        ctx.session,
        platform=failed.platform,
        account=failed.account,
        lane=failed.lane,
        key=f"{failed.idempotency_key}:retry:{ctx.record.id}",
        method=failed.method,
        params=failed.params,
        purpose=failed.purpose,
    )
    ticket.failed_outbox_key = None
    ticket.card_note = "🔁 Delivering the reply again — sending…"
    await cards.queue_card(ctx.session, ticket, ctx.ws)
    await ctx.answer_callback(ctx.t("retry_queued"))


ACTIONS = {
    "take": _take,
    "res": _resolve,
    "rl": _relabel,
    "tpl": _templates,
    "tok": _send_template,
    "back": _back,
    "spam": _label_spam,
    "ham": _label_ham,
    "retry": _retry,
}
