"""The control API: tests, benchmarks and the demo play users and inspect the world.

Every route answers JSON. Failures answer `{"ok": false, "error": "<sentence>"}` with
400 (bad body), 403 (the user may not do that), 404 (no such chat/message) or 409.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ..common import CallLog
from .errors import ApiError, ControlError
from .formatting import detect_entities
from .limits import FaultInjector
from .objects import (
    BOT_ADMIN_RIGHTS,
    SERVICE_USER,
    chat_full_info,
    chat_json,
    member_json,
)
from .state import ChatState, MemberState, MessageRecord
from .world import World, text_fields

ControlHandler = Callable[[web.Request], Awaitable[Any]]
CHAT_TYPES = ("private", "group", "supergroup", "channel")
MEMBER_STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")


def _int(body: dict[str, Any], key: str) -> int:
    if body.get(key) is None:
        raise ControlError(400, f'"{key}" is required')
    try:
        return int(body[key])
    except (TypeError, ValueError) as exc:
        raise ControlError(400, f'"{key}" must be an integer') from exc


def _optional_int(body: dict[str, Any], key: str) -> int | None:
    return None if body.get(key) is None else _int(body, key)


class ControlApi:
    """Routes under `/sandbox/` bound to one sandbox's world, faults and call log."""

    def __init__(
        self,
        world: World,
        faults: FaultInjector,
        log: CallLog,
        reset: Callable[[], None],
    ):
        self.world = world
        self.faults = faults
        self.log = log
        self._reset = reset

    def routes(self) -> list[web.RouteDef]:
        wrap = self._wrap
        return [
            web.get("/sandbox/health", wrap(self.health)),
            web.post("/sandbox/chats", wrap(self.create_chat)),
            web.get("/sandbox/chats/{chat_id}", wrap(self.get_chat)),
            web.post("/sandbox/chats/{chat_id}/bot", wrap(self.set_bot_status)),
            web.get("/sandbox/chats/{chat_id}/messages", wrap(self.chat_messages)),
            web.get("/sandbox/chats/{chat_id}/members", wrap(self.chat_members)),
            web.post("/sandbox/messages", wrap(self.user_message)),
            web.post("/sandbox/edits", wrap(self.user_edit)),
            web.post("/sandbox/channel_posts", wrap(self.channel_post)),
            web.post("/sandbox/callbacks", wrap(self.press_button)),
            web.get("/sandbox/callbacks/{callback_id}", wrap(self.callback_answer)),
            web.post("/sandbox/joins", wrap(self.join)),
            web.post("/sandbox/leaves", wrap(self.leave)),
            web.post("/sandbox/reactions", wrap(self.react)),
            web.get("/sandbox/updates", wrap(self.pending_updates)),
            web.post("/sandbox/raw_updates", wrap(self.raw_update)),
            web.get("/sandbox/log", wrap(self.call_log)),
            web.post("/sandbox/faults", wrap(self.add_fault)),
            web.delete("/sandbox/faults", wrap(self.clear_faults)),
            web.post("/sandbox/reset", wrap(self.reset)),
        ]

    def _wrap(self, handler: ControlHandler) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def route(request: web.Request) -> web.Response:
            try:
                return web.json_response(await handler(request))
            except ControlError as exc:
                return web.json_response({"ok": False, "error": exc.text}, status=exc.status)
            except ApiError as exc:
                return web.json_response({"ok": False, "error": exc.description}, status=400)
            except (KeyError, TypeError, ValueError) as exc:
                error = f"malformed request body: {exc!r}"
                return web.json_response({"ok": False, "error": error}, status=400)

        return route

    # ------------------------------------------------------------ helpers

    async def _body(self, request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json() if request.can_read_body else {}
        except (ValueError, json.JSONDecodeError) as exc:
            raise ControlError(400, "the body must be a JSON object") from exc
        if not isinstance(body, dict):
            raise ControlError(400, "the body must be a JSON object")
        return body

    def _chat(self, chat_id: Any) -> ChatState:
        try:
            chat = self.world.chats.get(int(chat_id))
        except (TypeError, ValueError) as exc:
            raise ControlError(400, "chat_id must be an integer") from exc
        if chat is None:
            raise ControlError(
                404, f"chat {chat_id} does not exist; create it with POST /sandbox/chats"
            )
        return chat

    def _message(self, chat: ChatState, message_id: int) -> MessageRecord:
        record = chat.live_message(message_id)
        if record is None:
            raise ControlError(404, f"message {message_id} does not exist in chat {chat.id}")
        return record

    def _ensure_member(self, chat: ChatState, user: dict[str, Any], *, writing: bool) -> None:
        """A user acting in a chat joins it silently; banned or muted users are refused."""
        member = self.world.member_of(chat, user["id"])
        if member.status == "kicked":
            raise ControlError(403, f"user {user['id']} is banned in chat {chat.id}")
        if (
            writing
            and member.status == "restricted"
            and not member.permissions.get("can_send_messages")
        ):
            raise ControlError(403, f"user {user['id']} may not send messages in chat {chat.id}")
        if member.status == "restricted":
            member.is_member = True
        elif not member.present:
            chat.members[user["id"]] = MemberState("member")

    def _out(self, value: Any) -> Any:
        return self.world.render(value)

    # ------------------------------------------------------------ chats

    async def health(self, request: web.Request) -> dict[str, Any]:
        return {"ok": True}

    async def create_chat(self, request: web.Request) -> Any:
        body = await self._body(request)
        world = self.world
        chat_id = _int(body, "id")
        chat_type = body.get("type")
        if chat_type not in CHAT_TYPES:
            raise ControlError(400, f'"type" must be one of {", ".join(CHAT_TYPES)}')
        raw_members = body.get("members") or []
        if not isinstance(raw_members, list):
            raise ControlError(400, '"members" must be a list of users')
        members = [world.remember_user(raw) for raw in raw_members]
        adder = world.remember_user(body["added_by"]) if body.get("added_by") else None
        existing = world.chats.get(chat_id)
        if existing is not None and existing.type != chat_type:
            raise ControlError(409, f"chat {chat_id} already exists as a {existing.type}")
        if chat_type == "private":
            user = world.users.get(chat_id) or (members[0] if members else None)
            if user is None or user["id"] != chat_id:
                user = world.remember_user({"id": chat_id, "first_name": body.get("first_name")})
            chat = existing or world.create_private_chat(user)
            return self._out(chat_json(chat))
        chat = existing or world.new_chat(chat_id, chat_type, body.get("title"))
        self._describe(chat, body)
        if chat.is_forum and chat.next_message_id == 1:
            # Message 1 of a forum is its creation, the root of the General topic (id 1),
            # so the first real topic gets a different id.
            creator = adder or (members[0] if members else SERVICE_USER)
            world.add_message(chat, {"supergroup_chat_created": True}, sender=creator)
        for raw, user in zip(raw_members, members, strict=True):
            chat.members[user["id"]] = self._member_state(raw)
        if adder is not None and not world.member_of(chat, adder["id"]).present:
            chat.members[adder["id"]] = MemberState("member")
        bot_keys = ("bot_is_admin", "bot_status", "bot_rights")
        if existing is None or any(key in body for key in bot_keys):
            actor = adder or (members[0] if members else SERVICE_USER)
            world.change_member(chat, world.bot_id, self._bot_state(chat, body), actor=actor)
        return self._out(chat_json(chat))

    def _describe(self, chat: ChatState, body: dict[str, Any]) -> None:
        """Apply the optional descriptive fields of POST /sandbox/chats."""
        for key in ("title", "username", "description"):
            if body.get(key) is not None:
                setattr(chat, key, str(body[key]).lstrip("@") if key == "username" else body[key])
        if "is_forum" in body:
            chat.is_forum = bool(body["is_forum"]) and chat.type == "supergroup"
        if isinstance(body.get("permissions"), dict):
            chat.permissions.update({k: bool(v) for k, v in body["permissions"].items()})
        linked = _optional_int(body, "linked_chat_id")
        if linked is not None:
            chat.linked_chat_id = linked
            other = self.world.chats.get(linked)
            if other is not None:
                other.linked_chat_id = chat.id
        else:
            # The other side may have been created first and already names this chat.
            for other in self.world.chats.values():
                if other.linked_chat_id == chat.id and other.id != chat.id:
                    chat.linked_chat_id = other.id

    def _member_state(self, raw: dict[str, Any]) -> MemberState:
        status = raw.get("status", "member")
        if status not in MEMBER_STATUSES:
            raise ControlError(400, f'member "status" must be one of {", ".join(MEMBER_STATUSES)}')
        rights = dict(BOT_ADMIN_RIGHTS) if status == "administrator" else {}
        rights.update(raw.get("rights") or {})
        return MemberState(status, rights=rights, custom_title=raw.get("custom_title"))

    def _bot_state(self, chat: ChatState, body: dict[str, Any]) -> MemberState:
        """The bot's standing: administrator if asked (always in channels), else member."""
        admin = bool(body.get("bot_is_admin")) or chat.type == "channel"
        status = body.get("bot_status") or ("administrator" if admin else "member")
        if status not in MEMBER_STATUSES:
            raise ControlError(400, f'"bot_status" must be one of {", ".join(MEMBER_STATUSES)}')
        rights = dict(BOT_ADMIN_RIGHTS) if status == "administrator" else {}
        rights.update(body.get("bot_rights") or body.get("rights") or {})
        permissions = dict(chat.permissions) if status == "restricted" else {}
        return MemberState(status, rights=rights, permissions=permissions)

    async def get_chat(self, request: web.Request) -> Any:
        chat = self._chat(request.match_info["chat_id"])
        info = chat_full_info(chat, self.world.pinned_json(chat))
        info["bot_status"] = chat.bot.status
        info["topics"] = [{**vars(topic)} for topic in chat.topics.values() if not topic.deleted]
        return self._out(info)

    async def set_bot_status(self, request: web.Request) -> Any:
        """Promote, demote, remove or (in a private chat) block the bot."""
        chat = self._chat(request.match_info["chat_id"])
        body = await self._body(request)
        if "status" not in body:
            raise ControlError(400, '"status" is required')
        actor = self.world.remember_user(body["by"]) if body.get("by") else SERVICE_USER
        if chat.type == "private":
            actor = self.world.user_ref(chat.id)
        state = self._bot_state(chat, {"bot_status": body["status"], "rights": body.get("rights")})
        self.world.change_member(chat, self.world.bot_id, state, actor=actor)
        return {"ok": True, "status": state.status}

    async def chat_messages(self, request: web.Request) -> Any:
        chat = self._chat(request.match_info["chat_id"])
        listing = []
        for record in sorted(chat.messages.values(), key=lambda r: r.message_id):
            reactions = [
                {"from_id": self.world.bot_id if who == "bot" else who, **reaction}
                for who, items in record.reactions.items()
                for reaction in items
            ]
            listing.append(
                {
                    **record.payload,
                    "deleted": record.deleted,
                    "edited": record.edited,
                    "reply_markup": record.payload.get("reply_markup"),
                    "reactions": reactions,
                }
            )
        return self._out(listing)

    async def chat_members(self, request: web.Request) -> Any:
        chat = self._chat(request.match_info["chat_id"])
        world = self.world
        members = [
            member_json(world.member_of(chat, user_id), world.user_ref(user_id))
            for user_id in list(chat.members)
        ]
        members.append(member_json(chat.bot, world.user_ref(world.bot_id)))
        return self._out(members)

    # ------------------------------------------------------------ users act

    async def user_message(self, request: web.Request) -> Any:
        body = await self._body(request)
        world = self.world
        chat_id = _int(body, "chat_id")
        user = world.remember_user(body.get("from"))
        chat = world.chats.get(chat_id)
        if chat is None and chat_id == user["id"]:
            chat = world.create_private_chat(user)  # a user writing to the bot opens the chat
        chat = chat or self._chat(chat_id)
        if chat.type == "channel":
            raise ControlError(
                400, "users do not write in channels; use POST /sandbox/channel_posts"
            )
        text = body.get("text")
        if not isinstance(text, str) or not text:
            raise ControlError(400, '"text" must be a non-empty string')
        self._ensure_member(chat, user, writing=True)
        reply_id = _optional_int(body, "reply_to_message_id")
        reply = self._message(chat, reply_id) if reply_id is not None else None
        thread_id, reply = world.resolve_thread(
            chat, _optional_int(body, "message_thread_id"), reply
        )
        topic = chat.topics.get(thread_id) if thread_id is not None else None
        if topic is not None and topic.closed:
            raise ControlError(403, f"topic {thread_id} is closed")
        entities = body.get("entities")
        if not isinstance(entities, list):
            entities = detect_entities(text)
        fields = text_fields(text, entities)
        fields.update(self._forward_fields(body))
        record = world.add_message(
            chat, fields, sender=user, sender_id=user["id"], thread_id=thread_id, reply_to=reply
        )
        world.emit(chat, "message", record.payload)
        return self._out(record.payload)

    def _forward_fields(self, body: dict[str, Any]) -> dict[str, Any]:
        """forward_origin (and the legacy fields) for a message forwarded from a chat or user."""
        now = self.world.now()
        source_id = _optional_int(body, "forward_from_chat_id")
        if source_id is not None:
            source = self.world.chats.get(source_id)
            source_json = (
                chat_json(source)
                if source is not None
                else {"id": source_id, "type": "channel", "title": f"Channel {source_id}"}
            )
            message_id = _optional_int(body, "forward_from_message_id") or 1
            if source_json["type"] == "channel":
                origin = {"type": "channel", "chat": source_json, "message_id": message_id}
            else:
                origin = {"type": "chat", "sender_chat": source_json}
            return {
                "forward_origin": {**origin, "date": now},
                "forward_from_chat": source_json,
                "forward_from_message_id": message_id,
                "forward_date": now,
            }
        if body.get("forward_from"):
            original = self.world.remember_user(body["forward_from"])
            return {
                "forward_origin": {"type": "user", "sender_user": original, "date": now},
                "forward_from": original,
                "forward_date": now,
            }
        return {}

    async def user_edit(self, request: web.Request) -> Any:
        body = await self._body(request)
        chat = self._chat(body.get("chat_id"))
        record = self._message(chat, _int(body, "message_id"))
        if record.by_bot:
            raise ControlError(400, "the bot edits its own messages through editMessageText")
        text = body.get("text")
        if not isinstance(text, str) or not text:
            raise ControlError(400, '"text" must be a non-empty string')
        record.payload.update(text_fields(text, detect_entities(text)))
        if not record.payload.get("entities"):
            record.payload.pop("entities", None)
        record.payload["edit_date"] = self.world.now()
        record.edited = True
        self.world.emit(chat, self.world.message_update_kind(chat, edited=True), record.payload)
        return self._out(record.payload)

    async def channel_post(self, request: web.Request) -> Any:
        body = await self._body(request)
        chat = self._chat(body.get("chat_id"))
        if chat.type != "channel":
            raise ControlError(400, f"chat {chat.id} is a {chat.type}, not a channel")
        text = body.get("text")
        if not isinstance(text, str) or not text:
            raise ControlError(400, '"text" must be a non-empty string')
        post, forward = self.world.post_in_channel(
            chat,
            text_fields(text, detect_entities(text)),
            by_bot=False,
            author_signature=body.get("author_signature"),
        )
        answer = dict(post.payload)
        # The group-side copy: its message_id is the comment thread id.
        answer["automatic_forward"] = forward.payload if forward is not None else None
        return self._out(answer)

    async def press_button(self, request: web.Request) -> Any:
        body = await self._body(request)
        chat = self._chat(body.get("chat_id"))
        record = self._message(chat, _int(body, "message_id"))
        user = self.world.remember_user(body.get("from"))
        if chat.type != "channel":
            self._ensure_member(chat, user, writing=False)
        data = None if body.get("data") is None else str(body["data"])
        callback_id = self.world.press_button(chat, record, user, data)
        return {"id": callback_id}

    async def callback_answer(self, request: web.Request) -> Any:
        callback = self.world.callbacks.get(request.match_info["callback_id"])
        if callback is None:
            raise ControlError(404, "no such callback query")
        return {"id": callback.id, "answered": callback.answered, **callback.answer}

    async def join(self, request: web.Request) -> Any:
        body = await self._body(request)
        world = self.world
        chat = self._chat(body.get("chat_id"))
        user = world.remember_user(body.get("user"))
        if chat.type == "private":
            raise ControlError(400, "nobody joins a private chat")
        member = world.member_of(chat, user["id"])
        if member.status == "kicked":
            raise ControlError(403, f"user {user['id']} is banned in chat {chat.id}")
        if member.present:
            raise ControlError(409, f"user {user['id']} is already in chat {chat.id}")
        if member.status == "restricted":
            new = member.copy()
            new.is_member = True
        else:
            new = MemberState("member")
        world.change_member(chat, user["id"], new, actor=user)
        if chat.type == "channel":
            return {"ok": True}
        service = world.add_message(
            chat, {"new_chat_members": [user]}, sender=user, sender_id=user["id"]
        )
        world.emit(chat, "message", service.payload)
        return self._out(service.payload)

    async def leave(self, request: web.Request) -> Any:
        body = await self._body(request)
        world = self.world
        chat = self._chat(body.get("chat_id"))
        user = world.remember_user(body.get("user"))
        member = world.member_of(chat, user["id"])
        if not member.present:
            raise ControlError(409, f"user {user['id']} is not in chat {chat.id}")
        world.change_member(chat, user["id"], MemberState("left"), actor=user)
        if chat.type == "channel":
            return {"ok": True}
        service = world.add_message(
            chat, {"left_chat_member": user}, sender=user, sender_id=user["id"]
        )
        world.emit(chat, "message", service.payload)
        return self._out(service.payload)

    async def react(self, request: web.Request) -> Any:
        """A user sets reactions (a list of emoji strings or ReactionType objects)."""
        body = await self._body(request)
        world = self.world
        chat = self._chat(body.get("chat_id"))
        record = self._message(chat, _int(body, "message_id"))
        user = world.remember_user(body.get("user"))
        self._ensure_member(chat, user, writing=False)
        raw = body.get("reaction") or []
        if not isinstance(raw, list):
            raise ControlError(400, '"reaction" must be a list')
        new = [r if isinstance(r, dict) else {"type": "emoji", "emoji": str(r)} for r in raw]
        old = record.reactions.get(user["id"], [])
        if new:
            record.reactions[user["id"]] = new
        else:
            record.reactions.pop(user["id"], None)
        payload = {
            "chat": chat_json(chat),
            "message_id": record.message_id,
            "user": user,
            "date": world.now(),
            "old_reaction": old,
            "new_reaction": new,
        }
        world.emit(chat, "message_reaction", payload, admins_only=True)
        return {"ok": True}

    # ------------------------------------------------------------ observing and faults

    async def raw_update(self, request: web.Request) -> Any:
        """Queue `{"update": {...}}` as-is (any fields, even malformed), with a new update_id."""
        body = await self._body(request)
        fields = body.get("update")
        if not isinstance(fields, dict):
            raise ControlError(400, "`update` must be a JSON object")
        return {"update_id": self.world.queue.enqueue_raw(fields)}

    async def pending_updates(self, request: web.Request) -> Any:
        queue = self.world.queue
        return {
            "pending": self._out(queue.pending),
            "allowed_updates": sorted(queue.allowed),
        }

    async def call_log(self, request: web.Request) -> Any:
        try:
            since = int(request.query.get("since", "0"))
        except ValueError as exc:
            raise ControlError(400, "since must be an integer") from exc
        return self.log.since(since)

    async def add_fault(self, request: web.Request) -> Any:
        self.faults.add(await self._body(request))
        return {"ok": True, "faults": len(self.faults.rules)}

    async def clear_faults(self, request: web.Request) -> Any:
        self.faults.clear()
        return {"ok": True}

    async def reset(self, request: web.Request) -> Any:
        self._reset()
        return {"ok": True}
