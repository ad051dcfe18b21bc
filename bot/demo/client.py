"""The sandboxes' control APIs as the demo's simulated people use them: plain HTTP.

The simulators act like outside clients (SANDBOX.md): they never touch the servers'
objects, only `/sandbox/*` over HTTP. A refused call (a muted or banned member writing,
a card that is gone) is an ordinary answer here, not an error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import aiohttp

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    """A control API answer: HTTP status and JSON body (None when there was no answer)."""

    status: int
    body: Any

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def refused(self) -> bool:
        """The sandbox said no the way a platform does: banned, muted, closed (HTTP 403)."""
        return self.status == 403


NO_ANSWER = Answer(0, None)


class SandboxClient:
    """`/sandbox/*` calls on the Telegram and VK sandboxes."""

    def __init__(self, http: aiohttp.ClientSession, telegram_url: str, vk_url: str) -> None:
        self.http = http
        self.telegram_url = telegram_url
        self.vk_url = vk_url

    async def _call(self, method: str, url: str, body: Any = None) -> Answer:
        try:
            async with self.http.request(method, url, json=body) as response:
                data = await response.json(content_type=None)
                return Answer(response.status, data)
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            # The servers stop at the end of the demo; a call in flight then has no answer.
            log.debug("sandbox call %s %s failed: %s", method, url, error)
            return NO_ANSWER

    # ------------------------------------------------------------------ Telegram

    async def telegram(self, path: str, body: dict[str, Any]) -> Answer:
        return await self._call("POST", self.telegram_url + path, body)

    async def telegram_say(
        self, chat_id: int, user: dict[str, Any], text: str, **extra: Any
    ) -> Answer:
        """A user writes in a chat (or, with `chat_id` = their id, to the bot)."""
        body = {"chat_id": chat_id, "from": user, "text": text}
        body.update({key: value for key, value in extra.items() if value is not None})
        return await self.telegram("/sandbox/messages", body)

    async def telegram_messages(self, chat_id: int) -> list[dict[str, Any]]:
        answer = await self._call("GET", f"{self.telegram_url}/sandbox/chats/{chat_id}/messages")
        return answer.body if answer.ok and isinstance(answer.body, list) else []

    async def press(self, chat_id: int, message_id: int, user: dict[str, Any], data: str) -> Answer:
        """A user presses an inline button under a message."""
        body = {"chat_id": chat_id, "message_id": message_id, "from": user, "data": data}
        return await self.telegram("/sandbox/callbacks", body)

    # ------------------------------------------------------------------ VK

    async def vk(self, path: str, body: dict[str, Any]) -> Answer:
        return await self._call("POST", self.vk_url + path, body)
