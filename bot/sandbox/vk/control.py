"""The `/sandbox/*` control API: play users, inspect what the bot did, inject faults.

JSON in, JSON out. Mistakes in a request answer HTTP 400 (404 for an unknown
community) with `{"ok": false, "error": "<sentence>"}`.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.sandbox.vk import actions, events
from bot.sandbox.vk.errors import ApiError
from bot.sandbox.vk.methods.base import attachment_from_text
from bot.sandbox.vk.state import (
    COMMENT_KINDS,
    CommentKind,
    Group,
    Token,
    User,
)
from bot.sandbox.vk.views import comment_view, message_view, post_view

if TYPE_CHECKING:
    from bot.sandbox.vk.server import VkSandbox

# The admin a community gets when `admin_token` comes without `admin_user_id`.
DEFAULT_ADMIN_USER_ID = 1
DEFAULT_EVENT_VERSION = "5.199"

# Readable UTF-8 in answers (Cyrillic test texts stay legible).
_dumps = functools.partial(json.dumps, ensure_ascii=False)

ControlHandler = Callable[[web.Request], Awaitable[Any]]


class ControlError(Exception):
    """A control request the sandbox cannot follow; the message says what to fix."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _answer(handler: ControlHandler) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Turn a handler's return value into JSON and its errors into readable 4xx answers."""

    async def wrapped(request: web.Request) -> web.Response:
        try:
            result = await handler(request)
        except ControlError as error:
            return web.json_response({"ok": False, "error": error.message}, status=error.status)
        except ApiError as error:
            return web.json_response(
                {"ok": False, "error": error.message, "error_code": error.code}, status=400
            )
        return web.json_response(result, dumps=_dumps)

    return wrapped


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json() if request.body_exists else {}
    except (ValueError, json.JSONDecodeError):
        raise ControlError("The body must be a JSON object.") from None
    if not isinstance(body, dict):
        raise ControlError("The body must be a JSON object.")
    return body


def _int(body: dict[str, Any], name: str, default: int | None = None) -> int:
    value = body.get(name, default)
    if value is None:
        raise ControlError(f"`{name}` is required.")
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ControlError(f"`{name}` must be an integer.")
    try:
        return int(value)
    except ValueError:
        raise ControlError(f"`{name}` must be an integer.") from None


def _str(body: dict[str, Any], name: str, default: str | None = None) -> str:
    value = body.get(name, default)
    if value is None:
        raise ControlError(f"`{name}` is required.")
    if not isinstance(value, str):
        raise ControlError(f"`{name}` must be a string.")
    return value


def _kind(value: Any) -> CommentKind:
    if value not in COMMENT_KINDS:
        raise ControlError(f"`object` must be one of {', '.join(COMMENT_KINDS)}.")
    return value  # type: ignore[no-any-return]


# -- handlers ----------------------------------------------------------------------
def add_control_routes(sandbox: VkSandbox) -> None:
    """Mount every `/sandbox/*` route on the sandbox's application."""

    def group_of(group_id: int) -> Group:
        group = sandbox.state.groups.get(group_id)
        if group is None:
            raise ControlError(
                f"There is no community {group_id}; create it with POST /sandbox/groups.", 404
            )
        return group

    def ensure_user(user_id: int, first_name: str = "User", last_name: str = "") -> User:
        if user_id not in sandbox.state.users:
            sandbox.state.users[user_id] = User(user_id, first_name, last_name)
        return sandbox.state.users[user_id]

    def claim_token(value: str, token: Token) -> None:
        existing = sandbox.state.tokens.get(value)
        if existing is not None and (existing.kind, existing.owner_id) != (
            token.kind,
            token.owner_id,
        ):
            raise ControlError(f"The token {value!r} already belongs to someone else.")
        sandbox.state.tokens[value] = token

    def refuse_banned(group: Group, user_id: int) -> None:
        ban = group.active_ban(user_id, sandbox.clock())
        if ban is not None:
            raise ControlError(f"User {user_id} is banned in community {group.id}.", 403)

    async def create_group(request: web.Request) -> dict[str, Any]:
        body = await _body(request)
        group_id = _int(body, "id")
        if group_id <= 0:
            raise ControlError("`id` must be a positive community id.")
        token = _str(body, "token")
        admin_token = body.get("admin_token")
        if admin_token is not None and not isinstance(admin_token, str):
            raise ControlError("`admin_token` must be a string.")
        admin_user_id: int | None = None
        if "admin_user_id" in body or admin_token:
            admin_user_id = _int(body, "admin_user_id", DEFAULT_ADMIN_USER_ID)
            ensure_user(admin_user_id, "Community", "Admin")
        event_version = _str(body, "event_version", DEFAULT_EVENT_VERSION)
        claim_token(token, Token(token, "group", group_id))
        if admin_token:
            assert admin_user_id is not None
            claim_token(admin_token, Token(admin_token, "user", admin_user_id))
        group = sandbox.state.groups.get(group_id)
        if group is None:
            group = Group(
                id=group_id,
                name=_str(body, "name", f"Community {group_id}"),
                token=token,
                admin_user_id=admin_user_id,
                admin_token=admin_token,
                event_version=event_version,
                stream=sandbox.new_stream(group_id, event_version),
            )
            sandbox.state.groups[group_id] = group
        else:  # creating again updates the settings and keeps the content
            group.name = _str(body, "name", group.name)
            group.token = token
            group.admin_user_id = admin_user_id
            group.admin_token = admin_token
        return {
            "id": group.id,
            "name": group.name,
            "screen_name": f"club{group.id}",
            "token": group.token,
            "admin_token": group.admin_token,
            "admin_user_id": group.admin_user_id,
            "event_version": group.event_version,
        }

    async def create_user(request: web.Request) -> dict[str, Any]:
        body = await _body(request)
        user_id = _int(body, "id")
        if user_id <= 0:
            raise ControlError("`id` must be a positive user id.")
        user = User(user_id, _str(body, "first_name", "User"), _str(body, "last_name", ""))
        sandbox.state.users[user_id] = user
        answer = events.user_object(user)
        if "token" in body:
            token = _str(body, "token")
            claim_token(token, Token(token, "user", user_id))
            answer["token"] = token
        return answer

    async def create_wall_post(request: web.Request) -> dict[str, Any]:
        body = await _body(request)
        group = group_of(_int(body, "group_id"))
        from_id = _int(body, "from_id", -group.id)
        if from_id > 0:
            ensure_user(from_id)
        attachments = []
        for item in body.get("attachments", []) or []:
            attachment = attachment_from_text(str(item))
            if attachment is None:
                raise ControlError(f"Attachment {item!r} is not like poll-<group id>_<poll id>.")
            attachments.append(attachment)
        publish_date = body.get("publish_date")
        post = actions.create_post(
            sandbox.state,
            group,
            from_id=from_id,
            created_by=from_id if from_id > 0 else (group.admin_user_id or 0),
            text=_str(body, "text", ""),
            attachments=attachments,
            close_comments=bool(body.get("close_comments", False)),
            publish_date=_int(body, "publish_date") if publish_date is not None else None,
        )
        return {"post_id": post.id}

    async def create_comment(request: web.Request) -> dict[str, Any]:
        body = await _body(request)
        group = group_of(_int(body, "group_id"))
        kind = _kind(body.get("object", "wall"))
        object_id = _int(body, "object_id", body.get("post_id"))
        from_id = _int(body, "from_id")
        if from_id > 0:
            ensure_user(from_id)
            refuse_banned(group, from_id)
        actions.ensure_target(group, kind, object_id)
        reply_to = body.get("reply_to_comment")
        comment = actions.add_comment(
            sandbox.state,
            group,
            kind,
            object_id,
            from_id,
            _str(body, "text"),
            reply_to_comment=_int(body, "reply_to_comment") if reply_to else None,
        )
        return {"comment_id": comment.id}

    async def create_message(request: web.Request) -> dict[str, Any]:
        body = await _body(request)
        group = group_of(_int(body, "group_id"))
        from_id = _int(body, "from_id")
        if from_id <= 0:
            raise ControlError("`from_id` must be a user id.")
        ensure_user(from_id)
        refuse_banned(group, from_id)
        peer_id = body.get("peer_id")
        if peer_id is not None and _int(body, "peer_id") < 2_000_000_000:
            raise ControlError("`peer_id` is only for chats (2000000000 + chat id).")
        payload = body.get("payload")
        if payload is not None and not isinstance(payload, str):
            payload = json.dumps(payload)
        message = actions.user_writes(
            sandbox.state,
            group,
            from_id,
            _str(body, "text"),
            chat_peer_id=_int(body, "peer_id") if peer_id is not None else None,
            payload=payload,
        )
        return message_view(sandbox.state, message)

    async def join(request: web.Request) -> dict[str, Any]:
        body = await _body(request)
        group = group_of(_int(body, "group_id"))
        user_id = _int(body, "user_id")
        ensure_user(user_id)
        actions.join(group, user_id, _str(body, "join_type", "join"))
        return {"ok": True}

    async def leave(request: web.Request) -> dict[str, Any]:
        body = await _body(request)
        group = group_of(_int(body, "group_id"))
        actions.leave(group, _int(body, "user_id"), bool(body.get("self", True)))
        return {"ok": True}

    async def message_allow(request: web.Request) -> dict[str, Any]:
        body = await _body(request)
        group = group_of(_int(body, "group_id"))
        user_id = _int(body, "user_id")
        ensure_user(user_id)
        actions.allow_messages(group, user_id, _str(body, "key", ""))
        return {"ok": True}

    async def message_deny(request: web.Request) -> dict[str, Any]:
        body = await _body(request)
        group = group_of(_int(body, "group_id"))
        actions.deny_messages(group, _int(body, "user_id"))
        return {"ok": True}

    async def edit(request: web.Request) -> dict[str, Any]:
        body = await _body(request)
        group = group_of(_int(body, "group_id"))
        text = _str(body, "text")
        target = body.get("object", "wall")
        if target == "message":
            message = group.messages.get(_int(body, "message_id"))
            if message is None:
                raise ControlError("No such message in this community.", 404)
            actions.edit_message(sandbox.state, group, message, text)
            return {"ok": True}
        comment = group.comments.get((_kind(target), _int(body, "comment_id")))
        if comment is None:
            raise ControlError("No such comment in this community.", 404)
        actions.edit_comment(sandbox.state, group, comment, text)
        return {"ok": True}

    async def close_comments(request: web.Request) -> dict[str, Any]:
        body = await _body(request)
        group = group_of(_int(body, "group_id"))
        kind = _kind(body.get("object", "wall"))
        object_id = _int(body, "object_id", body.get("post_id"))
        target = actions.ensure_target(group, kind, object_id)
        target.comments_closed = bool(body.get("closed", True))
        return {"ok": True, "closed": target.comments_closed}

    async def poll_vote(request: web.Request) -> dict[str, Any]:
        body = await _body(request)
        poll = sandbox.state.polls.get((_int(body, "owner_id"), _int(body, "poll_id")))
        if poll is None:
            raise ControlError("No such poll.", 404)
        user_id = _int(body, "user_id")
        answer_ids = body.get("answer_ids")
        known = {answer["id"] for answer in poll.answers}
        if not isinstance(answer_ids, list) or not answer_ids or not set(answer_ids) <= known:
            raise ControlError(f"`answer_ids` must list answers of this poll: {sorted(known)}.")
        if len(answer_ids) > 1 and not poll.multiple:
            raise ControlError("This poll takes one answer.")
        for answer in poll.answers:  # a new vote replaces the user's previous one
            answer["votes"] -= answer["id"] in poll.voters.get(user_id, [])
            answer["votes"] += answer["id"] in answer_ids
        poll.voters[user_id] = list(answer_ids)
        return events.poll_object(poll, user_id)

    async def wall(request: web.Request) -> list[dict[str, Any]]:
        group = group_of(int(request.match_info["group_id"]))
        posts = sorted(group.posts.values(), key=lambda post: post.id)
        return [post_view(sandbox.state, group, post) for post in posts]

    async def comments(request: web.Request) -> list[dict[str, Any]]:
        group = group_of(int(request.match_info["group_id"]))
        kind = _kind(request.query.get("object", "wall"))
        found = sorted((c for c in group.comments.values() if c.kind == kind), key=lambda c: c.id)
        return [comment_view(sandbox.state, group, comment) for comment in found]

    async def bans(request: web.Request) -> list[dict[str, Any]]:
        group = group_of(int(request.match_info["group_id"]))
        return [
            {
                "user_id": ban.user_id,
                "admin_id": ban.admin_id,
                "date": ban.date,
                "end_date": ban.end_date,
                "reason": ban.reason,
                "comment": ban.comment,
            }
            for ban in group.bans.values()
        ]

    async def polls(request: web.Request) -> list[dict[str, Any]]:
        group = group_of(int(request.match_info["group_id"]))
        found = [poll for (owner, _), poll in sandbox.state.polls.items() if owner == -group.id]
        return [events.poll_object(poll) for poll in sorted(found, key=lambda poll: poll.id)]

    async def messages(request: web.Request) -> list[dict[str, Any]]:
        group = group_of(int(request.match_info["group_id"]))
        peer_text = request.query.get("peer_id")
        found = sorted(group.messages.values(), key=lambda message: message.id)
        if peer_text:
            try:
                peer_id = int(peer_text)
            except ValueError:
                raise ControlError("`peer_id` must be an integer.") from None
            found = [message for message in found if message.peer_id == peer_id]
        return [message_view(sandbox.state, message) for message in found]

    async def log(request: web.Request) -> list[dict[str, Any]]:
        try:
            since = int(request.query.get("since", "0"))
        except ValueError:
            raise ControlError("`since` must be an integer.") from None
        return sandbox.log.since(since)

    async def add_fault(request: web.Request) -> dict[str, Any]:
        body = await _body(request)
        if "longpoll_malformed" in body:
            kind = body["longpoll_malformed"]
            if kind not in ("not_json", "no_updates"):
                raise ControlError("`longpoll_malformed` must be not_json or no_updates.")
            sandbox.malformed_answers.append(kind)
            for group in sandbox.state.groups.values():
                group.stream.wake()
            return {"ok": True}
        if "longpoll_failed" in body:
            code = body["longpoll_failed"]
            if code not in (1, 2, 3):
                raise ControlError("`longpoll_failed` must be 1, 2 or 3.")
            if "group_id" in body:
                group = group_of(_int(body, "group_id"))
                group.stream.pending_failures.append(code)
                group.stream.wake()
            else:
                sandbox.faults.longpoll_failures.append(code)
                for group in sandbox.state.groups.values():
                    group.stream.wake()
            return {"ok": True}
        try:
            sandbox.faults.add(body)
        except ValueError as error:
            raise ControlError(str(error)) from None
        return {"ok": True}

    async def raw_event(request: web.Request) -> dict[str, Any]:
        body = await _body(request)
        group = group_of(_int(body, "group_id"))
        if "event" not in body:
            raise ControlError("`event` is required: any JSON value, queued as-is.")
        group.stream.append_raw(body["event"])
        return {"ok": True}

    async def clear_faults(request: web.Request) -> dict[str, Any]:
        sandbox.faults.clear()
        return {"ok": True}

    async def reset(request: web.Request) -> dict[str, Any]:
        sandbox.reset()
        return {"ok": True}

    router = sandbox.app.router
    posts_routes: list[tuple[str, ControlHandler]] = [
        ("/sandbox/groups", create_group),
        ("/sandbox/raw_events", raw_event),
        ("/sandbox/users", create_user),
        ("/sandbox/wall_posts", create_wall_post),
        ("/sandbox/comments", create_comment),
        ("/sandbox/messages", create_message),
        ("/sandbox/joins", join),
        ("/sandbox/leaves", leave),
        ("/sandbox/message_allow", message_allow),
        ("/sandbox/message_deny", message_deny),
        ("/sandbox/edits", edit),
        ("/sandbox/close_comments", close_comments),
        ("/sandbox/poll_votes", poll_vote),
        ("/sandbox/faults", add_fault),
        ("/sandbox/reset", reset),
    ]
    for path, handler in posts_routes:
        router.add_post(path, _answer(handler))
    router.add_delete("/sandbox/faults", _answer(clear_faults))
    router.add_get("/sandbox/log", _answer(log))
    router.add_get("/sandbox/groups/{group_id:-?\\d+}/wall", _answer(wall))
    router.add_get("/sandbox/groups/{group_id:-?\\d+}/comments", _answer(comments))
    router.add_get("/sandbox/groups/{group_id:-?\\d+}/bans", _answer(bans))
    router.add_get("/sandbox/groups/{group_id:-?\\d+}/polls", _answer(polls))
    router.add_get("/sandbox/groups/{group_id:-?\\d+}/messages", _answer(messages))
