"""The one normalised shape every platform event becomes (DESIGN.md principle 1)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# Kinds: where the event happened. The first three are members writing.
COMMENT = "comment"
GROUP_MESSAGE = "group_message"
DIRECT_MESSAGE = "direct_message"
CHANNEL_POST = "channel_post"
CALLBACK = "callback"
MEMBERSHIP = "membership"
BOT_MEMBERSHIP = "bot_membership"
SERVICE = "service"
UNKNOWN = "unknown"

MESSAGE_KINDS = frozenset({COMMENT, GROUP_MESSAGE, DIRECT_MESSAGE})

# Actions: what happened to it.
NEW = "new"
EDIT = "edit"
DELETE = "delete"
RESTORE = "restore"


@dataclass(frozen=True)
class Author:
    """Who wrote or did it, as the platform names them."""

    id: str
    name: str = ""
    username: str | None = None
    language: str | None = None
    is_bot: bool = False


@dataclass(frozen=True)
class Inbound:
    """A platform event after the adapter: nothing past the adapter sees raw dicts.

    `external_id` is unique within (platform, community_id) and stable across
    re-deliveries, which is what makes storing it idempotent.
    """

    platform: str
    community_id: str
    external_id: str
    event_type: str
    kind: str
    action: str
    occurred_at: datetime
    raw: dict[str, Any]
    author: Author | None = None
    text: str = ""
    thread_key: str | None = None
    location: dict[str, Any] = field(default_factory=dict)
    status: str = "new"
    status_detail: str | None = None

    @property
    def is_member_message(self) -> bool:
        return self.kind in MESSAGE_KINDS and self.action == NEW


def fingerprint(raw: Any) -> str:
    """A stable id for a payload that carries none of its own."""
    text = json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def unreadable(platform: str, community_id: str, ident: object, raw: Any, reason: str) -> Inbound:
    """Something we cannot read: kept verbatim (status `error`) so nothing is lost."""
    payload = raw if isinstance(raw, dict) else {"value": raw}
    return Inbound(
        platform=platform,
        community_id=community_id,
        external_id=f"bad:{ident or fingerprint(payload)}"[:128],
        event_type="malformed",
        kind=UNKNOWN,
        action="none",
        occurred_at=datetime.now(UTC),
        raw=payload,
        status="error",
        status_detail=reason[:500],
    )
