"""Reading and writing the short durations admins type: `4h`, `90m`, `1h30m`, `7d`, `24ч`.

Shared by the policies that take durations from commands (promo gap, mute length,
ladder window). `parse_duration` raises `ValueError` with a sentence an admin can act on;
`format_duration` gives the compact form used in messages ("1 h 30 min", "7 days").
"""

from __future__ import annotations

import re
from datetime import timedelta

# Unit spellings an admin may type, English and Russian, mapped to seconds.
_UNIT_SECONDS: dict[str, int] = {
    "s": 1,
    "sec": 1,
    "с": 1,
    "сек": 1,
    "m": 60,
    "min": 60,
    "мин": 60,
    "м": 60,
    "h": 3600,
    "hr": 3600,
    "ч": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "д": 86400,
    "дн": 86400,
    "w": 604800,
    "week": 604800,
    "weeks": 604800,
    "н": 604800,
    "нед": 604800,
}

_PART = re.compile(r"(\d+)\s*([a-zа-я]+)", re.IGNORECASE)


def parse_duration(text: str) -> timedelta:
    """`"4h"` → 4 hours; parts add up (`"1h30m"`); a bare `"0"` is zero.

    Raises ValueError naming the text and showing accepted forms.
    """
    cleaned = text.strip().lower()
    if cleaned == "0":
        return timedelta(0)
    total = 0
    position = 0
    for match in _PART.finditer(cleaned):
        if cleaned[position : match.start()].strip():
            break
        unit = match.group(2)
        if unit not in _UNIT_SECONDS:
            raise ValueError(
                f"'{text}' has an unknown unit '{unit}'. "
                "Use s, m, h, d or w, e.g. 30m, 4h, 1h30m, 7d."
            )
        total += int(match.group(1)) * _UNIT_SECONDS[unit]
        position = match.end()
    if position == 0 or cleaned[position:].strip():
        raise ValueError(f"'{text}' is not a duration. Write it like 30m, 4h, 1h30m or 7d.")
    return timedelta(seconds=total)


def format_duration(duration: timedelta) -> str:
    """Compact human form: "45 s", "10 min", "1 h 30 min", "24 h", "7 days"."""
    seconds = int(duration.total_seconds())
    if seconds == 0:
        return "0 min"
    if seconds % 86400 == 0 and seconds >= 2 * 86400:
        return f"{seconds // 86400} days"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(f"{hours} h")
    if minutes:
        parts.append(f"{minutes} min")
    if secs:
        parts.append(f"{secs} s")
    return " ".join(parts)
