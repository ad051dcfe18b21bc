"""JSON shapes of Telegram objects, as a superset of what the newest aiogram requires.

Stored messages and updates refer to the bot through the `BOT` marker, replaced by
the bot's User object when they are sent out (`render`), because the bot's id is
only known once a token calls.
"""

from __future__ import annotations

from typing import Any

from .state import ChatState, MemberState

# Telegram's service account that authors automatic forwards from channels.
SERVICE_USER: dict[str, Any] = {"id": 777000, "is_bot": False, "first_name": "Telegram"}

ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_send_welcome_messages",
    "can_post_messages",
    "can_edit_messages",
    "can_pin_messages",
    "can_manage_topics",
    "can_manage_direct_messages",
    "can_manage_tags",
)
# What a bot added "as admin" gets; promoting others stays off, as in the usual setup.
BOT_ADMIN_RIGHTS = {right: right != "can_promote_members" for right in ADMIN_RIGHTS}

PERMISSIONS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_react_to_messages",
    "can_edit_tag",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
)
# A new group lets members send and react but not change the chat.
DEFAULT_CHAT_PERMISSIONS = {
    name: name not in ("can_change_info", "can_pin_messages", "can_manage_topics", "can_edit_tag")
    for name in PERMISSIONS
}
_MEDIA_SENDS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
)


class _BotRef:
    """Stands for the bot's User object inside stored JSON."""

    def __repr__(self) -> str:
        return "BOT"


BOT = _BotRef()


def render(value: Any, bot_user: dict[str, Any]) -> Any:
    """A deep copy of stored JSON with the BOT marker replaced; safe to hand out."""
    if value is BOT:
        return dict(bot_user)
    if isinstance(value, dict):
        return {key: render(item, bot_user) for key, item in value.items()}
    if isinstance(value, list):
        return [render(item, bot_user) for item in value]
    return value


def bot_user_json(bot_id: int, first_name: str, username: str) -> dict[str, Any]:
    return {"id": bot_id, "is_bot": True, "first_name": first_name, "username": username}


def user_json(user: dict[str, Any]) -> dict[str, Any]:
    """Normalise a control-API user (`{"id", "first_name", "username"?, …}`) to a User."""
    out: dict[str, Any] = {
        "id": int(user["id"]),
        "is_bot": bool(user.get("is_bot", False)),
        "first_name": str(user.get("first_name") or f"User {user['id']}"),
    }
    for key in ("last_name", "username", "language_code"):
        if user.get(key):
            out[key] = str(user[key])
    if user.get("is_premium"):
        out["is_premium"] = True
    return out


def chat_json(chat: ChatState) -> dict[str, Any]:
    """The short Chat object embedded in messages and updates."""
    out: dict[str, Any] = {"id": chat.id, "type": chat.type}
    if chat.type == "private":
        out["first_name"] = chat.first_name or f"User {chat.id}"
        if chat.last_name:
            out["last_name"] = chat.last_name
    else:
        out["title"] = chat.title or f"Chat {chat.id}"
    if chat.username:
        out["username"] = chat.username
    if chat.is_forum:
        out["is_forum"] = True
    return out


def chat_full_info(chat: ChatState, pinned: dict[str, Any] | None) -> dict[str, Any]:
    """getChat's ChatFullInfo, with the fields newer aiogram versions require."""
    out = chat_json(chat)
    out.update(
        {
            "accent_color_id": abs(chat.id) % 7,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
    )
    if chat.type != "private":
        out["has_visible_history"] = True
        if chat.description:
            out["description"] = chat.description
    if chat.is_group_like:
        out["permissions"] = dict(chat.permissions)
    if chat.linked_chat_id is not None:
        out["linked_chat_id"] = chat.linked_chat_id
    if pinned is not None:
        out["pinned_message"] = pinned
    return out


def member_json(state: MemberState, user: Any) -> dict[str, Any]:
    """A ChatMember variant chosen by status, with every flag its model requires."""
    out: dict[str, Any] = {"status": state.status, "user": user}
    if state.status == "creator":
        out["is_anonymous"] = False
    elif state.status == "administrator":
        out["can_be_edited"] = False
        out["is_anonymous"] = False
        out.update({right: bool(state.rights.get(right, False)) for right in ADMIN_RIGHTS})
    elif state.status == "restricted":
        out["is_member"] = state.is_member
        out.update({name: bool(state.permissions.get(name, False)) for name in PERMISSIONS})
        out["until_date"] = state.until_date
    elif state.status == "kicked":
        out["until_date"] = state.until_date
    if state.custom_title and state.status in ("creator", "administrator"):
        out["custom_title"] = state.custom_title
    return out


def normalise_permissions(given: dict[str, Any], independent: bool) -> dict[str, bool]:
    """A ChatPermissions object as restrictChatMember applies it (omitted = False).

    Without `use_independent_chat_permissions`, other-messages and link previews imply
    every media send, and polls imply plain messages, as the Bot API documents.
    """
    permissions = {name: bool(given.get(name, False)) for name in PERMISSIONS}
    if not independent:
        if permissions["can_send_other_messages"] or permissions["can_add_web_page_previews"]:
            permissions.update(dict.fromkeys(_MEDIA_SENDS, True))
        if permissions["can_send_polls"]:
            permissions["can_send_messages"] = True
    return permissions


def forum_topic_json(topic_id: int, name: str, color: int, emoji: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"message_thread_id": topic_id, "name": name, "icon_color": color}
    if emoji:
        out["icon_custom_emoji_id"] = emoji
    return out


def poll_json(
    poll_id: str,
    question: str,
    options: list[str],
    *,
    is_anonymous: bool,
    poll_type: str,
    allows_multiple_answers: bool,
    allows_revoting: bool,
    correct_option_id: int | None,
    explanation: str | None,
    open_period: int | None,
    close_date: int | None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": poll_id,
        "question": question,
        "options": [
            {"persistent_id": f"{poll_id}-{index}", "text": text, "voter_count": 0}
            for index, text in enumerate(options)
        ],
        "total_voter_count": 0,
        "is_closed": False,
        "is_anonymous": is_anonymous,
        "type": poll_type,
        "allows_multiple_answers": allows_multiple_answers,
        "allows_revoting": allows_revoting,
        "members_only": False,
    }
    if correct_option_id is not None:
        out["correct_option_id"] = correct_option_id
        out["correct_option_ids"] = [correct_option_id]
    if explanation:
        out["explanation"] = explanation
    if open_period:
        out["open_period"] = open_period
    if close_date:
        out["close_date"] = close_date
    return out


def strip_reply(payload: dict[str, Any]) -> dict[str, Any]:
    """A message as embedded in reply_to_message: no nested reply (one level only)."""
    return {key: value for key, value in payload.items() if key != "reply_to_message"}
