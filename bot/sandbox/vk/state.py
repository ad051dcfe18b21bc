"""The in-memory world of the VK sandbox: users, communities, walls, comments, dialogs."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.sandbox.vk.longpoll import EventStream

# Peer ids at or above this are group chats (2000000000 + chat_id), as in VK.
CHAT_PEER_START = 2_000_000_000

CommentKind = Literal["wall", "board", "photo", "video", "market"]
COMMENT_KINDS: tuple[CommentKind, ...] = ("wall", "board", "photo", "video", "market")


@dataclass
class User:
    """A VK user the control API created."""

    id: int
    first_name: str
    last_name: str


@dataclass
class Token:
    """An access token: a community token (`kind="group"`) or a user token."""

    value: str
    kind: Literal["group", "user"]
    owner_id: int  # the group id for community tokens, the user id for user tokens


@dataclass
class Poll:
    """A poll from polls.create; votes come from the control API."""

    id: int
    owner_id: int
    author_id: int
    question: str
    answers: list[dict[str, Any]]  # {"id", "text", "votes"}
    anonymous: bool
    multiple: bool
    end_date: int
    created: int
    voters: dict[int, list[int]] = field(default_factory=dict)  # user id -> answer ids


@dataclass
class Attachment:
    """One `attachments` item: `type` plus the id string VK uses (`poll-1_2`) or a URL."""

    type: str
    owner_id: int = 0
    item_id: int = 0
    url: str = ""


@dataclass
class Post:
    """A post on a community wall, published or postponed."""

    id: int
    group_id: int
    from_id: int
    created_by: int
    date: int
    text: str
    attachments: list[Attachment] = field(default_factory=list)
    comments_closed: bool = False
    deleted: bool = False
    publish_date: int | None = None  # set while the post is postponed
    postponed_id: int | None = None  # the postponed post this one was published from
    guid: str = ""
    signer_id: int | None = None


@dataclass
class CommentTarget:
    """A board topic, photo, video or market item that comments hang under."""

    kind: CommentKind
    group_id: int
    object_id: int
    comments_closed: bool = False


@dataclass
class Comment:
    """A comment of any kind: wall, board topic, photo, video or market item."""

    id: int
    kind: CommentKind
    group_id: int
    object_id: int  # post / topic / photo / video / item id
    from_id: int
    date: int
    text: str
    attachments: list[Attachment] = field(default_factory=list)
    reply_to_comment: int | None = None
    reply_to_user: int | None = None
    parents_stack: list[int] = field(default_factory=list)
    deleted: bool = False
    deleter_id: int | None = None
    edited: bool = False


@dataclass
class Message:
    """One message in a dialog between the community and a user or chat."""

    id: int
    peer_id: int
    from_id: int
    date: int
    text: str
    conversation_message_id: int
    out: bool
    random_id: int = 0
    attachments: list[Attachment] = field(default_factory=list)
    payload: str | None = None
    keyboard: Any = None
    forward: Any = None
    reply_to: int | None = None
    deleted: bool = False
    edited: bool = False


@dataclass
class Ban:
    """An entry of the community's blacklist (groups.ban)."""

    user_id: int
    admin_id: int
    date: int
    end_date: int  # 0 = forever
    reason: int
    comment: str


@dataclass
class Group:
    """A community: its tokens, admin, content, dialogs and long-poll stream."""

    id: int
    name: str
    token: str
    admin_user_id: int | None
    admin_token: str | None
    event_version: str
    stream: EventStream
    # Users who wrote to the community or allowed messages (messages.send needs this; else 901).
    message_allowed: set[int] = field(default_factory=set)
    chats: set[int] = field(default_factory=set)
    members: set[int] = field(default_factory=set)
    bans: dict[int, Ban] = field(default_factory=dict)
    posts: dict[int, Post] = field(default_factory=dict)
    post_guids: dict[str, int] = field(default_factory=dict)
    targets: dict[tuple[CommentKind, int], CommentTarget] = field(default_factory=dict)
    comments: dict[tuple[CommentKind, int], Comment] = field(default_factory=dict)
    # Comment ids per commented object and per thread root, so lookups stay O(thread).
    comments_by_object: dict[tuple[CommentKind, int], list[int]] = field(default_factory=dict)
    thread_replies: dict[tuple[CommentKind, int], list[int]] = field(default_factory=dict)
    comment_guids: dict[tuple[Any, ...], int] = field(default_factory=dict)
    messages: dict[int, Message] = field(default_factory=dict)
    # (peer_id, random_id) -> message id: VK's duplicate-send guard.
    sent_random_ids: dict[tuple[int, int], int] = field(default_factory=dict)
    conversation_counters: dict[int, int] = field(default_factory=dict)
    # VK numbers wall posts and wall comments from one sequence per wall.
    next_wall_id: int = 1
    next_comment_ids: dict[CommentKind, int] = field(default_factory=dict)
    next_message_id: int = 1

    def take_wall_id(self) -> int:
        value = self.next_wall_id
        self.next_wall_id += 1
        return value

    def take_comment_id(self, kind: CommentKind) -> int:
        if kind == "wall":
            return self.take_wall_id()
        value = self.next_comment_ids.get(kind, 1)
        self.next_comment_ids[kind] = value + 1
        return value

    def take_message_id(self) -> int:
        value = self.next_message_id
        self.next_message_id += 1
        return value

    def take_conversation_message_id(self, peer_id: int) -> int:
        value = self.conversation_counters.get(peer_id, 0) + 1
        self.conversation_counters[peer_id] = value
        return value

    def add_comment(self, comment: Comment) -> None:
        """Store a new comment and index it under its object and thread."""
        self.comments[(comment.kind, comment.id)] = comment
        self.comments_by_object.setdefault((comment.kind, comment.object_id), []).append(comment.id)
        if comment.parents_stack:
            root = (comment.kind, comment.parents_stack[0])
            self.thread_replies.setdefault(root, []).append(comment.id)

    def comments_on(self, kind: CommentKind, object_id: int) -> list[Comment]:
        """Every comment under one post/topic/photo/video/item, deleted ones included."""
        ids = self.comments_by_object.get((kind, object_id), [])
        return [self.comments[(kind, comment_id)] for comment_id in ids]

    def replies_to(self, comment: Comment) -> list[Comment]:
        """Live replies in the thread `comment` starts."""
        ids = self.thread_replies.get((comment.kind, comment.id), [])
        replies = [self.comments[(comment.kind, reply_id)] for reply_id in ids]
        return [reply for reply in replies if not reply.deleted]

    def is_admin(self, user_id: int) -> bool:
        return self.admin_user_id is not None and user_id == self.admin_user_id

    def active_ban(self, user_id: int, now: float) -> Ban | None:
        """The ban in force for `user_id` at `now`, if any."""
        ban = self.bans.get(user_id)
        if ban is None or (ban.end_date and ban.end_date <= now):
            return None
        return ban


class SandboxState:
    """Everything the sandbox remembers; `reset` is a fresh instance."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.users: dict[int, User] = {}
        self.groups: dict[int, Group] = {}
        self.tokens: dict[str, Token] = {}
        self.polls: dict[tuple[int, int], Poll] = {}
        self.next_poll_ids: dict[int, int] = {}

    def now(self) -> int:
        """Unix seconds on the injected clock, as VK's `date` fields carry them."""
        return int(self.clock())

    def user_name(self, user_id: int) -> User:
        """The user, or VK's stub for an id nobody registered."""
        return self.users.get(user_id) or User(user_id, "DELETED", "")

    def take_poll_id(self, owner_id: int) -> int:
        value = self.next_poll_ids.get(owner_id, 1)
        self.next_poll_ids[owner_id] = value + 1
        return value
