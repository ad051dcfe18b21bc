"""Spam penalties: the ladder, the trusted-member threshold and anti-flood.

Penalty ladder (`LadderPolicy`, per community, serialisable). Each spam removal is a
strike; the penalty for a new removal is the ladder step numbered by the strikes that
still count, this one included. Defaults: 1st → warning, 2nd within 7 days → mute for
24 h, 3rd within 7 days → ban for ever; past the last step the last step repeats.
A strike counts when it is not withdrawn (a moderator pressed Not spam) and lies within
the window before `now`. Admins and moderators are never penalised.

    penalty = next_penalty(policy, earlier_strikes, now, is_staff=False)
    # then store a new Strike(at=now) and act: penalty.kind, penalty.ends_at(now)

Trusted members (`spam_threshold`). Most spam is a new member's first messages, so a
member with a record of legitimate messages needs a higher spam score to be removed.
The default curve adds +0.05 to the base threshold from 3 legitimate messages and +0.10
from 20, only once the member has been known for 24 h (a burst of harmless messages
right after joining is how spam accounts warm up), capped at 0.99 so that a certain
spam score still removes. The threshold is never lowered.

Anti-flood (`FloodPolicy`, `FloodTracker`). More than `max_messages` messages within
`window` from one member in one community is a flood (defaults: a 6th message within
10 s) and earns a mute of `mute` (10 min). `FloodTracker.record` says True once per
burst: a burst ends when the member has been silent for a whole window. Memory is
bounded: at most `max_messages + 1` moments per member and `max_members` members (the
least recently active are forgotten). Exempting staff is the caller's choice.

Times are timezone-aware datetimes passed in by the caller; nothing here reads a clock.
"""

from __future__ import annotations

import re
from collections import OrderedDict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from bot.policy.durations import format_duration, parse_duration
from bot.policy.promo import require_aware

StepKind = Literal["warn", "mute", "ban"]
PenaltyKind = Literal["warn", "mute", "ban", "none"]


def _seconds(duration: timedelta | None) -> int | None:
    return None if duration is None else int(duration.total_seconds())


def _duration(seconds: Any) -> timedelta | None:
    return None if seconds is None else timedelta(seconds=float(seconds))


def _ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


@dataclass(frozen=True)
class LadderStep:
    """One rung of the ladder."""

    kind: StepKind
    duration: timedelta | None = None
    """Mute length (required for a mute); ban length (None = for ever); unused for warn."""

    def __post_init__(self) -> None:
        if self.kind not in ("warn", "mute", "ban"):
            raise ValueError(f"A ladder step is warn, mute or ban, got '{self.kind}'.")
        if self.kind == "mute" and (self.duration is None or self.duration <= timedelta(0)):
            raise ValueError("A mute step needs a length, e.g. mute 24h.")
        if self.kind == "warn" and self.duration is not None:
            raise ValueError("A warning has no length; write just warn.")
        if self.kind == "ban" and self.duration is not None and self.duration <= timedelta(0):
            raise ValueError("A ban length must be positive, or leave it out for a ban for ever.")

    def describe(self) -> str:
        """ "warning", "mute 24 h", "ban", "ban 30 days"."""
        if self.kind == "warn":
            return "warning"
        if self.duration is None:
            return self.kind
        return f"{self.kind} {format_duration(self.duration)}"


DEFAULT_STEPS: tuple[LadderStep, ...] = (
    LadderStep("warn"),
    LadderStep("mute", timedelta(hours=24)),
    LadderStep("ban"),
)


@dataclass(frozen=True)
class LadderPolicy:
    """A community's spam-penalty ladder and trusted-member threshold curve."""

    steps: tuple[LadderStep, ...] = DEFAULT_STEPS
    window: timedelta = timedelta(days=7)
    """Strikes older than this before `now` no longer count."""
    trust_bonuses: tuple[tuple[int, float], ...] = ((3, 0.05), (20, 0.10))
    """(legitimate messages at least, threshold bonus); the largest reached applies."""
    trust_after: timedelta = timedelta(hours=24)
    """How long a member must be known before any bonus applies."""
    threshold_cap: float = 0.99
    """A raised threshold never goes above this (a certain spam score still removes)."""

    def __post_init__(self) -> None:
        if not 1 <= len(self.steps) <= 10:
            raise ValueError("The ladder needs 1 to 10 steps, e.g. warn, mute 24h, ban.")
        if self.window <= timedelta(0):
            raise ValueError("The strike window must be positive, e.g. 7d.")
        for count, bonus in self.trust_bonuses:
            if count < 0 or not 0 <= bonus < 1:
                raise ValueError(
                    f"A trust bonus needs a count ≥ 0 and 0 ≤ bonus < 1: {count, bonus}."
                )
        if not 0 < self.threshold_cap < 1:
            raise ValueError("The threshold cap must lie strictly between 0 and 1.")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict; `from_dict(to_dict())` gives the same policy."""
        return {
            "steps": [
                {
                    "kind": step.kind,
                    "duration_seconds": _seconds(step.duration),
                }
                for step in self.steps
            ],
            "window_seconds": _seconds(self.window),
            "trust_bonuses": [[count, bonus] for count, bonus in self.trust_bonuses],
            "trust_after_seconds": _seconds(self.trust_after),
            "threshold_cap": self.threshold_cap,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> LadderPolicy:
        """The defaults with `data` (as written by `to_dict`, possibly partial) on top."""
        if not data:
            return cls()
        unknown = set(data) - _LADDER_KEYS
        if unknown:
            raise ValueError(
                f"Unknown ladder setting(s): {', '.join(sorted(unknown))}; "
                f"known: {', '.join(sorted(_LADDER_KEYS))}."
            )
        changes: dict[str, Any] = {}
        try:
            if "steps" in data:
                changes["steps"] = tuple(
                    LadderStep(item["kind"], _duration(item.get("duration_seconds")))
                    for item in data["steps"]
                )
            if "window_seconds" in data:
                changes["window"] = timedelta(seconds=float(data["window_seconds"]))
            if "trust_bonuses" in data:
                changes["trust_bonuses"] = tuple(
                    (int(count), float(bonus)) for count, bonus in data["trust_bonuses"]
                )
            if "trust_after_seconds" in data:
                changes["trust_after"] = timedelta(seconds=float(data["trust_after_seconds"]))
            if "threshold_cap" in data:
                changes["threshold_cap"] = float(data["threshold_cap"])
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"The stored ladder is not valid: {error}") from error
        return replace(cls(), **changes)

    def with_steps(self, text: str) -> LadderPolicy:
        """This policy with the ladder from an admin's text (see `parse_steps`)."""
        return replace(self, steps=parse_steps(text))

    def describe(self) -> str:
        """e.g. "warning → mute 24 h → ban, counting removals within 7 days"."""
        ladder = " → ".join(step.describe() for step in self.steps)
        return f"{ladder}, counting removals within {format_duration(self.window)}"


_LADDER_KEYS = frozenset(LadderPolicy().to_dict())

_STEP_SPLIT = re.compile(r"\s*(?:,|>|→|;)\s*")


def parse_steps(text: str) -> tuple[LadderStep, ...]:
    """`"warn, mute 24h, ban"` → ladder steps; also `warn > mute 1h > mute 24h > ban 30d`."""
    steps: list[LadderStep] = []
    for part in _STEP_SPLIT.split(text.strip()):
        if not part:
            continue
        words = part.split()
        kind = words[0].lower()
        if kind not in ("warn", "mute", "ban") or len(words) > 2:
            raise ValueError(
                f"'{part}' is not a ladder step; write steps like: warn, mute 24h, ban."
            )
        duration = parse_duration(words[1]) if len(words) == 2 else None
        steps.append(LadderStep(kind, duration))  # type: ignore[arg-type]
    if not steps:
        raise ValueError("Give the ladder steps, e.g. warn, mute 24h, ban.")
    return tuple(steps)


@dataclass(frozen=True)
class Strike:
    """One spam removal held against a member."""

    at: datetime
    withdrawn: bool = False
    """True once a moderator pressed Not spam: the strike no longer counts."""


@dataclass(frozen=True)
class Penalty:
    """What to do to the member now."""

    kind: PenaltyKind
    duration: timedelta | None
    """Mute or ban length; None for a warning, a ban for ever, or no penalty."""
    reason: str
    """A sentence for the log and the moderators' chat."""
    strike_number: int = 0
    """Counting strikes in the window, this one included (0 for staff)."""

    def ends_at(self, now: datetime) -> datetime | None:
        """When a mute or temporary ban lifts; None when it does not (or there is none)."""
        return now + self.duration if self.duration is not None else None


def next_penalty(
    policy: LadderPolicy,
    history: Sequence[Strike],
    now: datetime,
    is_staff: bool,
) -> Penalty:
    """The penalty for a new spam removal at `now`.

    `history` holds the member's earlier strikes in this community, not the one being
    decided. Withdrawn strikes, strikes older than `policy.window` and strikes dated
    after `now` do not count.
    """
    require_aware(now, "now")
    if is_staff:
        return Penalty("none", None, "Admins and moderators are never penalised.")
    since = now - policy.window
    counted = sum(1 for strike in history if not strike.withdrawn and since < strike.at <= now)
    number = counted + 1
    step = policy.steps[min(number, len(policy.steps)) - 1]
    within = f"spam removal within {format_duration(policy.window)}"
    if step.kind == "warn":
        outcome = "a warning"
    elif step.kind == "mute":
        outcome = f"muted for {format_duration(step.duration or timedelta(0))}"
    elif step.duration is None:
        outcome = "banned for ever"
    else:
        outcome = f"banned for {format_duration(step.duration)}"
    return Penalty(step.kind, step.duration, f"{_ordinal(number)} {within}: {outcome}.", number)


def spam_threshold(
    base_threshold: float,
    prior_legit_messages: int,
    member_age: timedelta | None,
    policy: LadderPolicy,
) -> float:
    """The spam score at or above which this member's message is removed.

    `member_age` is how long Steward has known the member (None when unknown: the age
    condition is then skipped). See the module docstring for the curve.
    """
    if not 0 <= base_threshold <= 1:
        raise ValueError(f"The base threshold must lie between 0 and 1, got {base_threshold}.")
    if member_age is not None and member_age < policy.trust_after:
        return base_threshold
    bonus = max(
        (bonus for count, bonus in policy.trust_bonuses if prior_legit_messages >= count),
        default=0.0,
    )
    return max(base_threshold, min(base_threshold + bonus, policy.threshold_cap))


@dataclass(frozen=True)
class FloodPolicy:
    """When a member's message rate is a flood, and what it costs."""

    max_messages: int = 5
    """The most messages allowed within `window`; one more is a flood."""
    window: timedelta = timedelta(seconds=10)
    mute: timedelta = timedelta(minutes=10)

    def __post_init__(self) -> None:
        if self.max_messages < 1:
            raise ValueError("The flood limit must allow at least 1 message.")
        if self.window <= timedelta(0) or self.mute <= timedelta(0):
            raise ValueError("The flood window and mute length must be positive.")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict; `from_dict(to_dict())` gives the same policy."""
        return {
            "max_messages": self.max_messages,
            "window_seconds": _seconds(self.window),
            "mute_seconds": _seconds(self.mute),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> FloodPolicy:
        """The defaults with `data` (as written by `to_dict`, possibly partial) on top."""
        if not data:
            return cls()
        unknown = set(data) - {"max_messages", "window_seconds", "mute_seconds"}
        if unknown:
            raise ValueError(f"Unknown flood setting(s): {', '.join(sorted(unknown))}.")
        changes: dict[str, Any] = {}
        try:
            if "max_messages" in data:
                changes["max_messages"] = int(data["max_messages"])
            if "window_seconds" in data:
                changes["window"] = timedelta(seconds=float(data["window_seconds"]))
            if "mute_seconds" in data:
                changes["mute"] = timedelta(seconds=float(data["mute_seconds"]))
        except (TypeError, ValueError) as error:
            raise ValueError(f"The stored flood policy is not valid: {error}") from error
        return replace(cls(), **changes)


@dataclass
class _MemberRate:
    """Recent message moments of one member in one community."""

    moments: deque[datetime] = field(default_factory=deque)
    in_burst: bool = False


class FloodTracker:
    """Sliding-window flood detection over injected message times (not thread-safe)."""

    def __init__(self, policy: FloodPolicy | None = None, max_members: int = 10_000) -> None:
        if max_members < 1:
            raise ValueError("max_members must be at least 1.")
        self.policy = policy or FloodPolicy()
        self.max_members = max_members
        self._members: OrderedDict[tuple[str, str], _MemberRate] = OrderedDict()

    def __len__(self) -> int:
        """How many members are tracked right now."""
        return len(self._members)

    def record(
        self,
        community: str,
        member: str,
        at: datetime,
        policy: FloodPolicy | None = None,
    ) -> bool:
        """Count a message; True exactly when it starts a flood burst.

        `policy` overrides the tracker's own for this community. A moment earlier than
        the member's previous one (clock skew between sources) counts as that moment.
        """
        require_aware(at, "at")
        rules = policy or self.policy
        key = (community, member)
        rate = self._members.get(key)
        if rate is None:
            rate = self._members[key] = _MemberRate()
            if len(self._members) > self.max_members:
                self._members.popitem(last=False)
        else:
            self._members.move_to_end(key)
        moments = rate.moments
        if moments:
            at = max(at, moments[-1])
            if at - moments[-1] >= rules.window:
                # Silent for a whole window: whatever burst there was is over.
                moments.clear()
                rate.in_burst = False
        moments.append(at)
        while moments and moments[0] <= at - rules.window:
            moments.popleft()
        while len(moments) > rules.max_messages + 1:
            moments.popleft()
        if len(moments) > rules.max_messages and not rate.in_burst:
            rate.in_burst = True
            return True
        return False

    def forget(self, community: str, member: str) -> None:
        """Drop a member's record (e.g. after a ban)."""
        self._members.pop((community, member), None)
