"""Things that happen in a community, shared by the API methods and the control API.

Each function changes the state and queues the Bots Long Poll event VK would send.
They raise `ApiError` when VK would refuse; the control API turns that into HTTP 400.
"""

from __future__ import annotations

from typing import Any

from bot.sandbox.vk import events
from bot.sandbox.vk.errors import ApiError, invalid
from bot.sandbox.vk.state import (
    CHAT_PEER_START,
    Attachment,
    Ban,
    Comment,
    CommentKind,
    CommentTarget,
    Group,
    Message,
    Post,
    SandboxState,
)


# -- messages ------------------------------------------------------------------------
def user_writes(
    state: SandboxState,
    group: Group,
    from_id: int,
    text: str,
    chat_peer_id: int | None = None,
    payload: str | None = None,
) -> Message:
    """A user writes to the community (or in a chat with it): `message_new`."""
    peer_id = chat_peer_id if chat_peer_id is not None else from_id
    if peer_id >= CHAT_PEER_START:
        group.chats.add(peer_id)
    else:
        # Writing first is what lets the community answer (no 901 after this).
        group.message_allowed.add(from_id)
    message = Message(
        id=group.take_message_id(),
        peer_id=peer_id,
        from_id=from_id,
        date=state.now(),
        text=text,
        conversation_message_id=group.take_conversation_message_id(peer_id),
        out=False,
        payload=payload,
    )
    group.messages[message.id] = message
    group.stream.append(
        "message_new", events.message_new_object(state, message, group.event_version)
    )
    return message


def community_sends(
    state: SandboxState,
    group: Group,
    peer_id: int,
    text: str,
    random_id: int,
    attachments: list[Attachment] | None = None,
    extras: dict[str, Any] | None = None,
) -> Message:
    """The community sends a message: stored outgoing, echoed as `message_reply`."""
    extras = extras or {}
    message = Message(
        id=group.take_message_id(),
        peer_id=peer_id,
        from_id=-group.id,
        date=state.now(),
        text=text,
        conversation_message_id=group.take_conversation_message_id(peer_id),
        out=True,
        random_id=random_id,
        attachments=attachments or [],
        payload=extras.get("payload"),
        keyboard=extras.get("keyboard"),
        forward=extras.get("forward"),
        reply_to=extras.get("reply_to"),
    )
    group.messages[message.id] = message
    if random_id != 0:
        group.sent_random_ids[(peer_id, random_id)] = message.id
    group.stream.append("message_reply", events.message_object(state, message))
    return message


def edit_message(state: SandboxState, group: Group, message: Message, text: str) -> None:
    """A user edits their message: `message_edit` with the message itself."""
    message.text = text
    message.edited = True
    group.stream.append("message_edit", events.message_object(state, message))


def allow_messages(group: Group, user_id: int, key: str = "") -> None:
    """The user allows messages from the community: `message_allow`; no 901 after it."""
    group.message_allowed.add(user_id)
    group.stream.append("message_allow", {"user_id": user_id, "key": key})


def deny_messages(group: Group, user_id: int) -> None:
    """The user forbids messages from the community: `message_deny`; 901 again."""
    group.message_allowed.discard(user_id)
    group.stream.append("message_deny", {"user_id": user_id})


# -- wall posts ----------------------------------------------------------------------
def create_post(
    state: SandboxState,
    group: Group,
    *,
    from_id: int,
    created_by: int,
    text: str,
    attachments: list[Attachment] | None = None,
    close_comments: bool = False,
    publish_date: int | None = None,
    signer_id: int | None = None,
) -> Post:
    """A new post; with `publish_date` in the future it waits as a postponed post."""
    postponed = publish_date is not None and publish_date > state.now()
    post = Post(
        id=group.take_wall_id(),
        group_id=group.id,
        from_id=from_id,
        created_by=created_by,
        date=publish_date if postponed and publish_date is not None else state.now(),
        text=text,
        attachments=attachments or [],
        comments_closed=close_comments,
        publish_date=publish_date if postponed else None,
        signer_id=signer_id,
    )
    group.posts[post.id] = post
    if not postponed:
        group.stream.append("wall_post_new", events.post_object(state, group, post))
    return post


def publish_postponed(state: SandboxState, group: Group, postponed: Post) -> Post:
    """Publish a postponed post: a new post id whose event names the `postponed_id`."""
    del group.posts[postponed.id]
    post = Post(
        id=group.take_wall_id(),
        group_id=group.id,
        from_id=postponed.from_id,
        created_by=postponed.created_by,
        date=state.now(),
        text=postponed.text,
        attachments=postponed.attachments,
        comments_closed=postponed.comments_closed,
        postponed_id=postponed.id,
        guid=postponed.guid,
        signer_id=postponed.signer_id,
    )
    group.posts[post.id] = post
    if post.guid:
        group.post_guids[post.guid] = post.id
    group.stream.append("wall_post_new", events.post_object(state, group, post))
    return post


def publish_due_posts(state: SandboxState) -> None:
    """Publish every postponed post whose `publish_date` the clock has reached."""
    now = state.now()
    for group in state.groups.values():
        due = [
            post
            for post in group.posts.values()
            if post.publish_date is not None and post.publish_date <= now and not post.deleted
        ]
        for post in sorted(due, key=lambda item: (item.publish_date or 0, item.id)):
            publish_postponed(state, group, post)


# -- comments ------------------------------------------------------------------------
def comment_target(group: Group, kind: CommentKind, object_id: int) -> Post | CommentTarget | None:
    """The post, topic, photo, video or item comments of `kind` hang under, if it exists."""
    if kind == "wall":
        post = group.posts.get(object_id)
        return post if post is not None and post.publish_date is None else None
    return group.targets.get((kind, object_id))


def ensure_target(group: Group, kind: CommentKind, object_id: int) -> Post | CommentTarget:
    """Control API: board topics, photos, videos and items appear on first mention."""
    target = comment_target(group, kind, object_id)
    if target is not None:
        return target
    if kind == "wall":
        raise invalid("post_id", f"{object_id}: no such post on the wall of {group.id}")
    created = CommentTarget(kind=kind, group_id=group.id, object_id=object_id)
    group.targets[(kind, object_id)] = created
    return created


def add_comment(
    state: SandboxState,
    group: Group,
    kind: CommentKind,
    object_id: int,
    from_id: int,
    text: str,
    *,
    reply_to_comment: int | None = None,
    attachments: list[Attachment] | None = None,
) -> Comment:
    """A comment by a user (positive `from_id`) or the community (−group id): `*_new`."""
    target = comment_target(group, kind, object_id)
    if target is None or (isinstance(target, Post) and target.deleted):
        raise invalid(events.OBJECT_ID_FIELD[kind], "is invalid: object not found")
    if target.comments_closed:
        raise ApiError(213, "comments are closed")
    parents_stack: list[int] = []
    reply_to_user: int | None = None
    if reply_to_comment:
        parent = group.comments.get((kind, reply_to_comment))
        if parent is None or parent.object_id != object_id or parent.deleted:
            raise invalid("reply_to_comment", "is invalid: no such comment under this object")
        # VK threads are two levels deep: a reply to a reply joins the root's thread.
        parents_stack = [parent.parents_stack[0] if parent.parents_stack else parent.id]
        reply_to_user = parent.from_id
    comment = Comment(
        id=group.take_comment_id(kind),
        kind=kind,
        group_id=group.id,
        object_id=object_id,
        from_id=from_id,
        date=state.now(),
        text=text,
        attachments=attachments or [],
        reply_to_comment=reply_to_comment or None,
        reply_to_user=reply_to_user,
        parents_stack=parents_stack,
    )
    group.add_comment(comment)
    group.stream.append(
        events.comment_event_type(kind, "new"), events.comment_object(state, group, comment)
    )
    return comment


def find_comment(group: Group, kind: CommentKind, comment_id: int) -> Comment:
    """A comment of `kind` by id, deleted or not; error 100 if there is none."""
    comment = group.comments.get((kind, comment_id))
    if comment is None:
        raise invalid("comment_id", "is invalid: no such comment")
    return comment


def edit_comment(state: SandboxState, group: Group, comment: Comment, text: str) -> None:
    """The author edits a comment: `*_edit` with the whole comment."""
    comment.text = text
    comment.edited = True
    group.stream.append(
        events.comment_event_type(comment.kind, "edit"),
        events.comment_object(state, group, comment),
    )


def delete_comment(group: Group, comment: Comment, deleter_id: int) -> None:
    """Mark deleted and queue `*_delete`; deleting twice is a quiet success."""
    if comment.deleted:
        return
    comment.deleted = True
    comment.deleter_id = deleter_id
    group.stream.append(
        events.comment_event_type(comment.kind, "delete"),
        events.comment_delete_object(group, comment, deleter_id),
    )


def restore_comment(state: SandboxState, group: Group, comment: Comment) -> None:
    """Undo a deletion: `*_restore` with the whole comment; restoring a live one is a no-op."""
    if not comment.deleted:
        return
    comment.deleted = False
    comment.deleter_id = None
    group.stream.append(
        events.comment_event_type(comment.kind, "restore"),
        events.comment_object(state, group, comment),
    )


# -- membership ----------------------------------------------------------------------
def join(group: Group, user_id: int, join_type: str = "join") -> None:
    """A user joins: `group_join` with `join_type` (join, unsure, accepted, approved, request)."""
    group.members.add(user_id)
    group.stream.append("group_join", {"user_id": user_id, "join_type": join_type})


def leave(group: Group, user_id: int, left_by_self: bool = True) -> None:
    """A user leaves (`self` = 1) or is removed (`self` = 0): `group_leave`."""
    group.members.discard(user_id)
    group.stream.append("group_leave", {"user_id": user_id, "self": int(left_by_self)})


def ban(
    state: SandboxState,
    group: Group,
    user_id: int,
    admin_id: int,
    end_date: int,
    reason: int,
    comment: str,
) -> None:
    """Add to the community's blacklist until `end_date` (0 = forever): `user_block`."""
    group.bans[user_id] = Ban(
        user_id=user_id,
        admin_id=admin_id,
        date=state.now(),
        end_date=end_date,
        reason=reason,
        comment=comment,
    )
    group.members.discard(user_id)
    group.stream.append(
        "user_block",
        {
            "admin_id": admin_id,
            "user_id": user_id,
            "unblock_date": end_date,
            "reason": reason,
            "comment": comment,
        },
    )


def unban(group: Group, user_id: int, admin_id: int, by_end_date: bool = False) -> None:
    """Lift a ban: `user_unblock`; `by_end_date` says the ban simply ran out."""
    if group.bans.pop(user_id, None) is None:
        return
    group.stream.append(
        "user_unblock",
        {"admin_id": admin_id, "user_id": user_id, "by_end_date": int(by_end_date)},
    )


def expire_bans(state: SandboxState) -> None:
    """Lift every ban whose `end_date` the clock has reached."""
    now = state.now()
    for group in state.groups.values():
        for user_id, ban_entry in list(group.bans.items()):
            if ban_entry.end_date and ban_entry.end_date <= now:
                unban(group, user_id, ban_entry.admin_id, by_end_date=True)


def tick(state: SandboxState) -> None:
    """Let the clock act: publish postponed posts that are due, lift expired bans."""
    publish_due_posts(state)
    expire_bans(state)
