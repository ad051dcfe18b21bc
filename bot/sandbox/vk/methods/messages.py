"""messages.send and messages.delete, as a community token uses them."""

from __future__ import annotations

from typing import Any

from bot.sandbox.vk import actions
from bot.sandbox.vk.errors import ApiError, invalid, missing
from bot.sandbox.vk.methods.base import CallContext, group_by_id, method, parse_attachments
from bot.sandbox.vk.params import Params
from bot.sandbox.vk.state import CHAT_PEER_START, Group, Message

# VK's JSON schema allows 9000 characters, but VK answers 914 past 4096 in practice;
# the sandbox enforces the stricter 4096 (counted in Unicode code points) so a bot
# that passes here also passes on VK.
MAX_MESSAGE_CHARS = 4096


def _peer_from(params: Params) -> int:
    if "peer_id" in params:
        return params.integer("peer_id")
    if "user_id" in params:
        return params.integer("user_id")
    if "chat_id" in params:
        return CHAT_PEER_START + params.integer("chat_id")
    raise missing("peer_id")


def _check_peer(group: Group, peer_id: int) -> None:
    if peer_id >= CHAT_PEER_START:
        if peer_id not in group.chats:
            raise ApiError(917, f"chat {peer_id - CHAT_PEER_START}")
    elif peer_id <= 0:
        raise invalid("peer_id", f"is invalid: {peer_id}")
    elif peer_id not in group.message_allowed:
        raise ApiError(901, f"user {peer_id} has not written to or allowed the community")


def _send_one(
    ctx: CallContext, group: Group, peer_id: int, random_id: int, fields: dict[str, Any]
) -> Message:
    # A repeated non-zero random_id to the same peer is not sent again (0 turns this off).
    if random_id != 0:
        first_id = group.sent_random_ids.get((peer_id, random_id))
        if first_id is not None:
            return group.messages[first_id]
    _check_peer(group, peer_id)
    reply_to = fields.get("reply_to")
    if reply_to is not None:
        replied = group.messages.get(reply_to)
        if replied is None or replied.peer_id != peer_id:
            raise invalid("reply_to", "have to be message from same chat")
    return actions.community_sends(
        ctx.state,
        group,
        peer_id,
        fields["text"],
        random_id,
        attachments=fields["attachments"],
        extras=fields,
    )


def _visible_id(message: Message) -> int:
    # Community bots get 0 for messages in chats (VK hides chat message ids from them).
    return 0 if message.peer_id >= CHAT_PEER_START else message.id


@method("messages.send", group_only=True)
def send(ctx: CallContext, params: Params) -> Any:
    """messages.send to `peer_id`/`user_id`/`chat_id` or `peer_ids`; `random_id` required."""
    group = group_by_id(ctx, ctx.token.owner_id)
    if "random_id" not in params:
        raise missing("random_id")
    random_id = params.integer("random_id")
    text = params.text("message")
    attachments = parse_attachments(ctx, params, "attachment")
    if not text.strip() and not attachments and "forward" not in params:
        raise invalid("message", "is empty or invalid")
    if len(text) > MAX_MESSAGE_CHARS:
        raise ApiError(914, f"{len(text)} characters, at most {MAX_MESSAGE_CHARS}")
    fields: dict[str, Any] = {
        "text": text,
        "attachments": attachments,
        "keyboard": params.json("keyboard", error_code=911),
        "forward": params.json("forward"),
        "payload": params.raw("payload"),
        "reply_to": params.optional_int("reply_to"),
    }
    if "peer_ids" in params:
        results: list[dict[str, Any]] = []
        for peer_id in params.int_list("peer_ids", required=True):
            try:
                message = _send_one(ctx, group, peer_id, random_id, fields)
            except ApiError as error:
                results.append(
                    {
                        "peer_id": peer_id,
                        "error": {"code": error.code, "description": error.message},
                    }
                )
                continue
            results.append(
                {
                    "peer_id": peer_id,
                    "message_id": _visible_id(message),
                    "conversation_message_id": message.conversation_message_id,
                }
            )
        return results
    return _visible_id(_send_one(ctx, group, _peer_from(params), random_id, fields))


@method("messages.delete", group_only=True)
def delete(ctx: CallContext, params: Params) -> Any:
    """messages.delete by `message_ids`, or by `cmids` within `peer_id`."""
    group = group_by_id(ctx, ctx.token.owner_id)
    if "cmids" in params or "conversation_message_ids" in params:
        peer_id = params.integer("peer_id", required=True)
        cmids = params.int_list("cmids") or params.int_list("conversation_message_ids")
        by_cmid = {
            message.conversation_message_id: message
            for message in group.messages.values()
            if message.peer_id == peer_id
        }
        unknown = [cmid for cmid in cmids if cmid not in by_cmid]
        if unknown:
            raise invalid("cmids", f"is invalid: no messages {unknown} in this dialog")
        for cmid in cmids:
            by_cmid[cmid].deleted = True
        return [
            {"peer_id": peer_id, "conversation_message_id": cmid, "response": 1} for cmid in cmids
        ]
    message_ids = params.int_list("message_ids", required=True)
    unknown = [message_id for message_id in message_ids if message_id not in group.messages]
    if unknown:
        raise invalid("message_ids", f"is invalid: no messages {unknown}")
    for message_id in message_ids:
        group.messages[message_id].deleted = True
    return {str(message_id): 1 for message_id in message_ids}
