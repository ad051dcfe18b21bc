"""The demo's terminal summary: what to render (pure) and how to show it (redraw or lines).

`render_block` is the readable block (redrawn in place on a terminal, printed once at
the end); `render_line` is its one-line form for logs and pipes. Both take a `Snapshot`
and tolerate any section of the stats being missing: features arrive one by one.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from bot.demo.figures import Figures
from bot.demo.members import MemberTally
from bot.demo.moderators import ModeratorTally
from bot.sandbox import sample

CATEGORY_ORDER = ("purchase", "support", "complaint", "praise", "other", "spam")
OPEN_STATES = ("new", "assigned", "waiting")
LABEL_WIDTH = 18


@dataclass(frozen=True)
class Snapshot:
    """Everything one refresh shows."""

    elapsed: float  # seconds since the members started
    duration: float  # the planned length in seconds; 0 = until Ctrl-C
    seed: int
    rate: float  # messages a minute
    figures: Figures | None  # None until the first reading
    members: MemberTally
    moderators: ModeratorTally
    phase: str = "running"  # "running", "finishing" or "finished"


def clock(seconds: float) -> str:
    """1:05, 12:00, 1:02:03."""
    whole = max(int(seconds), 0)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _seconds(value: Any) -> str:
    return "—" if value is None else f"{float(value):.0f} s"


def _percent(value: Any) -> str:
    return "—" if value is None else f"{float(value):.0%}"


def _section(stats: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    section = stats.get(name)
    return section if isinstance(section, Mapping) else None


def _header(snapshot: Snapshot) -> str:
    if snapshot.phase == "finished":
        when = f"finished after {clock(snapshot.elapsed)}"
    elif snapshot.phase == "finishing":
        when = f"{clock(snapshot.elapsed)} · finishing: Steward handles what is already in"
    elif snapshot.duration > 0:
        when = f"{clock(snapshot.elapsed)} of {clock(snapshot.duration)} · Ctrl-C stops it"
    else:
        when = f"{clock(snapshot.elapsed)} · Ctrl-C stops it"
    return f"Steward demo · {when} · seed {snapshot.seed} · {snapshot.rate:g} messages/min"


def _row(label: str, text: str) -> str:
    return f"{label:<{LABEL_WIDTH}}{text}"


def render_block(snapshot: Snapshot) -> list[str]:
    """The summary as a few labelled lines."""
    members, mods = snapshot.members, snapshot.moderators
    stats = snapshot.figures.stats if snapshot.figures else {}
    lines = [_header(snapshot)]
    wrote = f"{members.total} · Telegram {members.by_platform.get('telegram', 0)}"
    wrote += f" · VK {members.by_platform.get('vk', 0)}"
    if members.refused:
        wrote += f" · {members.refused} refused (muted or banned accounts)"
    lines.append(_row("Members wrote", wrote))
    sorted_ = snapshot.figures.by_category if snapshot.figures else {}
    lines.append(
        _row(
            "Steward sorted",
            " · ".join(f"{name} {sorted_.get(name, 0)}" for name in CATEGORY_ORDER),
        )
    )
    spam = _section(stats, "spam")
    if spam is None:
        lines.append(_row("Spam removed", "— (not counted by this version)"))
    else:
        lines.append(
            _row("Spam removed", f"{spam.get('removed', 0)} · restored {spam.get('restored', 0)}")
        )
    tickets = _section(stats, "tickets")
    if tickets is None:
        lines.append(_row("Tickets", "—"))
    else:
        by_state = tickets.get("by_state") or {}
        opened = sum(int(by_state.get(state, 0)) for state in OPEN_STATES)
        lines.append(
            _row(
                "Tickets",
                f"{tickets.get('total', 0)} · open {opened}"
                f" · resolved {by_state.get('resolved', 0)}"
                f" · SLA missed {tickets.get('sla_missed', 0)}"
                f" · escalations {tickets.get('breaches', 0)}",
            )
        )
    replies = snapshot.figures.replies if snapshot.figures else {}
    answered = f"{replies.get('sent', 0)}"
    waiting = replies.get("pending", 0) + replies.get("sending", 0)
    if waiting:
        answered += f" (+{waiting} on the way)"
    if tickets is not None:
        times = tickets.get("first_response_seconds") or {}
        answered += f" · first response median {_seconds(times.get('median'))}"
        answered += f", p90 {_seconds(times.get('p90'))}"
        answered += f" · SLA hit rate {_percent(tickets.get('sla_hit_rate'))}"
    lines.append(_row("Replies delivered", answered))
    lines.append(
        _row(
            "Moderators",
            f"Boris & Carol took {mods.taken} · replied {mods.replied}"
            f" · resolved {mods.resolved} · marked spam {mods.marked_spam}"
            f" · left {mods.left_alone} alone",
        )
    )
    outbox = _section(stats, "outbox")
    by_status = (outbox or {}).get("by_status") or {}
    lines.append(
        _row(
            "Outbox",
            f"{by_status.get('sent', 0)} sent · {by_status.get('pending', 0)} pending"
            f" · {by_status.get('failed', 0)} failed",
        )
    )
    return lines


def render_line(snapshot: Snapshot) -> str:
    """The summary on one line, for output that is not a terminal."""
    stats = snapshot.figures.stats if snapshot.figures else {}
    spam = _section(stats, "spam")
    tickets = _section(stats, "tickets") or {}
    by_state = tickets.get("by_state") or {}
    opened = sum(int(by_state.get(state, 0)) for state in OPEN_STATES)
    replies = snapshot.figures.replies if snapshot.figures else {}
    times = tickets.get("first_response_seconds") or {}
    parts = [
        f"[{clock(snapshot.elapsed)}] members wrote {snapshot.members.total}",
        f"spam removed {'—' if spam is None else spam.get('removed', 0)}",
        f"tickets {tickets.get('total', 0)} (open {opened}, SLA missed "
        f"{tickets.get('sla_missed', 0)})",
        f"replies delivered {replies.get('sent', 0)}",
        f"first response median {_seconds(times.get('median'))}",
    ]
    return " · ".join(parts)


def where_to_look(telegram_url: str, vk_url: str) -> list[str]:
    """The sandbox addresses that show the demo from the inside (plain HTTP GET)."""
    rows = [
        ("moderators' chat: cards, reminders", telegram_url, sample.MODERATORS_CHAT),
        ("Telegram community group", telegram_url, sample.COMMUNITY_GROUP),
        ("channel comments", telegram_url, sample.DISCUSSION_GROUP),
    ]
    lines = ["Where to look while it runs (GET with curl or a browser):"]
    lines += [f"  {label:<34} {url}/sandbox/chats/{chat}/messages" for label, url, chat in rows]
    lines.append(
        f"  {'VK wall with comments':<34} {vk_url}/sandbox/groups/{sample.VK_GROUP_ID}/wall"
    )
    lines.append(
        f"  {'every API call Steward made':<34} {telegram_url}/sandbox/log · {vk_url}/sandbox/log"
    )
    return lines


class LiveView:
    """Shows snapshots: redrawn in place on a terminal, one line per refresh elsewhere."""

    def __init__(self, stream: TextIO, *, interactive: bool | None = None) -> None:
        self.stream = stream
        if interactive is None:
            interactive = bool(getattr(stream, "isatty", lambda: False)())
        self.interactive = interactive
        self._drawn = 0  # lines of the block currently on screen

    def show(self, snapshot: Snapshot) -> None:
        if self.interactive:
            width = shutil.get_terminal_size((100, 24)).columns
            self._redraw([_fit(line, width) for line in render_block(snapshot)])
        else:
            self.stream.write(render_line(snapshot) + "\n")
        self.stream.flush()

    def _redraw(self, lines: Sequence[str]) -> None:
        if self._drawn:
            # Up to the block's first line, then clear from there to the end of the screen.
            self.stream.write(f"\x1b[{self._drawn}A\r\x1b[J")
        self.stream.write("\n".join(lines) + "\n")
        self._drawn = len(lines)

    def release(self) -> None:
        """Leave the last block on screen; whatever is printed next goes below it."""
        self._drawn = 0


def _fit(line: str, width: int) -> str:
    """Cut a line to the terminal width, so a wrapped line never spoils the redraw."""
    return line if len(line) < width else line[: max(width - 2, 10)] + "…"
