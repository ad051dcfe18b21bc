"""Feeding stored Telegram events to the aiogram routers (a pipeline stage).

Updates from the moderators' chat, button presses, commands in DMs and moderation
commands in community groups (`/ban`, `/mute`, … — see `handlers.moderation`) go through
aiogram's Dispatcher with a `HandlerContext`; anything the handlers want to say
goes through the outbox. Members of the moderators' chat become staff here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.tickets import staff as staff_records
from bot.tickets.settings import load_policy
from bot.tickets.workspace import Workspace
from handlers import commands, content, moderation, moderators, spam
from handlers.access import RoleCheck
from handlers.context import HandlerContext
from models import InboundRecord, utcnow

_dispatcher: Dispatcher | None = None


def build_dispatcher() -> Dispatcher:
    """The routers, once per process: aiogram attaches a router to one parent only.

    Handlers keep no state of their own (everything arrives in `ctx`), so one
    dispatcher serves every Steward in the process.
    """
    global _dispatcher
    if _dispatcher is not None:
        return _dispatcher
    dispatcher = Dispatcher()
    role_check = RoleCheck()
    # Moderation before moderators: its commands may be replies to cards, which the
    # moderators' router would otherwise take as a reply for the member.
    routers = (commands.router, content.router, moderation.router, moderators.router, spam.router)
    for router in routers:
        router.message.middleware(role_check)
        router.callback_query.middleware(role_check)
        dispatcher.include_router(router)
    _dispatcher = dispatcher
    return dispatcher


class HandlerStage:
    """The pipeline stage that runs the handlers for one stored Telegram event."""

    def __init__(
        self,
        bot: Bot,
        ws: Workspace,
        *,
        clock: Callable[[], datetime] = utcnow,
        spam: Any = None,
    ) -> None:
        self.bot = bot
        self.spam = spam
        self.ws = ws
        self.clock = clock
        self.dispatcher = build_dispatcher()

    def wants(self, record: InboundRecord) -> bool:
        if record.platform != "telegram":
            return False
        if record.kind == "callback":
            return True
        in_workspace = record.community_id == str(self.ws.moderators_chat_id)
        if in_workspace:
            return record.kind in ("group_message", "membership") or record.kind == "comment"
        if record.kind == "direct_message":
            return record.text.startswith("/")
        # Moderation commands in a community group (only those: other commands there are
        # members' messages like any other).
        return (
            record.kind in ("group_message", "comment")
            and record.action == "new"
            and moderation.is_group_command(record.text)
        )

    async def __call__(self, session: AsyncSession, record: InboundRecord) -> str | None:
        if not self.wants(record):
            return None
        in_workspace = record.community_id == str(self.ws.moderators_chat_id)
        subject = (record.location or {}).get("user_id") if record.kind == "membership" else None
        author = str(subject) if subject is not None else (record.author_id or "")
        user_id = int(author) if author.lstrip("-").isdigit() else 0
        raw_from = _sender(record)
        # Only writing in the chat or joining it shows membership; a button press does not
        # (callback data is user input, and only staff may press).
        shows_membership = record.kind in ("group_message", "membership", "comment")
        if in_workspace and shows_membership and user_id > 0 and not (raw_from or {}).get("is_bot"):
            # Whoever is in the moderators' chat moderates (chat admins decide who joins).
            if record.kind == "membership" and record.action == "leave":
                existing = await staff_records.find(session, user_id)
                if existing is not None and existing.role != "admin":
                    existing.active = False
            else:
                await staff_records.register(
                    session,
                    user_id,
                    name=record.author_name,
                    username=(raw_from or {}).get("username"),
                    language=(raw_from or {}).get("language_code"),
                )
        if record.kind == "membership":
            return "staff updated" if in_workspace else None
        staff = await staff_records.find(session, user_id) if user_id > 0 else None
        ctx = HandlerContext(
            session=session,
            ws=self.ws,
            record=record,
            staff=staff,
            user_id=user_id,
            language_code=(raw_from or {}).get("language_code"),
            now=self.clock(),
            policy=await load_policy(session),
            spam=self.spam,
        )
        update = Update.model_validate(record.raw, context={"bot": self.bot})
        await self.dispatcher.feed_update(self.bot, update, ctx=ctx)
        if (
            not in_workspace
            and record.kind != "direct_message"
            and not staff_records.has_role(staff, "moderator")
        ):
            # A member's "/ban …" in a group was refused; it is still a member's message and
            # goes on to the spam check and triage (a leading "/" must not dodge the filter).
            return None
        return "handled"


def _sender(record: InboundRecord) -> dict[str, object] | None:
    raw = record.raw or {}
    for key in ("message", "edited_message", "callback_query"):
        payload = raw.get(key)
        if isinstance(payload, dict) and isinstance(payload.get("from"), dict):
            return payload["from"]
    for key in ("chat_member", "my_chat_member"):
        payload = raw.get(key)
        if isinstance(payload, dict):
            member = (payload.get("new_chat_member") or {}).get("user")
            if isinstance(member, dict):
                return member
    return None
