"""Triage: which messages become tickets, in which category, at which priority.

The table is data (`TriagePolicy`), overridable per community and stored as a JSON-able
dict; `decide` applies it to one classified message::

    policy = TriagePolicy.from_dict(stored)          # overrides merged over the defaults
    decision = decide(verdict.intent, verdict.uncertain, is_dm=..., author_role=...,
                      is_own=..., policy=policy)
    if decision.make_ticket: open or extend a ticket (decision.category, decision.priority)
    if decision.count_as: count it in the stats
    if decision.react: set that reaction on the message

Rules, first match wins:

1. the community's own messages and staff (moderators, leads, admins) → nothing;
2. spam → no ticket (the spam policy acts on it), counted as spam;
3. a DM → always a ticket (a conversation): category from the classifier, "needs_triage"
   when uncertain; praise/other DMs at the DM priority (normal);
4. uncertain → ticket "needs_triage", normal;
5. by intent — purchase → ticket (a lead), high; complaint → ticket, urgent, protected
   (never removed); support → ticket, normal; praise → counted, optional reaction;
   other → counted.

The SLA targets per category live in `bot.policy.sla`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

INTENTS: tuple[str, ...] = ("purchase", "support", "complaint", "praise", "spam", "other")
CATEGORIES: tuple[str, ...] = (
    "purchase",
    "complaint",
    "support",
    "needs_triage",
    "praise",
    "other",
)
# Most urgent first; `PRIORITY_RANK[p]` sorts a queue (lower is more urgent).
PRIORITIES: tuple[str, ...] = ("urgent", "high", "normal", "low")
PRIORITY_RANK: dict[str, int] = {name: rank for rank, name in enumerate(PRIORITIES)}
STAFF_ROLES: frozenset[str] = frozenset({"admin", "lead", "moderator"})
NEEDS_TRIAGE = "needs_triage"


@dataclass(frozen=True, slots=True)
class IntentRule:
    """What to do with a member's public message of one intent."""

    ticket: bool  # open (or extend) a ticket
    category: str  # ticket category, one of CATEGORIES
    priority: str  # one of PRIORITIES; used when a ticket is made
    react: str | None = None  # emoji reaction to set on the message (Telegram), or None

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(
                f"Unknown ticket category {self.category!r}; use one of {', '.join(CATEGORIES)}."
            )
        if self.priority not in PRIORITIES:
            raise ValueError(
                f"Unknown priority {self.priority!r}; use one of {', '.join(PRIORITIES)}."
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "ticket": self.ticket,
            "category": self.category,
            "priority": self.priority,
            "react": self.react,
        }

    def merged(self, data: Mapping[str, Any], where: str) -> IntentRule:
        """A copy with the keys of `data` replaced (a per-community override)."""
        known = {f.name for f in fields(self)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(
                f"Unknown triage settings for {where}: {', '.join(sorted(unknown))}; "
                f"use {', '.join(sorted(known))}."
            )
        return replace(self, **data)


def _default_rules() -> dict[str, IntentRule]:
    return {
        "purchase": IntentRule(ticket=True, category="purchase", priority="high"),
        "complaint": IntentRule(ticket=True, category="complaint", priority="urgent"),
        "support": IntentRule(ticket=True, category="support", priority="normal"),
        "praise": IntentRule(ticket=False, category="praise", priority="normal"),
        "other": IntentRule(ticket=False, category="other", priority="normal"),
    }


@dataclass(frozen=True, slots=True)
class TriagePolicy:
    """A community's triage table. Defaults are the product's; override with `from_dict`."""

    rules: Mapping[str, IntentRule] = field(default_factory=_default_rules)  # by intent
    uncertain: IntentRule = IntentRule(ticket=True, category=NEEDS_TRIAGE, priority="normal")
    dm_always_ticket: bool = True  # every DM is a conversation with a person
    dm_priority: str = "normal"  # for DMs whose intent makes no ticket publicly (praise, other)
    staff_roles: frozenset[str] = STAFF_ROLES  # author roles that never make tickets

    def __post_init__(self) -> None:
        missing = set(INTENTS) - {"spam"} - set(self.rules)
        if missing:
            raise ValueError(f"The triage table misses intents: {', '.join(sorted(missing))}.")
        if "spam" in self.rules:
            raise ValueError("Spam is handled by the spam policy, not the triage table.")
        if not self.rules["complaint"].ticket:
            # Complaints are answered, fast, by a person; a community cannot turn that off.
            raise ValueError("Complaints always get a ticket; a negative review is answered.")
        if self.dm_priority not in PRIORITIES:
            raise ValueError(
                f"Unknown priority {self.dm_priority!r}; use one of {', '.join(PRIORITIES)}."
            )
        object.__setattr__(self, "staff_roles", frozenset(self.staff_roles))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict; `from_dict` reads it (or any part of it) back."""
        return {
            "intents": {intent: rule.to_dict() for intent, rule in self.rules.items()},
            "uncertain": self.uncertain.to_dict(),
            "dm_always_ticket": self.dm_always_ticket,
            "dm_priority": self.dm_priority,
            "staff_roles": sorted(self.staff_roles),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> TriagePolicy:
        """Stored overrides merged over the defaults, key by key.

        E.g. `{"intents": {"praise": {"react": "❤"}}}` turns on reactions to praise and
        keeps everything else as it was.
        """
        data = data or {}
        unknown = set(data) - {
            "intents",
            "uncertain",
            "dm_always_ticket",
            "dm_priority",
            "staff_roles",
        }
        if unknown:
            raise ValueError(f"Unknown triage settings: {', '.join(sorted(unknown))}.")
        defaults = cls()
        rules = dict(defaults.rules)
        for intent, override in (data.get("intents") or {}).items():
            if intent == "spam":
                raise ValueError("Spam is handled by the spam policy, not the triage table.")
            if intent not in rules:
                raise ValueError(
                    f"Unknown intent {intent!r} in the triage table; use one of {', '.join(rules)}."
                )
            rules[intent] = rules[intent].merged(override, intent)
        return cls(
            rules=rules,
            uncertain=defaults.uncertain.merged(data.get("uncertain") or {}, "uncertain"),
            dm_always_ticket=bool(data.get("dm_always_ticket", defaults.dm_always_ticket)),
            dm_priority=data.get("dm_priority", defaults.dm_priority),
            staff_roles=frozenset(data.get("staff_roles", defaults.staff_roles)),
        )


DEFAULT_TRIAGE_POLICY = TriagePolicy()
_SETTING_KEYS = frozenset(
    {"intents", "uncertain", "dm_always_ticket", "dm_priority", "staff_roles"}
)


@dataclass(frozen=True, slots=True)
class TriageDecision:
    """What to do with one message."""

    make_ticket: bool  # open a ticket, or add the message to the open one of its conversation
    category: str | None  # ticket category (one of CATEGORIES); None when nothing to classify
    priority: str | None  # one of PRIORITIES when a ticket is made, else None
    count_as: str | None  # stats bucket (the intent), None for staff and own messages
    react: str | None  # emoji reaction to set, or None
    reason: str  # one sentence for the audit log and the card
    protected: bool = False  # never removed automatically (complaints)

    @property
    def is_lead(self) -> bool:
        """A purchase question: a sales lead."""
        return self.category == "purchase"


def decide(
    verdict_intent: str,
    uncertain: bool,
    is_dm: bool,
    author_role: str | None,
    is_own: bool,
    policy: TriagePolicy = DEFAULT_TRIAGE_POLICY,
) -> TriageDecision:
    """Apply the triage table to one classified message (see the module docstring)."""
    if is_own:
        return TriageDecision(False, None, None, None, None, "Written by the community itself.")
    if author_role is not None and author_role in policy.staff_roles:
        return TriageDecision(
            False, None, None, None, None, f"Written by a {author_role} of the community."
        )
    protected = verdict_intent == "complaint"
    if verdict_intent == "spam":
        return TriageDecision(
            False, None, None, "spam", None, "Spam is handled by the spam policy; no ticket."
        )
    rule = policy.rules.get(verdict_intent)
    if rule is None:
        # An intent the table does not know is treated like an unsure verdict.
        uncertain = True
        verdict_intent = "other"
        rule = policy.rules["other"]
    if is_dm and policy.dm_always_ticket:
        if uncertain:
            rule = replace(policy.uncertain, ticket=True)
            return _apply(rule, verdict_intent, protected, "Unsure DM, always a conversation.")
        # Praise and other make no public ticket, but a DM is a conversation with a person.
        priority = rule.priority if rule.ticket else policy.dm_priority
        rule = replace(rule, ticket=True, priority=priority)
        why = f"A DM is always a conversation; the classifier says {verdict_intent}."
        return _apply(rule, verdict_intent, protected, why)
    if uncertain:
        return _apply(policy.uncertain, verdict_intent, protected, "Unsure verdict.")
    return _apply(rule, verdict_intent, protected, f"The classifier says {verdict_intent}.")


def _apply(rule: IntentRule, intent: str, protected: bool, why: str) -> TriageDecision:
    if not rule.ticket:
        why += " Counted, no ticket."
        return TriageDecision(False, rule.category, None, intent, rule.react, why, protected)
    if rule.category == NEEDS_TRIAGE:
        why += " A person decides the category (needs triage)."
    return TriageDecision(True, rule.category, rule.priority, intent, rule.react, why, protected)
