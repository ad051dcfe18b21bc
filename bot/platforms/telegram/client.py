"""Building the aiogram `Bot` for a base URL, and the raw getUpdates call."""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods.base import TelegramMethod


class GetRawUpdates(TelegramMethod[list[dict[str, Any]]]):
    """`getUpdates` returning plain dicts.

    aiogram's own `GetUpdates` validates the whole batch at once, so one
    malformed update would fail every poll forever; we validate each update
    separately in `normalize_update`.
    """

    __returning__ = list[dict[str, Any]]
    __api_method__ = "getUpdates"

    offset: int | None = None
    limit: int | None = None
    timeout: int | None = None
    allowed_updates: list[str] | None = None


ALLOWED_UPDATES = [
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "callback_query",
    "my_chat_member",
    "chat_member",
]


def make_bot(token: str, api_url: str, request_timeout: float = 30.0) -> Bot:
    """An aiogram Bot talking to `api_url` (Telegram, or the sandbox)."""
    session = AiohttpSession(
        api=TelegramAPIServer.from_base(api_url, is_local=False), timeout=request_timeout
    )
    return Bot(token, session=session)
