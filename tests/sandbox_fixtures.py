"""Helpers for tests that drive the Telegram sandbox over real HTTP."""

from __future__ import annotations

from typing import Any

import aiohttp
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

TG_TOKEN = "1000001:sandbox-token"
TG_BOT_ID = 1000001
ANN = {"id": 42, "first_name": "Ann", "username": "ann"}
BOB = {"id": 43, "first_name": "Bob"}
OWNER = {"id": 44, "first_name": "Olga", "status": "creator"}


def tg_bot(base_url: str, token: str = TG_TOKEN) -> Bot:
    """A real aiogram Bot pointed at a sandbox (PROTOCOLS.md A11)."""
    api = TelegramAPIServer.from_base(base_url, is_local=False)
    return Bot(token, session=AiohttpSession(api=api))


class TgControl:
    """Thin client for the sandbox's control API and raw Bot API calls."""

    def __init__(self, http: aiohttp.ClientSession, base_url: str, token: str = TG_TOKEN):
        self.http = http
        self.base = base_url
        self.token = token

    async def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        """POST a control call that must succeed; returns its JSON."""
        status, data = await self.post_raw(path, body)
        assert status == 200, (status, data)
        return data

    async def post_raw(self, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        async with self.http.post(self.base + path, json=body or {}) as response:
            return response.status, await response.json()

    async def get(self, path: str) -> Any:
        async with self.http.get(self.base + path) as response:
            assert response.status == 200, await response.text()
            return await response.json()

    async def api(
        self, method: str, *, json: Any = None, data: Any = None, params: Any = None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """A raw Bot API call: (HTTP status, JSON body, headers)."""
        url = f"{self.base}/bot{self.token}/{method}"
        async with self.http.post(url, json=json, data=data, params=params) as response:
            return response.status, await response.json(), dict(response.headers)

    async def chat(self, chat_id: int, chat_type: str = "supergroup", **extra: Any) -> Any:
        return await self.post("/sandbox/chats", {"id": chat_id, "type": chat_type, **extra})

    async def say(self, chat_id: int, user: dict[str, Any], text: str, **extra: Any) -> Any:
        body = {"chat_id": chat_id, "from": user, "text": text, **extra}
        return await self.post("/sandbox/messages", body)

    async def messages(self, chat_id: int) -> list[dict[str, Any]]:
        return await self.get(f"/sandbox/chats/{chat_id}/messages")


class VkControl:
    """The VK sandbox's `/sandbox/*` API from the test's side."""

    def __init__(self, base: str, http: aiohttp.ClientSession) -> None:
        self.base = base
        self.http = http

    async def post(self, path: str, body: dict[str, Any] | None = None, status: int = 200) -> Any:
        async with self.http.post(self.base + path, json=body or {}) as response:
            assert response.status == status, await response.text()
            return await response.json()

    async def get(self, path: str, status: int = 200) -> Any:
        async with self.http.get(self.base + path) as response:
            assert response.status == status, await response.text()
            return await response.json()

    async def delete(self, path: str) -> Any:
        async with self.http.delete(self.base + path) as response:
            assert response.status == 200
            return await response.json()
