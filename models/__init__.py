"""Steward's ORM tables (SQLAlchemy 2) and database wiring."""

from models.base import Base, utcnow
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

__all__ = [
    "AuditEntry",
    "Base",
    "Community",
    "InboundRecord",
    "Lease",
    "Member",
    "OutboxItem",
    "PollState",
    "TrainingLabel",
    "utcnow",
]
