"""Plays the members' plan (`bot.demo.plan`) against the sandboxes in real time.

Each step waits for its moment, then becomes one control-API call: a channel post or
a VK wall post by the brand, a message in the Telegram group, a comment under a channel
post, a DM to the bot, a VK wall comment or a VK DM. A spam account first joins the
Telegram chat it spams, as real ones do. Calls the sandbox refuses (a muted or banned
account writing again) are counted, not retried.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from bot.aio import sleep_or_stop
from bot.demo.client import Answer, SandboxClient
from bot.demo.people import Persona
from bot.demo.plan import Publication, Say, Step
from bot.sandbox import sample


@dataclass
class MemberTally:
    """What the simulated members did so far."""

    sent: Counter[str] = field(default_factory=Counter)  # by the script's category
    by_platform: Counter[str] = field(default_factory=Counter)
    by_place: Counter[str] = field(default_factory=Counter)
    refused: int = 0  # writes the platform refused: the account was muted or banned
    failed: int = 0  # anything else that did not go through
    posts: int = 0  # the brand's channel and wall posts

    @property
    def total(self) -> int:
        return sum(self.sent.values())


class MemberSimulator:
    """Runs `steps` (from `plan`) until they end or `stop` is set."""

    def __init__(
        self,
        client: SandboxClient,
        steps: Iterator[Step],
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.steps = steps
        self.monotonic = monotonic
        self.tally = MemberTally()
        self.channel_threads: list[int] = []  # comment thread ids of the channel posts
        self.wall_posts: list[int] = []  # VK wall post ids
        self._vk_users: set[int] = set()
        self._joined: set[tuple[int, int]] = set()

    async def run(self, stop: asyncio.Event) -> None:
        started = self.monotonic()
        for step in self.steps:
            wait = started + step.at - self.monotonic()
            if wait > 0:
                await sleep_or_stop(stop, wait)
            if stop.is_set():
                return
            if isinstance(step, Publication):
                await self.publish(step)
            else:
                await self.say(step)

    async def publish(self, step: Publication) -> None:
        if step.platform == "telegram":
            answer = await self.client.telegram(
                "/sandbox/channel_posts", {"chat_id": sample.CHANNEL, "text": step.text}
            )
            forward = (answer.body or {}).get("automatic_forward") if answer.ok else None
            if forward:
                self.channel_threads.append(int(forward["message_id"]))
        else:
            answer = await self.client.vk(
                "/sandbox/wall_posts", {"group_id": sample.VK_GROUP_ID, "text": step.text}
            )
            if answer.ok:
                self.wall_posts.append(int(answer.body["post_id"]))
        if answer.ok:
            self.tally.posts += 1

    async def say(self, step: Say) -> None:
        answer = await self._deliver(step)
        if answer.ok:
            self.tally.sent[step.category] += 1
            self.tally.by_platform[step.platform] += 1
            self.tally.by_place[step.place] += 1
        elif answer.refused:
            self.tally.refused += 1
        else:
            self.tally.failed += 1

    async def _deliver(self, step: Say) -> Answer:
        author = step.author
        if step.place == "tg_group":
            await self._join(sample.COMMUNITY_GROUP, author)
            return await self.client.telegram_say(
                sample.COMMUNITY_GROUP, author.telegram_user(), step.text
            )
        if step.place == "tg_comment":
            await self._join(sample.DISCUSSION_GROUP, author)
            thread = _pick(self.channel_threads, step.post)
            return await self.client.telegram_say(
                sample.DISCUSSION_GROUP, author.telegram_user(), step.text, message_thread_id=thread
            )
        if step.place == "tg_dm":
            return await self.client.telegram_say(author.user_id, author.telegram_user(), step.text)
        await self._vk_user(author)
        if step.place == "vk_wall":
            post = _pick(self.wall_posts, step.post)
            if post is None:
                return Answer(0, None)
            body = {
                "group_id": sample.VK_GROUP_ID,
                "object": "wall",
                "object_id": post,
                "from_id": author.user_id,
                "text": step.text,
            }
            return await self.client.vk("/sandbox/comments", body)
        body = {"group_id": sample.VK_GROUP_ID, "from_id": author.user_id, "text": step.text}
        return await self.client.vk("/sandbox/messages", body)

    async def _join(self, chat_id: int, author: Persona) -> None:
        """A spam account joins right before it posts: the new-member signal is real."""
        if not author.spammer or (chat_id, author.user_id) in self._joined:
            return
        self._joined.add((chat_id, author.user_id))
        await self.client.telegram(
            "/sandbox/joins", {"chat_id": chat_id, "user": author.telegram_user()}
        )

    async def _vk_user(self, author: Persona) -> None:
        """VK shows names only for users it knows: create each once."""
        if author.user_id not in self._vk_users:
            answer = await self.client.vk("/sandbox/users", author.vk_user())
            if answer.ok:
                self._vk_users.add(author.user_id)


def _pick(items: list[int], index: int) -> int | None:
    """The `index`-th publication if it made it, else the newest one."""
    if not items:
        return None
    return items[index] if index < len(items) else items[-1]
