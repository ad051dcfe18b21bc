"""Performing outbox items on Telegram through aiogram.

Telegram has no idempotency key of its own, so exactly-once rests on the
outbox: an item is retried only after an error that says the call did not take
effect (429, 5xx, a refused or dropped connection, a timeout before an answer),
and a finished item is never claimed again.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

import aiohttp
from aiogram import Bot, methods
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods.base import TelegramMethod
from pydantic import BaseModel, ValidationError

from bot.backoff import backoff_delay
from bot.outbox.outcome import Outcome
from bot.outbox.ratelimit import CombinedLimit, SlidingWindow
from models import OutboxItem

log = logging.getLogger(__name__)

# Calls that put a new message into a chat: these are what Telegram rate-limits per chat.
SENDING_METHODS = frozenset(
    {"sendMessage", "sendPoll", "copyMessage", "forwardMessage", "sendPhoto", "sendDocument"}
)
# Outcomes that mean the desired state already holds.
ALREADY_DONE = (
    "message is not modified",
    "message to delete not found",
)

# The call may not have reached Telegram, or its answer was garbled: safe to retry.
NETWORK_ERRORS = (TelegramNetworkError, ClientDecodeError, aiohttp.ClientError, TimeoutError)

# Telegram's texts → sentences a moderator can act on.
EXPLANATIONS = {
    "bot was blocked by the user": "the member has blocked the bot",
    "bot can't initiate conversation with a user": "the member never wrote to the bot first",
    "chat not found": "Telegram does not know this chat (was the bot removed?)",
    "message to be replied not found": "the message being answered was deleted",
    "message thread not found": "the thread or topic no longer exists",
    "not enough rights": "the bot is not an admin with the needed rights in this chat",
    "message can't be deleted": "Telegram no longer allows deleting this message",
    "bot is not a member": "the bot is not in this chat",
    "bot was kicked": "the bot was removed from this chat",
    "message is too long": "the text is longer than Telegram allows (4096 characters)",
    "user is an administrator of the chat": "the member is an admin of the chat",
}


def explain(description: str) -> str:
    """Telegram's error text plus, where we know it, what it means for a person."""
    lowered = description.lower()
    for fragment, meaning in EXPLANATIONS.items():
        if fragment in lowered:
            return f"{meaning} (Telegram: {description})"
    return f"Telegram refused: {description}"


def method_class(name: str) -> type[TelegramMethod[Any]] | None:
    cls = getattr(methods, name[:1].upper() + name[1:], None)
    if isinstance(cls, type) and issubclass(cls, TelegramMethod):
        return cls
    return None


def _as_result(value: Any) -> dict[str, Any]:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    return {"value": value}


class TelegramLimits:
    """Telegram's published limits, kept by us so we rarely see a 429."""

    def __init__(self, margin: float = 1.05) -> None:
        self.private = SlidingWindow(1, 1.0 * margin)
        self.group = SlidingWindow(20, 60.0 * margin)
        self.overall = SlidingWindow(30, 1.0 * margin)

    def for_item(self, item: OutboxItem) -> CombinedLimit:
        windows = [(self.overall, "all")]
        if item.method in SENDING_METHODS:
            chat = str(item.params.get("chat_id", ""))
            per_chat = self.group if chat.startswith("-") else self.private
            windows.append((per_chat, chat))
        return CombinedLimit(windows)


class TelegramTransport:
    """One bot token's way to Telegram, for the outbox worker."""

    platform = "telegram"
    max_attempts = 12

    def __init__(self, bot: Bot, *, request_timeout: float = 20.0, seed: int | None = None) -> None:
        self.bot = bot
        self.account = str(bot.id)
        self.request_timeout = request_timeout
        self.limits = TelegramLimits()
        self.rng = random.Random(seed)

    def hold_back(self, item: OutboxItem, now: float) -> float:
        limit = self.limits.for_item(item)
        wait = limit.wait(now)
        if wait <= 0:
            limit.record(now)
        return wait

    async def send(self, item: OutboxItem) -> Outcome:
        cls = method_class(item.method)
        if cls is None:
            return Outcome.failed(f"Steward does not know the Telegram method {item.method!r}")
        try:
            call = cls.model_validate(item.params)
        except ValidationError as error:
            return Outcome.failed(f"invalid parameters for {item.method}: {error.errors()[0]}")
        attempt = item.attempts + 1
        try:
            result = await self.bot(call, request_timeout=self.request_timeout)
        except TelegramRetryAfter as error:
            delay = float(error.retry_after) + self.rng.uniform(0.0, 0.5)
            return Outcome.retry(delay, f"Telegram asked to wait {error.retry_after} s")
        except TelegramMigrateToChat as error:
            params = {**item.params, "chat_id": error.migrate_to_chat_id}
            return Outcome.retry(0.0, "the group became a supergroup", new_params=params)
        except TelegramBadRequest as error:
            if any(text in error.message for text in ALREADY_DONE):
                return Outcome.sent({"already": error.message})
            return Outcome.failed(explain(error.message))
        except TelegramServerError as error:
            return self._retry(attempt, f"Telegram server error: {error.message}")
        except NETWORK_ERRORS as error:
            return self._retry(attempt, f"network: {type(error).__name__}: {error}"[:300])
        except asyncio.CancelledError:
            raise
        except TelegramAPIError as error:
            return Outcome.failed(explain(error.message))
        return Outcome.sent(_as_result(result))

    def _retry(self, attempt: int, error: str) -> Outcome:
        return Outcome.retry(backoff_delay(attempt, base=1.0, cap=120.0, rng=self.rng), error)
