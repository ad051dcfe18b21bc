"""VK API calls for answering, removing and restoring what a member wrote.

Pure: an event's `location` (from `normalize`) in, `(method, params)` out. The
outbox sender adds `random_id` / `guid` from the idempotency key.
"""

from __future__ import annotations

import json
from typing import Any

from bot.platforms.vk.normalize import CHAT_PEER_OFFSET

# Per object kind: the createComment method and the name of its object-id parameter.
COMMENT_METHODS: dict[str, tuple[str, str]] = {
    "wall": ("wall", "post_id"),
    "board": ("board", "topic_id"),
    "photo": ("photos", "photo_id"),
    "video": ("video", "video_id"),
    "market": ("market", "item_id"),
}

# VK accepts these only with a community admin's user token, never a community token.
USER_TOKEN_METHODS = frozenset(
    {
        "wall.post",
        "wall.delete",
        "wall.deleteComment",
        "wall.restoreComment",
        "board.deleteComment",
        "board.restoreComment",
        "photos.deleteComment",
        "photos.restoreComment",
        "video.deleteComment",
        "video.restoreComment",
        "market.deleteComment",
        "market.restoreComment",
        "groups.ban",
        "groups.unban",
        "polls.create",
    }
)


def _owner_params(location: dict[str, Any]) -> dict[str, Any]:
    """Board methods name the community by `group_id`; the others by a negative `owner_id`."""
    owner_id = int(location["owner_id"])
    if location["object"] == "board":
        return {"group_id": abs(owner_id)}
    return {"owner_id": owner_id}


def reply(location: dict[str, Any], text: str, group_id: int) -> tuple[str, dict[str, Any]]:
    """Answer a DM or a comment where the member wrote it, as the community."""
    if "peer_id" in location:
        peer_id = int(location["peer_id"])
        params: dict[str, Any] = {"peer_id": peer_id, "message": text}
        if peer_id >= CHAT_PEER_OFFSET and location.get("conversation_message_id"):
            # In chats a community's message ids are 0: reply by forwarding with is_reply.
            params["forward"] = json.dumps(
                {
                    "peer_id": peer_id,
                    "conversation_message_ids": [location["conversation_message_id"]],
                    "is_reply": 1,
                }
            )
        return "messages.send", params
    section, id_param = COMMENT_METHODS[location["object"]]
    params = {
        **_owner_params(location),
        id_param: location["object_id"],
        "message": text,
        "from_group": group_id if section == "wall" else 1,
    }
    if section != "board":
        params["reply_to_comment"] = location["comment_id"]
    return f"{section}.createComment", params


def _comment_action(location: dict[str, Any], verb: str) -> tuple[str, dict[str, Any]]:
    section, _ = COMMENT_METHODS[location["object"]]
    params = {**_owner_params(location), "comment_id": location["comment_id"]}
    if section == "board":
        params["topic_id"] = location["object_id"]
    return f"{section}.{verb}Comment", params


def delete_comment(location: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return _comment_action(location, "delete")


def restore_comment(location: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return _comment_action(location, "restore")


def ban(
    group_id: int, user_id: int, end_date: int | None, reason: int, comment: str
) -> dict[str, Any]:
    """`groups.ban` params: `end_date` None bans for ever; reason 1 = spam."""
    params: dict[str, Any] = {
        "group_id": group_id,
        "owner_id": user_id,
        "reason": reason,
        "comment": comment,
        "comment_visible": 1,
    }
    if end_date:
        params["end_date"] = end_date
    return params
