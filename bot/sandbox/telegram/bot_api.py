"""Bot API methods about the bot itself and its updates: getMe, getUpdates, webhooks, commands.

Importing this module registers every method (messages and moderation included).
"""

from __future__ import annotations

import asyncio
from typing import Any

from . import messages, moderation  # noqa: F401  (registers their methods)
from .errors import bad_request, conflict
from .params import Params
from .registry import METHODS, Answer, Method, method
from .updates import FLUSH_DELAY, KICKED, WOKEN, allowed_from_request
from .world import World

MAX_LONG_POLL = 50  # seconds; the reference server caps `timeout` here

__all__ = ["METHODS", "Method"]


@method("getMe")
def get_me(world: World, p: Params) -> dict[str, Any]:
    return {
        **world.bot_user(),
        "can_join_groups": True,
        "can_read_all_group_messages": True,  # the sandbox delivers every group message
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
        "has_topics_enabled": False,
        "allows_users_to_create_topics": False,
    }


@method("getUpdates")
async def get_updates(world: World, p: Params) -> list[dict[str, Any]]:
    if world.webhook_url:
        raise conflict(
            "can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first"
        )
    offset = p.get_int("offset", 0) or 0
    # Out-of-range values are clamped, as the reference server does.
    limit = min(max(p.get_int("limit", 100) or 0, 1), 100)
    timeout = min(max(p.get_int("timeout", 0) or 0, 0), MAX_LONG_POLL)
    queue = world.queue
    if "allowed_updates" in p.raw:
        queue.allowed = allowed_from_request(p.get_json("allowed_updates"))
    queue.confirm(offset)
    if timeout > 0:
        queue.kick_parked()  # short polls never conflict; a long poll ends the parked one
    batch = queue.batch(limit)
    if batch or timeout == 0:
        return world.render(batch)
    outcome = await queue.wait(timeout)
    if outcome == KICKED:
        raise conflict(
            "terminated by other getUpdates request; "
            "make sure that only one bot instance is running"
        )
    if outcome == WOKEN:
        await asyncio.sleep(FLUSH_DELAY)
    return world.render(queue.batch(limit))


@method("setWebhook")
def set_webhook(world: World, p: Params) -> Answer:
    """Recorded only, so that getUpdates can answer 409; the sandbox never posts to it."""
    url = p.get_str("url", "") or ""
    if url and not url.startswith("https://"):
        raise bad_request("bad webhook: HTTPS url must be provided for webhook")
    if p.get_bool("drop_pending_updates"):
        world.queue.clear()
    if "allowed_updates" in p.raw:
        world.queue.allowed = allowed_from_request(p.get_json("allowed_updates"))
    world.webhook_url = url
    return Answer(True, "Webhook was set" if url else "Webhook was deleted")


@method("deleteWebhook")
def delete_webhook(world: World, p: Params) -> Answer:
    had_webhook = bool(world.webhook_url)
    world.webhook_url = ""
    if p.get_bool("drop_pending_updates"):
        world.queue.clear()
    return Answer(True, "Webhook was deleted" if had_webhook else "Webhook is already deleted")


@method("getWebhookInfo")
def get_webhook_info(world: World, p: Params) -> dict[str, Any]:
    info: dict[str, Any] = {
        "url": world.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(world.queue.pending),
    }
    if world.webhook_url:
        info["max_connections"] = 40
        info["allowed_updates"] = sorted(world.queue.allowed)
    return info


def _commands_key(p: Params) -> str:
    scope = p.get_json("scope") or {"type": "default"}
    return f"{scope}|{p.get_str('language_code', '') or ''}"


@method("setMyCommands")
def set_my_commands(world: World, p: Params) -> bool:
    commands = p.get_json("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    for command in commands:
        if not isinstance(command, dict) or not command.get("command"):
            raise bad_request("BOT_COMMAND_INVALID")
        if not command.get("description"):
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    world.commands[_commands_key(p)] = commands
    return True


@method("getMyCommands")
def get_my_commands(world: World, p: Params) -> list[dict[str, Any]]:
    return world.commands.get(_commands_key(p), [])


@method("deleteMyCommands")
def delete_my_commands(world: World, p: Params) -> bool:
    world.commands.pop(_commands_key(p), None)
    return True
