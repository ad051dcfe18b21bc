"""Role checks, written once: an outer middleware reads each handler's `role` flag.

Every command and button press is checked against the staff table on the server;
callback data is user input and carries no trust. A refusal is answered politely
and written to the audit log.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.flags import get_flag
from aiogram.types import CallbackQuery, Message, TelegramObject

from bot.tickets.staff import has_role
from handlers.context import HandlerContext


class RoleCheck(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        needed = get_flag(data, "role")
        ctx: HandlerContext = data["ctx"]
        if needed is None or has_role(ctx.staff, needed):
            return await handler(event, data)
        ctx.audit(
            "refused", _what(event), needed=needed, role=ctx.staff.role if ctx.staff else None
        )
        message = ctx.t("not_staff") if ctx.staff is None else ctx.t("not_allowed", role=needed)
        if isinstance(event, CallbackQuery):
            await ctx.answer_callback(message, alert=True)
        elif isinstance(event, Message):
            await ctx.answer(message)
        return None


def _what(event: TelegramObject) -> str:
    if isinstance(event, CallbackQuery):
        return f"button {event.data!r}"
    if isinstance(event, Message):
        return f"command {(event.text or '')[:64]!r}"
    return type(event).__name__
