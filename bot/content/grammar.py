"""Reading the content commands' arguments: moments, durations and the post options.

Pure functions over the argument text, with `now` and the time zone passed in; each
raises ValueError with a sentence an admin can act on.

    /post add [kind] [now|next|at <time>] [to <target>[,<target>]] [expires <duration|time>]
              [evergreen] [link <url>] <text>
    /poll [now|next|at <time>] [to <target>] [closes <duration|time>] <question> | <a> | <b>

Options come first, in any order; the text starts at the first word that is not an
option and is kept exactly as written (line breaks included). Times are local to the
workspace zone: `19:00` (today, or tomorrow once passed), `today 19:00`,
`tomorrow 10:00`, `2026-11-05 19:00`, `2026-11-05T19:00`, `05.11 19:00`,
`05.11.2026 19:00`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from bot.policy.durations import parse_duration
from bot.policy.promo import POST_KINDS

TIME_HELP = "write times like 19:00, tomorrow 10:00, 2026-11-05 19:00 or 05.11 19:00"

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ISO_MOMENT = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[tT](\d{1,2}):(\d{2})$")
_DOTTED_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})(?:\.(\d{4}))?$")
_TODAY = ("today", "сегодня")
_TOMORROW = ("tomorrow", "завтра")
_WORD = re.compile(r"\S+")
_URL = re.compile(r"^https?://\S+$")


def _clock(token: str) -> time | None:
    match = _CLOCK.match(token)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    return time(hour, minute) if hour <= 23 and minute <= 59 else None


def _local(day: date, moment: time, tz: tzinfo) -> datetime:
    return datetime.combine(day, moment, tzinfo=tz).astimezone(UTC)


def _day(year: int, month: int, day: int, token: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"'{token}' is not a date; {TIME_HELP}.") from None


def parse_moment(tokens: list[str], now: datetime, tz: tzinfo) -> tuple[datetime, int]:
    """A moment from the first one or two `tokens`: (UTC datetime, tokens used)."""
    if not tokens:
        raise ValueError(f"A time is missing; {TIME_HELP}.")
    first = tokens[0].lower()
    second = _clock(tokens[1]) if len(tokens) > 1 else None
    local_today = now.astimezone(tz).date()
    if (clock := _clock(first)) is not None:
        moment = _local(local_today, clock, tz)
        # A bare time already past today means tomorrow.
        return (moment if moment > now else _local(local_today + timedelta(days=1), clock, tz)), 1
    if first in _TODAY + _TOMORROW:
        if second is None:
            raise ValueError(f"'{tokens[0]}' needs a time after it, e.g. {first} 10:00.")
        offset = 1 if first in _TOMORROW else 0
        return _local(local_today + timedelta(days=offset), second, tz), 2
    if match := _ISO_MOMENT.match(first):
        year, month, day, hour, minute = (int(part) for part in match.groups())
        clock = _clock(f"{hour}:{minute:02d}")
        if clock is None:
            raise ValueError(f"'{tokens[0]}' has no valid time of day; {TIME_HELP}.")
        return _local(_day(year, month, day, tokens[0]), clock, tz), 1
    if match := _ISO_DATE.match(first):
        if second is None:
            raise ValueError(f"'{tokens[0]}' needs a time after it, e.g. {tokens[0]} 19:00.")
        year, month, day = (int(part) for part in match.groups())
        return _local(_day(year, month, day, tokens[0]), second, tz), 2
    if match := _DOTTED_DATE.match(first):
        if second is None:
            raise ValueError(f"'{tokens[0]}' needs a time after it, e.g. {tokens[0]} 19:00.")
        day, month = int(match.group(1)), int(match.group(2))
        year = int(match.group(3)) if match.group(3) else local_today.year
        moment = _local(_day(year, month, day, tokens[0]), second, tz)
        if match.group(3) is None and moment <= now:
            moment = _local(_day(year + 1, month, day, tokens[0]), second, tz)
        return moment, 2
    raise ValueError(f"'{tokens[0]}' is not a time; {TIME_HELP}.")


def parse_deadline(tokens: list[str], now: datetime, tz: tzinfo) -> tuple[datetime, int]:
    """A duration from now (`3d`, `48h`) or a moment (see `parse_moment`)."""
    if not tokens:
        raise ValueError(f"Say when: a duration like 24h or 3d, or a time; {TIME_HELP}.")
    try:
        duration = parse_duration(tokens[0])
    except ValueError:
        return parse_moment(tokens, now, tz)
    if duration <= timedelta(0):
        raise ValueError("The duration must be longer than zero, e.g. 24h.")
    return now + duration, 1


@dataclass
class PostOptions:
    """What `/post add` or `/poll` asked for; `text` is the rest of the message."""

    kind: str | None = None
    requested: str = "next"
    """now | next | at"""
    requested_at: datetime | None = None
    targets: list[str] = field(default_factory=list)
    expires_after: timedelta | None = None
    expires_at: datetime | None = None
    closes_after: timedelta | None = None
    closes_at: datetime | None = None
    evergreen: bool = False
    link: str | None = None
    text: str = ""


def _words(text: str) -> list[re.Match[str]]:
    return list(_WORD.finditer(text))


def parse_post_options(
    text: str, now: datetime, tz: tzinfo, *, allow_kind: bool = True, allow_close: bool = False
) -> PostOptions:
    """Read the leading options of `/post add` (or `/poll`) and keep the rest as the text."""
    words = _words(text)
    tokens = [match.group(0) for match in words]
    options = PostOptions()
    seen: set[str] = set()
    index = 0

    def once(name: str) -> None:
        if name in seen:
            raise ValueError(f"'{name}' is given twice; give each option once.")
        seen.add(name)

    while index < len(tokens):
        word = tokens[index].lower()
        rest = tokens[index + 1 :]
        if allow_kind and word in POST_KINDS and options.kind is None:
            options.kind = word
            index += 1
        elif word in ("now", "next"):
            once("when")
            options.requested = word
            index += 1
        elif word == "at":
            once("when")
            moment, used = parse_moment(rest, now, tz)
            options.requested, options.requested_at = "at", moment
            index += 1 + used
        elif word == "to":
            once("to")
            if not rest:
                raise ValueError("'to' needs a target after it, e.g. to vk or to tg.")
            options.targets = [name for name in rest[0].split(",") if name]
            index += 2
        elif word in ("expires", "until"):
            once("expires")
            if word == "expires" and rest and rest[0].lower() == "at":
                rest, index = rest[1:], index + 1
            if word == "expires" and rest and _is_duration(rest[0]):
                options.expires_after = _positive(parse_duration(rest[0]), "expires")
                index += 2
            else:
                options.expires_at, used = parse_moment(rest, now, tz)
                index += 1 + used
        elif allow_close and word == "closes":
            once("closes")
            if rest and rest[0].lower() == "at":
                rest, index = rest[1:], index + 1
            if rest and _is_duration(rest[0]):
                options.closes_after = _positive(parse_duration(rest[0]), "closes")
                index += 2
            else:
                options.closes_at, used = parse_moment(rest, now, tz)
                index += 1 + used
        elif word == "evergreen":
            once("evergreen")
            options.evergreen = True
            index += 1
        elif word == "link":
            once("link")
            if not rest or not _URL.match(rest[0]):
                raise ValueError("'link' needs an http(s) address after it.")
            options.link = rest[0]
            index += 2
        else:
            break
    options.text = text[words[index].start() :].strip() if index < len(words) else ""
    return options


def _is_duration(token: str) -> bool:
    try:
        parse_duration(token)
    except ValueError:
        return False
    return True


def _positive(duration: timedelta, name: str) -> timedelta:
    if duration <= timedelta(0):
        raise ValueError(f"'{name}' needs a duration longer than zero, e.g. {name} 24h.")
    return duration


POLL_OPTIONS = (2, 10)  # both platforms accept 2–10 answers
POLL_QUESTION_MAX = 300
POLL_OPTION_MAX = 100


def parse_poll(text: str) -> tuple[str, list[str]]:
    """`Question | option | option …` → (question, options), within both platforms' limits."""
    parts = [part.strip() for part in text.split("|")]
    question, options = parts[0], [part for part in parts[1:] if part]
    low, high = POLL_OPTIONS
    if not question or not low <= len(options) <= high:
        raise ValueError(
            f"A poll needs a question and {low} to {high} options separated by |, "
            "e.g. /poll Which flavour? | Vanilla | Chocolate"
        )
    if len(question) > POLL_QUESTION_MAX:
        raise ValueError(f"The question is at most {POLL_QUESTION_MAX} characters.")
    if any(len(option) > POLL_OPTION_MAX for option in options):
        raise ValueError(f"Each option is at most {POLL_OPTION_MAX} characters.")
    if len({option.lower() for option in options}) != len(options):
        raise ValueError("The options must differ from each other.")
    return question, options


def parse_giveaway(text: str, now: datetime, tz: tzinfo) -> tuple[int, datetime, int, str]:
    """`<post id> <ends> [winners=N] [condition=comment]` → (post, ends at, winners, condition)."""
    tokens = text.split()
    usage = "e.g. /giveaway 12 3d winners=2, or /giveaway 12 2026-11-08 19:00"
    if len(tokens) < 2 or not tokens[0].lstrip("#").isdigit():
        raise ValueError(f"Give the post id and when the giveaway ends, {usage}.")
    post_id = int(tokens[0].lstrip("#"))
    ends_at, used = parse_deadline(tokens[1:], now, tz)
    winners, condition = 1, "comment"
    for token in tokens[1 + used :]:
        key, sep, value = token.partition("=")
        key = key.lower()
        if key == "winners" and sep and value.isdigit() and 1 <= int(value) <= 100:
            winners = int(value)
        elif key == "condition" and sep and value.lower() == "comment":
            condition = "comment"
        elif key == "condition":
            raise ValueError(
                f"condition={value} is not supported; the only condition is comment "
                "(members who commented under the post)."
            )
        else:
            raise ValueError(f"'{token}' is not understood; {usage} (winners: 1 to 100).")
    if ends_at <= now:
        raise ValueError("The giveaway must end in the future.")
    return post_id, ends_at, winners, condition
