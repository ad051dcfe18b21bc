"""Tables of the content plan: posts, where each goes (publications), per-target settings,
polls and giveaways.

A post is written once and published to one or more targets (Telegram channels, VK
community walls); each (post, target) pair is a `Publication` that carries its own plan,
outbox key and the platform's message id. Member activity for the best-time suggestion
is read from the `inbound` table, so no table of its own is needed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class ContentTarget(Base):
    """Publishing settings of one target community; absent values mean the defaults."""

    __tablename__ = "content_targets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), unique=True
    )
    slots: Mapped[list[str] | None] = mapped_column(
        JSON, doc='Local slot times, e.g. ["10:00", "14:00"]; None = 10:00, 14:00, 19:00.'
    )
    timezone: Mapped[str | None] = mapped_column(
        String(64), doc="IANA zone of the slots; None = the workspace zone (/hours tz)."
    )
    auto_slots: Mapped[bool] = mapped_column(
        Boolean, default=False, doc="Use the best hours from member activity (/slots auto on)."
    )
    suggested_slots: Mapped[dict[str, list[str]] | None] = mapped_column(
        JSON, doc='The last suggestion per weekday, {"0": ["10:00", …]} (Monday = 0).'
    )
    suggested_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, doc="When the suggestion was computed; refreshed daily while auto is on."
    )
    ratio_policy: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, doc="`RatioPolicy.to_dict()` overrides; empty = the defaults."
    )
    cadence_warned_on: Mapped[str | None] = mapped_column(
        String(10), doc="Local date (ISO) of the last cadence warning: one a day at most."
    )
    updated_by: Mapped[str] = mapped_column(String(128), default="system")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Post(Base):
    """A piece of content an admin queued: what it says, its kind, and when it should go."""

    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(
        String(16), doc="useful | entertaining | news | engagement | promo | giveaway | poll"
    )
    text: Mapped[str] = mapped_column(Text, doc="Telegram HTML subset; VK gets plain text.")
    link: Mapped[str | None] = mapped_column(String(1000))
    requested: Mapped[str] = mapped_column(
        String(8), doc="now (as soon as the ratio allows) | next (free slot) | at (fixed)"
    )
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime, doc="Set for `at`.")
    evergreen: Mapped[bool] = mapped_column(
        Boolean, default=False, doc="Fills otherwise empty slots (non-promotional only)."
    )
    expires_after_seconds: Mapped[int | None] = mapped_column(
        Integer, doc="Delete each copy this long after it is published."
    )
    expires_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, doc="Delete every copy at this moment (and never publish after it)."
    )
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(128), doc="platform:user_id of the admin.")
    origin_chat_id: Mapped[int | None] = mapped_column(
        BigInteger, doc="Where the admin queued it: later notices reply there."
    )
    origin_message_id: Mapped[int | None] = mapped_column(BigInteger)
    origin_thread_id: Mapped[int | None] = mapped_column(BigInteger)
    language: Mapped[str] = mapped_column(String(8), default="en", doc="The admin's language.")


class Publication(Base):
    """One post on one target: its plan, its outbox item and the platform's ids."""

    __tablename__ = "post_publications"
    __table_args__ = (
        UniqueConstraint("post_id", "community_id"),
        Index("ix_post_publications_target_state", "community_id", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(
        String(16),
        default="planned",
        doc="planned → queued → sent → deleting → deleted; or failed | cancelled",
    )
    planned_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, doc="The planner's moment at the last look; None = no place found."
    )
    plan_note: Mapped[str | None] = mapped_column(
        Text, doc="Why a promotion moved, or why nothing fits (the policy's sentence)."
    )
    moved: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        doc="The policy refused its time: it now waits for the earliest free slot that fits.",
    )
    told: Mapped[str | None] = mapped_column(
        String(200), doc="The last plan the admin was told about (no repeats)."
    )
    published_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, doc="The moment it was handed to the outbox; the ratio counts this."
    )
    outbox_key: Mapped[str | None] = mapped_column(String(200))
    inbound_mark: Mapped[int | None] = mapped_column(
        BigInteger, doc="Last inbound id when queued: the channel's forward comes after it."
    )
    chat_id: Mapped[str | None] = mapped_column(String(64), doc="Telegram chat / VK owner id.")
    message_id: Mapped[int | None] = mapped_column(
        BigInteger, doc="Telegram message id or VK wall post id, once sent."
    )
    poll_ref: Mapped[str | None] = mapped_column(
        String(64), doc="Telegram poll id or VK poll id, for polls."
    )
    discussion_chat_id: Mapped[int | None] = mapped_column(
        BigInteger, doc="Telegram: the linked group where the post's comments are."
    )
    discussion_thread_id: Mapped[int | None] = mapped_column(
        BigInteger, doc="Telegram: the post's copy in that group (the comment thread)."
    )
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    poll_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    poll_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text, doc="The platform's reason for a failure.")


class ContentPoll(Base):
    """The question and options of a `poll` post, and the results fetched at close."""

    __tablename__ = "content_polls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), unique=True)
    question: Mapped[str] = mapped_column(String(300))
    options: Mapped[list[str]] = mapped_column(JSON)
    closes_after_seconds: Mapped[int | None] = mapped_column(
        Integer, doc="Close each copy this long after it is published."
    )
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime, doc="Or at this moment.")
    results: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, doc="Per publication id: option texts with their votes."
    )


class Giveaway(Base):
    """A draw among the members who commented under a post, reproducible from its seed."""

    __tablename__ = "giveaways"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    winners_count: Mapped[int] = mapped_column(Integer, default=1)
    condition: Mapped[str] = mapped_column(String(16), default="comment")
    state: Mapped[str] = mapped_column(String(16), default="open", doc="open | drawn | void")
    seed: Mapped[int | None] = mapped_column(BigInteger, doc="Recorded before the draw.")
    entrants: Mapped[list[str] | None] = mapped_column(
        JSON, doc="Eligible member ids (platform:id), as drawn from."
    )
    excluded: Mapped[dict[str, str] | None] = mapped_column(
        JSON, doc="Commenters left out, with the reason (staff, banned, spam)."
    )
    winners: Mapped[list[dict[str, str]] | None] = mapped_column(
        JSON, doc='In draw order: [{"id": "vk:42", "name": "Ann"}].'
    )
    drawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text, doc="Why a giveaway is void.")
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
