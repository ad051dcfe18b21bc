"""createComment / deleteComment / restoreComment for wall, board, photos, video, market.

The five families differ only in parameter names and in what createComment returns,
so one implementation serves them all, driven by `CommentApi` rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.sandbox.vk import actions
from bot.sandbox.vk.errors import ApiError, invalid
from bot.sandbox.vk.methods.base import (
    CallContext,
    comment_author,
    deleter_id,
    group_by_id,
    group_by_owner,
    method,
    parse_attachments,
)
from bot.sandbox.vk.params import Params
from bot.sandbox.vk.state import Comment, CommentKind, Group


@dataclass(frozen=True)
class CommentApi:
    """How one family of comment methods names things."""

    prefix: str  # "wall", "board", "photos", "video", "market"
    kind: CommentKind
    object_param: str  # post_id, topic_id, photo_id, video_id, item_id
    owner_param: str  # owner_id (negative) or board's group_id (positive)
    from_group_is_id: bool  # wall.createComment takes the group id, the others a 0/1 flag
    threads: bool  # whether reply_to_comment exists


COMMENT_APIS = (
    CommentApi("wall", "wall", "post_id", "owner_id", True, True),
    CommentApi("board", "board", "topic_id", "group_id", False, False),
    CommentApi("photos", "photo", "photo_id", "owner_id", False, True),
    CommentApi("video", "video", "video_id", "owner_id", False, True),
    CommentApi("market", "market", "item_id", "owner_id", False, True),
)


def _group(ctx: CallContext, api: CommentApi, params: Params) -> Group:
    owner = params.integer(api.owner_param, required=True)
    if api.owner_param == "group_id":
        return group_by_id(ctx, owner)
    return group_by_owner(ctx, owner)


def _as_group(api: CommentApi, group: Group, params: Params) -> bool:
    if not api.from_group_is_id:
        return params.flag("from_group")
    from_group = params.integer("from_group", 0)
    if from_group not in (0, group.id):
        raise invalid("from_group", f"must be the community id {group.id} (not a 0/1 flag)")
    return from_group == group.id


def create_comment(ctx: CallContext, api: CommentApi, params: Params) -> Comment:
    """Create (or, for a repeated `guid`, find) the comment a createComment call asks for."""
    group = _group(ctx, api, params)
    object_id = params.integer(api.object_param, required=True)
    text = params.text("message")
    attachments = parse_attachments(ctx, params, "attachments")
    if not text.strip() and not attachments and "sticker_id" not in params:
        raise invalid("message", "is empty or invalid")
    author = comment_author(ctx, group, _as_group(api, group, params))
    guid = params.text("guid")
    # The same guid from the same author on the same object is one comment, not two.
    guid_key = (api.kind, object_id, author, guid)
    if guid and guid_key in group.comment_guids:
        return group.comments[(api.kind, group.comment_guids[guid_key])]
    comment = actions.add_comment(
        ctx.state,
        group,
        api.kind,
        object_id,
        author,
        text,
        reply_to_comment=params.optional_int("reply_to_comment") if api.threads else None,
        attachments=attachments,
    )
    if guid:
        group.comment_guids[guid_key] = comment.id
    return comment


def _comment_for_change(ctx: CallContext, api: CommentApi, params: Params) -> tuple[Group, Comment]:
    group = _group(ctx, api, params)
    comment = actions.find_comment(group, api.kind, params.integer("comment_id", required=True))
    if (
        api.kind == "board"
        and "topic_id" in params
        and params.integer("topic_id") != comment.object_id
    ):
        raise invalid("comment_id", "is invalid: not a comment in this topic")
    # Admins may change any comment; a user only their own.
    user_id = ctx.token.owner_id
    if not group.is_admin(user_id) and comment.from_id != user_id:
        raise ApiError(15, f"user {user_id} is not an admin of community {group.id}")
    return group, comment


def _register(api: CommentApi) -> None:
    def create(ctx: CallContext, params: Params) -> Any:
        comment = create_comment(ctx, api, params)
        if api.kind == "wall":
            return {"comment_id": comment.id, "parents_stack": list(comment.parents_stack)}
        return comment.id

    def delete(ctx: CallContext, params: Params) -> int:
        group, comment = _comment_for_change(ctx, api, params)
        actions.delete_comment(group, comment, deleter_id(ctx))
        return 1

    def restore(ctx: CallContext, params: Params) -> int:
        group, comment = _comment_for_change(ctx, api, params)
        actions.restore_comment(ctx.state, group, comment)
        return 1

    method(f"{api.prefix}.createComment")(create)
    method(f"{api.prefix}.deleteComment", user_only=True)(delete)
    method(f"{api.prefix}.restoreComment", user_only=True)(restore)


for _api in COMMENT_APIS:
    _register(_api)
