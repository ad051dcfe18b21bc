"""What command handlers share for reading their arguments."""

from __future__ import annotations

from aiogram.filters import CommandObject, Filter
from aiogram.types import Message


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
