"""SLA policy and clocks: response-time targets per ticket category, measured on business hours.

Policy (stored per community as a JSON-able dict)::

    policies = SlaPolicies.from_dict(stored)          # merges over DEFAULT_SLA_POLICIES
    policy = policies.for_category("complaint")       # SlaPolicy(first 15m, next 30m, ...)
    policy = policy.with_settings("first=10m next=30m resolve=24h")   # `/sla set …`

Clocks are plain, immutable state; every function takes the injected `now` (aware, UTC)
and returns a new clock — the caller stores it::

    clock = start_clock(policy, calendar, "first_response", now)   # a ticket opens
    clock = pause(clock, now)              # the ticket waits on the member
    clock = resume(clock, calendar, now)   # the member wrote again: due_at moves on
    clock = stop(clock, now)               # answered / resolved
    status = evaluate(clock, calendar, now)  # the watchdog, every tick
    for event in status.events: ...        # "reminder" at 75 %, "breach" at 100 %, once each
    store(status.clock)                    # the flags that make events fire once

`calendar` is the community's `BusinessCalendar`; a policy with `hours="calendar"` ignores
it and counts 24/7. A clock copies its target and hours mode when it starts, so later
policy changes do not move running clocks.

Events fire only while a clock runs: a paused or stopped clock is not chased, but its
`SlaStatus` still says whether the target was met (`met`), which is what the records use.
When a tick finds a clock already past 100 % without a reminder, only the breach fires.

Durations: `parse_duration("1h30m")` for what admins type, `format_duration(td)` → "3 m 12 s"
for cards, `duration_to_spec(td)` → "1h30m" for storage.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from bot.policy.business_hours import (
    ALWAYS_OPEN,
    BusinessCalendar,
    add_business_time,
    business_seconds_between,
)

TARGET_KINDS: tuple[str, ...] = ("first_response", "next_response", "resolution")
HOURS_MODES: tuple[str, ...] = ("business", "calendar")
REMIND_AT = 0.75  # share of the target after which the assignee is reminded
# Tolerance for float/microsecond rounding: at the due instant the target counts as used.
_EPSILON_SECONDS = 1e-3

# ---------------------------------------------------------------------------- durations

_UNITS: dict[str, int] = {}
for _seconds, _names in (
    (1, ("s", "sec", "secs", "second", "seconds", "с", "сек")),
    (60, ("m", "min", "mins", "minute", "minutes", "м", "мин")),
    (3600, ("h", "hr", "hrs", "hour", "hours", "ч", "час", "часа", "часов")),
    (86400, ("d", "day", "days", "д", "дн", "день", "дня", "дней")),
    (604800, ("w", "week", "weeks", "н", "нед")),
):
    _UNITS.update(dict.fromkeys(_names, _seconds))

_DURATION_PART = re.compile(r"\s*(\d+(?:[.,]\d+)?)\s*([^\d\s.,]+)")
_DURATION_HELP = "write a number with a unit, like 90s, 10m, 1h30m, 24h or 2d"


def parse_duration(text: str) -> timedelta:
    """Read what an admin types: "10m", "1h30m", "1h 30m", "24h", "2d", "90s", "1.5h", "15мин".

    Raises ValueError with a sentence saying what was wrong and how to write it.
    """
    cleaned = text.strip().lower()
    if not cleaned:
        raise ValueError(f"A duration is missing: {_DURATION_HELP}.")
    total = 0.0
    seen: set[int] = set()
    position = 0
    while position < len(cleaned):
        match = _DURATION_PART.match(cleaned, position)
        if match is None:
            raise ValueError(f"Cannot read {text!r} as a duration: {_DURATION_HELP}.")
        amount, unit = match.groups()
        if unit not in _UNITS:
            raise ValueError(f"Unknown time unit {unit!r} in {text!r}: {_DURATION_HELP}.")
        if _UNITS[unit] in seen:
            raise ValueError(f"{text!r} gives the same unit twice: {_DURATION_HELP}.")
        seen.add(_UNITS[unit])
        total += float(amount.replace(",", ".")) * _UNITS[unit]
        position = match.end()
    return timedelta(seconds=total)


def _split_seconds(duration: timedelta) -> list[tuple[int, str]]:
    seconds = int(abs(duration.total_seconds()))
    parts = []
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m"), (1, "s")):
        amount, seconds = divmod(seconds, size)
        if amount:
            parts.append((amount, unit))
    return parts


def format_duration(duration: timedelta, parts: int = 2) -> str:
    """For cards: "3 m 12 s", "1 h 5 m", "2 d 3 h", "45 s", "0 s" (at most `parts` units)."""
    shown = _split_seconds(duration)[:parts]
    if not shown:
        return "0 s"
    sign = "-" if duration < timedelta(0) else ""
    return sign + " ".join(f"{amount} {unit}" for amount, unit in shown)


def duration_to_spec(duration: timedelta) -> str:
    """Exact compact form that `parse_duration` reads back: "1h30m", "24h", "2d", "0s".

    Days are used only for two or more whole days, so a day-long target reads "24h".
    """
    if duration < timedelta(0):
        raise ValueError("A stored duration must not be negative.")
    seconds = int(duration.total_seconds())
    if seconds and seconds % 86400 == 0 and seconds >= 2 * 86400:
        return f"{seconds // 86400}d"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(hours, "h"), (minutes, "m"), (secs, "s")]
    return "".join(f"{amount}{unit}" for amount, unit in parts if amount) or "0s"


# ------------------------------------------------------------------------------- policy


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    """Targets for one ticket category."""

    first_response: timedelta  # ticket opened → first moderator reply
    next_response: timedelta  # member's follow-up → the next reply
    resolution: timedelta  # ticket opened → resolved
    hours: str = "business"  # "business": on the community calendar; "calendar": 24/7

    def __post_init__(self) -> None:
        for kind in TARGET_KINDS:
            if getattr(self, kind) <= timedelta(0):
                raise ValueError(f"The {kind.replace('_', ' ')} target must be longer than zero.")
        if self.hours not in HOURS_MODES:
            raise ValueError(f"SLA hours are 'business' or 'calendar', not {self.hours!r}.")

    def target(self, kind: str) -> timedelta:
        """The target of one clock kind (one of TARGET_KINDS)."""
        if kind not in TARGET_KINDS:
            raise ValueError(f"Unknown SLA target {kind!r}; use one of {', '.join(TARGET_KINDS)}.")
        return getattr(self, kind)

    def to_dict(self) -> dict[str, str]:
        """The stored form, in the words of `/sla set`: first, next, resolve, hours."""
        return {
            "first": duration_to_spec(self.first_response),
            "next": duration_to_spec(self.next_response),
            "resolve": duration_to_spec(self.resolution),
            "hours": self.hours,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], base: SlaPolicy | None = None) -> SlaPolicy:
        """Read the stored form; keys missing from `data` come from `base`."""
        unknown = set(data) - set(_SETTING_FIELDS)
        if unknown:
            raise ValueError(
                f"Unknown SLA settings: {', '.join(sorted(unknown))}; "
                "use first, next, resolve and hours."
            )
        if base is None:
            missing = {"first", "next", "resolve"} - set(data)
            if missing:
                raise ValueError(f"SLA settings miss {', '.join(sorted(missing))}.")
            base = _PLACEHOLDER
        changes: dict[str, Any] = {}
        for key, value in data.items():
            name = _SETTING_FIELDS[key]
            changes[name] = value if key == "hours" else _as_duration(value)
        return replace(base, **changes)

    def with_settings(self, text: str) -> SlaPolicy:
        """Apply `/sla set` arguments: "first=10m next=30m resolve=24h hours=calendar"."""
        settings: dict[str, str] = {}
        for word in text.split():
            key, sep, value = word.partition("=")
            if not sep or not value:
                raise ValueError(
                    f"Cannot read {word!r}: write settings like first=10m next=30m resolve=24h."
                )
            settings[key.lower()] = value
        return SlaPolicy.from_dict(settings, base=self)


_SETTING_FIELDS: dict[str, str] = {
    "first": "first_response",
    "next": "next_response",
    "resolve": "resolution",
    "hours": "hours",
}
_PLACEHOLDER = SlaPolicy(timedelta(hours=1), timedelta(hours=1), timedelta(hours=1))


def _as_duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=value)
    return parse_duration(str(value))


def _policy(first: str, next_: str, resolve: str) -> SlaPolicy:
    return SlaPolicy(parse_duration(first), parse_duration(next_), parse_duration(resolve))


# Defaults from the triage table; next response is twice the first, resolution a day.
DEFAULT_POLICIES: dict[str, SlaPolicy] = {
    "purchase": _policy("10m", "20m", "24h"),
    "complaint": _policy("15m", "30m", "24h"),
    "support": _policy("60m", "2h", "24h"),
    "needs_triage": _policy("60m", "2h", "24h"),
    # Praise and other only become tickets as DMs, at normal priority.
    "praise": _policy("60m", "2h", "24h"),
    "other": _policy("60m", "2h", "24h"),
}
FALLBACK_CATEGORY = "needs_triage"  # the policy for a category nobody configured


@dataclass(frozen=True, slots=True)
class SlaPolicies:
    """A community's SLA policies by ticket category."""

    by_category: Mapping[str, SlaPolicy] = field(default_factory=lambda: dict(DEFAULT_POLICIES))

    def for_category(self, category: str) -> SlaPolicy:
        """The category's policy; an unknown category gets the "needs triage" one."""
        if category in self.by_category:
            return self.by_category[category]
        return self.by_category.get(FALLBACK_CATEGORY, DEFAULT_POLICIES[FALLBACK_CATEGORY])

    def with_policy(self, category: str, policy: SlaPolicy) -> SlaPolicies:
        return SlaPolicies({**self.by_category, category: policy})

    def to_dict(self) -> dict[str, dict[str, str]]:
        return {category: policy.to_dict() for category, policy in self.by_category.items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Mapping[str, Any]] | None) -> SlaPolicies:
        """Stored overrides merged key by key over the defaults."""
        merged = dict(DEFAULT_POLICIES)
        for category, settings in (data or {}).items():
            merged[category] = SlaPolicy.from_dict(settings, base=merged.get(category))
        return cls(merged)


DEFAULT_SLA_POLICIES = SlaPolicies()

# ------------------------------------------------------------------------------- clocks


@dataclass(frozen=True, slots=True)
class SlaClock:
    """One running (or finished) response-time target of a ticket."""

    kind: str  # one of TARGET_KINDS
    target_seconds: float  # the target, in business (or calendar) seconds
    hours: str  # "business" or "calendar", copied from the policy at start
    started_at: datetime
    due_at: datetime  # when the target runs out; moves on after each pause
    paused_at: datetime | None = None  # set while the ticket waits on the member
    paused_seconds: float = 0.0  # business seconds spent paused so far; not counted
    stopped_at: datetime | None = None  # answered or resolved; the clock is finished
    reminded: bool = False  # the 75 % reminder has fired
    escalated: bool = False  # the 100 % breach has fired

    @property
    def running(self) -> bool:
        return self.paused_at is None and self.stopped_at is None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict; `from_dict` reads it back."""
        return {
            "kind": self.kind,
            "target_seconds": self.target_seconds,
            "hours": self.hours,
            "started_at": self.started_at.isoformat(),
            "due_at": self.due_at.isoformat(),
            "paused_at": self.paused_at.isoformat() if self.paused_at else None,
            "paused_seconds": self.paused_seconds,
            "stopped_at": self.stopped_at.isoformat() if self.stopped_at else None,
            "reminded": self.reminded,
            "escalated": self.escalated,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SlaClock:
        def moment(key: str) -> datetime | None:
            value = data.get(key)
            return datetime.fromisoformat(value) if value else None

        started_at, due_at = moment("started_at"), moment("due_at")
        if started_at is None or due_at is None:
            raise ValueError("A stored SLA clock needs started_at and due_at.")
        return cls(
            kind=data["kind"],
            target_seconds=float(data["target_seconds"]),
            hours=data.get("hours", "business"),
            started_at=started_at,
            due_at=due_at,
            paused_at=moment("paused_at"),
            paused_seconds=float(data.get("paused_seconds", 0.0)),
            stopped_at=moment("stopped_at"),
            reminded=bool(data.get("reminded", False)),
            escalated=bool(data.get("escalated", False)),
        )


@dataclass(frozen=True, slots=True)
class SlaEvent:
    """Something the watchdog must act on, once."""

    kind: str  # "reminder" (mention the assignee) or "breach" (escalate to the leads)
    target: str  # the clock's kind, e.g. "first_response"
    at: datetime  # the `now` of the evaluation that found it
    due_at: datetime
    elapsed_seconds: float
    target_seconds: float


@dataclass(frozen=True, slots=True)
class SlaStatus:
    """What `evaluate` found: the figures for the card, and the events to act on."""

    clock: SlaClock  # the new clock state to store (event flags set)
    elapsed_seconds: float  # business seconds used, pauses excluded
    target_seconds: float
    fraction: float  # elapsed / target; 1.0 and above is a breach
    events: tuple[SlaEvent, ...] = ()

    @property
    def remaining_seconds(self) -> float:
        """Business seconds left; negative once overdue."""
        return self.target_seconds - self.elapsed_seconds

    @property
    def breached(self) -> bool:
        """The target is used up (whether or not the breach event fired now)."""
        return self.elapsed_seconds + _EPSILON_SECONDS >= self.target_seconds

    @property
    def remind(self) -> bool:
        """A reminder must be sent now."""
        return any(event.kind == "reminder" for event in self.events)

    @property
    def escalate(self) -> bool:
        """The breach fired now: mention the leads, mark the card, maybe reassign."""
        return any(event.kind == "breach" for event in self.events)

    @property
    def met(self) -> bool | None:
        """True: stopped within target; False: breached; None: still running within target."""
        if self.breached:
            return False
        return True if self.clock.stopped_at is not None else None


def _calendar_for(hours: str, calendar: BusinessCalendar) -> BusinessCalendar:
    return calendar if hours == "business" else ALWAYS_OPEN


def start_clock(
    policy: SlaPolicy, calendar: BusinessCalendar, kind: str, now: datetime
) -> SlaClock:
    """A new clock for `kind` starting `now`, due after the policy's target of open time."""
    target_seconds = policy.target(kind).total_seconds()
    effective = _calendar_for(policy.hours, calendar)
    due_at = add_business_time(effective, now, target_seconds)
    return SlaClock(
        kind=kind,
        target_seconds=target_seconds,
        hours=policy.hours,
        started_at=now,
        due_at=due_at,
    )


def pause(clock: SlaClock, now: datetime) -> SlaClock:
    """The ticket waits on the member: stop counting. A no-op unless the clock runs."""
    if not clock.running:
        return clock
    return replace(clock, paused_at=max(now, clock.started_at))


def resume(clock: SlaClock, calendar: BusinessCalendar, now: datetime) -> SlaClock:
    """Count again; the due time moves on by the business time spent paused."""
    if clock.paused_at is None or clock.stopped_at is not None:
        return clock
    effective = _calendar_for(clock.hours, calendar)
    paused_seconds = clock.paused_seconds + business_seconds_between(
        effective, clock.paused_at, now
    )
    # Recomputed from the start (not shifted) so repeated pauses never accumulate rounding.
    due_at = add_business_time(effective, clock.started_at, clock.target_seconds + paused_seconds)
    return replace(clock, paused_at=None, paused_seconds=paused_seconds, due_at=due_at)


def stop(clock: SlaClock, now: datetime) -> SlaClock:
    """The target is reached (answered or resolved). Stopping twice keeps the first time.

    A clock stopped while paused counts nothing after the pause began.
    """
    if clock.stopped_at is not None:
        return clock
    return replace(clock, stopped_at=max(now, clock.started_at))


def elapsed_seconds(clock: SlaClock, calendar: BusinessCalendar, now: datetime) -> float:
    """Business seconds the clock has used by `now`, pauses excluded."""
    end = now
    for limit in (clock.paused_at, clock.stopped_at):
        if limit is not None and limit < end:
            end = limit
    effective = _calendar_for(clock.hours, calendar)
    used = business_seconds_between(effective, clock.started_at, end) - clock.paused_seconds
    return max(used, 0.0)


def evaluate(clock: SlaClock, calendar: BusinessCalendar, now: datetime) -> SlaStatus:
    """Measure the clock at `now` and say which events fire (each at most once per clock)."""
    elapsed = elapsed_seconds(clock, calendar, now)
    target = clock.target_seconds
    fraction = elapsed / target if target > 0 else 1.0
    reached = elapsed + _EPSILON_SECONDS

    def event(kind: str) -> SlaEvent:
        return SlaEvent(kind, clock.kind, now, clock.due_at, elapsed, target)

    events: tuple[SlaEvent, ...] = ()
    new_clock = clock
    if clock.running and reached >= target and not clock.escalated:
        # A late tick skips straight to the breach: a reminder now would only be noise.
        events = (event("breach"),)
        new_clock = replace(clock, escalated=True, reminded=True)
    elif clock.running and reached >= REMIND_AT * target and not clock.reminded:
        events = (event("reminder"),)
        new_clock = replace(clock, reminded=True)
    return SlaStatus(new_clock, elapsed, target, fraction, events)
