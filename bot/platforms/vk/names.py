"""Names for VK ids: VK events carry only numbers, people read names.

A pipeline stage that looks a member's name (`users.get`) and the community's
name (`groups.getById`) up once and remembers them. A failed lookup leaves the
id in place; it never holds up the event.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import vk_api
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from vk_api.exceptions import VkApiError

from bot.communities import upsert_community
from models import InboundRecord, Member

log = logging.getLogger(__name__)


class VkNames:
    def __init__(self, apis: dict[int, vk_api.VkApi], limit: int = 50_000) -> None:
        self.apis = apis  # community id → its community-token API
        self.people: dict[int, str] = {}
        self.communities: dict[int, str] = {}
        self.limit = limit

    async def _call(self, api: vk_api.VkApi, method: str, params: dict[str, Any]) -> Any:
        try:
            return await asyncio.to_thread(api.method, method, params)
        except (VkApiError, OSError, ValueError) as error:
            log.info("VK %s failed (%s); showing ids instead of names", method, error)
            return None

    async def person(self, api: vk_api.VkApi, user_id: int) -> str | None:
        if user_id in self.people:
            return self.people[user_id]
        found = await self._call(api, "users.get", {"user_ids": user_id})
        if not found or not isinstance(found, list) or not isinstance(found[0], dict):
            return None
        name = " ".join(p for p in (found[0].get("first_name"), found[0].get("last_name")) if p)
        if len(self.people) >= self.limit:
            self.people.clear()  # bounded memory; names are cheap to look up again
        self.people[user_id] = name
        return name

    async def community(self, api: vk_api.VkApi, group_id: int) -> str | None:
        if group_id not in self.communities:
            found = await self._call(api, "groups.getById", {"group_id": group_id})
            groups = found.get("groups") if isinstance(found, dict) else found
            if not groups or not isinstance(groups[0], dict):
                return None
            self.communities[group_id] = str(groups[0].get("name") or "")
        return self.communities[group_id]

    async def __call__(self, session: AsyncSession, record: InboundRecord) -> str | None:
        """Pipeline stage: fill in the author's and the community's names."""
        if record.platform != "vk" or not record.community_id.isdigit():
            return None
        group_id = int(record.community_id)
        api = self.apis.get(group_id)
        if api is None:
            return None
        title = await self.community(api, group_id)
        if title:
            await upsert_community(
                session,
                platform="vk",
                external_id=record.community_id,
                kind="vk_community",
                title=title,
            )
        author = record.author_id or ""
        if record.author_name or not author.isdigit():
            return None
        name = await self.person(api, int(author))
        if name:
            record.author_name = name
            await session.execute(
                update(InboundRecord).where(InboundRecord.id == record.id).values(author_name=name)
            )
            await session.execute(
                update(Member)
                .where(Member.platform == "vk", Member.external_id == author)
                .values(display_name=name)
            )
        return None
