"""Buttons on spam entries in the moderators' chat: Not spam (undo) and digest pages."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery

from bot.spam import digest
from handlers.context import HandlerContext
from models import SpamRemoval

router = Router(name="spam")
MODERATOR = {"role": "moderator"}


@router.callback_query(F.data.startswith("s:"), flags=MODERATOR)
async def not_spam(query: CallbackQuery, ctx: HandlerContext) -> None:
    parts = (query.data or "").split(":")
    removal = (
        await ctx.session.get(SpamRemoval, int(parts[1]))
        if len(parts) == 3 and parts[1].isdigit() and parts[2] == "ham"
        else None
    )
    if removal is None or ctx.spam is None:
        await ctx.answer_callback(ctx.t("unknown_removal"))
        return
    if await ctx.spam.not_spam(ctx.session, removal, actor=ctx.actor, now=ctx.now):
        ctx.audit("not spam", f"removal:{removal.id}")
        await ctx.answer_callback(ctx.t("restored", id=removal.id))
    else:
        await ctx.answer_callback(ctx.t("already_restored", id=removal.id))


@router.callback_query(F.data.startswith("sd:"), flags=MODERATOR)
async def digest_page(query: CallbackQuery, ctx: HandlerContext) -> None:
    parts = (query.data or "").split(":")
    if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
        await ctx.answer_callback(ctx.t("unknown_removal"))
        return
    removals = await digest.removals_of(ctx.session, int(parts[1]))
    if not removals:
        await ctx.answer_callback(ctx.t("unknown_removal"))
        return
    view = digest.render_items(removals, int(parts[2]))
    await ctx.edit_buttons(view["reply_markup"])
    await ctx.answer_callback()
