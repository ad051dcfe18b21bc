"""Bot API methods that send, change and remove messages, and answer buttons."""

from __future__ import annotations

from typing import Any

from .errors import bad_request, retry_after
from .formatting import check_message_text, parse_text, utf16_len
from .markup import validate_reply_markup
from .objects import BOT, poll_json
from .params import Params
from .registry import method
from .state import ChatState, MessageRecord
from .world import World, text_fields

CALLBACK_ANSWER_WINDOW = 60.0  # seconds a callback query can be answered (sandbox choice)
DELETE_WINDOW = 48 * 3600  # older messages can't be deleted outside supergroups and channels
POLL_QUESTION_MAX = 300
POLL_OPTION_MAX = 100
POLL_OPTIONS_RANGE = (1, 12)
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
STALE_QUERY = "query is too old and response timeout expired or query ID is invalid"
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# Telegram's standard reaction emoji (without variation selectors).
REACTION_EMOJI = frozenset(
    {
        *("👍", "👎", "❤", "🔥", "🥰", "👏", "😁", "🤔", "🤯", "😱", "🤬", "😢", "🎉", "🤩"),
        *("🤮", "💩", "🙏", "👌", "🕊", "🤡", "🥱", "🥴", "😍", "🐳", "❤\u200d🔥", "🌚", "🌭"),
        *("💯", "🤣", "⚡", "🍌", "🏆", "💔", "🤨", "😐", "🍓", "🍾", "💋", "🖕", "😈", "😴"),
        *("😭", "🤓", "👻", "👨\u200d💻", "👀", "🎃", "🙈", "😇", "😨", "🤝", "✍", "🤗", "🫡"),
        *("🎅", "🎄", "☃", "💅", "🤪", "🗿", "🆒", "💘", "🙉", "🦄", "😘", "💊", "🙊", "😎"),
        *("👾", "🤷\u200d♂", "🤷", "🤷\u200d♀", "😡"),
    }
)


# ------------------------------------------------------------ shared checks


def message_for_bot(world: World, p: Params, missing: str) -> tuple[ChatState, MessageRecord]:
    """The chat and live message a call names, or 400 `missing` (e.g. "message to edit…")."""
    chat = world.chat_for_bot(p.chat_id())
    record = chat.live_message(p.get_int("message_id"))
    if record is None:
        raise bad_request(missing)
    return chat, record


def require_can_send(world: World, chat: ChatState, what: str = "text messages") -> None:
    if chat.type == "channel":
        if not (world.bot_can(chat, "can_post_messages") or chat.bot.status == "creator"):
            raise bad_request("need administrator rights in the channel chat")
        return
    if chat.bot.status == "restricted" and not chat.bot.permissions.get("can_send_messages"):
        raise bad_request(f"not enough rights to send {what} to the chat")


def reply_target(world: World, chat: ChatState, p: Params) -> MessageRecord | None:
    """What a send replies to (reply_parameters or the legacy reply_to_message_id)."""
    parameters = p.get_json("reply_parameters", "reply parameters") or {}
    if not isinstance(parameters, dict):
        raise bad_request("can't parse reply parameters JSON object")
    message_id = parameters.get("message_id", p.get_int("reply_to_message_id"))
    if message_id is None:
        return None
    allow_missing = bool(parameters.get("allow_sending_without_reply")) or p.get_bool(
        "allow_sending_without_reply"
    )
    other = parameters.get("chat_id")
    if other is not None and str(other) not in (str(chat.id), f"@{chat.username}"):
        record = None  # replies across chats (quotes) are not modelled: treated as missing
    else:
        try:
            record = chat.live_message(int(message_id))
        except (TypeError, ValueError):
            record = None
    if record is None and not allow_missing:
        raise bad_request("message to be replied not found")
    return record


def thread_for_send(
    world: World, chat: ChatState, p: Params, reply: MessageRecord | None
) -> tuple[int | None, MessageRecord | None]:
    thread_id, reply = world.resolve_thread(chat, p.get_int("message_thread_id"), reply)
    topic = chat.topics.get(thread_id) if thread_id is not None else None
    if topic is not None and topic.closed and not world.bot_can(chat, "can_manage_topics"):
        raise bad_request("TOPIC_CLOSED")
    return thread_id, reply


def admit_send(world: World, chat: ChatState) -> None:
    """Strict limits: a send over a bucket's limit answers 429 and sends nothing."""
    if world.strict_limits:
        wait = world.limiter.admit(chat.id, chat.type)
        if wait is not None:
            raise retry_after(wait)


def publish(
    world: World,
    chat: ChatState,
    fields: dict[str, Any],
    thread_id: int | None,
    reply: MessageRecord | None,
) -> MessageRecord:
    """Store a message the bot sends; a channel post also gets its automatic forward."""
    if chat.type == "channel":
        post, _ = world.post_in_channel(chat, fields, by_bot=True)
        return post
    return world.add_message(
        chat, fields, sender=BOT, by_bot=True, thread_id=thread_id, reply_to=reply
    )


def message_text(world: World, p: Params) -> tuple[str, list[dict[str, Any]]]:
    raw_text = p.get_str("text") or ""
    if not raw_text:
        raise bad_request("message text is empty")
    text, entities = parse_text(raw_text, p.get_str("parse_mode"), p.get_json("entities"))
    check_message_text(text)
    for entity in entities:
        user = entity.get("user")
        if entity.get("type") == "text_mention" and isinstance(user, dict) and "id" in user:
            # Telegram fills in the mentioned user's profile.
            entity["user"] = world.user_ref(int(user["id"]))
    return text, entities


# ------------------------------------------------------------ sending and editing


@method("sendMessage")
def send_message(world: World, p: Params) -> Any:
    chat = world.chat_for_bot(p.chat_id())
    require_can_send(world, chat)
    text, entities = message_text(world, p)
    markup = validate_reply_markup(p.get_json("reply_markup", "reply keyboard markup"))
    reply = reply_target(world, chat, p)
    thread_id, reply = thread_for_send(world, chat, p, reply)
    admit_send(world, chat)
    fields = text_fields(text, entities)
    if markup:
        fields["reply_markup"] = markup
    if p.get_bool("protect_content"):
        fields["has_protected_content"] = True
    link_preview = p.get_json("link_preview_options", "link preview options")
    if isinstance(link_preview, dict) and link_preview:
        fields["link_preview_options"] = link_preview
    return world.render(publish(world, chat, fields, thread_id, reply).payload)


def _editable(record: MessageRecord) -> None:
    if not record.by_bot:
        raise bad_request("message can't be edited")


@method("editMessageText")
def edit_message_text(world: World, p: Params) -> Any:
    if p.has("inline_message_id"):
        raise bad_request("message to edit not found")  # the sandbox has no inline messages
    _, record = message_for_bot(world, p, "message to edit not found")
    _editable(record)
    if "text" not in record.payload:
        raise bad_request("there is no text in the message to edit")
    text, entities = message_text(world, p)
    markup = validate_reply_markup(p.get_json("reply_markup", "reply keyboard markup"))
    payload = record.payload
    if (
        payload.get("text") == text
        and payload.get("entities", []) == entities
        and payload.get("reply_markup") == markup
    ):
        raise bad_request(NOT_MODIFIED)
    payload.update(text_fields(text, entities))
    if not entities:
        payload.pop("entities", None)
    _set_markup(payload, markup)
    payload["edit_date"] = world.now()
    record.edited = True
    return world.render(payload)


@method("editMessageReplyMarkup")
def edit_message_reply_markup(world: World, p: Params) -> Any:
    if p.has("inline_message_id"):
        raise bad_request("message to edit not found")
    _, record = message_for_bot(world, p, "message to edit not found")
    _editable(record)
    markup = validate_reply_markup(p.get_json("reply_markup", "reply keyboard markup"))
    if record.payload.get("reply_markup") == markup:
        raise bad_request(NOT_MODIFIED)
    _set_markup(record.payload, markup)
    record.payload["edit_date"] = world.now()
    record.edited = True
    return world.render(record.payload)


def _set_markup(payload: dict[str, Any], markup: dict[str, Any] | None) -> None:
    """An edit without reply_markup drops the inline keyboard, as Telegram does."""
    if markup:
        payload["reply_markup"] = markup
    else:
        payload.pop("reply_markup", None)


# ------------------------------------------------------------ deleting


def _can_delete(world: World, chat: ChatState, record: MessageRecord) -> bool:
    admin_may = chat.type in ("supergroup", "channel") and world.bot_can(
        chat, "can_delete_messages"
    )
    if world.now() - int(record.payload.get("date", 0)) > DELETE_WINDOW and not admin_may:
        return False
    if chat.type == "private" or record.by_bot:
        return True
    return world.bot_can(chat, "can_delete_messages")


@method("deleteMessage")
def delete_message(world: World, p: Params) -> bool:
    chat, record = message_for_bot(world, p, "message to delete not found")
    if not _can_delete(world, chat, record):
        raise bad_request("message can't be deleted")
    record.deleted = True
    return True


@method("deleteMessages")
def delete_messages(world: World, p: Params) -> bool:
    chat = world.chat_for_bot(p.chat_id())
    ids = p.get_json("message_ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise bad_request("message_ids must be a list of 1-100 message identifiers")
    deletable = [chat.live_message(int(i)) for i in ids]
    found = [record for record in deletable if record is not None]
    if not found:
        raise bad_request("message to delete not found")
    if not all(_can_delete(world, chat, record) for record in found):
        raise bad_request("message can't be deleted")
    for record in found:
        record.deleted = True
    return True


# ------------------------------------------------------------ buttons and reactions


@method("answerCallbackQuery")
def answer_callback_query(world: World, p: Params) -> bool:
    query_id = p.get_str("callback_query_id") or ""
    callback = world.callbacks.get(query_id)
    expired = callback is not None and world.clock() - callback.created_at > CALLBACK_ANSWER_WINDOW
    if callback is None or callback.answered or expired:
        raise bad_request(STALE_QUERY)
    text = p.get_str("text") or ""
    if utf16_len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    callback.answered = True
    callback.answer = {
        "text": text,
        "show_alert": p.get_bool("show_alert"),
        "url": p.get_str("url"),
        "cache_time": p.get_int("cache_time", 0),
    }
    return True


def _normalise_reaction(reaction: Any) -> dict[str, Any]:
    if not isinstance(reaction, dict):
        raise bad_request("REACTION_INVALID")
    kind = reaction.get("type")
    if kind == "emoji":
        emoji = str(reaction.get("emoji", "")).replace("\ufe0f", "")
        if emoji not in REACTION_EMOJI:
            raise bad_request("REACTION_INVALID")
        return {"type": "emoji", "emoji": str(reaction["emoji"])}
    if kind == "custom_emoji" and reaction.get("custom_emoji_id"):
        return {"type": "custom_emoji", "custom_emoji_id": str(reaction["custom_emoji_id"])}
    if kind == "paid":
        return {"type": "paid"}
    raise bad_request("REACTION_INVALID")


@method("setMessageReaction")
def set_message_reaction(world: World, p: Params) -> bool:
    _, record = message_for_bot(world, p, "message to react not found")
    reactions = p.get_json("reaction") or []
    if not isinstance(reactions, list):
        raise bad_request("REACTION_INVALID")
    normalised = [_normalise_reaction(reaction) for reaction in reactions]
    if len(normalised) > 1:
        raise bad_request("REACTIONS_TOO_MANY")  # a bot is not premium: one reaction at most
    if normalised:
        record.reactions["bot"] = normalised
    else:
        record.reactions.pop("bot", None)
    return True  # the bot's own reactions produce no message_reaction update


@method("sendChatAction")
def send_chat_action(world: World, p: Params) -> bool:
    world.chat_for_bot(p.chat_id())
    if p.get_str("action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


# ------------------------------------------------------------ polls


def _poll_options(p: Params) -> list[str]:
    options = p.get_json("options")
    if not isinstance(options, list):
        raise bad_request("can't parse options JSON object")
    texts = [str(o.get("text", "")) if isinstance(o, dict) else str(o) for o in options]
    low, high = POLL_OPTIONS_RANGE
    if len(texts) < low:
        raise bad_request(f"poll must have at least {low} option")
    if len(texts) > high:
        raise bad_request(f"poll can't have more than {high} options")
    for text in texts:
        if not text.strip() or utf16_len(text) > POLL_OPTION_MAX:
            raise bad_request(f"poll options length must be between 1 and {POLL_OPTION_MAX}")
    return texts


@method("sendPoll")
def send_poll(world: World, p: Params) -> Any:
    chat = world.chat_for_bot(p.chat_id())
    require_can_send(world, chat, "polls")
    question = p.get_str("question") or ""
    if not question.strip():
        raise bad_request("poll question must be non-empty")
    if utf16_len(question) > POLL_QUESTION_MAX:
        raise bad_request(f"poll question length must not exceed {POLL_QUESTION_MAX}")
    options = _poll_options(p)
    poll_type = p.get_str("type") or "regular"
    if poll_type not in ("regular", "quiz"):
        raise bad_request("poll type is invalid")
    correct = p.get_int("correct_option_id")
    correct_ids = p.get_json("correct_option_ids")
    if correct is None and isinstance(correct_ids, list) and correct_ids:
        correct = int(correct_ids[0])
    if poll_type == "quiz" and (correct is None or not 0 <= correct < len(options)):
        raise bad_request("wrong correct option identifier specified")
    markup = validate_reply_markup(p.get_json("reply_markup", "reply keyboard markup"))
    reply = reply_target(world, chat, p)
    thread_id, reply = thread_for_send(world, chat, p, reply)
    admit_send(world, chat)
    poll = poll_json(
        str(5_000_000_000_000_000 + world.next_number()),
        question,
        options,
        is_anonymous=p.get_bool("is_anonymous", True),
        poll_type=poll_type,
        allows_multiple_answers=p.get_bool("allows_multiple_answers"),
        allows_revoting=p.get_bool("allows_revoting", poll_type == "regular"),
        correct_option_id=correct if poll_type == "quiz" else None,
        explanation=p.get_str("explanation"),
        open_period=p.get_int("open_period"),
        close_date=p.get_int("close_date"),
    )
    if p.get_bool("is_closed"):
        poll["is_closed"] = True
    fields: dict[str, Any] = {"poll": poll}
    if markup:
        fields["reply_markup"] = markup
    return world.render(publish(world, chat, fields, thread_id, reply).payload)


@method("stopPoll")
def stop_poll(world: World, p: Params) -> Any:
    _, record = message_for_bot(world, p, "message with poll to stop not found")
    poll = record.payload.get("poll")
    if poll is None or not record.by_bot:
        raise bad_request("message with poll to stop not found")
    if poll["is_closed"]:
        raise bad_request("poll has already been closed")
    poll["is_closed"] = True
    if p.has("reply_markup"):
        _set_markup(record.payload, validate_reply_markup(p.get_json("reply_markup")))
    record.edited = True
    return world.render(poll)


# ------------------------------------------------------------ pins


def _require_pin_rights(world: World, chat: ChatState) -> None:
    if chat.type == "private":
        return
    right = "can_edit_messages" if chat.type == "channel" else "can_pin_messages"
    if not world.bot_can(chat, right):
        raise bad_request("not enough rights to manage pinned messages in the chat")


@method("pinChatMessage")
def pin_chat_message(world: World, p: Params) -> bool:
    chat = world.chat_for_bot(p.chat_id())
    _require_pin_rights(world, chat)
    record = chat.live_message(p.get_int("message_id"))
    if record is None:
        raise bad_request("message to pin not found")
    if record.message_id in chat.pinned:
        chat.pinned.remove(record.message_id)
    chat.pinned.append(record.message_id)
    if chat.type != "private":
        # The "pinned a message" service message groups and channels show.
        fields = {"pinned_message": world.pinned_json(chat)}
        if chat.type == "channel":
            world.add_message(chat, fields, sender=None, sender_chat=chat, by_bot=True)
        else:
            world.add_message(chat, fields, sender=BOT, by_bot=True)
    return True


@method("unpinChatMessage")
def unpin_chat_message(world: World, p: Params) -> bool:
    chat = world.chat_for_bot(p.chat_id())
    _require_pin_rights(world, chat)
    message_id = p.get_int("message_id")
    if message_id is None:
        if chat.pinned:
            chat.pinned.pop()
        return True
    if chat.live_message(message_id) is None:
        raise bad_request("message to unpin not found")
    if message_id in chat.pinned:
        chat.pinned.remove(message_id)
    return True


@method("unpinAllChatMessages")
def unpin_all_chat_messages(world: World, p: Params) -> bool:
    chat = world.chat_for_bot(p.chat_id())
    _require_pin_rights(world, chat)
    chat.pinned.clear()
    return True
