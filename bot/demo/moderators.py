"""Boris and Carol, simulated: they watch the moderators' chat and work the cards like people.

They see what a person sees — the chat's messages through the sandbox's control API —
and act the way a person does: press a card's buttons (`POST /sandbox/callbacks`) and
answer a member by replying to the card in its topic (`POST /sandbox/messages`), each
after a human-like pause. For every new card `choose_fate` (pure, seeded) decides what
will happen to it: answered promptly, answered late, answered without taking it first,
marked as spam, or left alone so its response-time target runs out and Steward
escalates it.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.aio import sleep_or_stop
from bot.demo import script
from bot.demo.client import SandboxClient
from bot.sandbox import sample
from bot.tickets.cards import CATEGORY_TITLE

POLL_SECONDS = 1.0  # how often they glance at the chat
EAGER_CARDS = 2  # the first cards of the shift that need an answer get one at once
LOW_PRIORITY = frozenset({"spam", "praise", "other"})  # never pounced on
_CARD_BUTTON = re.compile(r"^t:(\d+):")
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")
_TITLE_CATEGORY = {title: category for category, title in CATEGORY_TITLE.items()}
# Lines of a card that are Steward's, not the member's words (see bot.tickets.cards.render).
_CARD_LINE_PREFIXES = ("✉️", "Sentiment:", "State:", "⏱", "First response", "↩️", "🔥")


@dataclass(frozen=True)
class Card:
    """A ticket card as a moderator reads it off the chat."""

    ticket_id: int
    message_id: int
    thread_id: int | None  # the forum topic it sits in
    category: str  # a ticket category, or "unknown"
    lang: str  # what the member wrote in: "ru" or "en"
    is_open: bool  # it has Take/Resolve buttons (a resolved card offers only Reopen)
    can_mark_spam: bool  # it has a Spam button (possible spam, needs triage)


def read_card(message: Mapping[str, Any]) -> Card | None:
    """The card in a moderators'-chat message, or None when it is not a card."""
    if message.get("deleted"):
        return None
    markup = message.get("reply_markup") or {}
    data = [
        str(button.get("callback_data") or "")
        for row in markup.get("inline_keyboard") or []
        for button in row
    ]
    ids = {int(match.group(1)) for item in data if (match := _CARD_BUTTON.match(item))}
    if len(ids) != 1:
        return None
    ticket_id = ids.pop()
    text = str(message.get("text") or "")
    lines = text.split("\n")
    return Card(
        ticket_id=ticket_id,
        message_id=int(message["message_id"]),
        thread_id=message.get("message_thread_id"),
        category=_category(lines[0]),
        lang=_language(lines),
        is_open=f"t:{ticket_id}:res" in data,
        can_mark_spam=f"t:{ticket_id}:spam" in data,
    )


def _category(title_line: str) -> str:
    """ "🟠 #12 · Purchase / lead · high · 91%" → "purchase"."""
    parts = [part.strip() for part in title_line.split("·")]
    return _TITLE_CATEGORY.get(parts[1], "unknown") if len(parts) > 1 else "unknown"


def _language(lines: Sequence[str]) -> str:
    """The member's words follow the title, where and who lines; Cyrillic there means Russian."""
    quoted = [line for line in lines[3:] if not line.startswith(_CARD_LINE_PREFIXES)]
    return "ru" if quoted and _CYRILLIC.search(quoted[0]) else "en"


@dataclass(frozen=True)
class Fate:
    """What the moderators will do with one card; delays are seconds after they first see it."""

    kind: str  # "prompt", "slow", "direct", "spam" or "ignored"
    moderator: dict[str, Any] | None = None  # who acts
    take_after: float | None = None
    reply_after: float | None = None
    resolve_after: float | None = None
    mark_spam_after: float | None = None


def choose_fate(
    rng: random.Random, card: Card, moderators: Sequence[dict[str, Any]], *, eager: bool = False
) -> Fate:
    """Decide, the way a busy team would, what happens to a new card.

    `eager`: a shift that has just begun pounces on its first cards (and a short demo
    shows answers too).
    """
    who = rng.choice(list(moderators))
    roll = rng.random()
    if eager and card.category not in LOW_PRIORITY:
        take = rng.uniform(2, 4)
        reply = take + rng.uniform(3, 6)
        return Fate("prompt", who, take, reply, reply + rng.uniform(5, 15))
    if card.category == "spam":  # a "possible spam" card: most get marked, none answered
        if card.can_mark_spam and roll < 0.7:
            return Fate("spam", who, mark_spam_after=rng.uniform(4, 15))
        return Fate("ignored")
    if card.category in ("praise", "other"):
        if roll < 0.5:
            reply = rng.uniform(6, 25)
            return Fate("direct", who, reply_after=reply, resolve_after=reply + rng.uniform(3, 10))
        return Fate("ignored")
    if roll < 0.45:  # takes it at once and answers within the target
        take = rng.uniform(2, 8)
        reply = take + rng.uniform(3, 15)
        resolve = reply + rng.uniform(5, 30) if rng.random() < 0.6 else None
        return Fate("prompt", who, take, reply, resolve)
    if roll < 0.6:  # busy: takes it late and answers after the target has run out
        take = rng.uniform(15, 40)
        reply = take + rng.uniform(40, 90)
        resolve = reply + rng.uniform(5, 20) if rng.random() < 0.5 else None
        return Fate("slow", who, take, reply, resolve)
    if roll < 0.75:  # answers straight from the card without pressing Take
        reply = rng.uniform(8, 30)
        resolve = reply + rng.uniform(5, 20) if rng.random() < 0.3 else None
        return Fate("direct", who, None, reply, resolve)
    return Fate("ignored")


@dataclass
class ModeratorTally:
    """What the simulated moderators did so far."""

    seen: int = 0  # cards noticed
    taken: int = 0
    replied: int = 0
    resolved: int = 0
    marked_spam: int = 0
    left_alone: int = 0  # cards nobody will touch: their targets run out


@dataclass(order=True)
class _Due:
    at: float  # monotonic seconds
    order: int
    action: str = field(compare=False)  # "take", "reply", "resolve" or "spam"
    ticket_id: int = field(compare=False)
    moderator: dict[str, Any] = field(compare=False)


class ModeratorSimulator:
    """Watches the moderators' chat and carries out each card's fate."""

    def __init__(
        self,
        client: SandboxClient,
        rng: random.Random,
        *,
        moderators: Sequence[dict[str, Any]] = tuple(sample.MODERATORS[1:]),
        chat_id: int = sample.MODERATORS_CHAT,
        poll_seconds: float = POLL_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.rng = rng
        self.moderators = list(moderators)
        self.chat_id = chat_id
        self.poll_seconds = poll_seconds
        self.monotonic = monotonic
        self.tally = ModeratorTally()
        self.cards: dict[int, Card] = {}
        self.fates: dict[int, Fate] = {}
        self._due: list[_Due] = []
        self._order = 0
        self._eager_left = EAGER_CARDS

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.look()
            await self.act()
            await sleep_or_stop(stop, self.poll_seconds)

    async def look(self) -> None:
        """Read the chat; give each card seen for the first time its fate."""
        now = self.monotonic()
        for message in await self.client.telegram_messages(self.chat_id):
            card = read_card(message)
            if card is None:
                continue
            self.cards[card.ticket_id] = card
            if card.ticket_id not in self.fates:
                self._plan(card, now)

    def _plan(self, card: Card, now: float) -> None:
        eager = self._eager_left > 0 and card.category not in LOW_PRIORITY
        self._eager_left -= eager
        fate = choose_fate(self.rng, card, self.moderators, eager=eager)
        self.fates[card.ticket_id] = fate
        self.tally.seen += 1
        if fate.moderator is None:
            self.tally.left_alone += 1
            return
        for action, delay in (
            ("take", fate.take_after),
            ("reply", fate.reply_after),
            ("resolve", fate.resolve_after),
            ("spam", fate.mark_spam_after),
        ):
            if delay is not None:
                self._order += 1
                self._due.append(
                    _Due(now + delay, self._order, action, card.ticket_id, fate.moderator)
                )
        self._due.sort()

    async def act(self) -> None:
        """Carry out every action whose moment has come, on the card as it is now."""
        now = self.monotonic()
        while self._due and self._due[0].at <= now:
            due = self._due.pop(0)
            card = self.cards[due.ticket_id]
            if not card.is_open:
                continue  # someone resolved it meanwhile; Take would reopen it
            if due.action == "reply":
                await self._reply(card, due.moderator)
            elif due.action == "spam":
                if card.can_mark_spam:
                    await self._press(card, due.moderator, "spam")
                    self.tally.marked_spam += 1
            else:
                await self._press(card, due.moderator, "take" if due.action == "take" else "res")
                if due.action == "take":
                    self.tally.taken += 1
                else:
                    self.tally.resolved += 1

    async def _press(self, card: Card, moderator: dict[str, Any], action: str) -> None:
        await self.client.press(
            self.chat_id, card.message_id, moderator, f"t:{card.ticket_id}:{action}"
        )

    async def _reply(self, card: Card, moderator: dict[str, Any]) -> None:
        text = script.moderator_reply(self.rng, card.category, card.lang)
        answer = await self.client.telegram_say(
            self.chat_id,
            moderator,
            text,
            reply_to_message_id=card.message_id,
            message_thread_id=card.thread_id,
        )
        if answer.ok:
            self.tally.replied += 1
