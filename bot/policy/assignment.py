"""Automatic assignment: who gets a new ticket, and when a breached one moves on.

    choice = choose_assignee(moderators, ticket_language="ru", last_assigned_id=last_id)
    if choice.moderator is None:   # choice.reason == "nobody available"
        leave the ticket unassigned and tell the leads (choice.detail says why)
    else:
        assign to choice.moderator.id and remember it as the next `last_assigned_id`

Rules: only moderators on shift, with free capacity, who speak the ticket's language are
eligible. Plain moderators go first, in round-robin order: the first eligible one after
`last_assigned_id` in the order of the `moderators` sequence (give a stable order, e.g. by
id or join date), wrapping around. Leads and admins are the last resort, in the same
round-robin order among themselves. Taking a ticket by hand is not this module's business:
it always wins, and the caller simply records it.

At a breach, `needs_reassignment(assignee, moderators)` says whether the ticket must move
(the assignee went off shift, is at capacity, or is no longer a moderator); then call
`choose_assignee(..., exclude_ids={assignee.id})`.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence
from dataclasses import dataclass, field

ROLES: tuple[str, ...] = ("admin", "lead", "moderator")
NOBODY_AVAILABLE = "nobody available"


@dataclass(frozen=True, slots=True)
class Moderator:
    """A member of the moderators' chat, as assignment sees them."""

    id: Hashable  # the stored moderator id (e.g. a Telegram user id)
    role: str = "moderator"  # "admin", "lead" or "moderator"
    on_shift: bool = True  # `/shift on|off`
    capacity: int = 10  # open tickets they can hold at once
    open_tickets: int = 0  # open tickets assigned to them now
    languages: frozenset[str] = field(default_factory=frozenset)  # e.g. {"ru", "en"}; empty: any

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(
                f"Unknown moderator role {self.role!r}; use one of {', '.join(ROLES)}."
            )
        object.__setattr__(self, "languages", frozenset(_language(x) for x in self.languages))

    @property
    def has_capacity(self) -> bool:
        return self.open_tickets < self.capacity

    @property
    def is_lead(self) -> bool:
        """Leads and admins: escalations go to them, and they get tickets last."""
        return self.role in ("lead", "admin")

    def speaks(self, language: str | None) -> bool:
        """Whether they can answer in `language`; no language known or none set means yes."""
        wanted = _language(language or "")
        return not wanted or wanted == "unknown" or not self.languages or wanted in self.languages


def _language(code: str) -> str:
    """ "en-US" and "EN" are both "en"."""
    return code.strip().lower().replace("_", "-").split("-")[0]


@dataclass(frozen=True, slots=True)
class Choice:
    """The result of `choose_assignee`."""

    moderator: Moderator | None  # None: nobody available, tell the leads
    reason: str  # "round robin", "lead (no moderator free)" or "nobody available"
    detail: str = ""  # a sentence for the audit log and the leads' message

    @property
    def assignee_id(self) -> Hashable | None:
        return self.moderator.id if self.moderator is not None else None


def _round_robin(
    moderators: Sequence[Moderator], candidates: Collection[Hashable], last_assigned_id: Hashable
) -> Moderator | None:
    """The first candidate after `last_assigned_id` in the sequence's order, wrapping around."""
    ids = [moderator.id for moderator in moderators]
    start = ids.index(last_assigned_id) + 1 if last_assigned_id in ids else 0
    for offset in range(len(moderators)):
        moderator = moderators[(start + offset) % len(moderators)]
        if moderator.id in candidates:
            return moderator
    return None


def choose_assignee(
    moderators: Sequence[Moderator],
    ticket_language: str | None,
    last_assigned_id: Hashable | None,
    exclude_ids: Collection[Hashable] = (),
) -> Choice:
    """Pick the next assignee (see the module docstring); never raises for an empty team."""
    eligible = [
        moderator
        for moderator in moderators
        if moderator.id not in exclude_ids
        and moderator.on_shift
        and moderator.has_capacity
        and moderator.speaks(ticket_language)
    ]
    for leads_tier, reason in ((False, "round robin"), (True, "lead (no moderator free)")):
        tier = {moderator.id for moderator in eligible if moderator.is_lead == leads_tier}
        chosen = _round_robin(moderators, tier, last_assigned_id) if tier else None
        if chosen is not None:
            return Choice(chosen, reason, f"Assigned to {chosen.id} ({chosen.role}).")
    return Choice(None, NOBODY_AVAILABLE, _why_nobody(moderators, ticket_language, exclude_ids))


def _why_nobody(
    moderators: Sequence[Moderator], language: str | None, exclude_ids: Collection[Hashable]
) -> str:
    team = [moderator for moderator in moderators if moderator.id not in exclude_ids]
    if not team:
        return "There are no other moderators."
    on_shift = [moderator for moderator in team if moderator.on_shift]
    if not on_shift:
        return "Nobody is on shift."
    free = [moderator for moderator in on_shift if moderator.has_capacity]
    if not free:
        return "Everyone on shift is at capacity."
    return f"Nobody on shift with free capacity speaks {language}."


def needs_reassignment(assignee: Moderator | None, moderators: Sequence[Moderator]) -> bool:
    """At a breach: does the ticket have to move away from its assignee?

    Judged on the assignee's current record in `moderators` (the one passed in may be
    stale): yes when off shift, at capacity, no longer a moderator, or nobody is assigned.
    """
    if assignee is None:
        return True
    current = next((moderator for moderator in moderators if moderator.id == assignee.id), None)
    if current is None:
        return True
    return not current.on_shift or not current.has_capacity
