"""The members' side of the demo as a seeded, endless, time-ordered plan.

`plan(seed, rate)` yields `Publication`s (the brand posts in its channel or on its VK
wall) and `Say`s (a member writes somewhere), each with `at`, seconds from the start.
It is pure: no clock, no I/O, one `random.Random(seed)` — the same seed gives the same
stream, which the simulator then plays in real time.

The stream mixes, at `rate` messages a minute in all:
- regular members asking purchase and support questions, complaining, praising and
  chatting, in Russian and English, in the five places members write;
- now and then a member who is still waiting writes again (a nudge);
- spam bursts: a few new accounts post the same campaign several times within a few
  seconds (look-alike letters, invite links) — the first one early, so a short demo
  shows removals too.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from bot.demo import script
from bot.demo.people import TELEGRAM, VK, Persona, regulars, spam_account

# Where members write: Telegram group, channel comments, DMs to the bot; VK wall comments, DMs.
PLACES: tuple[str, ...] = ("tg_group", "tg_comment", "tg_dm", "vk_wall", "vk_dm")
PLACE_PLATFORM: Mapping[str, str] = {
    "tg_group": TELEGRAM,
    "tg_comment": TELEGRAM,
    "tg_dm": TELEGRAM,
    "vk_wall": VK,
    "vk_dm": VK,
}
COMMENT_PLACES = frozenset({"tg_comment", "vk_wall"})
PLACE_WEIGHTS: Mapping[str, float] = {
    "tg_group": 0.28,
    "tg_comment": 0.26,
    "tg_dm": 0.06,
    "vk_wall": 0.34,
    "vk_dm": 0.06,
}
# What people write about depends on where. In groups and under posts most of it is chatter
# and reactions; DMs are mostly questions — and every DM becomes a ticket. About a third of
# all messages need a person, which is what a real community sends its moderators.
CATEGORY_WEIGHTS: Mapping[str, Mapping[str, float]] = {
    "group": {"purchase": 0.12, "support": 0.08, "complaint": 0.07, "praise": 0.18, "other": 0.55},
    "comment": {"purchase": 0.1, "support": 0.05, "complaint": 0.08, "praise": 0.35, "other": 0.42},
    "dm": {"purchase": 0.35, "support": 0.3, "complaint": 0.15, "praise": 0.1, "other": 0.1},
}
SPAM_PLACE_WEIGHTS: Mapping[str, float] = {
    "tg_group": 0.3,
    "tg_comment": 0.3,
    "vk_wall": 0.3,
    "tg_dm": 0.05,
    "vk_dm": 0.05,
}
LANG_WEIGHTS: Mapping[str, float] = {"ru": 0.6, "en": 0.4}

SPAM_SHARE = 0.12  # of all messages, written in bursts
BURST_MESSAGES = (3, 6)  # messages in one burst, inclusive
BURST_ACCOUNTS = (1, 3)  # new accounts in one burst, inclusive
BURST_GAP_SECONDS = (0.3, 1.2)  # between two messages of a burst
FIRST_BURST_AT = 6.0  # seconds: early, so even a 20-second demo removes spam
POST_EVERY_SECONDS = 45.0  # the brand publishes about this often, alternating platforms
NUDGE_SHARE = 0.1  # of regular messages: a waiting member writes again
NUDGE_CATEGORIES = frozenset({"purchase", "support", "complaint"})
WAITING_REMEMBERED = 12  # recent askers a nudge may come from


@dataclass(frozen=True)
class Publication:
    """The brand publishes: a channel post (its comments open in the discussion group) or a
    VK wall post."""

    at: float  # seconds from the start
    platform: str  # TELEGRAM (channel) or VK (wall)
    text: str


@dataclass(frozen=True)
class Say:
    """A member writes one message."""

    at: float  # seconds from the start
    place: str  # one of PLACES
    author: Persona
    category: str  # what the script meant it to be (script.CATEGORIES); Steward decides itself
    text: str
    post: int = 0  # for comments: which publication on that platform (0 = the first)
    burst: int | None = None  # the spam burst it belongs to
    nudge: bool = False  # a follow-up from a member still waiting

    @property
    def platform(self) -> str:
        return PLACE_PLATFORM[self.place]


Step = Publication | Say


def _weighted(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _place_kind(place: str) -> str:
    if place in COMMENT_PLACES:
        return "comment"
    return "dm" if place.endswith("_dm") else "group"


class _Planner:
    """The mutable state behind `plan`: counters, posts so far, who is waiting."""

    def __init__(self, seed: int, rate: float, first_burst_at: float) -> None:
        if rate <= 0:
            raise ValueError("The demo's rate must be more than zero messages a minute.")
        self.rng = random.Random(seed)
        per_second = rate / 60.0
        self.regular_per_second = per_second * (1 - SPAM_SHARE)
        mean_burst = sum(BURST_MESSAGES) / 2
        self.burst_mean_gap = mean_burst / (per_second * SPAM_SHARE)
        self.first_burst_at = first_burst_at
        self.cast = {TELEGRAM: regulars(TELEGRAM), VK: regulars(VK)}
        self.posts = {TELEGRAM: 0, VK: 0}
        self.bursts = 0
        self.spam_accounts = 0
        self.waiting: list[Say] = []

    def publication(self, at: float, platform: str) -> Publication:
        self.posts[platform] += 1
        lang = _weighted(self.rng, LANG_WEIGHTS)
        return Publication(at, platform, script.channel_post(self.rng, lang))

    def _post_for(self, place: str) -> int:
        """A recent publication on the place's platform: mostly the newest."""
        count = self.posts[PLACE_PLATFORM[place]]
        back = min(int(self.rng.expovariate(1.5)), count - 1)
        return max(count - 1 - back, 0)

    def regular(self, at: float) -> Say:
        rng = self.rng
        if self.waiting and rng.random() < NUDGE_SHARE:
            earlier = self.waiting.pop(rng.randrange(len(self.waiting)))
            text = script.nudge(rng, earlier.author.lang)
            return Say(
                at, earlier.place, earlier.author, earlier.category, text, earlier.post, nudge=True
            )
        place = _weighted(rng, PLACE_WEIGHTS)
        author = rng.choice(self.cast[PLACE_PLATFORM[place]])
        category = _weighted(rng, CATEGORY_WEIGHTS[_place_kind(place)])
        text = script.compose(rng, category, author.lang)
        post = self._post_for(place) if place in COMMENT_PLACES else 0
        said = Say(at, place, author, category, text, post)
        if category in NUDGE_CATEGORIES:
            self.waiting = [*self.waiting, said][-WAITING_REMEMBERED:]
        return said

    def burst(self, at: float) -> list[Say]:
        """Several new accounts post one campaign a few times within seconds."""
        rng = self.rng
        self.bursts += 1
        place = _weighted(rng, SPAM_PLACE_WEIGHTS)
        platform = PLACE_PLATFORM[place]
        lang = _weighted(rng, LANG_WEIGHTS)
        accounts = []
        for _ in range(rng.randint(*BURST_ACCOUNTS)):
            self.spam_accounts += 1
            accounts.append(spam_account(platform, self.spam_accounts, lang))
        template = rng.choice(script.SPAM_CORES[lang])
        link = script.invite_link(rng)
        post = self._post_for(place) if place in COMMENT_PLACES else 0
        messages = []
        for index in range(rng.randint(*BURST_MESSAGES)):
            text = script.spam_text(rng, lang, link, template=template)
            author = accounts[index % len(accounts)]
            messages.append(Say(at, place, author, "spam", text, post, burst=self.bursts))
            at += rng.uniform(*BURST_GAP_SECONDS)
        return messages


def plan(seed: int, rate: float, *, first_burst_at: float = FIRST_BURST_AT) -> Iterator[Step]:
    """The demo's endless member stream, in time order (see the module docstring)."""
    planner = _Planner(seed, rate, first_burst_at)
    rng = planner.rng
    yield planner.publication(0.0, TELEGRAM)
    yield planner.publication(0.0, VK)
    order = itertools.count()  # ties in time keep the order they were made in
    pending: list[tuple[float, int, Step]] = []
    next_regular = rng.expovariate(planner.regular_per_second)
    next_burst = first_burst_at
    next_post = POST_EVERY_SECONDS
    post_platforms = itertools.cycle((TELEGRAM, VK))
    while True:
        upcoming = min(next_regular, next_burst, next_post)
        while pending and pending[0][0] <= upcoming:
            yield heapq.heappop(pending)[2]
        steps: Sequence[Step]
        if upcoming == next_post:
            steps = [planner.publication(upcoming, next(post_platforms))]
            next_post += POST_EVERY_SECONDS * rng.uniform(0.8, 1.2)
        elif upcoming == next_burst:
            steps = planner.burst(upcoming)
            next_burst += max(5.0, rng.expovariate(1 / planner.burst_mean_gap))
        else:
            steps = [planner.regular(upcoming)]
            next_regular += rng.expovariate(planner.regular_per_second)
        for step in steps:
            heapq.heappush(pending, (step.at, next(order), step))
