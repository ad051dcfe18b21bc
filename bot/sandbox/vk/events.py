"""The JSON shapes of VK objects and Bots Long Poll events (API 5.199), built from state.

Pure functions: they read the dataclasses in `state` and return plain dictionaries.
"""

from __future__ import annotations

from typing import Any

from bot.sandbox.vk.params import version_tuple
from bot.sandbox.vk.state import (
    CHAT_PEER_START,
    Attachment,
    Comment,
    CommentKind,
    Group,
    Message,
    Poll,
    Post,
    SandboxState,
    User,
)

# Per comment kind: the event-name prefix, and the fields naming the commented object.
EVENT_PREFIX: dict[CommentKind, str] = {
    "wall": "wall_reply",
    "board": "board_post",
    "photo": "photo_comment",
    "video": "video_comment",
    "market": "market_comment",
}
OBJECT_ID_FIELD: dict[CommentKind, str] = {
    "wall": "post_id",
    "board": "topic_id",
    "photo": "photo_id",
    "video": "video_id",
    "market": "item_id",
}
OWNER_FIELD: dict[CommentKind, str] = {
    "wall": "post_owner_id",
    "board": "topic_owner_id",
    "photo": "photo_owner_id",
    "video": "video_owner_id",
    "market": "market_owner_id",
}

# What the community's client reports it can show; VK sends this with every message_new.
CLIENT_INFO: dict[str, Any] = {
    "button_actions": [
        "text",
        "vkpay",
        "open_app",
        "location",
        "open_link",
        "callback",
        "intent_subscribe",
        "intent_unsubscribe",
    ],
    "keyboard": True,
    "inline_keyboard": True,
    "carousel": True,
    "lang_id": 0,
}


def comment_event_type(kind: CommentKind, action: str) -> str:
    """`wall` + `new` -> `wall_reply_new`, `board` + `delete` -> `board_post_delete`, …"""
    return f"{EVENT_PREFIX[kind]}_{action}"


def attachment_object(state: SandboxState, attachment: Attachment) -> dict[str, Any]:
    """One attachment as VK renders it: `{"type": t, t: {...}}`; polls in full."""
    if attachment.type == "link":
        return {"type": "link", "link": {"url": attachment.url, "title": "", "description": ""}}
    if attachment.type == "poll":
        poll = state.polls.get((attachment.owner_id, attachment.item_id))
        if poll is not None:
            return {"type": "poll", "poll": poll_object(poll)}
    body = {"id": attachment.item_id, "owner_id": attachment.owner_id}
    return {"type": attachment.type, attachment.type: body}


def attachments(state: SandboxState, items: list[Attachment]) -> list[dict[str, Any]]:
    """Render a list of attachments."""
    return [attachment_object(state, item) for item in items]


def user_object(user: User, fields: list[str] | None = None) -> dict[str, Any]:
    """A users.get item; unknown ids come back as VK's deleted-profile stub."""
    result: dict[str, Any] = {
        "id": user.id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "can_access_closed": True,
        "is_closed": False,
    }
    if user.first_name == "DELETED":
        result["deactivated"] = "deleted"
    for name in fields or []:
        if name == "screen_name":
            result["screen_name"] = f"id{user.id}"
        elif name in ("photo_50", "photo_100", "photo_200"):
            result[name] = f"https://vk.ru/images/camera_{name[6:]}.png"
    return result


def group_object(group: Group, viewer_user_id: int | None = None) -> dict[str, Any]:
    """A groups.getById item; `is_admin`/`is_member` as seen by `viewer_user_id`."""
    return {
        "id": group.id,
        "name": group.name,
        "screen_name": f"club{group.id}",
        "is_closed": 0,
        "type": "group",
        "is_admin": int(viewer_user_id is not None and group.is_admin(viewer_user_id)),
        "is_member": int(viewer_user_id is not None and viewer_user_id in group.members),
        "is_advertiser": 0,
        "photo_50": "https://vk.ru/images/community_50.png",
        "photo_100": "https://vk.ru/images/community_100.png",
        "photo_200": "https://vk.ru/images/community_200.png",
    }


def message_object(state: SandboxState, message: Message) -> dict[str, Any]:
    """A message as community bots see it; inside chats VK hides the id (0)."""
    result: dict[str, Any] = {
        "id": 0 if message.peer_id >= CHAT_PEER_START else message.id,
        "date": message.date,
        "peer_id": message.peer_id,
        "from_id": message.from_id,
        "text": message.text,
        "conversation_message_id": message.conversation_message_id,
        "out": int(message.out),
        "version": 1,
        "attachments": attachments(state, message.attachments),
        "fwd_messages": [],
        "important": False,
        "is_hidden": False,
        "random_id": message.random_id,
    }
    if message.payload is not None:
        result["payload"] = message.payload
    if message.edited:
        result["update_time"] = message.date
    return result


def message_new_object(state: SandboxState, message: Message, version: str) -> dict[str, Any]:
    """From 5.103 `message_new` wraps the message with `client_info`; before, it is bare."""
    if version_tuple(version) < (5, 103):
        return message_object(state, message)
    return {"message": message_object(state, message), "client_info": dict(CLIENT_INFO)}


def post_object(state: SandboxState, group: Group, post: Post) -> dict[str, Any]:
    """A wall post as in `wall_post_new` (with `postponed_id` when published late)."""
    comment_count = sum(1 for comment in group.comments_on("wall", post.id) if not comment.deleted)
    result: dict[str, Any] = {
        "id": post.id,
        "owner_id": -group.id,
        "from_id": post.from_id,
        "created_by": post.created_by,
        "date": post.date,
        "text": post.text,
        "post_type": "postpone" if post.publish_date is not None else "post",
        "marked_as_ads": 0,
        "can_edit": 1,
        "can_delete": 1,
        "is_favorite": False,
        "comments": {
            "count": comment_count,
            "can_post": int(not post.comments_closed),
            "groups_can_post": not post.comments_closed,
        },
        "likes": {"count": 0, "user_likes": 0, "can_like": 1, "can_publish": 1},
        "reposts": {"count": 0, "user_reposted": 0},
        "attachments": attachments(state, post.attachments),
    }
    if post.postponed_id is not None:
        result["postponed_id"] = post.postponed_id
    if post.signer_id is not None:
        result["signer_id"] = post.signer_id
    return result


def comment_object(
    state: SandboxState, group: Group, comment: Comment, thread_items: int = 0
) -> dict[str, Any]:
    """A comment with the fields naming its object, as in `*_new` / `_edit` / `_restore`."""
    result: dict[str, Any] = {
        "id": comment.id,
        "from_id": comment.from_id,
        "date": comment.date,
        "text": comment.text,
        "attachments": attachments(state, comment.attachments),
        OBJECT_ID_FIELD[comment.kind]: comment.object_id,
        OWNER_FIELD[comment.kind]: -group.id,
    }
    if comment.kind == "board":
        return result
    # Newer captures of wall/photo/video/market comments also carry `owner_id`.
    result["owner_id"] = -group.id
    result["parents_stack"] = list(comment.parents_stack)
    if comment.reply_to_comment is not None:
        result["reply_to_comment"] = comment.reply_to_comment
    if comment.reply_to_user is not None:
        result["reply_to_user"] = comment.reply_to_user
    result["likes"] = {"count": 0, "user_likes": 0, "can_like": 1, "can_publish": 1}
    if comment.kind == "wall":
        replies = group.replies_to(comment) if not comment.parents_stack else []
        thread: dict[str, Any] = {
            "count": len(replies),
            "can_post": True,
            "groups_can_post": True,
            "show_reply_button": True,
        }
        if thread_items:
            thread["items"] = [
                comment_object(state, group, reply) for reply in replies[:thread_items]
            ]
        result["thread"] = thread
    return result


def comment_delete_object(group: Group, comment: Comment, deleter_id: int) -> dict[str, Any]:
    """The smaller `*_delete` objects: each kind names its fields differently."""
    if comment.kind == "wall":
        return {
            "owner_id": -group.id,
            "id": comment.id,
            "deleter_id": deleter_id,
            "post_id": comment.object_id,
        }
    if comment.kind == "board":
        return {"topic_owner_id": -group.id, "topic_id": comment.object_id, "id": comment.id}
    return {
        "owner_id": -group.id,
        "id": comment.id,
        "user_id": deleter_id,
        OBJECT_ID_FIELD[comment.kind]: comment.object_id,
    }


def poll_object(poll: Poll, viewer_id: int | None = None) -> dict[str, Any]:
    """A poll as polls.create / polls.getById return it, with vote counts and rates."""
    total = sum(answer["votes"] for answer in poll.answers)
    voters = len(poll.voters)
    return {
        "id": poll.id,
        "owner_id": poll.owner_id,
        "author_id": poll.author_id,
        "created": poll.created,
        "question": poll.question,
        "votes": voters,
        "answers": [
            {
                "id": answer["id"],
                "text": answer["text"],
                "votes": answer["votes"],
                "rate": round(100.0 * answer["votes"] / total, 2) if total else 0,
            }
            for answer in poll.answers
        ],
        "anonymous": poll.anonymous,
        "multiple": poll.multiple,
        "answer_ids": list(poll.voters.get(viewer_id, [])) if viewer_id is not None else [],
        "end_date": poll.end_date,
        "closed": False,
        "is_board": False,
        "can_edit": True,
        "can_vote": True,
        "can_report": False,
        "can_share": True,
        "disable_unvote": False,
    }
