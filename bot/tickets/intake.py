"""Pipeline stages for members' messages: classify, then triage into tickets.

adapter → inbox → **classify → triage → ticket / SLA / card** → outbox → adapter
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.classifier.verdict import MessageContext
from bot.i18n import say
from bot.inbound import MESSAGE_KINDS
from bot.outbox import enqueue
from bot.policy.triage import decide
from bot.tickets import cards, service
from bot.tickets.settings import load_policy
from bot.tickets.staff import find as find_staff
from bot.tickets.staff import mention
from bot.tickets.workspace import Workspace
from models import Classification, InboundRecord, Member, Staff, utcnow

NEW_MEMBER_WINDOW = timedelta(hours=24)


def is_member_message(record: InboundRecord, ws: Workspace) -> bool:
    """Something a member wrote that Steward should read (not the moderators' own chat)."""
    if record.kind not in MESSAGE_KINDS or record.action != "new":
        return False
    return not (record.platform == "telegram" and record.community_id == str(ws.moderators_chat_id))


def _entities(record: InboundRecord) -> tuple[tuple[str, ...], tuple[str, ...], bool, bool]:
    message = (record.raw or {}).get("message") or {}
    if not isinstance(message, dict):
        return (), (), False, False
    text = message.get("text") or message.get("caption") or ""
    links, mentions = [], []
    for entity in message.get("entities") or message.get("caption_entities") or []:
        if not isinstance(entity, dict):
            continue
        if entity.get("type") == "text_link" and entity.get("url"):
            links.append(str(entity["url"]))
        elif entity.get("type") in ("url", "mention"):
            start, length = int(entity.get("offset", 0)), int(entity.get("length", 0))
            piece = text.encode("utf-16-le")[start * 2 : (start + length) * 2].decode(
                "utf-16-le", errors="ignore"
            )
            (links if entity["type"] == "url" else mentions).append(piece)
    origin = message.get("forward_origin") or {}
    forwarded = origin.get("type") == "channel" or "forward_from_chat" in message
    media = any(k in message for k in ("photo", "video", "document", "sticker", "animation"))
    return tuple(links), tuple(mentions), forwarded, media


class Intake:
    """Holds the classifier and the workspace; its methods are pipeline stages."""

    def __init__(
        self,
        classifier: Any,
        ws: Workspace,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.classifier = classifier
        self.ws = ws
        self.clock = clock

    async def context(self, session: AsyncSession, record: InboundRecord) -> MessageContext:
        member = await session.scalar(
            select(Member).where(
                Member.platform == record.platform, Member.external_id == record.author_id
            )
        )
        links, mentions, forwarded, media = _entities(record)
        count = member.message_count if member else 1
        new_member = bool(member and record.occurred_at - member.first_seen_at < NEW_MEMBER_WINDOW)
        return MessageContext(
            author_id=f"{record.platform}:{record.author_id}",
            chat_id=f"{record.platform}:{record.community_id}",
            is_new_member=new_member,
            seconds_since_join=(
                max((record.occurred_at - member.first_seen_at).total_seconds(), 0.0)
                if member
                else None
            ),
            prior_legit_messages=max(count - 1, 0),
            forwarded_from_channel=forwarded,
            is_first_message=count <= 1,
            has_media=media,
            entity_links=links,
            entity_mentions=mentions,
            now=record.occurred_at,
        )

    async def classify(self, session: AsyncSession, record: InboundRecord) -> str | None:
        """Stage: store the classifier's verdict on a member's message."""
        if not is_member_message(record, self.ws):
            return None
        if await session.get(Classification, record.id) is not None:
            return None  # already classified before a restart
        verdict = self.classifier.classify(record.text, await self.context(session, record))
        session.add(
            Classification(
                inbound_id=record.id,
                intent=verdict.intent,
                confidence=float(verdict.intent_scores.get(verdict.intent, 0.0)),
                sentiment=verdict.sentiment,
                spam_score=float(verdict.spam_score),
                is_spam=bool(verdict.is_spam),
                uncertain=bool(verdict.uncertain),
                lang=verdict.lang,
                reasons=list(verdict.reasons),
                at=self.clock(),
            )
        )
        await session.flush()
        return None

    async def triage(self, session: AsyncSession, record: InboundRecord) -> str | None:
        """Stage: decide, then open, extend or reopen the member's ticket."""
        if not is_member_message(record, self.ws):
            return None
        verdict = await session.get(Classification, record.id)
        if verdict is None:
            return None
        now = self.clock()
        policy = await load_policy(session, (record.platform, record.community_id))
        staff = await self._author_staff(session, record)
        decision = decide(
            verdict.intent,
            verdict.uncertain,
            record.kind == "direct_message",
            staff.role if staff else None,
            False,
            policy.triage,
        )
        if decision.react and record.platform == "telegram" and "message_id" in record.location:
            await enqueue(
                session,
                platform="telegram",
                account=self.ws.telegram_account,
                lane=f"tg:{record.community_id}",
                key=f"react:{record.id}",
                method="setMessageReaction",
                params={
                    "chat_id": int(record.community_id),
                    "message_id": record.location["message_id"],
                    "reaction": [{"type": "emoji", "emoji": decision.react}],
                },
                purpose="reaction",
            )
        existing = await service.find_conversation(session, record, policy, now)
        if existing is not None and (
            decision.make_ticket or existing.state in service.ACTIVE_STATES
        ):
            reopened = await service.add_member_message(session, existing, record, policy, now)
            await cards.queue_card(session, existing, self.ws)
            return f"{'reopened' if reopened else 'added to'} ticket #{existing.id}"
        if not decision.make_ticket:
            return f"no ticket: {decision.reason}"
        ticket, choice = await service.open_ticket(
            session, record, decision, verdict, policy=policy, now=now
        )
        await cards.queue_card(session, ticket, self.ws)
        if choice.moderator is None:
            leads = await self._leads(session)
            await cards.notify(
                session,
                self.ws,
                f"unassigned:{ticket.id}",
                say(
                    "nobody_available",
                    self.ws.ui_language,
                    id=ticket.id,
                    detail=choice.detail,
                    leads=leads or "—",
                ),
                reply_to_card=ticket,
            )
        return f"ticket #{ticket.id} opened ({ticket.category})"

    async def _author_staff(self, session: AsyncSession, record: InboundRecord) -> Staff | None:
        if record.platform != "telegram" or not (record.author_id or "").isdigit():
            return None
        staff = await find_staff(session, int(record.author_id or 0))
        return staff if staff and staff.active else None

    async def _leads(self, session: AsyncSession) -> str:
        leads = await session.scalars(
            select(Staff).where(Staff.role.in_(("lead", "admin")), Staff.active.is_(True))
        )
        return " ".join(mention(lead) for lead in leads)
