"""What every handler gets: the database session, who is acting, and how to answer.

Handlers never call Telegram directly: `answer` and `answer_callback` queue outbox
items keyed by the inbound event, so re-processing an event after a crash sends
nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import language_of, say
from bot.outbox import enqueue
from bot.tickets.settings import WorkspacePolicy
from bot.tickets.workspace import Workspace
from models import AuditEntry, InboundRecord, Staff


@dataclass
class HandlerContext:
    session: AsyncSession
    ws: Workspace
    record: InboundRecord
    staff: Staff | None
    user_id: int
    language_code: str | None
    now: datetime
    policy: WorkspacePolicy
    spam: Any = None  # the SpamGuard, for removals and undo from buttons and commands
    _answers: int = field(default=0)

    @property
    def lang(self) -> str:
        return language_of(self.language_code)

    @property
    def actor(self) -> str:
        return f"tg:{self.user_id}"

    def t(self, key: str, **values: object) -> str:
        return say(key, self.lang, **values)

    async def answer(self, text: str, **extra: Any) -> None:
        """A message in the chat the event came from, replying to it."""
        location = self.record.location or {}
        chat_id = location.get("chat_id", self.record.community_id)
        params: dict[str, Any] = {"chat_id": chat_id, "text": text[:4000], **extra}
        if location.get("message_id") and self.record.kind != "callback":
            params.setdefault(
                "reply_parameters",
                {"message_id": location["message_id"], "allow_sending_without_reply": True},
            )
        if location.get("is_topic_message") and location.get("message_thread_id"):
            params.setdefault("message_thread_id", location["message_thread_id"])
        self._answers += 1
        await self._send(
            f"tg:{chat_id}", f"answer:{self.record.id}:{self._answers}", "sendMessage", params
        )

    async def answer_callback(self, text: str | None = None, *, alert: bool = False) -> None:
        """The small notice Telegram shows after a button press (once per press)."""
        query_id = (self.record.location or {}).get("callback_query_id")
        if not query_id:
            return
        params: dict[str, Any] = {"callback_query_id": query_id}
        if text:
            params["text"] = text[:200]
            params["show_alert"] = alert
        await self._send(
            f"cb:{query_id}", f"callback:{self.record.id}", "answerCallbackQuery", params
        )

    async def edit_buttons(self, markup: dict[str, Any]) -> None:
        """Swap the buttons of the message that was pressed (a menu, a page)."""
        location = self.record.location or {}
        params = {
            "chat_id": location.get("chat_id"),
            "message_id": location.get("message_id"),
            "reply_markup": markup,
        }
        await self._send(self.ws.lane, f"menu:{self.record.id}", "editMessageReplyMarkup", params)

    async def _send(self, lane: str, key: str, method: str, params: dict[str, Any]) -> None:
        """Queue one call of the workspace's bot; the key's first part names its purpose."""
        await enqueue(
            self.session,
            platform="telegram",
            account=self.ws.telegram_account,
            lane=lane,
            key=key,
            method=method,
            params=params,
            purpose=key.split(":", 1)[0],
        )

    def audit(self, action: str, target: str = "", **details: Any) -> None:
        self.session.add(
            AuditEntry(at=self.now, actor=self.actor, action=action, target=target, details=details)
        )
