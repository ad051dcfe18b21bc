"""The sandbox's world: users, chats, their members, messages and forum topics.

Plain dataclasses; the behaviour that changes them lives in `world.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Statuses in which a user or the bot is inside a chat (sees and may send messages).
PRESENT_STATUSES = frozenset({"creator", "administrator", "member", "restricted"})


@dataclass
class MemberState:
    """One participant's standing in one chat, as getChatMember reports it."""

    status: str  # creator | administrator | member | restricted | left | kicked
    until_date: int = 0  # restricted/kicked: unix time the measure ends; 0 = forever
    rights: dict[str, bool] = field(default_factory=dict)  # administrator rights (can_*)
    permissions: dict[str, bool] = field(default_factory=dict)  # restricted: what is allowed
    is_member: bool = True  # restricted users may be restricted while outside the chat
    custom_title: str | None = None

    @property
    def present(self) -> bool:
        return self.status in PRESENT_STATUSES and (self.status != "restricted" or self.is_member)

    def copy(self) -> MemberState:
        return MemberState(
            status=self.status,
            until_date=self.until_date,
            rights=dict(self.rights),
            permissions=dict(self.permissions),
            is_member=self.is_member,
            custom_title=self.custom_title,
        )


@dataclass
class TopicState:
    """A forum topic; its id is the id of its `forum_topic_created` service message."""

    thread_id: int
    name: str
    icon_color: int
    icon_custom_emoji_id: str | None = None
    closed: bool = False
    deleted: bool = False


@dataclass
class MessageRecord:
    """A message as stored: its Message JSON plus what the control API reports about it."""

    chat_id: int
    message_id: int
    payload: dict[str, Any]  # the Message object; the bot appears as the BOT marker
    sender_id: int | None  # the user who wrote it; None for the bot and channel posts
    by_bot: bool
    thread_id: int | None = None
    deleted: bool = False
    edited: bool = False
    # Who reacted with what: user id (or "bot") -> ReactionType objects.
    reactions: dict[int | str, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass
class ChatState:
    """A chat and everything in it. Message ids count from 1 per chat."""

    id: int
    type: str  # private | group | supergroup | channel
    title: str | None = None
    username: str | None = None
    first_name: str | None = None  # private chats: the user's names
    last_name: str | None = None
    is_forum: bool = False
    linked_chat_id: int | None = None
    description: str | None = None
    members: dict[int, MemberState] = field(default_factory=dict)
    bot: MemberState = field(default_factory=lambda: MemberState(status="left"))
    messages: dict[int, MessageRecord] = field(default_factory=dict)
    next_message_id: int = 1
    topics: dict[int, TopicState] = field(default_factory=dict)
    permissions: dict[str, bool] = field(default_factory=dict)
    pinned: list[int] = field(default_factory=list)  # pinned message ids, oldest first

    def allocate_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def live_message(self, message_id: int | None) -> MessageRecord | None:
        """A message that exists and was not deleted."""
        if message_id is None:
            return None
        record = self.messages.get(message_id)
        return record if record is not None and not record.deleted else None

    @property
    def is_group_like(self) -> bool:
        return self.type in ("group", "supergroup")


@dataclass
class CallbackRecord:
    """A button press waiting for answerCallbackQuery."""

    id: str
    created_at: float
    chat_id: int
    message_id: int
    answered: bool = False
    answer: dict[str, Any] = field(default_factory=dict)
