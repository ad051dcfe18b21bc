"""Telegram updates → `Inbound`.

Works on the raw update dict, validated through aiogram's `Update` model one
update at a time: a malformed update becomes an `error` record instead of
breaking the whole batch, and an unknown update type a `skipped` one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiogram.types import CallbackQuery, ChatMemberUpdated, Message, Update, User
from pydantic import ValidationError

from bot import inbound as ib
from bot.inbound import Author, Inbound

PLATFORM = "telegram"
# Telegram's service account that authors automatic forwards from a linked channel.
TELEGRAM_SERVICE_USER_ID = 777000
_JOINED = {"member", "administrator", "creator", "restricted"}


def _when(value: datetime | int | None) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int) and value > 0:
        return datetime.fromtimestamp(value, UTC)
    return datetime.now(UTC)


def _author(user: User | None) -> Author | None:
    if user is None:
        return None
    name = " ".join(part for part in (user.first_name, user.last_name) if part)
    return Author(
        id=str(user.id),
        name=name,
        username=user.username,
        language=user.language_code,
        is_bot=user.is_bot,
    )


def _message_text(message: Message) -> str:
    return message.text or message.caption or ""


def _message_kind(message: Message) -> tuple[str, str | None]:
    """Where a message was written, and the conversation it belongs to."""
    chat = message.chat
    if chat.type == "private":
        return ib.DIRECT_MESSAGE, f"tg:dm:{chat.id}"
    if chat.type == "channel":
        return ib.CHANNEL_POST, f"tg:channel:{chat.id}:{message.message_id}"
    if message.message_thread_id and not message.is_topic_message:
        # A thread that is not a forum topic is the comment thread of a channel post.
        return ib.COMMENT, f"tg:thread:{chat.id}:{message.message_thread_id}"
    if message.is_topic_message and message.message_thread_id:
        return ib.GROUP_MESSAGE, f"tg:topic:{chat.id}:{message.message_thread_id}"
    return ib.GROUP_MESSAGE, f"tg:chat:{chat.id}"


def _location(message: Message) -> dict[str, Any]:
    location: dict[str, Any] = {"chat_id": message.chat.id, "message_id": message.message_id}
    if message.message_thread_id:
        location["message_thread_id"] = message.message_thread_id
        location["is_topic_message"] = bool(message.is_topic_message)
    if message.reply_to_message is not None:
        location["reply_to_message_id"] = message.reply_to_message.message_id
    if message.chat.type != "private":
        location["chat_type"] = message.chat.type
    return location


def _from_message(message: Message, raw: dict[str, Any], event_type: str, edited: bool) -> Inbound:
    kind, thread_key = _message_kind(message)
    action = ib.EDIT if edited else ib.NEW
    external_id = f"msg:{message.message_id}"
    if edited:
        external_id = f"edit:{message.message_id}:{int(_when(message.edit_date).timestamp())}"
    status, detail = "new", None
    if message.is_automatic_forward or (
        message.from_user is not None and message.from_user.id == TELEGRAM_SERVICE_USER_ID
    ):
        # The copy of a channel post in its discussion group: the thread root, not a comment.
        kind, status, detail = ib.CHANNEL_POST, "skipped", "automatic forward of a channel post"
    elif message.new_chat_members or message.left_chat_member:
        kind = ib.MEMBERSHIP
        action = "join" if message.new_chat_members else "leave"
        status, detail = "skipped", "service message"
    elif _message_text(message) == "" and _is_service(raw.get(event_type, {})):
        kind, status, detail = ib.SERVICE, "skipped", "service message"
    author = _author(message.from_user)
    if message.sender_chat is not None and kind != ib.CHANNEL_POST:
        # Anonymous admins and users posting as a channel: the chat is the author.
        author = Author(id=str(message.sender_chat.id), name=message.sender_chat.title or "")
    return Inbound(
        platform=PLATFORM,
        community_id=str(message.chat.id),
        external_id=external_id,
        event_type=event_type,
        kind=kind,
        action=action,
        occurred_at=_when(message.edit_date if edited else message.date),
        raw=raw,
        author=author,
        text=_message_text(message),
        thread_key=thread_key,
        location=_location(message),
        status=status,
        status_detail=detail,
    )


_CONTENT_KEYS = (
    "text",
    "caption",
    "photo",
    "video",
    "document",
    "sticker",
    "voice",
    "audio",
    "animation",
    "poll",
    "contact",
    "location",
    "video_note",
)


def _is_service(message_raw: dict[str, Any]) -> bool:
    return not any(key in message_raw for key in _CONTENT_KEYS)


def _from_callback(query: CallbackQuery, raw: dict[str, Any]) -> Inbound:
    message = query.message
    chat_id = message.chat.id if message is not None else query.from_user.id
    location: dict[str, Any] = {"callback_query_id": query.id, "chat_id": chat_id}
    if message is not None:
        location["message_id"] = message.message_id
    return Inbound(
        platform=PLATFORM,
        community_id=str(chat_id),
        external_id=f"cb:{query.id}",
        event_type="callback_query",
        kind=ib.CALLBACK,
        action="press",
        occurred_at=datetime.now(UTC),
        raw=raw,
        author=_author(query.from_user),
        text=query.data or "",
        location=location,
    )


def _from_member_update(
    update_id: int, change: ChatMemberUpdated, raw: dict[str, Any], event_type: str
) -> Inbound:
    old, new = change.old_chat_member.status, change.new_chat_member.status
    if old not in _JOINED and new in _JOINED:
        action = "join"
    elif old in _JOINED and new not in _JOINED:
        action = "leave" if new == "left" else "ban"
    else:
        action = "change"
    subject = change.new_chat_member.user
    is_bot_update = event_type == "my_chat_member"
    return Inbound(
        platform=PLATFORM,
        community_id=str(change.chat.id),
        external_id=f"member:{update_id}",
        event_type=event_type,
        kind=ib.BOT_MEMBERSHIP if is_bot_update else ib.MEMBERSHIP,
        action=action,
        occurred_at=_when(change.date),
        raw=raw,
        author=_author(change.from_user),
        text="",
        thread_key=None,
        location={
            "chat_id": change.chat.id,
            "chat_type": change.chat.type,
            "chat_title": change.chat.title or "",
            "user_id": subject.id,
            "old_status": old,
            "new_status": new,
        },
    )


def _unparseable(raw: Any, reason: str) -> Inbound:
    update_id = raw.get("update_id") if isinstance(raw, dict) else None
    ident = update_id if isinstance(update_id, int) else None
    return ib.unreadable(PLATFORM, "unknown", ident, raw, reason)


def normalize_update(raw: Any) -> Inbound:
    """One raw update dict → one `Inbound`; never raises."""
    if not isinstance(raw, dict) or not isinstance(raw.get("update_id"), int):
        return _unparseable(raw, "not an update object (no integer update_id)")
    try:
        update = Update.model_validate(raw)
    except ValidationError as error:
        return _unparseable(
            raw,
            f"malformed update: {error.error_count()} field error(s): "
            f"{error.errors()[0].get('loc')} {error.errors()[0].get('msg')}",
        )
    update_id = update.update_id
    if update.message is not None:
        return _from_message(update.message, raw, "message", edited=False)
    if update.edited_message is not None:
        return _from_message(update.edited_message, raw, "edited_message", edited=True)
    if update.channel_post is not None:
        return _from_message(update.channel_post, raw, "channel_post", edited=False)
    if update.edited_channel_post is not None:
        return _from_message(update.edited_channel_post, raw, "edited_channel_post", edited=True)
    if update.callback_query is not None:
        return _from_callback(update.callback_query, raw)
    if update.my_chat_member is not None:
        return _from_member_update(update_id, update.my_chat_member, raw, "my_chat_member")
    if update.chat_member is not None:
        return _from_member_update(update_id, update.chat_member, raw, "chat_member")
    payload = next((key for key in raw if key != "update_id"), "none")
    return Inbound(
        platform=PLATFORM,
        community_id="unknown",
        external_id=f"other:{update_id}",
        event_type=str(payload)[:48],
        kind=ib.UNKNOWN,
        action="none",
        occurred_at=datetime.now(UTC),
        raw=raw,
        status="skipped",
        status_detail=f"update type {payload!r} is not used by Steward",
    )
