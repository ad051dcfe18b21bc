"""Steward's ORM tables (SQLAlchemy 2) and database wiring."""

from models.base import Base, utcnow
from models.content import ContentPoll, ContentTarget, Giveaway, Post, Publication
from models.spam import SpamDigest, SpamRemoval, Strike
from models.tables import (
    AuditEntry,
    Community,
    InboundRecord,
    Lease,
    Member,
    OutboxItem,
    PollState,
    TrainingLabel,
)
from models.tickets import (
    Classification,
    Setting,
    Staff,
    Template,
    Ticket,
    TicketEvent,
    TicketMessage,
)

__all__ = [
    "AuditEntry",
    "Base",
    "Classification",
    "Community",
    "ContentPoll",
    "ContentTarget",
    "Giveaway",
    "InboundRecord",
    "Lease",
    "Member",
    "OutboxItem",
    "PollState",
    "Post",
    "Publication",
    "Setting",
    "SpamDigest",
    "SpamRemoval",
    "Staff",
    "Strike",
    "Template",
    "Ticket",
    "TicketEvent",
    "TicketMessage",
    "TrainingLabel",
    "utcnow",
]
