"""The Telegram sandbox, driven by a real aiogram Bot and by raw HTTP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import (
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    ChatMemberRestricted,
    ChatPermissions,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReactionTypeEmoji,
    ReplyParameters,
)

from bot.sandbox.telegram import TelegramSandbox
from tests.sandbox_fixtures import ANN, BOB, OWNER, TG_BOT_ID, TgControl, tg_bot

GROUP = -1001000000001
BASIC_GROUP = -5001
FORUM = -1001000000002
CHANNEL = -1001000000003
DISCUSSION = -1001000000004
KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="Close", callback_data="tk:17:close")]]
)


class FakeClock:
    """A settable clock for dates and rate limits."""

    def __init__(self, now: float = 1_760_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def sandbox() -> AsyncIterator[TelegramSandbox]:
    server = TelegramSandbox()
    await server.start("127.0.0.1", 0)
    yield server
    await server.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def tg(sandbox: TelegramSandbox, http: aiohttp.ClientSession) -> TgControl:
    return TgControl(http, sandbox.base_url)


@pytest.fixture
async def bot(sandbox: TelegramSandbox) -> AsyncIterator[Bot]:
    client = tg_bot(sandbox.base_url)
    yield client
    await client.session.close()


async def admin_group(tg: TgControl, chat_id: int = GROUP, **extra: Any) -> Any:
    members = [OWNER, ANN, BOB]
    return await tg.chat(
        chat_id,
        "supergroup",
        title="Community",
        bot_is_admin=True,
        members=members,
        added_by=OWNER,
        **extra,
    )


async def drain(bot: Bot) -> None:
    """Confirm everything queued so far."""
    updates = await bot.get_updates()
    if updates:
        await bot.get_updates(offset=updates[-1].update_id + 1)


async def wait_parked(sandbox: TelegramSandbox) -> None:
    """Wait (bounded) until the sandbox holds a long poll."""
    for _ in range(500):
        if sandbox.world.queue.has_parked_poll:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("no long poll was parked")


# ------------------------------------------------------------ aiogram round trips


async def test_get_me_matches_token(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == TG_BOT_ID == bot.id
    assert me.is_bot and me.username


async def test_poll_sees_user_message_and_bot_added(tg: TgControl, bot: Bot) -> None:
    await admin_group(tg)
    await tg.say(GROUP, ANN, "/ticket help me")
    updates = await bot.get_updates()
    kinds = [u.event_type for u in updates]
    assert kinds == ["my_chat_member", "message"]
    added = updates[0].my_chat_member
    assert added is not None and added.from_user.id == OWNER["id"]
    assert added.old_chat_member.status == "left"
    assert isinstance(added.new_chat_member, ChatMemberAdministrator)
    message = updates[1].message
    assert message is not None and message.text == "/ticket help me"
    assert message.from_user is not None and message.from_user.id == ANN["id"]
    assert message.entities is not None and message.entities[0].type == "bot_command"
    assert [u.update_id for u in updates] == [updates[0].update_id, updates[0].update_id + 1]


async def test_message_ids_per_chat_and_reply_one_level(tg: TgControl, bot: Bot) -> None:
    await admin_group(tg)
    await tg.chat(BASIC_GROUP, "group", title="Basic", members=[ANN])
    first = await tg.say(GROUP, ANN, "first")
    second = await tg.say(GROUP, BOB, "second", reply_to_message_id=first["message_id"])
    other = await tg.say(BASIC_GROUP, ANN, "elsewhere")
    assert (first["message_id"], second["message_id"], other["message_id"]) == (1, 2, 1)
    reply = await bot.send_message(
        GROUP, "third", reply_parameters=ReplyParameters(message_id=second["message_id"])
    )
    assert reply.message_id == 3
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.message_id == second["message_id"]
    assert reply.reply_to_message.reply_to_message is None  # one level only
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_message(GROUP, "x", reply_parameters=ReplyParameters(message_id=99))


async def test_send_edit_delete_and_callback(tg: TgControl, bot: Bot) -> None:
    await admin_group(tg)
    await drain(bot)
    sent = await bot.send_message(GROUP, "Ticket #17", reply_markup=KEYBOARD)
    assert sent.reply_markup is not None
    assert sent.reply_markup.model_dump() == KEYBOARD.model_dump()
    pressed = await tg.post(
        "/sandbox/callbacks",
        {"chat_id": GROUP, "message_id": sent.message_id, "from": ANN, "data": "tk:17:close"},
    )
    updates = await bot.get_updates()
    query = updates[-1].callback_query
    assert query is not None and query.id == pressed["id"] and query.data == "tk:17:close"
    assert isinstance(query.message, Message)
    assert query.message.text == "Ticket #17" and query.message.reply_markup is not None
    assert query.message.reply_markup.model_dump() == KEYBOARD.model_dump()
    assert await bot.answer_callback_query(query.id, text="Closed")
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query.id)
    answer = await tg.get(f"/sandbox/callbacks/{query.id}")
    assert answer["answered"] and answer["text"] == "Closed"

    with pytest.raises(TelegramBadRequest, match="message is not modified: specified new"):
        await bot.edit_message_text(
            "Ticket #17", chat_id=GROUP, message_id=sent.message_id, reply_markup=KEYBOARD
        )
    edited = await bot.edit_message_text(
        "Ticket #17 (closed)", chat_id=GROUP, message_id=sent.message_id
    )
    assert isinstance(edited, Message)
    assert edited.reply_markup is None and edited.edit_date is not None  # keyboard dropped
    again = await bot.edit_message_reply_markup(
        chat_id=GROUP, message_id=sent.message_id, reply_markup=KEYBOARD
    )
    assert isinstance(again, Message) and again.reply_markup is not None
    assert again.reply_markup.model_dump() == KEYBOARD.model_dump()

    assert await bot.delete_message(GROUP, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(GROUP, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("gone", chat_id=GROUP, message_id=sent.message_id)
    listing = await tg.messages(GROUP)
    stored = next(m for m in listing if m["message_id"] == sent.message_id)
    assert (
        stored["deleted"]
        and stored["edited"]
        and stored["reply_markup"] == KEYBOARD.model_dump(exclude_none=True)
    )
    assert stored["from"]["id"] == TG_BOT_ID


async def test_user_edit_queues_edited_message(tg: TgControl, bot: Bot) -> None:
    await admin_group(tg)
    first = await tg.say(GROUP, ANN, "typo")
    await tg.post(
        "/sandbox/edits", {"chat_id": GROUP, "message_id": first["message_id"], "text": "fixed"}
    )
    updates = await bot.get_updates()
    edited = updates[-1].edited_message
    assert edited is not None and edited.text == "fixed" and edited.edit_date


async def test_reactions(tg: TgControl, bot: Bot) -> None:
    await admin_group(tg)
    note = await tg.say(GROUP, ANN, "thanks!")
    assert await bot.set_message_reaction(
        GROUP, note["message_id"], [ReactionTypeEmoji(emoji="👍")]
    )
    with pytest.raises(TelegramBadRequest, match="REACTION_INVALID"):
        await bot.set_message_reaction(GROUP, note["message_id"], [ReactionTypeEmoji(emoji="🦖")])
    with pytest.raises(TelegramBadRequest, match="message to react not found"):
        await bot.set_message_reaction(GROUP, 99, [ReactionTypeEmoji(emoji="👍")])
    stored = (await tg.messages(GROUP))[0]
    assert stored["reactions"] == [{"from_id": TG_BOT_ID, "type": "emoji", "emoji": "👍"}]

    # A user's reaction reaches the bot only once it asks for message_reaction.
    await bot.get_updates(allowed_updates=["message", "message_reaction"])
    await tg.post(
        "/sandbox/reactions",
        {"chat_id": GROUP, "message_id": note["message_id"], "user": BOB, "reaction": ["🔥"]},
    )
    updates = await bot.get_updates()
    reaction = updates[-1].message_reaction
    assert reaction is not None and reaction.user is not None and reaction.user.id == BOB["id"]
    assert [r.model_dump() for r in reaction.new_reaction] == [{"type": "emoji", "emoji": "🔥"}]


async def test_ban_restrict_unban(tg: TgControl, bot: Bot) -> None:
    await admin_group(tg)
    await bot.get_updates(allowed_updates=["message", "chat_member"])
    await drain(bot)
    muted = ChatPermissions(can_send_messages=False)
    assert await bot.restrict_chat_member(GROUP, ANN["id"], muted, until_date=0)
    member = await bot.get_chat_member(GROUP, ANN["id"])
    assert isinstance(member, ChatMemberRestricted)
    assert member.can_send_messages is False and member.until_date.timestamp() == 0
    status, refused = await tg.post_raw(
        "/sandbox/messages", {"chat_id": GROUP, "from": ANN, "text": "hi"}
    )
    assert status == 403 and "may not send" in refused["error"]

    assert await bot.ban_chat_member(GROUP, BOB["id"])
    assert isinstance(await bot.get_chat_member(GROUP, BOB["id"]), ChatMemberBanned)
    status, _ = await tg.post_raw("/sandbox/messages", {"chat_id": GROUP, "from": BOB, "text": "x"})
    assert status == 403
    members = {
        m["user"]["id"]: m["status"] for m in await tg.get(f"/sandbox/chats/{GROUP}/members")
    }
    assert members[ANN["id"]] == "restricted" and members[BOB["id"]] == "kicked"

    assert await bot.unban_chat_member(GROUP, BOB["id"], only_if_banned=True)
    assert isinstance(await bot.get_chat_member(GROUP, BOB["id"]), ChatMemberLeft)
    lifted = ChatPermissions(**{name: True for name in ChatPermissions.model_fields})
    assert await bot.restrict_chat_member(GROUP, ANN["id"], lifted)
    assert isinstance(await bot.get_chat_member(GROUP, ANN["id"]), ChatMemberMember)

    updates = await bot.get_updates()
    changes = [
        (u.chat_member.new_chat_member.status, u.chat_member.new_chat_member.user.id)
        for u in updates
        if u.chat_member is not None
    ]
    assert changes == [
        ("restricted", ANN["id"]),
        ("kicked", BOB["id"]),
        ("left", BOB["id"]),
        ("member", ANN["id"]),
    ]
    with pytest.raises(TelegramBadRequest, match="can't remove chat owner"):
        await bot.ban_chat_member(GROUP, OWNER["id"])


async def test_rights_errors_without_admin(tg: TgControl, bot: Bot) -> None:
    await tg.chat(GROUP, "supergroup", title="No rights", members=[ANN])
    await tg.chat(BASIC_GROUP, "group", title="Basic", members=[ANN], bot_is_admin=True)
    note = await tg.say(GROUP, ANN, "hello")
    with pytest.raises(TelegramBadRequest, match="message can't be deleted"):
        await bot.delete_message(GROUP, note["message_id"])
    own = await bot.send_message(GROUP, "mine")
    assert await bot.delete_message(GROUP, own.message_id)  # its own message: allowed
    with pytest.raises(TelegramBadRequest, match="not enough rights to restrict/unrestrict"):
        await bot.ban_chat_member(GROUP, ANN["id"])
    with pytest.raises(TelegramBadRequest, match="not enough rights to manage pinned messages"):
        await bot.pin_chat_message(GROUP, note["message_id"])
    with pytest.raises(TelegramBadRequest, match="method is available only for supergroups"):
        await bot.restrict_chat_member(BASIC_GROUP, ANN["id"], ChatPermissions())
    # Taking away one right is enough to lose it.
    await tg.post(
        f"/sandbox/chats/{GROUP}/bot",
        {"status": "administrator", "rights": {"can_delete_messages": False}},
    )
    with pytest.raises(TelegramBadRequest, match="message can't be deleted"):
        await bot.delete_message(GROUP, note["message_id"])
    assert await bot.pin_chat_message(GROUP, note["message_id"])
    assert (await bot.get_chat(GROUP)).pinned_message is not None


async def test_forbidden_chats(tg: TgControl, bot: Bot) -> None:
    await admin_group(tg)
    with pytest.raises(TelegramForbiddenError, match="bot can't initiate conversation"):
        await bot.send_message(ANN["id"], "hi")  # Ann is known, but never wrote to the bot
    await tg.say(ANN["id"], ANN, "/start")
    assert (await bot.send_message(ANN["id"], "welcome")).chat.type == "private"
    await tg.post(f"/sandbox/chats/{ANN['id']}/bot", {"status": "kicked"})
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(ANN["id"], "still there?")
    await tg.post(f"/sandbox/chats/{GROUP}/bot", {"status": "kicked", "by": OWNER})
    with pytest.raises(TelegramForbiddenError, match="bot was kicked from the supergroup chat"):
        await bot.send_message(GROUP, "hello?")
    await tg.post(f"/sandbox/chats/{GROUP}/bot", {"status": "left"})
    with pytest.raises(TelegramForbiddenError, match="bot is not a member of the supergroup chat"):
        await bot.get_chat(GROUP)


async def test_chat_lookups(tg: TgControl, bot: Bot) -> None:
    await tg.chat(CHANNEL, "channel", title="News", linked_chat_id=DISCUSSION, username="news")
    await admin_group(tg, DISCUSSION, linked_chat_id=CHANNEL)
    info = await bot.get_chat(DISCUSSION)
    assert info.linked_chat_id == CHANNEL and info.permissions is not None
    assert (await bot.get_chat("@news")).linked_chat_id == DISCUSSION
    admins = await bot.get_chat_administrators(DISCUSSION)
    assert isinstance(admins[0], ChatMemberOwner) and admins[0].user.id == OWNER["id"]
    assert any(isinstance(a, ChatMemberAdministrator) and a.user.id == TG_BOT_ID for a in admins)
    assert isinstance(await bot.get_chat_member(DISCUSSION, ANN["id"]), ChatMemberMember)
    me = await bot.get_chat_member(DISCUSSION, TG_BOT_ID)
    assert isinstance(me, ChatMemberAdministrator) and me.can_restrict_members
    with pytest.raises(TelegramBadRequest, match="user not found"):
        await bot.get_chat_member(DISCUSSION, 999_999)
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.get_chat(-100777)
    await tg.say(ANN["id"], ANN, "hi")
    with pytest.raises(TelegramBadRequest, match="no administrators in the private chat"):
        await bot.get_chat_administrators(ANN["id"])


async def test_polls(tg: TgControl, bot: Bot) -> None:
    await admin_group(tg)
    sent = await bot.send_poll(GROUP, "Which day?", ["Mon", "Tue"], is_anonymous=False)
    assert sent.poll is not None and sent.poll.options[1].text == "Tue"
    assert sent.poll.is_anonymous is False and sent.poll.allows_revoting is True
    stopped = await bot.stop_poll(GROUP, sent.message_id)
    assert stopped.is_closed and stopped.id == sent.poll.id
    with pytest.raises(TelegramBadRequest, match="poll has already been closed"):
        await bot.stop_poll(GROUP, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="poll can't have more than 12 options"):
        await bot.send_poll(GROUP, "Too many", [str(i) for i in range(13)])


async def test_forum_topics(tg: TgControl, bot: Bot) -> None:
    await tg.chat(
        FORUM, "supergroup", title="Desk", is_forum=True, bot_is_admin=True, members=[ANN]
    )
    await drain(bot)
    topic = await bot.create_forum_topic(FORUM, "Ticket #17", icon_color=7322096)
    listing = await tg.messages(FORUM)
    assert listing[-1]["message_id"] == topic.message_thread_id
    assert listing[-1]["forum_topic_created"]["name"] == "Ticket #17"
    sent = await bot.send_message(FORUM, "Hello", message_thread_id=topic.message_thread_id)
    assert sent.message_thread_id == topic.message_thread_id and sent.is_topic_message
    await tg.say(FORUM, ANN, "thanks", message_thread_id=topic.message_thread_id)
    update = (await bot.get_updates())[-1].message
    assert update is not None and update.is_topic_message
    assert update.message_thread_id == topic.message_thread_id
    assert update.reply_to_message is not None
    assert update.reply_to_message.forum_topic_created is not None
    general = await bot.send_message(FORUM, "General")
    assert general.message_thread_id is None and not general.is_topic_message
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(FORUM, "lost", message_thread_id=999)
    with pytest.raises(TelegramBadRequest, match="invalid icon_color"):
        await bot.create_forum_topic(FORUM, "Bad colour", icon_color=123)
    assert await bot.close_forum_topic(FORUM, topic.message_thread_id)
    assert await bot.reopen_forum_topic(FORUM, topic.message_thread_id)
    await admin_group(tg)
    with pytest.raises(TelegramBadRequest, match="the chat is not a forum"):
        await bot.create_forum_topic(GROUP, "No forum")


async def test_channel_post_auto_forward_and_comments(tg: TgControl, bot: Bot) -> None:
    await tg.chat(CHANNEL, "channel", title="News", linked_chat_id=DISCUSSION)
    await admin_group(tg, DISCUSSION, linked_chat_id=CHANNEL)
    await drain(bot)
    posted = await tg.post("/sandbox/channel_posts", {"chat_id": CHANNEL, "text": "Big launch"})
    forward_id = posted["automatic_forward"]["message_id"]
    updates = await bot.get_updates()
    post, forward = updates[-2].channel_post, updates[-1].message
    assert post is not None and post.sender_chat is not None and post.sender_chat.id == CHANNEL
    assert forward is not None and forward.message_id == forward_id
    assert forward.is_automatic_forward and forward.sender_chat is not None
    assert forward.from_user is not None and forward.from_user.id == 777000
    assert forward.forward_origin is not None and forward.forward_origin.type == "channel"
    assert forward.forward_origin.message_id == post.message_id

    await tg.say(DISCUSSION, ANN, "Nice!", message_thread_id=forward_id)
    comment = (await bot.get_updates(offset=updates[-1].update_id + 1))[-1].message
    assert comment is not None and comment.message_thread_id == forward_id
    assert comment.reply_to_message is not None
    assert comment.reply_to_message.message_id == forward_id
    assert not comment.is_topic_message
    answer = await bot.send_message(
        DISCUSSION, "Thank you", reply_parameters=ReplyParameters(message_id=forward_id)
    )
    assert answer.message_thread_id == forward_id
    reply = await bot.send_message(
        DISCUSSION,
        "Anything else?",
        reply_parameters=ReplyParameters(message_id=comment.message_id),
    )
    assert reply.message_thread_id == forward_id
    # The bot's own channel post is copied into the group as well.
    await bot.send_message(CHANNEL, "From the bot")
    copies = [m for m in await tg.messages(DISCUSSION) if m.get("is_automatic_forward")]
    assert [m["text"] for m in copies] == ["Big launch", "From the bot"]


async def test_dispatcher_polling_end_to_end(tg: TgControl, bot: Bot) -> None:
    """aiogram's own polling loop and reply helpers work unchanged against the sandbox."""
    await admin_group(tg)
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.reply(f"echo: {message.text}")

    polling = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, close_bot_session=False)
    )
    try:
        await tg.say(GROUP, ANN, "ping")
        for _ in range(500):
            replies = [m for m in await tg.messages(GROUP) if m.get("text") == "echo: ping"]
            if replies:
                break
            await asyncio.sleep(0.01)
        assert replies and replies[0]["reply_to_message"]["text"] == "ping"
    finally:
        await dispatcher.stop_polling()
        await asyncio.wait_for(polling, 20)


# ------------------------------------------------------------ envelopes and exact texts


async def test_token_and_route_errors(tg: TgControl, http: aiohttp.ClientSession) -> None:
    cases = [
        ("/botnotatoken/getMe", 401, "Unauthorized: invalid token specified"),
        ("/bot0123:abcdefghijkl/getMe", 401, "Unauthorized: invalid token specified"),
        ("/bot123:short/getMe", 401, "Unauthorized"),
        (f"/bot{tg.token}/noSuchMethod", 404, "Not Found: method not found"),
        ("/favicon.ico", 404, "Not Found"),
    ]
    for path, status, description in cases:
        async with http.post(tg.base + path) as response:
            body = await response.json()
            assert response.status == status, path
            assert body == {"ok": False, "error_code": status, "description": description}
    status, body, _ = await tg.api("GETME")  # method names are case-insensitive
    assert status == 200 and body["ok"] and body["result"]["id"] == TG_BOT_ID


async def test_validation_texts(tg: TgControl) -> None:
    await admin_group(tg)

    async def error(**params: Any) -> tuple[int, str]:
        status, body, _ = await tg.api("sendMessage", data={"chat_id": str(GROUP), **params})
        assert body["ok"] is False and body["error_code"] == status
        return status, body["description"]

    assert await error(text="") == (400, "Bad Request: message text is empty")
    assert await error(text="😀" * 2049) == (400, "Bad Request: message is too long")
    status, text = await error(text="<b>bold", parse_mode="HTML")
    assert status == 400 and text.startswith("Bad Request: can't parse entities: ")
    status, text = await error(text="<b>x</i>", parse_mode="HTML")
    assert text.startswith("Bad Request: can't parse entities: Unmatched end tag")
    status, text = await error(text="1.5", parse_mode="MarkdownV2")
    assert "Character '.' is reserved" in text
    long_data = "д" * 33  # 66 bytes in UTF-8, though only 33 characters
    markup = json.dumps({"inline_keyboard": [[{"text": "x", "callback_data": long_data}]]})
    assert await error(text="hi", reply_markup=markup) == (400, "Bad Request: BUTTON_DATA_INVALID")
    empty = '{"inline_keyboard": [[{"text": "x", "callback_data": ""}]]}'
    assert await error(text="hi", reply_markup=empty) == (400, "Bad Request: BUTTON_DATA_INVALID")
    status, body, _ = await tg.api("sendMessage", data={"chat_id": "-100999", "text": "x"})
    assert (status, body["description"]) == (400, "Bad Request: chat not found")
    status, body, _ = await tg.api("answerCallbackQuery", data={"callback_query_id": "12345"})
    assert body["description"] == (
        "Bad Request: query is too old and response timeout expired or query ID is invalid"
    )
    status, body, _ = await tg.api(
        "pinChatMessage", data={"chat_id": str(GROUP), "message_id": "77"}
    )
    assert body["description"] == "Bad Request: message to pin not found"


async def test_html_entities_are_utf16(tg: TgControl, bot: Bot) -> None:
    await admin_group(tg)
    sent = await bot.send_message(
        GROUP, "😀 <b>bold</b> &lt;3 <a href='https://x.y'>link</a>", parse_mode="HTML"
    )
    assert sent.text == "😀 bold <3 link"
    assert sent.entities is not None
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 3, 4),
        ("text_link", 11, 4),
    ]


async def test_odd_unicode_round_trip(tg: TgControl, bot: Bot) -> None:
    await admin_group(tg)
    # ZWJ family, right-to-left override, a combining accent, CJK, zero-width space,
    # astral mathematical letters and a NUL.
    odd = "👩\u200d👩\u200d👧 \u202eRTL\u202c e\u0301 日本語 \u200b𝔘𝔫𝔦 \x00nul "
    units = len(odd.encode("utf-16-le")) // 2
    text = (odd * (4096 // units + 1))[:4096]
    text = text.encode("utf-16-le", errors="surrogatepass")[: 4096 * 2].decode(
        "utf-16-le", errors="ignore"
    )
    sent = await bot.send_message(GROUP, text, entities=[])
    assert sent.text == text
    stored = (await tg.messages(GROUP))[-1]
    assert stored["text"] == text
    via_control = await tg.say(GROUP, ANN, odd)
    update = (await bot.get_updates())[-1].message
    assert update is not None and update.text == odd == via_control["text"]


async def test_body_encodings(tg: TgControl) -> None:
    await admin_group(tg)
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    status, body, _ = await tg.api(
        "sendMessage", json={"chat_id": GROUP, "text": "json", "reply_markup": markup}
    )
    assert status == 200 and body["result"]["reply_markup"] == markup
    status, body, _ = await tg.api(
        "sendMessage", data={"chat_id": str(GROUP), "text": "form", "protect_content": "yes"}
    )
    assert status == 200 and body["result"]["has_protected_content"] is True
    form = aiohttp.FormData()
    form.add_field("chat_id", str(GROUP))
    form.add_field("text", "multipart ✓")
    form.add_field("document", b"bytes", filename="a.txt")  # forces multipart/form-data
    status, body, _ = await tg.api("sendMessage", data=form)
    assert status == 200 and body["result"]["text"] == "multipart ✓"
    status, body, _ = await tg.api("sendMessage", params={"chat_id": str(GROUP), "text": "query"})
    assert status == 200 and body["result"]["text"] == "query"
    log = await tg.get("/sandbox/log?since=0")
    assert [e["method"] for e in log] == ["sendMessage"] * 4 and all(e["ok"] for e in log)
    assert (await tg.get(f"/sandbox/log?since={log[-1]['seq']}")) == []


# ------------------------------------------------------------ getUpdates semantics


async def test_offset_confirmation_and_redelivery(tg: TgControl, bot: Bot) -> None:
    await admin_group(tg)
    for i in range(3):
        await tg.say(GROUP, ANN, f"m{i}")
    first = await bot.get_updates()
    again = await bot.get_updates()  # no offset: nothing was confirmed, same batch
    assert [u.update_id for u in first] == [u.update_id for u in again]
    ids = [u.update_id for u in first]
    assert ids == list(range(ids[0], ids[0] + 4))
    one = await bot.get_updates(offset=ids[1], limit=1)
    assert [u.update_id for u in one] == [ids[1]]
    assert [u.update_id for u in await bot.get_updates()] == ids[1:]  # ids[0] is gone
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == ids[-1:]
    assert await bot.get_updates(offset=ids[-1] + 1) == []
    status, body, _ = await tg.api("getUpdates", data={"limit": "0"})
    assert status == 200 and body["result"] == []


async def test_limit_is_clamped(tg: TgControl) -> None:
    await admin_group(tg)
    for i in range(2):
        await tg.say(GROUP, ANN, f"m{i}")
    _, body, _ = await tg.api("getUpdates", data={"limit": "0"})
    assert len(body["result"]) == 1
    _, body, _ = await tg.api("getUpdates", data={"limit": "500"})
    assert len(body["result"]) == 3


async def test_long_poll_returns_when_update_arrives(
    sandbox: TelegramSandbox, tg: TgControl, bot: Bot
) -> None:
    await admin_group(tg)
    await drain(bot)
    poll = asyncio.create_task(bot.get_updates(timeout=40))
    await wait_parked(sandbox)
    assert not poll.done()
    await tg.say(GROUP, ANN, "wake up")
    updates = await asyncio.wait_for(poll, 20)  # a guard only; it answers within milliseconds
    assert [u.message.text for u in updates if u.message] == ["wake up"]


async def test_long_poll_times_out_empty(tg: TgControl, bot: Bot) -> None:
    await drain(bot)
    assert await bot.get_updates(timeout=1) == []


async def test_second_poller_kicks_the_parked_one(
    sandbox: TelegramSandbox, tg: TgControl, bot: Bot
) -> None:
    await admin_group(tg)
    await drain(bot)
    other = tg_bot(sandbox.base_url)
    try:
        older = asyncio.create_task(bot.get_updates(timeout=40))
        await wait_parked(sandbox)
        newer = asyncio.create_task(other.get_updates(timeout=40))
        with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
            await asyncio.wait_for(older, 20)
        await wait_parked(sandbox)
        await tg.say(GROUP, ANN, "for the newer poller")
        updates = await asyncio.wait_for(newer, 20)
        assert updates[-1].message is not None
    finally:
        await other.session.close()
    _, body, _ = await tg.api("getUpdates", data={"timeout": "0"})
    assert body["ok"]  # short polls never conflict


async def test_webhook_conflict_and_drop_pending(tg: TgControl, bot: Bot) -> None:
    await admin_group(tg)
    assert await bot.set_webhook("https://example.org/hook")
    status, body, _ = await tg.api("getUpdates")
    assert status == 409 and body["description"] == (
        "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first"
    )
    status, body, _ = await tg.api("deleteWebhook", data={"drop_pending_updates": "true"})
    assert body == {"ok": True, "result": True, "description": "Webhook was deleted"}
    assert await bot.get_updates() == []


async def test_allowed_updates_filter_at_enqueue(tg: TgControl, bot: Bot) -> None:
    await admin_group(tg)
    await drain(bot)
    await tg.post("/sandbox/joins", {"chat_id": GROUP, "user": {"id": 50, "first_name": "Eve"}})
    kinds = [u.event_type for u in await bot.get_updates()]
    assert kinds == ["message"]  # chat_member is opt-in; the service message is not
    await drain(bot)
    await bot.get_updates(allowed_updates=["callback_query"])
    await tg.say(GROUP, ANN, "dropped at enqueue")
    sent = await bot.send_message(GROUP, "menu", reply_markup=KEYBOARD)
    await tg.post(
        "/sandbox/callbacks",
        {"chat_id": GROUP, "message_id": sent.message_id, "from": ANN, "data": "tk:17:close"},
    )
    updates = await bot.get_updates()  # the setting persists without allowed_updates
    assert [u.event_type for u in updates] == ["callback_query"]
    await bot.get_updates(offset=updates[-1].update_id + 1, allowed_updates=["chat_member"])
    await tg.post("/sandbox/joins", {"chat_id": GROUP, "user": {"id": 51, "first_name": "Max"}})
    updates = await bot.get_updates()
    assert [u.event_type for u in updates] == ["chat_member"]
    # An empty (or unrecognised) list goes back to the default set.
    await bot.get_updates(offset=updates[-1].update_id + 1, allowed_updates=[])
    await tg.post("/sandbox/leaves", {"chat_id": GROUP, "user": {"id": 51, "first_name": "Max"}})
    updates = await bot.get_updates()
    assert [u.event_type for u in updates] == ["message"]
    assert updates[0].message is not None and updates[0].message.left_chat_member is not None


# ------------------------------------------------------------ limits and faults


async def test_strict_limits_answer_429_with_retry_after(http: aiohttp.ClientSession) -> None:
    clock = FakeClock()
    server = TelegramSandbox(strict_limits=True, clock=clock)
    await server.start("127.0.0.1", 0)
    tg = TgControl(http, server.base_url)
    bot = tg_bot(server.base_url)
    try:
        await tg.say(ANN["id"], ANN, "/start")
        await admin_group(tg)
        assert await bot.send_message(ANN["id"], "one")
        status, body, headers = await tg.api(
            "sendMessage", data={"chat_id": str(ANN["id"]), "text": "two"}
        )
        assert status == 429 and headers["Retry-After"] == "1"
        assert body == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        }
        clock.now += 1
        assert await bot.send_message(ANN["id"], "two")
        for _ in range(20):  # 20 a minute into one group, spread so the global bucket is fine
            await bot.send_message(GROUP, "spam-ish")
            clock.now += 1
        clock.now += 0.5
        with pytest.raises(TelegramRetryAfter) as caught:
            await bot.send_message(GROUP, "one too many")
        assert caught.value.retry_after == 40  # the first of the 20 ages out in 39.5 s
        assert len([m for m in await tg.messages(GROUP) if m["text"] == "one too many"]) == 0
    finally:
        await bot.session.close()
        await server.stop()


async def test_fault_kinds(sandbox: TelegramSandbox, tg: TgControl, bot: Bot) -> None:
    await admin_group(tg)
    await tg.post(
        "/sandbox/faults",
        {"method": "sendMessage", "kind": "429", "rate": 1, "count": 1, "retry_after": 3},
    )
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(GROUP, "faulted 429")
    assert caught.value.retry_after == 3
    await tg.post("/sandbox/faults", {"method": "*", "kind": "500", "rate": 1, "count": 1})
    with pytest.raises(TelegramServerError):
        await bot.send_message(GROUP, "faulted 500")
    await tg.post(
        "/sandbox/faults",
        {"method": "sendmessage", "kind": "drop_connection", "rate": 1, "count": 1},
    )
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(GROUP, "dropped answer")
    await tg.post(
        "/sandbox/faults",
        {"method": "sendMessage", "kind": "timeout", "rate": 1, "count": 1, "delay": 30},
    )
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(GROUP, "slow answer", request_timeout=1)
    # "act": false models a request lost on the way in: nothing is sent.
    for kind in ("drop_connection", "timeout"):
        await tg.post(
            "/sandbox/faults",
            {"method": "sendMessage", "kind": kind, "count": 1, "delay": 30, "act": False},
        )
        with pytest.raises(TelegramNetworkError):
            await bot.send_message(GROUP, f"lost request ({kind})", request_timeout=1)
    texts = [m["text"] for m in await tg.messages(GROUP)]
    assert texts == ["dropped answer", "slow answer"]  # only the lost answers acted
    ok = await bot.send_message(GROUP, "fine again")
    assert ok.text == "fine again"
    log = await tg.get("/sandbox/log")
    assert [(e.get("fault"), e["ok"], e.get("error_code")) for e in log] == [
        ("429", False, 429),
        ("500", False, 500),
        ("drop_connection", True, None),
        ("timeout", True, None),
        ("drop_connection", False, None),
        ("timeout", False, None),
        (None, True, None),
    ]


async def test_fault_rate_is_reproducible_with_seed(http: aiohttp.ClientSession) -> None:
    outcomes: list[list[bool]] = []
    for _ in range(2):
        server = TelegramSandbox()
        await server.start("127.0.0.1", 0)
        tg = TgControl(http, server.base_url)
        try:
            await tg.post(
                "/sandbox/faults", {"method": "getMe", "kind": "500", "rate": 0.5, "seed": 7}
            )
            run = []
            for _ in range(12):
                status, _, _ = await tg.api("getMe")
                run.append(status == 200)
            outcomes.append(run)
            async with http.delete(server.base_url + "/sandbox/faults") as cleared:
                assert cleared.status == 200
            assert (await tg.api("getMe"))[0] == 200
        finally:
            await server.stop()
    assert outcomes[0] == outcomes[1] and True in outcomes[0] and False in outcomes[0]


async def test_reset_empties_everything(tg: TgControl, bot: Bot) -> None:
    await admin_group(tg)
    await tg.say(GROUP, ANN, "before reset")
    await tg.post("/sandbox/reset")
    assert await bot.get_updates() == []
    status, _ = await tg.post_raw("/sandbox/messages", {"chat_id": GROUP, "from": ANN, "text": "x"})
    assert status == 404
    assert (await tg.get("/sandbox/health")) == {"ok": True}


# ------------------------------------------------------------ parse modes (pure)


@pytest.mark.parametrize(
    ("mode", "text", "plain", "entities"),
    [
        ("HTML", "<b>a</b> <i>b</i>", "a b", [("bold", 0, 1), ("italic", 2, 1)]),
        ("HTML", '<pre><code class="language-py">x</code></pre>', "x", [("pre", 0, 1)]),
        ("HTML", "&lt;&amp;&#128512;", "<&😀", []),
        (
            "MarkdownV2",
            "*b* _i_ __u__ ||s||",
            "b i u s",
            [("bold", 0, 1), ("italic", 2, 1), ("underline", 4, 1), ("spoiler", 6, 1)],
        ),
        ("MarkdownV2", "[t](https://x\\)y) 1\\.5", "t 1.5", [("text_link", 0, 1)]),
        ("MarkdownV2", ">q1\n>q2\nafter", "q1\nq2\nafter", [("blockquote", 0, 5)]),
        ("Markdown", "*b* `c`", "b c", [("bold", 0, 1), ("code", 2, 1)]),
    ],
)
def test_parse_modes(
    mode: str, text: str, plain: str, entities: list[tuple[str, int, int]]
) -> None:
    from bot.sandbox.telegram.formatting import parse_text

    got_plain, got_entities = parse_text(text, mode, None)
    assert got_plain == plain
    assert [(e["type"], e["offset"], e["length"]) for e in got_entities] == entities


@pytest.mark.parametrize(
    ("mode", "text", "detail"),
    [
        ("HTML", "<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("HTML", "<blink>x</blink>", 'Unsupported start tag "blink" at byte offset 0'),
        ("HTML", "x</b>", "Unexpected end tag at byte offset 1"),
        ("MarkdownV2", "*open", "Can't find end of Bold entity at byte offset 0"),
        ("MarkdownV2", "wow!", "Character '!' is reserved"),
        ("Markdown", "_open", "Can't find end of the entity starting at byte offset 0"),
    ],
)
def test_parse_mode_errors(mode: str, text: str, detail: str) -> None:
    from bot.sandbox.telegram.errors import ApiError
    from bot.sandbox.telegram.formatting import parse_text

    with pytest.raises(ApiError) as caught:
        parse_text(text, mode, None)
    assert caught.value.code == 400
    assert caught.value.description.startswith(f"Bad Request: can't parse entities: {detail}")


def test_detected_entities_use_utf16_offsets() -> None:
    from bot.sandbox.telegram.formatting import detect_entities

    found = detect_entities("😀 /help@steward_bot ask @ann_b at https://ex.am/ple.")
    assert [(e["type"], e["offset"], e["length"]) for e in found] == [
        ("bot_command", 3, 17),
        ("mention", 25, 6),
        ("url", 35, 17),  # the final full stop is not part of the link
    ]
