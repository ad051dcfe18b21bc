"""A moderator's reply, delivered where the member wrote: VK comment or DM, Telegram
group thread, channel comment or DM — always through the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.platforms.vk import actions as vk_actions
from models import Ticket


@dataclass(frozen=True)
class Delivery:
    """One outbox action: which account sends what, in which lane."""

    platform: str
    account: str
    lane: str
    method: str
    params: dict[str, Any]


def reply_to_member(ticket: Ticket, text: str, telegram_account: str) -> Delivery:
    origin = ticket.origin or {}
    if ticket.platform == "vk":
        method, params = vk_actions.reply(origin, text, int(ticket.community_id))
        return Delivery("vk", ticket.community_id, ticket.thread_key, method, params)
    chat_id = origin.get("chat_id", ticket.community_id)
    params = {"chat_id": chat_id, "text": text}
    if ticket.source_kind != "dm" and origin.get("message_id"):
        # A reply to the member's message keeps it in the same thread or comment section.
        params["reply_parameters"] = {
            "message_id": origin["message_id"],
            "allow_sending_without_reply": True,
        }
        if origin.get("is_topic_message") and origin.get("message_thread_id"):
            params["message_thread_id"] = origin["message_thread_id"]
    return Delivery("telegram", telegram_account, f"tg:{chat_id}", "sendMessage", params)
