"""Tables of the moderator workspace: verdicts, staff, tickets, their events, templates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class Classification(Base):
    """The classifier's verdict on one stored message."""

    __tablename__ = "classifications"

    inbound_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("inbound.id", ondelete="CASCADE"),
        primary_key=True,
    )
    intent: Mapped[str] = mapped_column(String(16))
    confidence: Mapped[float] = mapped_column(Float, doc="Probability of the chosen intent.")
    sentiment: Mapped[str] = mapped_column(String(16))
    spam_score: Mapped[float] = mapped_column(Float)
    is_spam: Mapped[bool] = mapped_column(Boolean)
    uncertain: Mapped[bool] = mapped_column(Boolean)
    lang: Mapped[str] = mapped_column(String(8))
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Staff(Base):
    """A moderator, lead or admin: a Telegram account allowed to act."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    display_name: Mapped[str] = mapped_column(String(256), default="")
    username: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16), default="moderator", doc="admin|lead|moderator")
    active: Mapped[bool] = mapped_column(Boolean, default=True, doc="False after /mods remove.")
    on_shift: Mapped[bool] = mapped_column(Boolean, default=True)
    capacity: Mapped[int] = mapped_column(Integer, default=10, doc="Open tickets at most.")
    languages: Mapped[list[str]] = mapped_column(JSON, default=list, doc="Empty = any.")
    ui_language: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Ticket(Base):
    """A conversation with one member in one place that needs a person."""

    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_thread", "platform", "thread_key", "member_id", "state"),
        Index("ix_tickets_card", "card_chat_id", "card_message_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    community_id: Mapped[str] = mapped_column(String(64), doc="Chat id / VK group id.")
    community_title: Mapped[str] = mapped_column(String(256), default="")
    thread_key: Mapped[str] = mapped_column(String(256))
    source_kind: Mapped[str] = mapped_column(String(32), doc="comment | group_message | dm")
    member_id: Mapped[str] = mapped_column(String(64))
    member_name: Mapped[str] = mapped_column(String(256), default="")
    member_username: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(24))
    priority: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8), default="unknown")
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    sentiment: Mapped[str] = mapped_column(String(16), default="neutral")
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(
        String(16), default="new", doc="new|assigned|waiting|resolved"
    )
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    origin: Mapped[dict[str, Any]] = mapped_column(
        JSON, doc="Where the member last wrote: the address a reply goes to."
    )
    last_text: Mapped[str] = mapped_column(Text, default="")
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    sla: Mapped[dict[str, Any] | None] = mapped_column(JSON, doc="The running SLA clock.")
    breaches: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_member_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_response_seconds: Mapped[float | None] = mapped_column(Float)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    card_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    card_message_id: Mapped[int | None] = mapped_column(BigInteger)
    card_thread_id: Mapped[int | None] = mapped_column(BigInteger)
    card_note: Mapped[str] = mapped_column(Text, default="", doc="Last reply/failure line.")
    failed_outbox_key: Mapped[str | None] = mapped_column(String(200))


class TicketEvent(Base):
    """Every change to a ticket: who, when, what and why."""

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_ticket", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(128), doc="'system' or tg:<user id>")
    kind: Mapped[str] = mapped_column(String(32))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class TicketMessage(Base):
    """The conversation of a ticket: the member's messages in, moderators' replies out."""

    __tablename__ = "ticket_messages"
    __table_args__ = (UniqueConstraint("ticket_id", "inbound_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    inbound_id: Mapped[int | None] = mapped_column(BigInteger)
    direction: Mapped[str] = mapped_column(String(8), doc="in | out")
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outbox_key: Mapped[str | None] = mapped_column(String(200))


class Template(Base):
    """A canned response for a category, with {name} and {community} variables."""

    __tablename__ = "templates"
    __table_args__ = (UniqueConstraint("category", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Setting(Base):
    """Policy as data: a JSON value per key (e.g. `sla`, `hours`, `triage`)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_by: Mapped[str] = mapped_column(String(128), default="system")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
