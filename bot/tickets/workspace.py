"""Where the moderators work: the Telegram chat for cards and the bot that posts there."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Workspace:
    """The moderators' chat and the account that talks to it."""

    moderators_chat_id: int | None  # None: tickets are kept but no cards are posted
    telegram_account: str  # the bot id, the outbox account for Telegram actions
    is_forum: bool = False  # a forum chat gets one topic per category (learned at start)
    ui_language: str = "en"  # language of cards (commands answer in each user's language)

    @property
    def lane(self) -> str:
        """All messages to the moderators' chat go out in order."""
        return f"tg:{self.moderators_chat_id}"
