"""Tables of spam handling: removals (with undo), strikes for the penalty ladder, digests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class SpamRemoval(Base):
    """A message Steward removed (or, in dry-run, would have removed) as spam."""

    __tablename__ = "spam_removals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inbound_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    platform: Mapped[str] = mapped_column(String(16))
    community_id: Mapped[str] = mapped_column(String(64))
    community_title: Mapped[str] = mapped_column(String(256), default="")
    member_id: Mapped[str] = mapped_column(String(64))
    member_name: Mapped[str] = mapped_column(String(256), default="")
    kind: Mapped[str] = mapped_column(String(32), doc="comment | group_message | direct_message")
    text: Mapped[str] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    location: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(
        String(16), doc="removed | marked (a DM) | would_remove (dry run) | restored"
    )
    penalty: Mapped[str] = mapped_column(String(16), default="none")
    digest_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    restored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    restored_by: Mapped[str | None] = mapped_column(String(128))


class Strike(Base):
    """One step on a member's penalty ladder in one community."""

    __tablename__ = "strikes"
    __table_args__ = (Index("ix_strikes_member", "platform", "community_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    community_id: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(String(64), doc="spam | flood | moderator")
    penalty: Mapped[str] = mapped_column(String(16), doc="warn | mute | ban | none")
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    removal_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(128), default="system")


class SpamDigest(Base):
    """One message in the moderators' chat that collects removals of a few minutes."""

    __tablename__ = "spam_digests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    items: Mapped[int] = mapped_column(Integer, default=0)
