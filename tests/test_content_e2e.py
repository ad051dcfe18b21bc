"""The content plan end to end, against both sandboxes: admins queue posts from the
moderators' chat, the scheduler (ticked by the test after moving the clock) publishes
them at their slots on the Telegram channel and the VK wall, expiry deletes them, the
ratio policy moves a promotion and says why, giveaways draw among eligible commenters,
polls run on both platforms, slots are suggested from activity, failures are reported.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.policy.giveaway import draw
from bot.stats import collect
from models import Giveaway, InboundRecord, OutboxItem
from tests.sandbox_fixtures import TG_BOT_ID
from tests.workspace_fixtures import (
    ADMIN,
    ANN,
    BORIS,
    CHANNEL,
    DISCUSSION,
    MALLORY,
    MODS_CHAT,
    VK_GROUP,
    Workspace,
)

BOB = {"id": 43, "first_name": "Bob", "username": "bob"}
MONDAY_10 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # the workspace clock's start


async def command(ws: Workspace, text: str, user: dict[str, Any] = ADMIN, **extra: Any) -> str:
    """Someone types `text` in the moderators' chat; Steward's answer to it."""
    message = await ws.say_as(MODS_CHAT, user, text, **extra)
    await ws.settle()
    answers = [
        m["text"]
        for m in await ws.mods_chat()
        if m["from"]["id"] == TG_BOT_ID
        and (m.get("reply_to_message") or {}).get("message_id") == message["message_id"]
    ]
    assert answers, f"no answer to {text!r}"
    return answers[-1]


async def tick(ws: Workspace, **delta: float) -> None:
    """Move the clock, run the scheduler once, and let everything it queued go out."""
    ws.clock.advance(**delta)
    await ws.app.content.tick()
    await ws.settle()


async def channel_posts(ws: Workspace) -> list[dict[str, Any]]:
    return await ws.tg.messages(CHANNEL)


async def wall(ws: Workspace) -> list[dict[str, Any]]:
    return await ws.vk.get(f"/sandbox/groups/{VK_GROUP}/wall")


async def notices(ws: Workspace, fragment: str) -> list[str]:
    return [
        m["text"]
        for m in await ws.mods_chat()
        if m["from"]["id"] == TG_BOT_ID and fragment in m.get("text", "")
    ]


async def test_posts_go_out_at_their_slots_on_both_platforms_and_expire(
    workspace: Workspace,
) -> None:
    ws = workspace
    ws.clock.advance(minutes=30)  # 10:30: the 10:00 slot has passed
    answer = await command(ws, "/post add now expires 3h <b>Привет</b>, это наш канал!")
    assert "Post #1 (useful) queued" in answer
    assert answer.count("goes out now") == 2  # the channel and the VK community
    formatted = await ws.say_as(
        MODS_CHAT,
        ADMIN,
        "Новинка недели: термокружка",
        entities=[{"type": "bold", "offset": 0, "length": 7}],
    )
    answer = await command(ws, "/post add news next", reply_to_message_id=formatted["message_id"])
    assert "Post #2 (news)" in answer and answer.count("02.11 14:00 UTC") == 2
    answer = await command(ws, "/post add at 16:30 to vk Только во ВКонтакте")
    assert "vk:2000001" in answer and "02.11 16:30 UTC" in answer and "tg:" not in answer
    listing = await command(ws, "/post list")
    assert "#1 useful" in listing and "#3 useful" in listing

    await tick(ws)  # 10:30: the `now` post
    (first,) = await channel_posts(ws)
    assert first["text"] == "Привет, это наш канал!"
    assert first["entities"][0]["type"] == "bold"
    (vk_first,) = await wall(ws)
    assert vk_first["text"] == "Привет, это наш канал!" and vk_first["from_id"] == -VK_GROUP

    await tick(ws, hours=3)  # 13:30: three hours after publication
    assert [m.get("deleted") for m in await channel_posts(ws)] == [True]
    assert [p.get("deleted") for p in await wall(ws)] == [True]

    await tick(ws, minutes=30)  # 14:00: the `next` post
    second = (await channel_posts(ws))[-1]
    assert second["text"] == "Новинка недели: термокружка"
    assert second["entities"][0] == {"type": "bold", "offset": 0, "length": 7}
    assert (await wall(ws))[-1]["text"] == "Новинка недели: термокружка"

    await tick(ws, hours=2, minutes=30)  # 16:30: the fixed-time post, VK only
    assert len(await channel_posts(ws)) == 2
    assert (await wall(ws))[-1]["text"] == "Только во ВКонтакте"
    show = await command(ws, "/post show 1")
    assert "deleted at expiry" in show and "Deleted 3 h after publication" in show

    # Hurry one post, cancel another: at 19:00 only the hurried one has gone out.
    assert "02.11 19:00 UTC" in await command(ws, "/post add next Срочная новость")
    assert (await command(ws, "/post now 4")).count("goes out now") == 2
    await command(ws, "/post add next Передумали")
    assert "Post #5 cancelled on 2 target(s)" in await command(ws, "/post cancel 5")
    await tick(ws, hours=2, minutes=30)  # 19:00
    assert [m["text"] for m in await channel_posts(ws)][1:] == [
        "Новинка недели: термокружка",
        "Срочная новость",
    ]
    assert "nothing left to cancel" in await command(ws, "/post cancel 4")


async def test_a_promotion_that_breaks_the_ratio_is_moved_and_the_admin_told(
    workspace: Workspace,
) -> None:
    ws = workspace
    answer = await command(ws, "/promo set share=50% window=4")
    assert "At most 50% promotional posts over the last 4 posts" in answer
    await command(ws, "/post add useful now Совет: храните кофе в темноте")
    await command(ws, "/post add promo now Скидка 20% на зёрна до воскресенья")
    await tick(ws)  # 10:00: both go out
    assert len(await channel_posts(ws)) == 2 and len(await wall(ws)) == 2
    await command(ws, "/post add entertaining evergreen Тест: какой вы кофе?")
    answer = await command(ws, "/post add promo now Вторая скидка: кружки −30%")
    assert "Post #4 (promo) queued" in answer
    assert answer.count("moved to 03.11 10:00 UTC") == 2
    assert "never two in a row" in answer and "at most 1 a day" in answer
    check = await command(ws, "/promo check")
    assert "#4 promo" in check and "moved to 03.11 10:00 UTC" in check
    assert "1 of the last 2 posts (50%)" in check

    await tick(ws, hours=4)  # 14:00: the evergreen filler takes the empty slot
    await tick(ws, hours=5)  # 19:00: still the same day as the first promotion
    assert [m["text"][:6] for m in await channel_posts(ws)] == ["Совет:", "Скидка", "Тест: "]
    await tick(ws, hours=15)  # Tuesday 10:00
    texts = [m["text"] for m in await channel_posts(ws)]
    assert texts[-1] == "Вторая скидка: кружки −30%"
    assert (await wall(ws))[-1]["text"] == "Вторая скидка: кружки −30%"
    shown = await command(ws, "/promo")
    assert "2 of the last 4 posts (50%)" in shown

    stats = await collect(ws.sessions, now=ws.clock.now)
    assert stats["posts"]["published"] == 8
    assert stats["posts"]["by_kind"]["promo"] == 4
    assert stats["posts"]["promo_share"] == {f"telegram:{CHANNEL}": 0.5, f"vk:{VK_GROUP}": 0.5}


async def test_a_giveaway_draws_among_eligible_commenters_and_announces_under_the_post(
    workspace: Workspace,
) -> None:
    ws = workspace
    ws.clock.now = datetime.now(UTC)  # comments carry the sandboxes' real dates
    await command(ws, "/promo set share=100% in_a_row=yes gap=0")
    answer = await command(ws, "/post add giveaway now Разыгрываем кружку! Оставьте комментарий.")
    assert "Post #1 (giveaway)" in answer
    await tick(ws)
    (post,) = await channel_posts(ws)
    (vk_post,) = await wall(ws)
    forward = next(
        m
        for m in await ws.tg.messages(DISCUSSION)
        if m.get("is_automatic_forward") and m["forward_origin"]["message_id"] == post["message_id"]
    )
    for member in (ANN, BOB, ADMIN, MALLORY):
        await ws.say_as(DISCUSSION, member, "Участвую!", message_thread_id=forward["message_id"])
    status, body, _ = await ws.tg.api(
        "banChatMember", json={"chat_id": DISCUSSION, "user_id": MALLORY["id"]}
    )
    assert status == 200, body
    for user_id, name in ((71, "Vera"), (72, "Oleg")):
        await ws.vk.post("/sandbox/users", {"id": user_id, "first_name": name, "last_name": "V"})
        await ws.vk.post(
            "/sandbox/comments",
            {
                "group_id": VK_GROUP,
                "object": "wall",
                "object_id": vk_post["id"],
                "from_id": user_id,
                "text": "Хочу кружку!",
            },
        )
    answer = await command(ws, "/giveaway 1 1h winners=2")
    assert "Giveaway #1 for post #1" in answer and "2 winner(s)" in answer

    await tick(ws, minutes=59)
    async with ws.sessions() as session:
        giveaway = await session.scalar(select(Giveaway))
    assert giveaway is not None and giveaway.state == "open"
    await tick(ws, minutes=1)
    async with ws.sessions() as session:
        giveaway = await session.scalar(select(Giveaway))
    assert giveaway is not None and giveaway.state == "drawn" and giveaway.seed is not None
    eligible = ["telegram:42", "telegram:43", "vk:71", "vk:72"]
    assert sorted(giveaway.entrants or []) == eligible
    assert giveaway.excluded == {"telegram:500": "staff", "telegram:666": "banned"}
    winners = [winner["id"] for winner in giveaway.winners or []]
    assert winners == draw(eligible, 2, giveaway.seed)

    announced = [
        m
        for m in await ws.tg.messages(DISCUSSION)
        if m["from"]["id"] == TG_BOT_ID and "Giveaway results" in m.get("text", "")
    ]
    assert len(announced) == 1 and announced[0]["message_thread_id"] == forward["message_id"]
    assert str(giveaway.seed) in announced[0]["text"]
    (vk_post,) = await wall(ws)
    replies = [c for c in vk_post["comments"] if c["from_id"] == -VK_GROUP]
    assert len(replies) == 1 and "Giveaway results" in replies[0]["text"]
    (told,) = await notices(ws, "Giveaway #1 (post #1) drawn")
    assert "4 eligible" in told and "2 left out" in told and str(giveaway.seed) in told


async def test_polls_run_on_both_platforms_and_the_admins_see_the_results(
    workspace: Workspace,
) -> None:
    ws = workspace
    answer = await command(ws, "/poll now closes 2h Какой вкус выбрать? | Ваниль | Шоколад")
    assert "Poll #1 queued; it closes 2 h after publication" in answer
    await tick(ws)
    (message,) = await channel_posts(ws)
    assert message["poll"]["question"] == "Какой вкус выбрать?"
    assert [o["text"] for o in message["poll"]["options"]] == ["Ваниль", "Шоколад"]
    (vk_post,) = await wall(ws)
    assert vk_post["text"] == "Какой вкус выбрать?"
    (poll,) = await ws.vk.get(f"/sandbox/groups/{VK_GROUP}/polls")
    assert [a["text"] for a in poll["answers"]] == ["Ваниль", "Шоколад"]
    (attached,) = vk_post["attachments"]
    assert attached["type"] == "poll" and attached["poll"]["id"] == poll["id"]
    for user_id, choice in ((81, 1), (82, 1), (83, 0)):
        await ws.vk.post("/sandbox/users", {"id": user_id, "first_name": "U", "last_name": "V"})
        await ws.vk.post(
            "/sandbox/poll_votes",
            {
                "owner_id": poll["owner_id"],
                "poll_id": poll["id"],
                "user_id": user_id,
                "answer_ids": [poll["answers"][choice]["id"]],
            },
        )

    await tick(ws, hours=2)
    (closed,) = await channel_posts(ws)
    assert closed["poll"]["is_closed"]
    results = await notices(ws, "📊 Poll #1")
    assert len(results) == 2
    vk_result = next(text for text in results if "vk:2000001" in text)
    assert "Ваниль — 1" in vk_result and "Шоколад — 2" in vk_result and "Voters: 3" in vk_result


async def test_slots_are_suggested_from_activity_and_the_cadence_warning_comes_daily(
    workspace: Workspace,
) -> None:
    ws = workspace
    ws.clock.now = datetime.now(UTC)  # activity carries the sandboxes' real dates
    post = await ws.tg.post("/sandbox/channel_posts", {"chat_id": CHANNEL, "text": "Привет!"})
    thread = post["automatic_forward"]["message_id"]
    for text in ("Класс!", "Отлично", "Спасибо"):
        await ws.say_as(DISCUSSION, ANN, text, message_thread_id=thread)
    await ws.settle()
    async with ws.sessions() as session:
        stored = await session.scalars(
            select(OutboxItem.id).where(OutboxItem.idempotency_key.like("content:cadence:%"))
        )
        warned_before = len(list(stored))
    async with ws.sessions() as session:
        moments = list(
            await session.scalars(
                select(InboundRecord.occurred_at).where(
                    InboundRecord.community_id == str(DISCUSSION), InboundRecord.kind == "comment"
                )
            )
        )
    # The busiest hour of that weekday (the workspace zone is UTC) leads the suggestion.
    (day, hour), _ = Counter((m.weekday(), m.hour) for m in moments).most_common(1)[0]
    ws.clock.now = max(ws.clock.now, *moments) + timedelta(seconds=1)
    answer = await command(ws, "/slots suggest to tg")
    assert "from 3 member messages and comments" in answer
    weekday = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[day]
    day_line = next(line for line in answer.splitlines() if line.startswith(f"{weekday}:"))
    assert f"{hour:02d}:00" in day_line
    answer = await command(ws, "/slots auto on to tg")
    assert "follow member activity" in answer and f"{hour:02d}:00" in answer
    shown = await command(ws, "/slots")
    assert "auto (best hours from activity)" in shown and "set by hand" in shown

    # Nothing is planned: one warning per target today, however often the scheduler looks.
    await tick(ws)
    await tick(ws, minutes=1)
    async with ws.sessions() as session:
        keys = list(
            await session.scalars(
                select(OutboxItem.idempotency_key).where(
                    OutboxItem.idempotency_key.like("content:cadence:%")
                )
            )
        )
    today = ws.clock.now.date().isoformat()
    assert len([key for key in keys if key.endswith(today)]) == 2
    assert len(keys) >= warned_before
    await tick(ws, days=1)
    async with ws.sessions() as session:
        later = list(
            await session.scalars(
                select(OutboxItem.idempotency_key).where(
                    OutboxItem.idempotency_key.like("content:cadence:%")
                )
            )
        )
    tomorrow = ws.clock.now.date().isoformat()
    assert len([key for key in later if key.endswith(tomorrow)]) == 2
    assert len(await notices(ws, "planned for the next 7 days")) >= 4


async def test_a_failed_publication_is_retried_then_reported_and_non_admins_are_refused(
    workspace: Workspace,
) -> None:
    ws = workspace
    refused = await command(ws, "/post add now Привет", user=BORIS)
    assert refused == "Извините, для этого нужна роль lead."  # Boris reads Russian
    await ws.vk.post("/sandbox/faults", {"method": "wall.post", "error_code": 6, "count": 1})
    await ws.vk.post("/sandbox/faults", {"method": "wall.post", "error_code": 15, "count": 1})
    answer = await command(ws, "/post add news now to vk Новость дня")
    assert "Post #1 (news) queued" in answer
    await tick(ws)
    (report,) = await notices(ws, "⚠️ Post #1 was not published")
    assert "VK community (vk:2000001)" in report and "VK error 15 on wall.post" in report
    assert "@alice_admin" in report
    log = await ws.vk.get("/sandbox/log")
    assert len([entry for entry in log if entry["method"] == "wall.post"]) == 2  # retried once
    assert await wall(ws) == []
    show = await command(ws, "/post show 1")
    assert "not published — access denied" in show
