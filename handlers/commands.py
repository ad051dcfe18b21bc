"""Bot commands for moderators, leads and admins (role-checked by `handlers.access`)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from handlers.context import HandlerContext

router = Router(name="commands")

HELP = {
    "en": (
        "Steward — moderator commands\n"
        "Reply to a ticket card to answer the member where they wrote.\n"
        "/shift on|off — go on or off shift\n"
        "/help — this list"
    ),
    "ru": (
        "Steward — команды модератора\n"
        "Ответьте на карточку тикета, чтобы ответить участнику там, где он написал.\n"
        "/shift on|off — начать или закончить смену\n"
        "/help — этот список"
    ),
}


@router.message(Command("help", "start"), flags={"role": "moderator"})
async def help_command(message: Message, ctx: HandlerContext) -> None:
    await ctx.answer(HELP.get(ctx.lang, HELP["en"]))


@router.message(Command("shift"), flags={"role": "moderator"})
async def shift(message: Message, command: CommandObject, ctx: HandlerContext) -> None:
    assert ctx.staff is not None
    wanted = (command.args or "").strip().lower()
    if wanted not in ("on", "off"):
        await ctx.answer(ctx.t("usage", usage="/shift on|off"))
        return
    ctx.staff.on_shift = wanted == "on"
    ctx.audit("shift", f"staff:{ctx.staff.id}", on_shift=ctx.staff.on_shift)
    await ctx.answer(ctx.t("shift_on" if ctx.staff.on_shift else "shift_off"))
