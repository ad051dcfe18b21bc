"""How the control API shows posts, comments and messages: VK shapes plus inspection fields."""

from __future__ import annotations

from typing import Any

from bot.sandbox.vk import events
from bot.sandbox.vk.state import Comment, Group, Message, Post, SandboxState


def comment_view(state: SandboxState, group: Group, comment: Comment) -> dict[str, Any]:
    """A comment for inspection: its VK shape plus `object`, `deleted`, `edited`."""
    view = events.comment_object(state, group, comment)
    view.update(
        {
            "object": comment.kind,
            "object_id": comment.object_id,
            "deleted": comment.deleted,
            "edited": comment.edited,
        }
    )
    if comment.deleter_id is not None:
        view["deleter_id"] = comment.deleter_id
    return view


def post_view(state: SandboxState, group: Group, post: Post) -> dict[str, Any]:
    """A post with all its comments (deleted ones included) for GET .../wall."""
    comments = sorted(group.comments_on("wall", post.id), key=lambda comment: comment.id)
    view = {
        "id": post.id,
        "owner_id": -group.id,
        "from_id": post.from_id,
        "created_by": post.created_by,
        "date": post.date,
        "text": post.text,
        "attachments": events.attachments(state, post.attachments),
        "postponed": post.publish_date is not None,
        "deleted": post.deleted,
        "comments_closed": post.comments_closed,
        "comments": [comment_view(state, group, comment) for comment in comments],
    }
    if post.publish_date is not None:
        view["publish_date"] = post.publish_date
    if post.postponed_id is not None:
        view["postponed_id"] = post.postponed_id
    return view


def message_view(state: SandboxState, message: Message) -> dict[str, Any]:
    """A message for inspection: the real id, `deleted`, keyboard and forward echoed."""
    view = events.message_object(state, message)
    view.update(
        {
            "id": message.id,  # the real id, even in chats where bots see 0
            "deleted": message.deleted,
            "edited": message.edited,
            "keyboard": message.keyboard,
            "forward": message.forward,
            "reply_to": message.reply_to,
        }
    )
    return view
