"""VK Bots Long Poll events (API 5.199) → `Inbound`.

Comments of every kind become `comment` events whose `location` says how to
answer, remove or restore them; the thread key is object kind + owner + object
id + top comment, so a reply chain under one comment is one conversation.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot import inbound as ib
from bot.inbound import Author, Inbound

PLATFORM = "vk"
CHAT_PEER_OFFSET = 2_000_000_000

# Event prefix → (object kind, key of the object id, key of the object's owner).
COMMENT_OBJECTS: dict[str, tuple[str, str, str]] = {
    "wall_reply": ("wall", "post_id", "post_owner_id"),
    "board_post": ("board", "topic_id", "topic_owner_id"),
    "photo_comment": ("photo", "photo_id", "photo_owner_id"),
    "video_comment": ("video", "video_id", "video_owner_id"),
    "market_comment": ("market", "item_id", "market_owner_id"),
}
SUFFIX_ACTIONS = {"new": ib.NEW, "edit": ib.EDIT, "delete": ib.DELETE, "restore": ib.RESTORE}
MEMBERSHIP_ACTIONS = {
    "group_join": "join",
    "group_leave": "leave",
    "user_block": "block",
    "user_unblock": "unblock",
    "message_allow": "allow",
    "message_deny": "deny",
}


class MalformedEvent(ValueError):
    """The event lacks what its type promises."""


def _when(value: Any) -> datetime:
    if isinstance(value, int) and value > 0:
        return datetime.fromtimestamp(value, UTC)
    return datetime.now(UTC)


def _int(obj: dict[str, Any], key: str) -> int:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.lstrip("-").isdigit():
            return int(value)
        raise MalformedEvent(f"field {key!r} is missing or not a number")
    return value


def _author(user_id: int) -> Author:
    return Author(id=str(user_id))


def _base(raw: dict[str, Any], group_id: int, event_type: str, **fields: Any) -> Inbound:
    return Inbound(
        platform=PLATFORM,
        community_id=str(group_id),
        event_type=event_type[:48],
        raw=raw,
        **fields,
    )


def _message(raw: dict[str, Any], group_id: int, event_type: str) -> Inbound:
    obj = raw["object"]
    message = obj.get("message", obj) if event_type == "message_new" else obj
    if not isinstance(message, dict):
        raise MalformedEvent("message is not an object")
    peer_id = _int(message, "peer_id")
    from_id = _int(message, "from_id")
    cmid = message.get("conversation_message_id") or message.get("id") or 0
    is_chat = peer_id >= CHAT_PEER_OFFSET
    kind = ib.GROUP_MESSAGE if is_chat else ib.DIRECT_MESSAGE
    thread = f"vk:chat:{group_id}:{peer_id}" if is_chat else f"vk:dm:{group_id}:{peer_id}"
    edited = event_type == "message_edit"
    status, detail = "new", None
    if from_id < 0 or message.get("out") == 1 or event_type == "message_reply":
        status, detail = "skipped", "the community's own message"
    external = f"msg:{peer_id}:{cmid}"
    if edited:
        external = f"edit:{peer_id}:{cmid}:{message.get('update_time') or raw.get('event_id')}"
    return _base(
        raw,
        group_id,
        event_type,
        external_id=external,
        kind=kind,
        action=ib.EDIT if edited else ib.NEW,
        occurred_at=_when(message.get("update_time") if edited else message.get("date")),
        author=_author(from_id),
        text=str(message.get("text") or ""),
        thread_key=thread,
        location={
            "peer_id": peer_id,
            "conversation_message_id": cmid,
            "message_id": message.get("id", 0),
        },
        status=status,
        status_detail=detail,
    )


def _comment(raw: dict[str, Any], group_id: int, event_type: str) -> Inbound:
    prefix, _, suffix = event_type.rpartition("_")
    object_kind, id_key, owner_key = COMMENT_OBJECTS[prefix]
    obj = raw["object"]
    comment_id = _int(obj, "id")
    object_id = _int(obj, id_key)
    owner = obj.get(owner_key, obj.get("owner_id"))
    owner_id = (
        int(owner)
        if isinstance(owner, int | str) and str(owner).lstrip("-").isdigit()
        else -group_id
    )
    parents = obj.get("parents_stack") or []
    top = parents[0] if parents and isinstance(parents[0], int) else comment_id
    action = SUFFIX_ACTIONS.get(suffix, suffix)
    from_id = obj.get("from_id", obj.get("deleter_id", obj.get("user_id")))
    author = _author(int(from_id)) if isinstance(from_id, int) else None
    status, detail = "new", None
    if action == ib.NEW and isinstance(from_id, int) and from_id < 0:
        status, detail = "skipped", "the community's own comment"
    identity = f"{object_kind}:{owner_id}_{object_id}:{comment_id}"
    external = identity if action == ib.NEW else f"{action}:{identity}:{raw.get('event_id', '')}"
    location: dict[str, Any] = {
        "object": object_kind,
        "owner_id": owner_id,
        "object_id": object_id,
        "comment_id": comment_id,
        "top_comment_id": top,
    }
    reply_to = obj.get("reply_to_comment")
    if isinstance(reply_to, int):
        location["reply_to_comment"] = reply_to
    return _base(
        raw,
        group_id,
        event_type,
        external_id=external,
        kind=ib.COMMENT,
        action=action,
        occurred_at=_when(obj.get("date")),
        author=author,
        text=str(obj.get("text") or ""),
        thread_key=f"vk:{object_kind}:{owner_id}:{object_id}:{top}",
        location=location,
        status=status,
        status_detail=detail,
    )


def _membership(raw: dict[str, Any], group_id: int, event_type: str) -> Inbound:
    obj = raw["object"]
    user_id = _int(obj, "user_id")
    action = MEMBERSHIP_ACTIONS[event_type]
    if event_type == "group_leave" and not obj.get("self", 1):
        action = "removed"
    return _base(
        raw,
        group_id,
        event_type,
        external_id=f"{event_type}:{user_id}:{raw.get('event_id', '')}",
        kind=ib.MEMBERSHIP,
        action=action,
        occurred_at=datetime.now(UTC),
        author=_author(user_id),
        location={"user_id": user_id, **{k: v for k, v in obj.items() if k != "user_id"}},
    )


def _wall_post(raw: dict[str, Any], group_id: int, event_type: str) -> Inbound:
    obj = raw["object"]
    post_id = _int(obj, "id")
    owner_id = int(obj.get("owner_id", -group_id))
    return _base(
        raw,
        group_id,
        event_type,
        external_id=f"post:{owner_id}_{post_id}",
        kind=ib.CHANNEL_POST,
        action=ib.NEW,
        occurred_at=_when(obj.get("date")),
        text=str(obj.get("text") or ""),
        thread_key=f"vk:wall:{owner_id}:{post_id}",
        location={"owner_id": owner_id, "post_id": post_id},
        status="skipped",
        status_detail="a post on the community wall",
    )


def _unreadable(raw: Any, group_id: int, reason: str) -> Inbound:
    event_id = raw.get("event_id") if isinstance(raw, dict) else None
    return ib.unreadable(PLATFORM, str(group_id), event_id, raw, reason)


def normalize_event(raw: Any, group_id: int) -> Inbound:
    """One Bots Long Poll event → one `Inbound`; never raises."""
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
        return _unreadable(raw, group_id, "not an event object (no type)")
    event_type = raw["type"]
    if not isinstance(raw.get("object"), dict):
        return _unreadable(raw, group_id, f"{event_type}: no object")
    try:
        if event_type in ("message_new", "message_edit", "message_reply"):
            return _message(raw, group_id, event_type)
        if event_type.rpartition("_")[0] in COMMENT_OBJECTS:
            return _comment(raw, group_id, event_type)
        if event_type in MEMBERSHIP_ACTIONS:
            return _membership(raw, group_id, event_type)
        if event_type in ("wall_post_new", "wall_repost"):
            return _wall_post(raw, group_id, event_type)
    except (MalformedEvent, KeyError, TypeError, ValueError) as error:
        return _unreadable(raw, group_id, f"{event_type}: {error}")
    return _base(
        raw,
        group_id,
        event_type,
        external_id=f"other:{raw.get('event_id') or ib.fingerprint(raw)}"[:128],
        kind=ib.UNKNOWN,
        action="none",
        occurred_at=datetime.now(UTC),
        status="skipped",
        status_detail=f"event type {event_type!r} is not used by Steward",
    )
