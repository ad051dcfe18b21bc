"""Platform actions against spam and abuse, all through the outbox, all undoable.

In dry-run (globally with STEWARD_DRY_RUN=1, or per community with `/dry on`)
nothing is sent: each action is written to the audit log as "would …" instead.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.outbox import enqueue
from bot.platforms.vk import actions as vk_actions
from bot.tickets.workspace import Workspace
from models import AuditEntry, Community

MUTED = {
    name: False
    for name in (
        "can_send_messages",
        "can_send_audios",
        "can_send_documents",
        "can_send_photos",
        "can_send_videos",
        "can_send_video_notes",
        "can_send_voice_notes",
        "can_send_polls",
        "can_send_other_messages",
        "can_add_web_page_previews",
        "can_react_to_messages",
    )
}
# Lifting a mute gives back everything a member may do, or Telegram keeps them "restricted".
UNMUTED = dict.fromkeys(
    [*MUTED, "can_invite_users", "can_pin_messages", "can_change_info", "can_manage_topics"], True
)


@dataclass
class Target:
    """Whom and where an action is about."""

    platform: str
    community_id: str
    member_id: str
    member_name: str = ""
    location: dict[str, Any] | None = None  # the message, when there is one


class Enforcer:
    def __init__(self, ws: Workspace, *, dry_run: bool = False) -> None:
        self.ws = ws
        self.dry_run = dry_run

    async def is_dry(self, session: AsyncSession, platform: str, community_id: str) -> bool:
        if self.dry_run:
            return True
        community = await session.scalar(
            select(Community).where(
                Community.platform == platform, Community.external_id == community_id
            )
        )
        return bool(community and (community.settings or {}).get("dry_run"))

    async def _do(
        self,
        session: AsyncSession,
        target: Target,
        action: str,
        call: tuple[str, dict[str, Any]],
        key: str,
        actor: str,
        now: datetime,
        reason: str,
    ) -> bool:
        """Queue one platform call (method, params), or in dry-run only log what would happen."""
        method, params = call
        dry = await self.is_dry(session, target.platform, target.community_id)
        session.add(
            AuditEntry(
                at=now,
                actor=actor,
                action=f"would {action}" if dry else action,
                target=f"{target.platform}:{target.community_id}:{target.member_id}",
                details={"reason": reason, "method": method},
            )
        )
        if dry:
            return False
        is_vk = target.platform == "vk"
        account = target.community_id if is_vk else self.ws.telegram_account
        lane = (
            f"vk:{target.community_id}:{target.member_id}" if is_vk else f"tg:{target.community_id}"
        )
        await enqueue(
            session,
            platform=target.platform,
            account=account,
            lane=lane,
            key=key,
            method=method,
            params=params,
            purpose=f"spam:{action}",
        )
        return True

    async def remove(
        self,
        session: AsyncSession,
        target: Target,
        key: str,
        actor: str,
        now: datetime,
        reason: str,
    ) -> bool:
        location = target.location or {}
        if target.platform == "vk":
            if "peer_id" in location:
                return False  # a DM cannot be removed
            method, params = vk_actions.delete_comment(location)
        else:
            if "chat_type" not in location:
                return False  # a private chat: nothing to remove for others
            method = "deleteMessage"
            params = {"chat_id": location["chat_id"], "message_id": location["message_id"]}
        return await self._do(session, target, "remove", (method, params), key, actor, now, reason)

    async def bring_back(
        self, session: AsyncSession, target: Target, text: str, key: str, actor: str, now: datetime
    ) -> bool:
        """Undo a removal: VK restores the comment; Telegram re-posts it with an apology."""
        location = target.location or {}
        if target.platform == "vk":
            method, params = vk_actions.restore_comment(location)
        else:
            body = (
                f"<b>{html.escape(target.member_name or 'A member')}</b> wrote:\n"
                f"<blockquote>{html.escape(text[:3500])}</blockquote>\n"
                "Sorry — this message was removed by mistake."
            )
            params = {"chat_id": location["chat_id"], "text": body, "parse_mode": "HTML"}
            params.update(_thread_params(location))
            method = "sendMessage"
        return await self._do(
            session, target, "restore", (method, params), key, actor, now, "not spam"
        )

    async def warn(
        self,
        session: AsyncSession,
        target: Target,
        text: str,
        key: str,
        actor: str,
        now: datetime,
        reason: str,
    ) -> bool:
        """A short public reply in Telegram groups; no warning message in DMs or on VK."""
        location = target.location or {}
        if target.platform != "telegram" or "chat_type" not in location:
            return False
        params = {"chat_id": location["chat_id"], "text": text, **_thread_params(location)}
        return await self._do(
            session, target, "warn", ("sendMessage", params), key, actor, now, reason
        )

    async def mute(
        self,
        session: AsyncSession,
        target: Target,
        until: datetime,
        key: str,
        actor: str,
        now: datetime,
        reason: str,
    ) -> bool:
        if target.platform == "vk":
            method = "groups.ban"
            params = vk_actions.ban(
                int(target.community_id), int(target.member_id), int(until.timestamp()), 1, reason
            )
        else:
            method = "restrictChatMember"
            params = {
                "chat_id": int(target.community_id),
                "user_id": int(target.member_id),
                "permissions": MUTED,
                "use_independent_chat_permissions": True,
                "until_date": int(until.timestamp()),
            }
        return await self._do(session, target, "mute", (method, params), key, actor, now, reason)

    async def ban(
        self,
        session: AsyncSession,
        target: Target,
        until: datetime | None,
        key: str,
        actor: str,
        now: datetime,
        reason: str,
    ) -> bool:
        end = int(until.timestamp()) if until else None
        if target.platform == "vk":
            method = "groups.ban"
            params = vk_actions.ban(int(target.community_id), int(target.member_id), end, 1, reason)
        else:
            method = "banChatMember"
            params = {"chat_id": int(target.community_id), "user_id": int(target.member_id)}
            if end:
                params["until_date"] = end
        return await self._do(session, target, "ban", (method, params), key, actor, now, reason)

    async def lift(
        self,
        session: AsyncSession,
        target: Target,
        penalty: str,
        key: str,
        actor: str,
        now: datetime,
        reason: str,
    ) -> bool:
        """Undo a mute or a ban."""
        if target.platform == "vk":
            method = "groups.unban"
            params: dict[str, Any] = {
                "group_id": int(target.community_id),
                "owner_id": int(target.member_id),
            }
        elif penalty == "mute":
            method = "restrictChatMember"
            params = {
                "chat_id": int(target.community_id),
                "user_id": int(target.member_id),
                "permissions": UNMUTED,
                "use_independent_chat_permissions": True,
            }
        else:
            method = "unbanChatMember"
            params = {
                "chat_id": int(target.community_id),
                "user_id": int(target.member_id),
                "only_if_banned": True,
            }
        return await self._do(
            session, target, f"lift {penalty}", (method, params), key, actor, now, reason
        )


def _thread_params(location: dict[str, Any]) -> dict[str, Any]:
    """Stay in the same forum topic or comment thread as the original message."""
    thread = location.get("message_thread_id")
    if not thread:
        return {}
    if location.get("is_topic_message"):
        return {"message_thread_id": thread}
    return {"reply_parameters": {"message_id": thread, "allow_sending_without_reply": True}}
