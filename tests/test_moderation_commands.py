"""Rose-style moderator commands and /dry, end to end against both sandboxes: by reply
(to a member's message, a ticket card, a spam digest entry) and by id, on Telegram and VK,
with reasons in the audit log, role refusals, staff never penalised, bad input answered
with a sentence, and dry run doing nothing on the platforms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from handlers.arguments import BadInput
from handlers.moderation import (
    MemberRef,
    is_group_command,
    parse_length,
    parse_member,
    parse_place,
)
from models import AuditEntry, Classification, InboundRecord, SpamRemoval, Strike, TrainingLabel
from tests.workspace_fixtures import (
    ADMIN,
    BORIS,
    CAROL,
    GROUP,
    MALLORY,
    MODS_CHAT,
    VK_GROUP,
    Workspace,
)

BOT_ID = 1000001
SPAM = "Зaрaботок от 3000 в день без вложений! Пиши в лс 👉 t.me/+AbCdEf123"
SPAM_2 = "EARN $500 DAILY from home!!! crypto signals, join t.me/joinchat/XyZ123 now"
PURCHASE = "Здравствуйте! Сколько стоит доставка в Казань и сколько дней идёт?"
VICTOR = {"id": 8101, "first_name": "Victor", "language_code": "ru"}


# ------------------------------------------------------------------ parsing (no sandbox)


def test_command_words_and_member_references() -> None:
    assert is_group_command("/ban") and is_group_command("/MUTE@steward_bot 2h")
    assert is_group_command("/dry on") and not is_group_command("/help")
    assert not is_group_command("/banana") and not is_group_command("ban 42")
    assert parse_member("42") == MemberRef("42")
    assert parse_member("tg:-1001000000002:42") == MemberRef("42", "telegram", "-1001000000002")
    assert parse_member("VK:2000001:7") == MemberRef("7", "vk", "2000001")
    for word in ("0", "-42", "²", "tg:42", "vk:1:2:3", "spam", "12345678901234567890"):
        assert parse_member(word) is None, word
    assert parse_place("vk:2000001") == ("vk", "2000001")
    assert parse_place("-1001000000002") == (None, "-1001000000002")
    assert parse_place("everywhere") is None


def test_lengths_come_first_and_stay_within_what_telegram_keeps() -> None:
    assert parse_length(["2h", "flood"]) == (timedelta(hours=2), ["flood"])
    assert parse_length(["1h30m"]) == (timedelta(minutes=90), [])
    assert parse_length(["3", "times"]) == (None, ["3", "times"])  # a reason, not a length
    assert parse_length([]) == (None, [])
    for word in ("0", "20s", "400d"):
        with pytest.raises(BadInput) as refused:
            parse_length([word, "reason"])
        assert refused.value.key == "mod_bad_length"


# ------------------------------------------------------------------ helpers


async def bot_texts(ws: Workspace, chat_id: int) -> list[str]:
    return [m.get("text", "") for m in await ws.tg.messages(chat_id) if m["from"]["id"] == BOT_ID]


async def member_in(ws: Workspace, chat_id: int, user_id: int) -> dict[str, Any]:
    members = await ws.tg.get(f"/sandbox/chats/{chat_id}/members")
    return next(m for m in members if m["user"]["id"] == user_id)


async def status_in(ws: Workspace, chat_id: int, user_id: int) -> str:
    return str((await member_in(ws, chat_id, user_id))["status"])


async def can_write(ws: Workspace, chat_id: int, user_id: int) -> bool:
    """A member, or restricted with messages allowed (the Enforcer's unmute leaves the
    invite right out, so Telegram keeps the member "restricted" with everything else)."""
    member = await member_in(ws, chat_id, user_id)
    return member["status"] == "member" or bool(member.get("can_send_messages"))


async def vk_bans(ws: Workspace) -> dict[int, dict[str, Any]]:
    return {ban["user_id"]: ban for ban in await ws.vk.get(f"/sandbox/groups/{VK_GROUP}/bans")}


async def audit(ws: Workspace) -> list[AuditEntry]:
    async with ws.sessions() as session:
        return list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


async def strikes(ws: Workspace) -> list[Strike]:
    async with ws.sessions() as session:
        return list(await session.scalars(select(Strike).order_by(Strike.id)))


async def removals(ws: Workspace) -> list[SpamRemoval]:
    async with ws.sessions() as session:
        return list(await session.scalars(select(SpamRemoval).order_by(SpamRemoval.id)))


async def no_errors(ws: Workspace) -> None:
    """Bad input is answered with a sentence, never an event that failed."""
    async with ws.sessions() as session:
        failed = list(
            await session.scalars(select(InboundRecord).where(InboundRecord.status == "error"))
        )
    assert failed == [], [(r.text, r.status_detail) for r in failed]


async def command(
    ws: Workspace, chat_id: int, who: dict[str, Any], text: str, reply_to: int | None = None
) -> str:
    """A command and Steward's answer to it (the bot's reply to that message)."""
    extra = {"reply_to_message_id": reply_to} if reply_to is not None else {}
    sent = await ws.say_as(chat_id, who, text, **extra)
    await ws.settle()
    answers = [
        m.get("text", "")
        for m in await ws.tg.messages(chat_id)
        if m["from"]["id"] == BOT_ID
        and (m.get("reply_to_message") or {}).get("message_id") == sent["message_id"]
    ]
    assert len(answers) == 1, (text, answers)
    return answers[0]


def digest_entry(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The latest spam log entry: the message with Not spam buttons."""
    entries = [
        m
        for m in messages
        if any(
            button.get("callback_data", "").startswith("s:")
            for row in (m.get("reply_markup") or {}).get("inline_keyboard", [])
            for button in row
        )
    ]
    return entries[-1]


# ------------------------------------------------------------------ Telegram group


async def test_group_commands_by_reply_and_by_id_with_refusals(workspace: Workspace) -> None:
    ws = workspace
    said = await ws.say_as(GROUP, VICTOR, "всем привет, как дела?")
    await ws.settle()

    answer = await command(ws, GROUP, CAROL, "/mute 2h flooding the chat", said["message_id"])
    assert answer.startswith("🔇 Muted Victor (id 8101)") and "2 h" in answer
    assert "flooding the chat" in answer
    assert await status_in(ws, GROUP, VICTOR["id"]) == "restricted"
    answer = await command(ws, GROUP, CAROL, "/unmute 8101 calmed down")
    assert answer.startswith("🔈 Unmuted") and await can_write(ws, GROUP, VICTOR["id"])

    answer = await command(ws, GROUP, CAROL, "/warn", said["message_id"])
    assert answer.startswith("⚠️ Warned Victor")
    warnings = [t for t in await bot_texts(ws, GROUP) if "warning from the moderators" in t]
    assert len(warnings) == 1 and warnings[0].startswith("⚠️ Victor")

    answer = await command(ws, GROUP, CAROL, "/ban 8101 3d links to scams")
    assert "3 days" in answer and await status_in(ws, GROUP, VICTOR["id"]) == "kicked"
    answer = await command(ws, GROUP, CAROL, "/unban@sandbox_1000001_bot 8101 appealed")
    assert answer.startswith("✅ Unbanned") and await status_in(ws, GROUP, VICTOR["id"]) != "kicked"

    # Every action: the moderator and the reason in the audit log, a strike for penalties.
    entries = {e.action: e for e in await audit(ws) if e.action.startswith("/")}
    assert entries["/mute"].actor == f"tg:{CAROL['id']}"
    assert entries["/mute"].details["reason"] == "flooding the chat"
    assert entries["/mute"].details["via"] == f"message {said['message_id']}"
    assert entries["/ban"].details == {
        "reason": "links to scams",
        "via": "id",
        "length_seconds": 3 * 86400,
    }
    assert entries["/unban"].target == f"telegram:{GROUP}:{VICTOR['id']}"
    platform_actions = [e for e in await audit(ws) if e.action in ("mute", "ban", "lift ban")]
    assert [e.details["reason"] for e in platform_actions] == [
        "flooding the chat",
        "links to scams",
        "appealed",
    ]
    assert [(s.reason, s.penalty) for s in await strikes(ws)] == [
        ("moderator", "mute"),
        ("moderator", "warn"),
        ("moderator", "ban"),
    ]

    # Not staff: the polite refusal, audited; nothing happens to Victor.
    refusal = await command(ws, GROUP, MALLORY, "/ban 8101")
    assert "only Steward's moderators" in refusal
    assert await status_in(ws, GROUP, VICTOR["id"]) != "kicked"
    assert any(e.action == "refused" and e.actor == "tg:666" for e in await audit(ws))
    # A member's "/ban" is still a member's message: it goes on to the spam check (a leading
    # "/" must not dodge the filter); a moderator's command stops at the handlers.
    async with ws.sessions() as session:
        records = list(await session.scalars(select(InboundRecord).order_by(InboundRecord.id)))
        classified = set(await session.scalars(select(Classification.inbound_id)))
    commands = {r.text: r for r in records if r.text.startswith("/")}
    assert commands["/ban 8101"].id in classified
    assert commands["/ban 8101 3d links to scams"].id not in classified
    assert commands["/ban 8101 3d links to scams"].status_detail == "handled"
    # Staff are never penalised (Boris writes in Russian, so the answer is Russian).
    boris_said = await ws.say_as(GROUP, BORIS, "я тут")
    await ws.settle()
    refusal = await command(ws, GROUP, CAROL, "/mute 1h", boris_said["message_id"])
    assert "never penalised" in refusal
    assert await status_in(ws, GROUP, BORIS["id"]) == "member"
    refusal = await command(ws, GROUP, BORIS, "/ban 500")
    assert "сотрудник Steward" in refusal

    # Bad input gets a sentence.
    assert "Whom?" in await command(ws, GROUP, CAROL, "/ban")
    assert "between 1 min and 366 days" in await command(ws, GROUP, CAROL, "/mute 8101 400d")
    assert "give just the user id" in await command(ws, GROUP, CAROL, f"/ban vk:{VK_GROUP}:8101")
    assert "needs the message" in await command(ws, GROUP, CAROL, "/spam 8101")
    await no_errors(ws)
    # Staff commands are not members' messages: no tickets for them (Mallory's may have one).
    staff_ids = {str(user["id"]) for user in (ADMIN, BORIS, CAROL)}
    assert not [t for t in await ws.tickets() if t.member_id in staff_ids]


async def test_spam_on_a_group_message_and_on_a_ticket_card(workspace: Workspace) -> None:
    ws = workspace
    await ws.say_as(GROUP, VICTOR, PURCHASE)
    await ws.settle()
    (ticket,) = await ws.tickets()
    card = await ws.card(ticket.id)

    answer = await command(ws, MODS_CHAT, CAROL, "/spam reselling accounts", card["message_id"])
    assert answer.startswith("🚫 Removed 1 message(s) of Victor (id 8101)")
    assert "penalty: warn" in answer
    group = await ws.tg.messages(GROUP)
    assert next(m for m in group if m.get("text") == PURCHASE)["deleted"]
    (ticket,) = await ws.tickets()
    assert ticket.state == "resolved" and ticket.category == "spam"
    (removal,) = await removals(ws)
    assert removal.reasons[0] == f"/spam by tg:{CAROL['id']}: reselling accounts"
    async with ws.sessions() as session:
        labels = list(await session.scalars(select(TrainingLabel)))
    assert [(label.text, label.spam) for label in labels] == [(PURCHASE, True)]

    # In the group, by reply: the second removal climbs the ladder to a mute.
    second = await ws.say_as(GROUP, VICTOR, "ну и погодка сегодня")
    await ws.settle()
    answer = await command(ws, GROUP, CAROL, "/spam", second["message_id"])
    assert "penalty: mute" in answer and not await can_write(ws, GROUP, VICTOR["id"])
    assert next(m for m in await ws.tg.messages(GROUP) if m["message_id"] == second["message_id"])[
        "deleted"
    ]
    assert await status_in(ws, GROUP, VICTOR["id"]) == "restricted"
    # The removals are listed in the moderators' chat, each with its Not spam button.
    entry = digest_entry(await ws.mods_chat())
    buttons = [b["callback_data"] for row in entry["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == [f"s:{r.id}:ham" for r in await removals(ws)]
    await no_errors(ws)


async def test_commands_on_spam_digest_entries(workspace: Workspace) -> None:
    ws = workspace
    first = {"id": 7301, "first_name": "Spammy"}
    await ws.say_as(GROUP, first, SPAM)
    await ws.settle()
    (removal,) = await removals(ws)
    entry = digest_entry(await ws.mods_chat())

    answer = await command(ws, MODS_CHAT, CAROL, "/ban scam wave", entry["message_id"])
    assert answer.startswith("⛔ Banned Spammy (id 7301)") and "for ever" in answer
    assert await status_in(ws, GROUP, first["id"]) == "kicked"
    answer = await command(ws, MODS_CHAT, CAROL, "/spam", entry["message_id"])
    assert f"entry #{removal.id}" in answer  # already removed
    answer = await command(ws, MODS_CHAT, CAROL, "/unban 7301 my mistake", entry["message_id"])
    assert answer.endswith("Reason: my mistake") and await status_in(ws, GROUP, 7301) != "kicked"

    # A digest of several removals needs the member's id.
    second = {"id": 7302, "first_name": "Spammo"}
    await ws.say_as(GROUP, second, SPAM_2)
    await ws.settle()
    entry = digest_entry(await ws.mods_chat())
    assert "2 spam messages" in entry["text"]
    answer = await command(ws, MODS_CHAT, CAROL, "/mute 1h", entry["message_id"])
    assert "several removals" in answer and "Spammo (7302)" in answer
    answer = await command(ws, MODS_CHAT, CAROL, "/mute 7302 1h", entry["message_id"])
    assert answer.startswith("🔇 Muted Spammo") and "1 h" in answer
    assert await status_in(ws, GROUP, second["id"]) == "restricted"
    entries = [e for e in await audit(ws) if e.action == "/mute"]
    assert entries[0].details["via"] == f"spam entry #{(await removals(ws))[1].id}"
    await no_errors(ws)


# ------------------------------------------------------------------ VK, from the moderators' chat


async def test_vk_member_from_the_moderators_chat(workspace: Workspace) -> None:
    ws = workspace
    # groups.ban takes an end date in the sandbox's (real) time: run the app clock there.
    ws.clock.now = datetime.now(UTC).replace(microsecond=0)
    member = {"id": 9101, "first_name": "Vera", "last_name": "K"}
    await ws.vk.post("/sandbox/users", member)
    post = await ws.vk.post("/sandbox/wall_posts", {"group_id": VK_GROUP, "text": "Новинки"})
    await ws.vk.post(
        "/sandbox/comments",
        {
            "group_id": VK_GROUP,
            "object": "wall",
            "object_id": post["post_id"],
            "from_id": member["id"],
            "text": PURCHASE,
        },
    )
    await ws.settle()
    (ticket,) = await ws.tickets()
    card = await ws.card(ticket.id)

    answer = await command(ws, MODS_CHAT, CAROL, "/mute 2h rude replies", card["message_id"])
    assert answer.startswith("🔇 Muted Vera K (id 9101) in Brand on VK for 2 h")
    ban = (await vk_bans(ws))[member["id"]]
    assert ban["end_date"] == int((ws.clock.now + timedelta(hours=2)).timestamp())
    answer = await command(ws, MODS_CHAT, CAROL, f"/unmute vk:{VK_GROUP}:9101 apologised")
    assert answer.startswith("🔈 Unmuted") and member["id"] not in await vk_bans(ws)

    # VK has no public warning: the strike is recorded all the same.
    answer = await command(ws, MODS_CHAT, CAROL, "/warn keep it civil", card["message_id"])
    assert answer.startswith("⚠️ Warning recorded for Vera K")
    # A bare id is enough where Steward knows the member in one place only.
    answer = await command(ws, MODS_CHAT, CAROL, "/ban 9101 threats")
    assert "for ever" in answer and (await vk_bans(ws))[member["id"]]["end_date"] == 0
    await command(ws, MODS_CHAT, CAROL, "/unban 9101")
    assert member["id"] not in await vk_bans(ws)
    assert [(s.platform, s.penalty) for s in await strikes(ws)] == [
        ("vk", "mute"),
        ("vk", "warn"),
        ("vk", "ban"),
    ]
    entries = {e.action: e for e in await audit(ws) if e.action.startswith("/")}
    assert entries["/mute"].details["via"] == f"card #{ticket.id}"
    assert entries["/ban"].details["reason"] == "threats"
    assert entries["/warn"].target == f"vk:{VK_GROUP}:9101"

    # The same id known on Telegram too: a bare id is now ambiguous.
    await ws.say_as(GROUP, {"id": 9101, "first_name": "Vera"}, PURCHASE)
    await ws.settle()
    answer = await command(ws, MODS_CHAT, CAROL, "/ban 9101")
    assert f"tg:{GROUP}:9101" in answer and f"vk:{VK_GROUP}:9101" in answer
    assert "Steward does not watch tg:-100999" in await command(
        ws, MODS_CHAT, CAROL, "/ban tg:-100999:5"
    )
    assert "has not dealt with member 4242" in await command(ws, MODS_CHAT, CAROL, "/mute 4242")
    assert "Whom?" in await command(ws, MODS_CHAT, CAROL, "/warn rude")
    await no_errors(ws)


# ------------------------------------------------------------------ /dry


async def test_dry_run_per_community(workspace: Workspace) -> None:
    ws = workspace
    assert "lead role" in await command(ws, MODS_CHAT, CAROL, f"/dry on tg:{GROUP}")
    answer = await command(ws, MODS_CHAT, ADMIN, f"/dry on tg:{GROUP}")
    assert answer == f"Dry run is now on for Brand community chat (tg:{GROUP})."
    shown = await command(ws, MODS_CHAT, CAROL, "/dry")
    assert f"Brand community chat (tg:{GROUP}): on" in shown
    assert "(tg:-1001000000004): off" in shown

    spam = await ws.say_as(GROUP, {"id": 7401, "first_name": "Dry"}, SPAM)
    await ws.settle()
    group = await ws.tg.messages(GROUP)
    assert not next(m for m in group if m["message_id"] == spam["message_id"])["deleted"]
    (removal,) = await removals(ws)
    assert removal.status == "would_remove"
    actions = [e.action for e in await audit(ws)]
    assert "would remove" in actions and "would warn" in actions and "remove" not in actions
    assert "Dry run" in digest_entry(await ws.mods_chat())["text"]
    # A moderator's ban in dry run: logged as "would ban", answered as such, not done.
    answer = await command(ws, GROUP, CAROL, "/ban 7401 spam")
    assert "Dry run" in answer and await status_in(ws, GROUP, 7401) != "kicked"
    assert "would ban" in [e.action for e in await audit(ws)]

    # Off again, from inside the group itself: removal happens for real.
    assert "now off" in await command(ws, GROUP, ADMIN, "/dry off")
    again = await ws.say_as(GROUP, {"id": 7402, "first_name": "Wet"}, SPAM_2)
    await ws.settle()
    group = await ws.tg.messages(GROUP)
    assert next(m for m in group if m["message_id"] == again["message_id"])["deleted"]
    assert "Which community?" in await command(ws, MODS_CHAT, ADMIN, "/dry on")
    assert "Which community?" in await command(ws, MODS_CHAT, ADMIN, "/dry on tg:-5")
    await no_errors(ws)
