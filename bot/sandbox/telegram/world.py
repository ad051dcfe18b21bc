"""The rules of the sandbox's world, shared by the Bot API and the control API.

Who may act where, how a message gets its thread and implicit reply, how member
changes and new messages become updates, and how a channel post is copied into its
discussion group.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import ControlError, bad_request, forbidden
from .limits import SendLimiter
from .objects import (
    BOT,
    DEFAULT_CHAT_PERMISSIONS,
    SERVICE_USER,
    bot_user_json,
    chat_json,
    member_json,
    render,
    strip_reply,
    user_json,
)
from .state import CallbackRecord, ChatState, MemberState, MessageRecord
from .updates import UpdateQueue

DEFAULT_BOT_ID = 1000001  # the bot's id until a token calls (SANDBOX.md's example token)


def snapshot(value: Any) -> Any:
    """Copy stored JSON so later edits do not change what was already delivered."""
    if isinstance(value, dict):
        return {key: snapshot(item) for key, item in value.items()}
    if isinstance(value, list):
        return [snapshot(item) for item in value]
    return value


def text_fields(text: str, entities: list[dict[str, Any]]) -> dict[str, Any]:
    fields: dict[str, Any] = {"text": text}
    if entities:
        fields["entities"] = entities
    return fields


def chat_instance(chat_id: int) -> str:
    """A stable opaque string per chat, as CallbackQuery.chat_instance is."""
    return str((chat_id * 2654435761) % 10**19 - 4 * 10**18)


class World:
    """All state of one sandbox plus the operations both APIs share."""

    def __init__(self, clock: Callable[[], float], bot_name: str, strict_limits: bool):
        self.clock = clock
        self.bot_name = bot_name
        self.strict_limits = strict_limits
        self.limiter = SendLimiter(clock)
        self.reset()

    def reset(self) -> None:
        self.bot_id = DEFAULT_BOT_ID
        self.users: dict[int, dict[str, Any]] = {}
        self.chats: dict[int, ChatState] = {}
        self.callbacks: dict[str, CallbackRecord] = {}
        self.queue = UpdateQueue()
        self.webhook_url = ""
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.limiter.clear()
        self._sequence = 0

    # ------------------------------------------------------------ basics

    def now(self) -> int:
        return int(self.clock())

    def next_number(self) -> int:
        """A per-sandbox counter for callback query and poll ids."""
        self._sequence += 1
        return self._sequence

    def bind_token(self, bot_id: int) -> None:
        """The bot is whoever calls: its id is the digits of the token."""
        self.bot_id = bot_id

    def bot_user(self) -> dict[str, Any]:
        return bot_user_json(self.bot_id, self.bot_name, f"sandbox_{self.bot_id}_bot")

    def render(self, value: Any) -> Any:
        return render(value, self.bot_user())

    def remember_user(self, raw: Any) -> dict[str, Any]:
        """Register (or refresh) a user from a control body and return its User object."""
        if not isinstance(raw, dict) or "id" not in raw:
            raise ControlError(400, 'a user must be an object with at least "id"')
        try:
            user = user_json(raw)
        except (TypeError, ValueError) as exc:
            raise ControlError(400, "user id must be an integer") from exc
        if user["id"] in self.users and "first_name" not in raw:
            return self.users[user["id"]]
        self.users[user["id"]] = user
        return user

    def user_ref(self, user_id: int) -> Any:
        """The User object for an id: BOT for the bot, a placeholder for strangers."""
        if user_id == self.bot_id:
            return BOT
        return self.users.get(user_id) or {
            "id": user_id,
            "is_bot": False,
            "first_name": f"User {user_id}",
        }

    # ------------------------------------------------------------ chats and members

    def find_chat(self, ref: int | str) -> ChatState | None:
        if isinstance(ref, str):
            name = ref.lstrip("@").lower()
            matches = (c for c in self.chats.values() if (c.username or "").lower() == name)
            return next(matches, None)
        return self.chats.get(ref)

    def chat_for_bot(self, ref: int | str) -> ChatState:
        """The chat a Bot API call names, or the 400/403 Telegram answers instead."""
        chat = self.find_chat(ref)
        if chat is None:
            if isinstance(ref, int) and ref in self.users:
                raise forbidden("bot can't initiate conversation with a user")
            raise bad_request("chat not found")
        self.require_bot_present(chat)
        return chat

    def require_bot_present(self, chat: ChatState) -> None:
        if chat.bot.present:
            return
        if chat.type == "private":
            raise forbidden("bot was blocked by the user")
        if chat.bot.status == "kicked":
            raise forbidden(f"bot was kicked from the {chat.type} chat")
        raise forbidden(f"bot is not a member of the {chat.type} chat")

    def member_of(self, chat: ChatState, user_id: int) -> MemberState:
        """A participant's current standing; bans and restrictions expire lazily here."""
        if user_id == self.bot_id:
            return chat.bot
        member = chat.members.get(user_id)
        if member is None:
            return MemberState(status="left")
        if member.status in ("kicked", "restricted") and 0 < member.until_date <= self.now():
            was_inside = member.status == "restricted" and member.is_member
            member = MemberState(status="member" if was_inside else "left")
            chat.members[user_id] = member
        return member

    def bot_can(self, chat: ChatState, right: str) -> bool:
        if chat.bot.status == "creator":
            return True
        return chat.bot.status == "administrator" and bool(chat.bot.rights.get(right))

    def change_member(self, chat: ChatState, user_id: int, new: MemberState, actor: Any) -> None:
        """Store a new standing and queue `chat_member` (or `my_chat_member` for the bot)."""
        old = self.member_of(chat, user_id).copy()
        if user_id == self.bot_id:
            chat.bot = new
        else:
            chat.members[user_id] = new
        user = self.user_ref(user_id)
        old_json, new_json = member_json(old, user), member_json(new, user)
        if old_json == new_json:
            return  # nothing changed, so Telegram sends nothing
        payload = {
            "chat": chat_json(chat),
            "from": actor,
            "date": self.now(),
            "old_chat_member": old_json,
            "new_chat_member": new_json,
        }
        if user_id == self.bot_id:
            self.queue.enqueue("my_chat_member", snapshot(payload))
        elif chat.type != "private":
            self.emit(chat, "chat_member", payload, admins_only=True)

    def create_private_chat(self, user: dict[str, Any]) -> ChatState:
        chat = ChatState(
            id=user["id"],
            type="private",
            first_name=user.get("first_name"),
            last_name=user.get("last_name"),
            username=user.get("username"),
        )
        chat.members[user["id"]] = MemberState(status="member")
        chat.bot = MemberState(status="member")
        self.chats[chat.id] = chat
        return chat

    def new_chat(self, chat_id: int, chat_type: str, title: str | None) -> ChatState:
        chat = ChatState(id=chat_id, type=chat_type, title=title)
        if chat.is_group_like:
            chat.permissions = dict(DEFAULT_CHAT_PERMISSIONS)
        self.chats[chat_id] = chat
        return chat

    # ------------------------------------------------------------ messages and updates

    def emit(
        self, chat: ChatState, kind: str, payload: dict[str, Any], admins_only: bool = False
    ) -> None:
        """Queue an update about `chat` if the bot is there to see it.

        `chat_member` and `message_reaction` reach a bot only where it is an admin.
        """
        is_admin = chat.bot.status in ("creator", "administrator")
        if admins_only and chat.type != "private" and not is_admin:
            return
        if chat.bot.present:
            self.queue.enqueue(kind, snapshot(payload))

    def resolve_thread(
        self, chat: ChatState, thread_id: int | None, reply_to: MessageRecord | None
    ) -> tuple[int | None, MessageRecord | None]:
        """The thread a new message lands in and what it replies to (explicitly or not).

        Replying to a message in a thread stays in it; replying to an automatic forward
        opens its comment thread; a thread id alone (forum topic or comment thread)
        implies a reply to the thread's first message.
        """
        if reply_to is not None:
            if reply_to.thread_id is not None:
                return reply_to.thread_id, reply_to
            if reply_to.payload.get("is_automatic_forward"):
                return reply_to.message_id, reply_to
        if not thread_id or (chat.is_forum and thread_id == 1):
            return None, reply_to  # no thread, or the forum's General topic
        root = chat.live_message(thread_id)
        if chat.is_forum:
            topic = chat.topics.get(thread_id)
            if topic is None or topic.deleted:
                raise bad_request("message thread not found")
        elif root is None or not root.payload.get("is_automatic_forward"):
            raise bad_request("message thread not found")
        return thread_id, reply_to or root

    def add_message(
        self,
        chat: ChatState,
        fields: dict[str, Any],
        *,
        sender: Any,
        sender_id: int | None = None,
        by_bot: bool = False,
        sender_chat: ChatState | None = None,
        thread_id: int | None = None,
        reply_to: MessageRecord | None = None,
    ) -> MessageRecord:
        """Store a new message with the next id of its chat and return it."""
        message_id = chat.allocate_message_id()
        payload: dict[str, Any] = {"message_id": message_id, "date": self.now()}
        if sender is not None:
            payload["from"] = sender
        if sender_chat is not None:
            payload["sender_chat"] = chat_json(sender_chat)
        payload["chat"] = chat_json(chat)
        if thread_id is not None:
            payload["message_thread_id"] = thread_id
            if chat.is_forum:
                payload["is_topic_message"] = True
        if reply_to is not None:
            payload["reply_to_message"] = strip_reply(snapshot(reply_to.payload))
        payload.update(fields)
        record = MessageRecord(
            chat_id=chat.id,
            message_id=message_id,
            payload=payload,
            sender_id=sender_id,
            by_bot=by_bot,
            thread_id=thread_id,
        )
        chat.messages[message_id] = record
        return record

    def message_update_kind(self, chat: ChatState, edited: bool = False) -> str:
        base = "channel_post" if chat.type == "channel" else "message"
        return f"edited_{base}" if edited else base

    def post_in_channel(
        self,
        channel: ChatState,
        fields: dict[str, Any],
        *,
        by_bot: bool,
        author_signature: str | None = None,
    ) -> tuple[MessageRecord, MessageRecord | None]:
        """A channel post and its automatic forward into the linked discussion group."""
        extra = dict(fields)
        if author_signature:
            extra["author_signature"] = author_signature
        post = self.add_message(channel, extra, sender=None, sender_chat=channel, by_bot=by_bot)
        if not by_bot:
            self.emit(channel, "channel_post", post.payload)
        group = self.chats.get(channel.linked_chat_id) if channel.linked_chat_id else None
        if group is None or not group.is_group_like:
            return post, None
        origin = {
            "type": "channel",
            "chat": chat_json(channel),
            "message_id": post.message_id,
            "date": post.payload["date"],
        }
        if author_signature:
            origin["author_signature"] = author_signature
        forward_fields = {
            **fields,
            "is_automatic_forward": True,
            "forward_origin": origin,
            # The deprecated fields older clients still read.
            "forward_from_chat": chat_json(channel),
            "forward_from_message_id": post.message_id,
            "forward_date": post.payload["date"],
        }
        forward = self.add_message(group, forward_fields, sender=SERVICE_USER, sender_chat=channel)
        self.emit(group, "message", forward.payload)
        return post, forward

    def press_button(
        self, chat: ChatState, record: MessageRecord, user: dict[str, Any], data: str | None
    ) -> str:
        """A user presses an inline button: queue `callback_query`, return its id."""
        callback_id = str(4_000_000_000_000_000 + self.next_number())
        self.callbacks[callback_id] = CallbackRecord(
            id=callback_id,
            created_at=self.clock(),
            chat_id=chat.id,
            message_id=record.message_id,
        )
        payload: dict[str, Any] = {
            "id": callback_id,
            "from": user,
            "chat_instance": chat_instance(chat.id),
            "message": record.payload,
        }
        if data is not None:
            payload["data"] = data
        self.emit(chat, "callback_query", payload)
        return callback_id

    def pinned_json(self, chat: ChatState) -> dict[str, Any] | None:
        for message_id in reversed(chat.pinned):
            record = chat.live_message(message_id)
            if record is not None:
                return strip_reply(snapshot(record.payload))
        return None
