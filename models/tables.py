"""The tables of the foundation: communities, members, inbox, poll cursors, outbox, audit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow

# JSON works on both databases; PostgreSQL stores it as json, SQLite as text.
JsonDict = JSON()


class Community(Base):
    """A place Steward watches: a Telegram chat or channel, or a VK community."""

    __tablename__ = "communities"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64), doc="Telegram chat id or VK group id.")
    kind: Mapped[str] = mapped_column(
        String(32), doc="private | group | supergroup | channel | vk_community"
    )
    title: Mapped[str] = mapped_column(String(256), default="")
    linked_chat_id: Mapped[str | None] = mapped_column(
        String(64), doc="Telegram: the channel's discussion group, or the group's channel."
    )
    bot_is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    bot_status: Mapped[str] = mapped_column(
        String(32), default="member", doc="The bot's own membership: member, administrator, left…"
    )
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    settings: Mapped[dict[str, Any]] = mapped_column(JsonDict, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Member(Base):
    """A person seen on a platform (one row per platform account)."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(256), default="")
    username: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(16))
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    message_count: Mapped[int] = mapped_column(
        Integer, default=0, doc="Messages stored from this member; spam history uses it."
    )


class InboundRecord(Base):
    """One platform event, stored before anything acts on it (the inbox).

    The unique key makes a re-delivered update a no-op; `raw` keeps the event as
    the platform sent it so it can be re-processed or audited.
    """

    __tablename__ = "inbound"
    __table_args__ = (
        UniqueConstraint("platform", "community_id", "external_id"),
        Index("ix_inbound_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    community_id: Mapped[str] = mapped_column(String(64), doc="Chat id / group id on the platform.")
    external_id: Mapped[str] = mapped_column(
        String(128), doc="Event identity within the community, e.g. msg:17 or edit:17:1700000000."
    )
    event_type: Mapped[str] = mapped_column(String(48), doc="Platform event name as received.")
    kind: Mapped[str] = mapped_column(String(32), doc="comment | group_message | direct_message …")
    action: Mapped[str] = mapped_column(String(16), doc="new | edit | delete | restore | join …")
    author_id: Mapped[str | None] = mapped_column(String(64))
    author_name: Mapped[str] = mapped_column(String(256), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    thread_key: Mapped[str | None] = mapped_column(String(256), doc="Conversation grouping key.")
    location: Mapped[dict[str, Any]] = mapped_column(
        JsonDict, default=dict, doc="Platform address needed to reply to or remove this message."
    )
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(
        String(16), default="new", doc="new → processed | skipped | error"
    )
    status_detail: Mapped[str | None] = mapped_column(Text)
    raw: Mapped[dict[str, Any]] = mapped_column(JsonDict)


class PollState(Base):
    """The confirmed position of one poller: Telegram offset or VK long-poll ts."""

    __tablename__ = "poll_state"

    poller: Mapped[str] = mapped_column(String(128), primary_key=True, doc="e.g. telegram:123")
    cursor: Mapped[str] = mapped_column(String(128))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class OutboxItem(Base):
    """One action on a platform, sent at most once per idempotency key."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("idempotency_key"),
        Index("ix_outbox_due", "platform", "account", "status", "next_attempt_at"),
        Index("ix_outbox_lane", "lane", "status", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    account: Mapped[str] = mapped_column(
        String(64),
        default="",
        doc="Which bot or VK community sends it (rate limits are per token).",
    )
    idempotency_key: Mapped[str] = mapped_column(String(200))
    lane: Mapped[str] = mapped_column(
        String(128), doc="Items of one lane (e.g. one chat) are sent in order, one at a time."
    )
    method: Mapped[str] = mapped_column(String(64), doc="Platform method, e.g. sendMessage.")
    params: Mapped[dict[str, Any]] = mapped_column(JsonDict)
    status: Mapped[str] = mapped_column(
        String(16), default="pending", doc="pending → sending → sent | failed | cancelled"
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(
        UTCDateTime, doc="A sender's lease; an expired lease means the sender died mid-send."
    )
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JsonDict)
    purpose: Mapped[str] = mapped_column(String(48), default="", doc="Why: reply, card, removal…")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """Who did what, when, and why — automatic actions and people alike."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(128), doc="'system' or platform:user_id")
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(256), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JsonDict, default=dict)


class TrainingLabel(Base):
    """A human-confirmed label that `steward train` adds to the corpus."""

    __tablename__ = "labels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    intent: Mapped[str | None] = mapped_column(String(16))
    sentiment: Mapped[str | None] = mapped_column(String(16))
    spam: Mapped[bool | None] = mapped_column(Boolean)
    who: Mapped[str] = mapped_column(String(128), doc="platform:user_id of the labeller")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(16), doc="moderator | import")


class Lease(Base):
    """A named lock with an expiry, so one process polls each bot token."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
