"""What command handlers share for reading their arguments."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.filters import CommandObject, Filter
from aiogram.types import Message

from handlers.context import HandlerContext


class BadInput(Exception):
    """Arguments a person got wrong: answered with the i18n text `key`."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


class Subcommand(Filter):
    """Matches `/<command> <word> …` when the first argument is one of `words`."""

    def __init__(self, *words: str) -> None:
        self.words = frozenset(words)

    async def __call__(self, message: Message, command: CommandObject) -> bool:
        first = (command.args or "").split(maxsplit=1)
        return bool(first) and first[0].lower() in self.words


def policy_error(error: ValueError) -> BadInput:
    """A policy's own sentence (English) behind a localised "That did not work:"."""
    return BadInput("bad_input", error=str(error))


Handler = Callable[..., Awaitable[None]]


def friendly(handler: Handler) -> Handler:
    """Answer `BadInput` with its sentence instead of failing the event."""

    @functools.wraps(handler)
    async def wrapper(message: Message, **data: Any) -> None:
        try:
            await handler(message, **data)
        except BadInput as problem:
            ctx: HandlerContext = data["ctx"]
            await ctx.answer(ctx.t(problem.key, **problem.values))

    return wrapper
