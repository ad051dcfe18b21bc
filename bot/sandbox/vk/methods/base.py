"""The method registry, the per-call context, and checks shared by method handlers."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.sandbox.vk.errors import ApiError, invalid
from bot.sandbox.vk.params import Params
from bot.sandbox.vk.state import Attachment, Group, SandboxState, Token

# `photo-1_2`, `poll-10_3`, `doc5_7_accesskey`: type, owner id, item id, optional key.
_ATTACHMENT = re.compile(
    r"^(photo|video|audio|doc|poll|market|market_album|album|page|note|wall|podcast|"
    r"audio_playlist|story|article)(-?\d+)_(\d+)(?:_[0-9a-zA-Z]+)?$"
)


@dataclass
class CallContext:
    """Who is calling and from where; handed to every method handler."""

    state: SandboxState
    token: Token
    version: str
    base_url: str  # e.g. http://127.0.0.1:8082, used for long-poll server URLs
    new_key: Callable[[], str]  # a fresh long-poll key
    # Runs one call from inside `execute` with the same token (faults, log, errors included).
    run_inner: Callable[[CallContext, str, dict[str, str]], Any]

    @property
    def is_group(self) -> bool:
        return self.token.kind == "group"

    @property
    def user_id(self) -> int | None:
        return self.token.owner_id if self.token.kind == "user" else None


Handler = Callable[[CallContext, Params], Any]


@dataclass
class MethodSpec:
    """A registered method and which tokens may call it."""

    name: str
    handler: Handler
    # VK answers 27 when a community token calls one of these.
    user_only: bool = False
    # The sandbox serves these to community tokens only (answers 15 to user tokens).
    group_only: bool = False


METHODS: dict[str, MethodSpec] = {}


def method(
    name: str, *, user_only: bool = False, group_only: bool = False
) -> Callable[[Handler], Handler]:
    """Register a handler under its exact, case-sensitive VK method name."""

    def register(handler: Handler) -> Handler:
        METHODS[name] = MethodSpec(name, handler, user_only=user_only, group_only=group_only)
        return handler

    return register


# -- shared checks -------------------------------------------------------------------
def group_by_id(ctx: CallContext, group_id: int, name: str = "group_id") -> Group:
    """The community with this id (the sign is ignored); error 100 if unknown."""
    group = ctx.state.groups.get(abs(group_id))
    if group is None:
        raise invalid(name, f"is invalid: no community {abs(group_id)}")
    return group


def group_by_owner(ctx: CallContext, owner_id: int, name: str = "owner_id") -> Group:
    """Community-owned objects have a negative owner id; only those exist here."""
    if owner_id >= 0:
        raise invalid(name, "must be a community id with a minus sign (-group_id)")
    return group_by_id(ctx, owner_id, name)


def require_admin(ctx: CallContext, group: Group) -> None:
    """Error 15 unless the token is this community's or one of its admins'."""
    if ctx.is_group:
        if ctx.token.owner_id != group.id:
            raise ApiError(15, f"this token belongs to another community ({ctx.token.owner_id})")
        return
    if not group.is_admin(ctx.token.owner_id):
        raise ApiError(15, f"user {ctx.token.owner_id} is not an admin of community {group.id}")


def acting_id(ctx: CallContext) -> int:
    """The id VK records as the actor: the user, or −group for a community token."""
    return -ctx.token.owner_id if ctx.is_group else ctx.token.owner_id


def comment_author(ctx: CallContext, group: Group, as_group: bool) -> int:
    """`from_id` of a new comment: the community (−id) or the calling user."""
    if ctx.is_group:
        require_admin(ctx, group)
        return -group.id
    if as_group:
        require_admin(ctx, group)
        return -group.id
    return ctx.token.owner_id


def deleter_id(ctx: CallContext) -> int:
    """Who VK names as the deleter: the user, or −group for a community token."""
    return ctx.token.owner_id if not ctx.is_group else -ctx.token.owner_id


def attachment_from_text(item: str) -> Attachment | None:
    """`poll-1_3` -> Attachment("poll", -1, 3); a URL -> a link; None if unreadable."""
    if item.startswith(("http://", "https://")):
        return Attachment(type="link", url=item)
    match = _ATTACHMENT.match(item)
    if match is None:
        return None
    return Attachment(
        type=match.group(1), owner_id=int(match.group(2)), item_id=int(match.group(3))
    )


def parse_attachments(ctx: CallContext, params: Params, name: str) -> list[Attachment]:
    """`photo-1_2,poll-1_3,https://…`; polls must exist (VK checks them too)."""
    result: list[Attachment] = []
    for item in params.str_list(name):
        attachment = attachment_from_text(item)
        if attachment is None:
            raise invalid(name, f"is invalid: {item!r}")
        if attachment.type == "poll" and (attachment.owner_id, attachment.item_id) not in (
            ctx.state.polls
        ):
            raise invalid(
                name, f"is invalid: poll {attachment.owner_id}_{attachment.item_id} not found"
            )
        result.append(attachment)
    return result


@dataclass
class ExecuteResult:
    """What `execute` answers: the response plus `execute_errors` beside it in the envelope."""

    response: Any
    errors: list[dict[str, Any]]
