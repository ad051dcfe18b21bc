"""The table of Bot API methods: name (case-insensitive) → handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from .params import Params
from .world import World

Handler = Callable[[World, Params], Any | Awaitable[Any]]


@dataclass(frozen=True)
class Method:
    name: str  # as Telegram spells it, for the call log
    handler: Handler


@dataclass(frozen=True)
class Answer:
    """A result that comes with a `description`, as deleteWebhook's does."""

    result: Any
    description: str


METHODS: dict[str, Method] = {}


def method(name: str) -> Callable[[Handler], Handler]:
    """Register a handler under a Bot API method name."""

    def register(handler: Handler) -> Handler:
        METHODS[name.lower()] = Method(name=name, handler=handler)
        return handler

    return register
