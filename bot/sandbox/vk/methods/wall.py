"""wall.post, wall.delete and wall.getComments (comment writes live in `comments`)."""

from __future__ import annotations

from typing import Any

from bot.sandbox.vk import actions, events
from bot.sandbox.vk.errors import invalid
from bot.sandbox.vk.methods.base import (
    CallContext,
    group_by_owner,
    method,
    parse_attachments,
    require_admin,
)
from bot.sandbox.vk.params import Params
from bot.sandbox.vk.state import Group, Post


def _post(group: Group, post_id: int) -> Post:
    post = group.posts.get(post_id)
    if post is None:
        raise invalid("post_id", f"is invalid: no post {post_id} on the wall of {group.id}")
    return post


@method("wall.post", user_only=True)
def post(ctx: CallContext, params: Params) -> dict[str, int]:
    """wall.post (admin user token); a future `publish_date` makes it postponed."""
    group = group_by_owner(ctx, params.integer("owner_id", required=True))
    require_admin(ctx, group)
    if "post_id" in params:
        # Publishing an existing postponed post now.
        postponed = _post(group, params.integer("post_id"))
        if postponed.publish_date is None:
            raise invalid("post_id", "is invalid: the post is already published")
        return {"post_id": actions.publish_postponed(ctx.state, group, postponed).id}
    guid = params.text("guid")
    if guid and guid in group.post_guids:
        return {"post_id": group.post_guids[guid]}
    text = params.text("message")
    attachments = parse_attachments(ctx, params, "attachments")
    if not text.strip() and not attachments:
        raise invalid("message", "is empty: pass message or attachments")
    user_id = ctx.token.owner_id
    from_group = params.flag("from_group")
    created = actions.create_post(
        ctx.state,
        group,
        from_id=-group.id if from_group else user_id,
        created_by=user_id,
        text=text,
        attachments=attachments,
        close_comments=params.flag("close_comments"),
        publish_date=params.optional_int("publish_date"),
        signer_id=user_id if from_group and params.flag("signed") else None,
    )
    if guid:
        created.guid = guid
        group.post_guids[guid] = created.id
    return {"post_id": created.id}


@method("wall.delete", user_only=True)
def delete(ctx: CallContext, params: Params) -> int:
    """wall.delete (admin user token)."""
    group = group_by_owner(ctx, params.integer("owner_id", required=True))
    require_admin(ctx, group)
    _post(group, params.integer("post_id", required=True)).deleted = True
    return 1


@method("wall.getComments")
def get_comments(ctx: CallContext, params: Params) -> dict[str, Any]:
    """wall.getComments: top-level comments, or one thread with `comment_id`."""
    group = group_by_owner(ctx, params.integer("owner_id", required=True))
    target = _post(group, params.integer("post_id", required=True))
    if target.deleted or target.publish_date is not None:
        raise invalid("post_id", "is invalid: the post is deleted or not published")
    thread_root = params.integer("comment_id", 0)
    comments = [comment for comment in group.comments_on("wall", target.id) if not comment.deleted]
    if thread_root:
        level = [comment for comment in comments if comment.parents_stack[:1] == [thread_root]]
    else:
        level = [comment for comment in comments if not comment.parents_stack]
    level.sort(key=lambda comment: comment.id, reverse=params.text("sort", "asc") == "desc")
    offset = max(0, params.integer("offset", 0))
    count = max(0, min(params.integer("count", 10), 100))
    thread_items = max(0, min(params.integer("thread_items_count", 0), 10))
    items = [
        events.comment_object(ctx.state, group, comment, thread_items)
        for comment in level[offset : offset + count]
    ]
    result: dict[str, Any] = {
        "count": len(comments) if not thread_root else len(level),
        "current_level_count": len(level),
        "items": items,
        "can_post": not target.comments_closed,
        "show_reply_button": True,
        "groups_can_post": not target.comments_closed,
    }
    if params.flag("extended"):
        authors = {comment["from_id"] for comment in items}
        result["profiles"] = [
            events.user_object(ctx.state.user_name(author)) for author in authors if author > 0
        ]
        result["groups"] = [events.group_object(group)] if any(a < 0 for a in authors) else []
    return result
