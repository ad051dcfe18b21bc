"""The promotional-ratio policy: may a promotional post go out at a given moment?

Commercial posts (`promo`, `giveaway`) stay a small share of what a community sees. Per
target, with these defaults (all configurable, see `RatioPolicy`):

- at most 20% promotional posts over the last 10 published posts, and also over the
  posts of the last 7 days (both must hold);
- never two promotional posts in a row;
- at least 4 h between promotional posts;
- at most 1 promotional post per calendar day in the community's time zone.

How the share is counted (the small-history rule). The share includes the candidate:
over the last N posts, where N = min(window, published posts so far + 1), and over the
posts of the last `window_days` days plus the candidate. So a brand-new channel needs
4 non-promotional posts before its first promotion (1 of 5 = 20%); short histories are
never a loophole. The planner (`bot.policy.slots.plan`) still makes progress because it
fills slots from the evergreen queue and from `next` posts, which builds that history.

The rules are checked at the moment a promotional post would be published. A
non-promotional post can never break them (it only lowers shares), so the checks at
promotional posts are enough for every window that ends at a published post. One thing
no scheduler can prevent: a later lull in posting can raise the share of a 7-day window
that no longer holds the older useful posts; the next promotion is then held back.

Use:

    policy = RatioPolicy.from_dict(stored_settings)         # merge over defaults
    policy = policy.apply_arguments("share=20% gap=4h")    # /promo set …
    verdict = check(policy, history, "promo", now, ZoneInfo("Europe/Moscow"))
    if not verdict.ok: tell_admin("; ".join(verdict.reasons))

Times are timezone-aware datetimes (UTC by convention); `tz` is only used for days.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
from typing import Any

from bot.policy.durations import format_duration, parse_duration

POST_KINDS: tuple[str, ...] = (
    "useful",
    "entertaining",
    "news",
    "engagement",
    "promo",
    "giveaway",
    "poll",
)
PROMOTIONAL_KINDS: frozenset[str] = frozenset({"promo", "giveaway"})

# Float shares like 0.2 are compared against exact fractions; this absorbs rounding.
_EPSILON = 1e-9


def is_promotional(kind: str) -> bool:
    """True for the kinds the ratio policy limits (`promo`, `giveaway`)."""
    return kind in PROMOTIONAL_KINDS


def require_aware(moment: datetime, name: str) -> None:
    """Raise ValueError for a naive datetime: every policy time must carry its zone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime (UTC), got {moment!r}.")


@dataclass(frozen=True)
class RatioPolicy:
    """How often promotional posts may go out on one target."""

    max_share: float = 0.20
    """Largest share (0–1) of promotional posts, candidate included, in either window."""
    window_posts: int = 10
    """The post-count window: the share is taken over this many latest posts."""
    window_days: int = 7
    """The time window: the share is also taken over the posts of this many days."""
    min_gap: timedelta = timedelta(hours=4)
    """Least time between two promotional posts."""
    max_per_day: int = 1
    """Most promotional posts per calendar day in the community's time zone."""
    allow_consecutive: bool = False
    """False: a promotional post may never directly follow another one."""

    def __post_init__(self) -> None:
        if not 0 <= self.max_share <= 1:
            raise ValueError(f"The share must be between 0% and 100%, got {self.max_share:.0%}.")
        if not 1 <= self.window_posts <= 1000:
            raise ValueError(
                f"The window must be 1 to 1000 posts, got {self.window_posts}, e.g. window=10."
            )
        if not 1 <= self.window_days <= 365:
            raise ValueError(f"The days window must be 1 to 365 days, got {self.window_days}.")
        if not timedelta(0) <= self.min_gap <= timedelta(days=7):
            raise ValueError(
                f"The gap must be between 0 and 7 days, got {format_duration(self.min_gap)}."
            )
        if not 1 <= self.max_per_day <= 100:
            raise ValueError(
                f"The daily limit must be 1 to 100 posts, got {self.max_per_day}; "
                "to stop promotions altogether set share=0%."
            )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict; `from_dict(to_dict())` gives the same policy."""
        return {
            "max_share": self.max_share,
            "window_posts": self.window_posts,
            "window_days": self.window_days,
            "min_gap_seconds": int(self.min_gap.total_seconds()),
            "max_per_day": self.max_per_day,
            "allow_consecutive": self.allow_consecutive,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> RatioPolicy:
        """The defaults with `data` (as written by `to_dict`, possibly partial) on top."""
        if not data:
            return cls()
        unknown = set(data) - _DICT_KEYS
        if unknown:
            raise ValueError(
                f"Unknown promo policy setting(s): {', '.join(sorted(unknown))}; "
                f"known: {', '.join(sorted(_DICT_KEYS))}."
            )
        fields_: dict[str, Any] = {}
        try:
            if "max_share" in data:
                fields_["max_share"] = float(data["max_share"])
            for name in ("window_posts", "window_days", "max_per_day"):
                if name in data:
                    fields_[name] = _whole_number(data[name], name)
            if "min_gap_seconds" in data:
                fields_["min_gap"] = timedelta(seconds=float(data["min_gap_seconds"]))
            if "allow_consecutive" in data:
                fields_["allow_consecutive"] = bool(data["allow_consecutive"])
        except (TypeError, ValueError) as error:
            raise ValueError(f"The stored promo policy is not valid: {error}") from error
        return replace(cls(), **fields_)

    def apply_arguments(self, text: str) -> RatioPolicy:
        """This policy changed by `/promo set` arguments, e.g. `share=20% window=10 gap=4h`.

        Keys: `share` (20% or 0.2), `window` (posts), `days` (7 or 7d), `gap` (4h, 90m),
        `daily` (promotional posts per day), `in_a_row` (yes/no). Raises ValueError with
        a sentence for the admin on any bad key or value; nothing is half-applied.
        """
        return replace(self, **parse_set_arguments(text))

    def describe(self) -> str:
        """One sentence for `/promo`: the rules in force."""
        parts = [
            f"At most {_percent(self.max_share)} promotional posts over the last "
            f"{self.window_posts} posts and over the last {_days(self.window_days)}",
        ]
        if not self.allow_consecutive:
            parts.append("never two in a row")
        if self.min_gap > timedelta(0):
            parts.append(f"at least {format_duration(self.min_gap)} apart")
        parts.append(f"at most {self.max_per_day} a day")
        return "; ".join(parts) + "."


_DICT_KEYS = frozenset(RatioPolicy().to_dict())

_ARGUMENT_HELP = "e.g. /promo set share=20% window=10 days=7 gap=4h daily=1 in_a_row=no"


def parse_set_arguments(text: str) -> dict[str, Any]:
    """`/promo set` arguments → the `RatioPolicy` fields they change (validated as a whole)."""
    changes: dict[str, Any] = {}
    seen: set[str] = set()
    tokens = text.split()
    if not tokens:
        raise ValueError(f"Say what to change, {_ARGUMENT_HELP}.")
    for token in tokens:
        key, sep, value = token.partition("=")
        key = key.strip().lower()
        if not sep or not value:
            raise ValueError(f"Expected key=value, got '{token}'; {_ARGUMENT_HELP}.")
        if key in seen:
            raise ValueError(f"'{key}' is given twice; give each setting once.")
        seen.add(key)
        if key == "share":
            changes["max_share"] = _parse_share(value)
        elif key == "window":
            changes["window_posts"] = _parse_count(value, "window", "posts")
        elif key == "days":
            changes["window_days"] = _parse_count(value.removesuffix("d"), "days", "days")
        elif key == "gap":
            try:
                changes["min_gap"] = parse_duration(value)
            except ValueError as error:
                raise ValueError(f"gap={value}: {error}") from None
        elif key == "daily":
            changes["max_per_day"] = _parse_count(value, "daily", "posts")
        elif key in ("in_a_row", "consecutive"):
            changes["allow_consecutive"] = _parse_yes_no(value, key)
        else:
            raise ValueError(
                f"Unknown setting '{key}'. Use share, window, days, gap, daily or in_a_row; "
                f"{_ARGUMENT_HELP}."
            )
    # Validate the combination now, so the caller gets one clear error before saving.
    replace(RatioPolicy(), **changes)
    return changes


def _parse_share(value: str) -> float:
    """`20%` → 0.2; `0.2` → 0.2; a bare number above 1 is a percentage (`20` → 0.2)."""
    text = value.strip().replace(",", ".")
    try:
        if text.endswith("%"):
            share = float(text[:-1]) / 100
        else:
            number = float(text)
            share = number / 100 if number > 1 else number
    except ValueError:
        raise ValueError(f"share={value} is not a percentage; write it like share=20%.") from None
    if not 0 <= share <= 1:
        raise ValueError(f"share={value} is out of range; use 0% to 100%.")
    return share


def _parse_count(value: str, key: str, unit: str) -> int:
    if not value.isdigit():
        raise ValueError(f"{key}={value} must be a whole number of {unit}, e.g. {key}=10.")
    return int(value)


def _parse_yes_no(value: str, key: str) -> bool:
    lowered = value.lower()
    if lowered in ("yes", "on", "true", "1", "allow", "да"):
        return True
    if lowered in ("no", "off", "false", "0", "forbid", "нет"):
        return False
    raise ValueError(f"{key}={value} must be yes or no.")


def _whole_number(value: Any, name: str) -> int:
    if isinstance(value, bool) or int(value) != value:
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    return int(value)


@dataclass(frozen=True)
class PublishedPost:
    """A post already out on the target (or planned to be, inside the planner)."""

    kind: str
    """One of `POST_KINDS`."""
    at: datetime
    """When it was published; timezone-aware."""


@dataclass
class Verdict:
    """The answer of `check`: may the post go out, and if not, why (sentences for admins)."""

    ok: bool
    reasons: list[str] = field(default_factory=list)


def check(
    policy: RatioPolicy,
    history: Sequence[PublishedPost],
    candidate_kind: str,
    at: datetime,
    tz: tzinfo,
) -> Verdict:
    """May a post of `candidate_kind` be published at `at` after `history`?

    Non-promotional posts are always allowed. Posts in `history` later than `at` are
    ignored (they have not happened yet from the candidate's point of view); posts at
    the same instant count as earlier, in list order.
    """
    require_aware(at, "at")
    if not is_promotional(candidate_kind):
        return Verdict(ok=True)
    prior = sorted((post for post in history if post.at <= at), key=lambda post: post.at)
    return check_sorted(policy, prior, candidate_kind, at, tz)


def check_sorted(
    policy: RatioPolicy,
    prior: Sequence[PublishedPost],
    candidate_kind: str,
    at: datetime,
    tz: tzinfo,
) -> Verdict:
    """`check` for a history already sorted by time with nothing after `at` (the planner's)."""
    if not is_promotional(candidate_kind):
        return Verdict(ok=True)
    reasons: list[str] = []

    # Share over the last N posts, the candidate included (see the module docstring).
    window = min(policy.window_posts, len(prior) + 1)
    recent = prior[len(prior) - (window - 1) :] if window > 1 else []
    promotional = 1 + sum(is_promotional(post.kind) for post in recent)
    if promotional > policy.max_share * window + _EPSILON:
        counted = "the last post" if window == 1 else f"{promotional} of the last {window} posts"
        reasons.append(
            f"would make {counted} promotional "
            f"({_percent(promotional / window)} > {_percent(policy.max_share)})"
        )

    # Share over the last `window_days` days, the candidate included.
    since = at - timedelta(days=policy.window_days)
    in_days = [post for post in prior if post.at > since]
    promotional_days = 1 + sum(is_promotional(post.kind) for post in in_days)
    total_days = 1 + len(in_days)
    if promotional_days > policy.max_share * total_days + _EPSILON:
        counted = (
            "the only post" if total_days == 1 else f"{promotional_days} of the {total_days} posts"
        )
        reasons.append(
            f"would make {counted} of the last {_days(policy.window_days)} promotional "
            f"({_percent(promotional_days / total_days)} > {_percent(policy.max_share)})"
        )

    if not policy.allow_consecutive and prior and is_promotional(prior[-1].kind):
        reasons.append("would directly follow another promotional post (never two in a row)")

    previous_promotional = next(
        (post for post in reversed(prior) if is_promotional(post.kind)), None
    )
    if previous_promotional is not None and at - previous_promotional.at < policy.min_gap:
        reasons.append(
            f"would come {format_duration(at - previous_promotional.at)} after the previous "
            f"promotional post (at least {format_duration(policy.min_gap)} apart)"
        )

    day = at.astimezone(tz).date()
    same_day = 1 + sum(
        is_promotional(post.kind) and post.at.astimezone(tz).date() == day for post in prior
    )
    if same_day > policy.max_per_day:
        reasons.append(
            f"would be the {_ordinal(same_day)} promotional post on {day:%a %d %b %Y} "
            f"(at most {policy.max_per_day} a day)"
        )
    return Verdict(ok=not reasons, reasons=reasons)


@dataclass(frozen=True)
class ShareSnapshot:
    """The current promotional share of a target, for `/promo` and `steward stats`."""

    promotional_in_window: int
    posts_in_window: int
    promotional_in_days: int
    posts_in_days: int

    def describe(self, policy: RatioPolicy) -> str:
        """e.g. "1 of the last 10 posts (10%), 1 of 12 in the last 7 days (8.3%)"."""
        return (
            f"{self.promotional_in_window} of the last {self.posts_in_window} posts "
            f"({_percent(_ratio(self.promotional_in_window, self.posts_in_window))}), "
            f"{self.promotional_in_days} of {self.posts_in_days} in the last "
            f"{_days(policy.window_days)} "
            f"({_percent(_ratio(self.promotional_in_days, self.posts_in_days))})"
        )


def current_share(
    policy: RatioPolicy, history: Sequence[PublishedPost], now: datetime
) -> ShareSnapshot:
    """How promotional the target is right now, over both windows (no candidate counted)."""
    require_aware(now, "now")
    prior = sorted((post for post in history if post.at <= now), key=lambda post: post.at)
    recent = prior[-policy.window_posts :]
    since = now - timedelta(days=policy.window_days)
    in_days = [post for post in prior if post.at > since]
    return ShareSnapshot(
        promotional_in_window=sum(is_promotional(post.kind) for post in recent),
        posts_in_window=len(recent),
        promotional_in_days=sum(is_promotional(post.kind) for post in in_days),
        posts_in_days=len(in_days),
    )


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _percent(share: float) -> str:
    """0.2 → "20%", 1/3 → "33.3%"."""
    return f"{round(share * 100, 1):g}%"


def _days(count: int) -> str:
    return "day" if count == 1 else f"{count} days"


def _ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"
