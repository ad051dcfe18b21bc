"""The content scheduler and its outbox hook over a real database (SQLite and PostgreSQL).

No platform here: a small stand-in sender takes what the scheduler queued from the
outbox, answers as the platform would, and runs the real hook. Inbound events are
built from raw platform updates by the real normalisers and stored by the real inbox.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import inbox
from bot.content import service
from bot.content.hooks import make_content_hook
from bot.content.publisher import render_vk_attachments
from bot.content.scheduler import ContentScheduler
from bot.content.targets import settings_of
from bot.outbox import Outcome
from bot.outbox.refs import register_renderer, resolve
from bot.outbox.store import claim, finish
from bot.platforms.telegram.normalize import normalize_update
from bot.platforms.vk.normalize import normalize_event
from bot.policy.giveaway import draw
from bot.policy.promo import PublishedPost, RatioPolicy, check, is_promotional
from bot.stats import post_figures
from bot.tickets.workspace import Workspace
from models import (
    Classification,
    Community,
    Giveaway,
    InboundRecord,
    OutboxItem,
    Post,
    Publication,
    Staff,
)

MONDAY = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
CHANNEL = -1001000000003
DISCUSSION = -1001000000004
VK_GROUP = 2000001
MODS = -1001000000001
BOT = "1000001"
ADMIN_CHAT = -1001000000001
WS = Workspace(moderators_chat_id=MODS, telegram_account=BOT)

Answer = Callable[[OutboxItem], Outcome]


async def targets(session: AsyncSession, *, telegram: bool = True, vk: bool = True) -> None:
    if telegram:
        session.add(
            Community(
                platform="telegram",
                external_id=str(CHANNEL),
                kind="channel",
                title="Brand channel",
                bot_is_admin=True,
                bot_status="administrator",
                settings={},
            )
        )
    if vk:
        session.add(
            Community(platform="vk", external_id=str(VK_GROUP), kind="vk_community", settings={})
        )
    await session.flush()


def platform_answer(item: OutboxItem) -> Outcome:
    """What the platforms answer to each call the content plan makes."""
    method, params = item.method, item.params
    if method in ("sendMessage", "sendPoll"):
        result: dict[str, Any] = {"message_id": 100 + item.id, "chat": {"id": params["chat_id"]}}
        if method == "sendPoll":
            result["poll"] = {"id": f"tgpoll{item.id}"}
        return Outcome.sent(result)
    if method == "stopPoll":
        options = [{"text": "A", "voter_count": 2}, {"text": "B", "voter_count": 1}]
        return Outcome.sent({"options": options, "total_voter_count": 3})
    if method == "wall.post":
        return Outcome.sent({"response": {"post_id": 500 + item.id}})
    if method == "polls.create":
        return Outcome.sent({"response": {"id": 9, "owner_id": -VK_GROUP}})
    if method == "polls.getById":
        answers = [{"text": "A", "votes": 4}, {"text": "B", "votes": 6}]
        return Outcome.sent({"response": {"answers": answers, "votes": 10}})
    return Outcome.sent({"value": True})


async def deliver(
    sessions: async_sessionmaker[AsyncSession], answer: Answer = platform_answer
) -> list[OutboxItem]:
    """Send everything pending the way the outbox worker does, with `answer` as the platform."""
    hook = make_content_hook(sessions, WS, lambda: None)
    sent: list[OutboxItem] = []
    for _ in range(20):  # lanes release one item per round
        items = [
            item
            for platform, account in (("telegram", BOT), ("vk", str(VK_GROUP)))
            for item in await claim(sessions, platform=platform, account=account)
        ]
        if not items:
            return sent
        for item in items:
            async with sessions() as session:
                item.params = await resolve(session, item.params)
            outcome = answer(item)
            status = await finish(sessions, item, outcome, max_attempts=3)
            await hook(item, status, outcome)
            sent.append(item)
    raise AssertionError("the outbox never drained")


async def queued(sessions: async_sessionmaker[AsyncSession], prefix: str) -> list[OutboxItem]:
    async with sessions() as session:
        items = await session.scalars(
            select(OutboxItem)
            .where(OutboxItem.idempotency_key.like(f"{prefix}%"))
            .order_by(OutboxItem.id)
        )
        return list(items)


async def add_post(
    sessions: async_sessionmaker[AsyncSession], now: datetime, kind: str, text: str, **extra: Any
) -> int:
    async with sessions() as session, session.begin():
        communities = list(await session.scalars(select(Community).order_by(Community.id)))
        post = await service.queue_post(
            session,
            kind=kind,
            text=text,
            targets=[c for c in communities if c.kind in ("channel", "vk_community")],
            origin=service.Origin(actor="tg:500", chat_id=ADMIN_CHAT, message_id=77),
            now=now,
            **extra,
        )
        return post.id


def scheduler(sessions: async_sessionmaker[AsyncSession], *, vk: bool = True) -> ContentScheduler:
    return ContentScheduler(sessions, WS, vk_group_ids=[VK_GROUP] if vk else [])


async def test_a_promotion_that_would_break_the_ratio_is_moved_and_its_author_told(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        await targets(session, vk=False)
    for number in range(4):
        await add_post(sessions, MONDAY, "useful", f"Tip {number}", requested="now")
    first = await add_post(sessions, MONDAY, "promo", "Sale A", requested="now")
    for number in range(4):
        await add_post(sessions, MONDAY, "entertaining", f"Fun {number}", requested="next")
    second = await add_post(sessions, MONDAY, "promo", "Sale B", requested="now")
    steward = scheduler(sessions)

    await steward.tick(MONDAY)
    sends = await queued(sessions, "content:post:")
    # The 10:00 slot takes the first `next` post; the `now` posts go out at once too.
    assert [item.params["text"] for item in sends] == ["Fun 0"] + [f"Tip {n}" for n in range(4)] + [
        "Sale A"
    ]
    assert all(item.params["parse_mode"] == "HTML" for item in sends)
    (notice,) = await queued(sessions, "content:moved:")
    assert notice.params["chat_id"] == ADMIN_CHAT
    assert notice.params["reply_parameters"]["message_id"] == 77
    assert f"Post #{second} (promo)" in notice.params["text"]
    assert "03.11 14:00 UTC" in notice.params["text"]
    assert "never two in a row" in notice.params["text"]
    await deliver(sessions)

    # Two days, looking at every slot and at each midnight (when a "now" promotion would
    # first be allowed again), twice each: nothing is published or told twice.
    for day in range(3):
        for hour in (0, 10, 14, 19):
            moment = MONDAY.replace(hour=hour) + timedelta(days=day)
            if moment < MONDAY:
                continue
            await steward.tick(moment)
            await steward.tick(moment)
            await deliver(sessions)
    assert len(await queued(sessions, "content:moved:")) == 1
    async with sessions() as session:
        rows = (
            await session.execute(
                select(Post.id, Post.kind, Publication.published_at)
                .join(Publication, Publication.post_id == Post.id)
                .order_by(Publication.published_at, Publication.id)
            )
        ).all()
    assert all(at is not None for _, _, at in rows)
    by_post = {post_id: at for post_id, _, at in rows}
    assert by_post[first] - MONDAY < timedelta(seconds=1)
    assert by_post[second] == datetime(2026, 11, 3, 14, 0, tzinfo=UTC)
    history: list[PublishedPost] = []
    for _, kind, at in rows:  # every promotion was allowed by the policy when it went out
        assert check(RatioPolicy(), history, kind, at, UTC).ok or not is_promotional(kind)
        history.append(PublishedPost(kind, at))
    assert len(await queued(sessions, "content:post:")) == 10


async def test_expiry_deletes_every_copy_and_a_late_flash_sale_is_dropped(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        await targets(session)
        for community in await session.scalars(select(Community)):
            settings = await settings_of(session, community)
            # Promotions may follow each other, but at most one a day.
            settings.ratio_policy = RatioPolicy(max_share=1.0, allow_consecutive=True).to_dict()
    sale = await add_post(
        sessions,
        MONDAY,
        "promo",
        "<b>Flash</b> sale",
        requested="now",
        expires_after=timedelta(hours=2),
    )
    late = await add_post(
        sessions,
        MONDAY,
        "promo",
        "Second sale",
        requested="now",
        expires_at=MONDAY + timedelta(hours=3),
    )
    steward = scheduler(sessions)
    await steward.tick(MONDAY)
    await deliver(sessions)
    tg, vk = await queued(sessions, f"content:post:{sale}:")
    assert tg.method == "sendMessage" and tg.params["text"] == "<b>Flash</b> sale"
    assert vk.method == "wall.post" and vk.params == {
        "owner_id": -VK_GROUP,
        "from_group": 1,
        "message": "Flash sale",
    }

    await steward.tick(MONDAY + timedelta(hours=2))
    deletions = await queued(sessions, "content:delete:")
    assert {
        (d.method, d.params.get("message_id") or d.params.get("post_id")) for d in deletions
    } == {
        ("deleteMessage", 100 + tg.id),
        ("wall.delete", 500 + vk.id),
    }
    await deliver(sessions)
    async with sessions() as session:
        states = set(
            await session.scalars(select(Publication.state).where(Publication.post_id == sale))
        )
    assert states == {"deleted"}

    # The second sale waited for the next day (one a day), past its own end: never published.
    await steward.tick(MONDAY + timedelta(days=1))
    assert await queued(sessions, f"content:post:{late}:") == []
    expired = await queued(sessions, "content:expired:")
    assert len(expired) == 2 and "expired at 02.11 13:00 UTC" in expired[0].params["text"]


async def test_evergreen_fills_empty_slots_and_the_cadence_warning_comes_once_a_day(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        await targets(session, vk=False)
        session.add(Staff(telegram_user_id=500, username="alice_admin", role="admin"))
    filler = await add_post(sessions, MONDAY, "useful", "Evergreen tip", evergreen=True)
    steward = scheduler(sessions, vk=False)
    await steward.tick(MONDAY)
    await steward.tick(MONDAY + timedelta(hours=1))
    (published,) = await queued(sessions, f"content:post:{filler}:")
    assert published.params["text"] == "Evergreen tip"
    (warning,) = await queued(sessions, "content:cadence:")
    assert warning.params["chat_id"] == MODS
    assert "Only 1 post is planned for the next 7 days" in warning.params["text"]
    assert "@alice_admin" in warning.params["text"]
    await steward.tick(MONDAY + timedelta(days=1))
    assert len(await queued(sessions, "content:cadence:")) == 2


async def test_polls_on_both_platforms_and_results_for_the_admins(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    register_renderer("content_vk_attachments", render_vk_attachments)
    async with sessions() as session, session.begin():
        await targets(session)
    post_id = await add_post(sessions, MONDAY, "poll", "Which one?", requested="now")
    async with sessions() as session, session.begin():
        post = await session.get(Post, post_id)
        assert post is not None
        await service.add_poll(
            session, post, "Which one?", ["A", "B"], closes_after=timedelta(hours=2), closes_at=None
        )
    steward = scheduler(sessions)
    await steward.tick(MONDAY)
    sent = await deliver(sessions)
    methods = [item.method for item in sent]
    assert methods.index("polls.create") < methods.index("wall.post")
    wall = next(item for item in sent if item.method == "wall.post")
    assert wall.params["attachments"] == f"poll-{VK_GROUP}_9"
    tg = next(item for item in sent if item.method == "sendPoll")
    assert tg.params["options"] == ["A", "B"] and tg.params["chat_id"] == CHANNEL

    await steward.tick(MONDAY + timedelta(hours=2))
    closes = await deliver(sessions)
    assert {item.method for item in closes} >= {"stopPoll", "polls.getById"}
    results = [item.params["text"] for item in await queued(sessions, "content:poll_results:")]
    assert any("A — 2" in text and "Voters: 3" in text for text in results)
    assert any("B — 6" in text and "Voters: 10" in text for text in results)


async def test_a_publication_that_fails_is_reported_to_the_admins(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        await targets(session, telegram=False)
    post_id = await add_post(sessions, MONDAY, "news", "News", requested="now")
    await scheduler(sessions).tick(MONDAY)
    await deliver(sessions, lambda item: Outcome.failed("access denied (VK error 15)"))
    async with sessions() as session:
        (publication,) = await session.scalars(
            select(Publication).where(Publication.post_id == post_id)
        )
    assert publication.state == "failed" and "error 15" in (publication.error or "")
    (report,) = await queued(sessions, "content:publish_failed:")
    assert "not published to VK community (vk:2000001)" in report.params["text"]


def _vk_comment(comment_id: int, author: int, post_id: int, at: datetime) -> dict[str, Any]:
    return {
        "type": "wall_reply_new",
        "event_id": f"c{comment_id}",
        "object": {
            "id": comment_id,
            "from_id": author,
            "post_id": post_id,
            "owner_id": -VK_GROUP,
            "post_owner_id": -VK_GROUP,
            "date": int(at.timestamp()),
            "text": "Хочу участвовать!",
        },
    }


def _tg_update(update_id: int, message: dict[str, Any]) -> dict[str, Any]:
    return {"update_id": update_id, "message": message}


async def test_a_giveaway_draws_only_among_eligible_commenters(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        await targets(session)
        session.add(Staff(telegram_user_id=500, username="alice_admin", role="admin"))
        for community in await session.scalars(select(Community)):
            (await settings_of(session, community)).ratio_policy = {"max_share": 1.0}
    post_id = await add_post(sessions, MONDAY, "giveaway", "Win a mug!", requested="now")
    steward = scheduler(sessions)
    await steward.tick(MONDAY)
    await deliver(sessions)
    ends = MONDAY + timedelta(days=1)
    async with sessions() as session, session.begin():
        post = await session.get(Post, post_id)
        assert post is not None
        giveaway = await service.create_giveaway(
            session, post, ends_at=ends, winners=3, condition="comment", actor="tg:500", now=MONDAY
        )
        giveaway_id = giveaway.id
        copies = {c.platform: p for p, c in await service.copies_of(session, post_id)}
    channel_message = copies["telegram"].message_id
    wall_post = copies["vk"].message_id
    assert channel_message is not None and wall_post is not None

    soon = MONDAY + timedelta(hours=1)
    channel = {"id": CHANNEL, "type": "channel", "title": "Brand channel"}
    group = {"id": DISCUSSION, "type": "supergroup", "title": "Comments"}
    forward = {
        "message_id": 40,
        "date": int(MONDAY.timestamp()),
        "chat": group,
        "from": {"id": 777000, "is_bot": False, "first_name": "Telegram"},
        "sender_chat": channel,
        "is_automatic_forward": True,
        "forward_origin": {
            "type": "channel",
            "chat": channel,
            "message_id": channel_message,
            "date": int(MONDAY.timestamp()),
        },
        "text": "Win a mug!",
    }

    def tg_comment(message_id: int, user: int, name: str, at: datetime) -> dict[str, Any]:
        return {
            "message_id": message_id,
            "date": int(at.timestamp()),
            "chat": group,
            "from": {"id": user, "is_bot": False, "first_name": name},
            "message_thread_id": 40,
            "reply_to_message": {**forward},
            "text": "Я участвую",
        }

    banned = {
        "update_id": 9,
        "chat_member": {
            "chat": group,
            "from": {"id": 500, "is_bot": False, "first_name": "Alice"},
            "date": int(soon.timestamp()),
            "old_chat_member": {
                "status": "member",
                "user": {"id": 13, "is_bot": False, "first_name": "Mallory"},
            },
            "new_chat_member": {
                "status": "kicked",
                "until_date": 0,
                "user": {"id": 13, "is_bot": False, "first_name": "Mallory"},
            },
        },
    }
    telegram_events = [
        normalize_update(_tg_update(1, forward)),
        normalize_update(_tg_update(2, tg_comment(41, 11, "Ann", soon))),
        normalize_update(_tg_update(3, tg_comment(42, 500, "Alice", soon))),  # staff
        normalize_update(_tg_update(4, tg_comment(43, 12, "Bob", soon))),
        normalize_update(_tg_update(5, tg_comment(44, 11, "Ann", soon))),  # twice: one entry
        normalize_update(_tg_update(6, tg_comment(45, 13, "Mallory", soon))),
        normalize_update(banned),
        normalize_update(_tg_update(8, tg_comment(46, 14, "Late", ends + timedelta(hours=1)))),
    ]
    vk_events = [
        normalize_event(_vk_comment(1, 21, wall_post, soon), VK_GROUP),
        normalize_event(_vk_comment(2, 22, wall_post, soon), VK_GROUP),  # spam
        normalize_event(_vk_comment(3, 23, wall_post, soon), VK_GROUP),  # deleted later
        normalize_event(_vk_comment(4, 24, wall_post, soon), VK_GROUP),  # blocked
        normalize_event(_vk_comment(5, -VK_GROUP, wall_post, soon), VK_GROUP),  # the community
        normalize_event(_vk_comment(6, 25, wall_post + 1, soon), VK_GROUP),  # another post
        normalize_event(
            {
                "type": "wall_reply_delete",
                "event_id": "d3",
                "object": {
                    "id": 3,
                    "post_id": wall_post,
                    "owner_id": -VK_GROUP,
                    "deleter_id": 23,
                },
            },
            VK_GROUP,
        ),
        normalize_event(
            {"type": "user_block", "event_id": "b24", "object": {"user_id": 24, "admin_id": 500}},
            VK_GROUP,
        ),
    ]
    await inbox.store_batch(sessions, telegram_events + vk_events)
    async with sessions() as session, session.begin():
        # The classifier judged one comment spam (the spam stage would have removed it).
        spam_id = await session.scalar(
            select(InboundRecord.id).where(InboundRecord.author_id == "22")
        )
        session.add(
            Classification(
                inbound_id=spam_id,
                intent="spam",
                confidence=0.99,
                sentiment="neutral",
                spam_score=0.99,
                is_spam=True,
                uncertain=False,
                lang="ru",
                reasons=["link"],
            )
        )

    await steward.tick(ends - timedelta(minutes=1))
    async with sessions() as session:
        assert (await session.get(Giveaway, giveaway_id)).state == "open"  # type: ignore[union-attr]
    await steward.tick(ends)
    async with sessions() as session:
        drawn = await session.get(Giveaway, giveaway_id)
    assert drawn is not None and drawn.state == "drawn" and drawn.seed is not None
    assert drawn.entrants == ["telegram:11", "telegram:12", "vk:21"]
    assert drawn.excluded == {
        "telegram:500": "staff",
        "telegram:13": "banned",
        "vk:22": "spam",
        "vk:24": "banned",
        f"vk:-{VK_GROUP}": "not a member",
    }
    expected = draw(["telegram:11", "telegram:12", "vk:21"], 3, drawn.seed)
    assert [winner["id"] for winner in drawn.winners or []] == expected
    announcements = await queued(sessions, f"content:giveaway:{giveaway_id}:announce:")
    by_method = {item.method: item.params for item in announcements}
    assert by_method["sendMessage"]["chat_id"] == DISCUSSION
    assert by_method["sendMessage"]["reply_parameters"]["message_id"] == 40
    assert by_method["wall.createComment"]["post_id"] == wall_post
    assert str(drawn.seed) in by_method["wall.createComment"]["message"]
    (told,) = await queued(sessions, f"content:giveaway:{giveaway_id}:drawn")
    assert "3 eligible" in told.params["text"] and "5 left out" in told.params["text"]
    await steward.tick(ends + timedelta(hours=1))  # drawn once
    assert len(await queued(sessions, f"content:giveaway:{giveaway_id}:")) == 3


async def test_stats_count_published_posts_and_the_promotional_share(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        await targets(session)
    for number in range(4):
        await add_post(sessions, MONDAY, "useful", f"Tip {number}", requested="now")
    await add_post(sessions, MONDAY, "promo", "Sale", requested="now")
    await scheduler(sessions).tick(MONDAY)
    figures = await post_figures(sessions, now=MONDAY + timedelta(minutes=1))
    assert figures["published"] == 10
    assert figures["by_kind"]["useful"] == 8 and figures["by_kind"]["promo"] == 2
    assert figures["promo_share"] == {f"telegram:{CHANNEL}": 0.2, f"vk:{VK_GROUP}": 0.2}
