"""The classifier's contract: what it is told about a message and what it answers.

One `Verdict` per message, carrying the named `Check` results that made the spam
call. The same objects feed the moderators' card ("why"), the audit log and the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

INTENTS: tuple[str, ...] = ("purchase", "support", "complaint", "praise", "spam", "other")
SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")
LANGUAGES: tuple[str, ...] = ("en", "ru")

# The keys `steward classify` writes, in this order; `Verdict.to_json` produces exactly these.
OUTPUT_KEYS: tuple[str, ...] = (
    "text",
    "lang",
    "intent",
    "intent_scores",
    "sentiment",
    "sentiment_scores",
    "spam_score",
    "is_spam",
    "uncertain",
    "reasons",
)


@dataclass(frozen=True, slots=True)
class MessageContext:
    """Facts about a message that are not in its text; every field is optional.

    The pipeline fills what the platform tells it; whatever is unknown stays None and
    the checks that need it do not fire.
    """

    author_id: str | None = None  # platform:user id of the writer
    chat_id: str | None = None  # platform:chat or community id where it was written
    is_new_member: bool | None = None  # joined recently (the pipeline decides how recent)
    seconds_since_join: float | None = None  # time from the member's join to this message
    prior_legit_messages: int | None = None  # the author's earlier messages that were not spam
    forwarded_from_channel: bool = False  # a forward of a channel post
    is_first_message: bool | None = None  # the author's first message in this chat
    has_media: bool = False  # photo, video, document or sticker attached
    entity_links: tuple[str, ...] = ()  # links the platform marked (text_link, url entities)
    entity_mentions: tuple[str, ...] = ()  # @mentions the platform marked
    now: datetime | None = None  # when it was written; the injected clock of the checks


@dataclass(frozen=True, slots=True)
class Check:
    """One named piece of spam evidence, as shown on the moderators' card."""

    name: str  # stable identifier, e.g. "invite_link"
    spam: bool  # True when the check found spam evidence
    weight: float  # log-odds this check added to the spam score (0 when it did not fire)
    details: str = ""  # what was found, in words a moderator reads

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "spam": self.spam,
            "weight": round(self.weight, 4),
            "details": self.details,
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    """Everything the classifier decided about one message, and why."""

    text: str  # the message as given
    lang: str  # "ru", "en" or "unknown" (no letters at all)
    intent: str  # one of INTENTS: the most probable
    intent_scores: dict[str, float]  # calibrated probability of each intent
    sentiment: str  # one of SENTIMENTS: the most probable
    sentiment_scores: dict[str, float]  # calibrated probability of each sentiment
    spam_score: float  # in [0, 1]: the text model and the checks combined
    is_spam: bool  # the score crossed the removal threshold with spam evidence
    uncertain: bool  # a person should look: low intent confidence or a borderline spam score
    reasons: list[str] = field(default_factory=list)  # sentences explaining the verdict
    checks: list[Check] = field(default_factory=list)  # every spam check, fired or not

    @property
    def fired_checks(self) -> list[Check]:
        """The checks that found spam evidence."""
        return [check for check in self.checks if check.spam]

    def to_json(self) -> dict[str, Any]:
        """The `steward classify` record: exactly OUTPUT_KEYS, in order."""
        return {
            "text": self.text,
            "lang": self.lang,
            "intent": self.intent,
            "intent_scores": {name: round(p, 4) for name, p in self.intent_scores.items()},
            "sentiment": self.sentiment,
            "sentiment_scores": {name: round(p, 4) for name, p in self.sentiment_scores.items()},
            "spam_score": round(self.spam_score, 4),
            "is_spam": self.is_spam,
            "uncertain": self.uncertain,
            "reasons": list(self.reasons),
        }
