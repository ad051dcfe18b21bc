"""A sample set-up in the sandboxes that matches `.env.example`, so `steward run` has
something to serve the moment both are started.

Everything is created through the control API, the same way tests and outside
checks drive the sandboxes.
"""

from __future__ import annotations

from typing import Any

import aiohttp

ADMIN = {"id": 500, "first_name": "Alice", "username": "alice_admin", "language_code": "en"}
MODERATORS = [
    ADMIN,
    {"id": 501, "first_name": "Boris", "username": "boris_mod", "language_code": "ru"},
    {"id": 502, "first_name": "Carol", "username": "carol_mod", "language_code": "en"},
]
MODERATORS_CHAT = -1001000000001
COMMUNITY_GROUP = -1001000000002
CHANNEL = -1001000000003
DISCUSSION_GROUP = -1001000000004
VK_GROUP_ID = 2000001
VK_GROUP_TOKEN = "vk-group-token"
VK_ADMIN_TOKEN = "vk-admin-token"


async def _post(http: aiohttp.ClientSession, url: str, body: dict[str, Any]) -> Any:
    async with http.post(url, json=body) as response:
        data = await response.json()
        if response.status != 200:
            raise RuntimeError(f"sandbox refused {url}: {data}")
        return data


async def create_sample(telegram_url: str | None, vk_url: str | None) -> list[str]:
    """Create the sample chats and community; returns one line per thing created."""
    created: list[str] = []
    async with aiohttp.ClientSession() as http:
        if telegram_url:
            base = telegram_url + "/sandbox/chats"
            await _post(
                http,
                base,
                {
                    "id": MODERATORS_CHAT,
                    "type": "supergroup",
                    "title": "Steward moderators",
                    "is_forum": True,
                    "bot_is_admin": True,
                    "members": MODERATORS,
                    "added_by": ADMIN,
                },
            )
            await _post(
                http,
                base,
                {
                    "id": COMMUNITY_GROUP,
                    "type": "supergroup",
                    "title": "Brand community chat",
                    "bot_is_admin": True,
                    "members": [ADMIN],
                    "added_by": ADMIN,
                },
            )
            await _post(
                http,
                base,
                {
                    "id": DISCUSSION_GROUP,
                    "type": "supergroup",
                    "title": "Brand channel comments",
                    "bot_is_admin": True,
                    "members": [ADMIN],
                    "added_by": ADMIN,
                    "linked_chat_id": CHANNEL,
                },
            )
            await _post(
                http,
                base,
                {
                    "id": CHANNEL,
                    "type": "channel",
                    "title": "Brand channel",
                    "bot_is_admin": True,
                    "members": [ADMIN],
                    "added_by": ADMIN,
                    "linked_chat_id": DISCUSSION_GROUP,
                },
            )
            created.append(
                f"Telegram: moderators chat {MODERATORS_CHAT}, community group {COMMUNITY_GROUP}, "
                f"channel {CHANNEL} with comments in {DISCUSSION_GROUP}"
            )
        if vk_url:
            await _post(
                http,
                vk_url + "/sandbox/users",
                {
                    "id": ADMIN["id"],
                    "first_name": "Alice",
                    "last_name": "Admin",
                },
            )
            await _post(
                http,
                vk_url + "/sandbox/groups",
                {
                    "id": VK_GROUP_ID,
                    "name": "Brand on VK",
                    "token": VK_GROUP_TOKEN,
                    "admin_token": VK_ADMIN_TOKEN,
                    "admin_user_id": ADMIN["id"],
                },
            )
            created.append(f"VK: community {VK_GROUP_ID} (tokens as in .env.example)")
    return created
