"""Bot API methods about chats and their members: bans, restrictions, lookups, forum topics."""

from __future__ import annotations

from typing import Any

from .errors import bad_request
from .objects import (
    BOT,
    chat_full_info,
    forum_topic_json,
    member_json,
    normalise_permissions,
)
from .params import Params
from .registry import method
from .state import ChatState, MemberState, TopicState
from .world import World

FOREVER_MIN = 30  # an until_date closer than this …
FOREVER_MAX = 366 * 86400  # … or further than this means "forever" (0)
TOPIC_ICON_COLORS = frozenset({7322096, 16766590, 13338331, 9367192, 16749490, 16478047})
TOPIC_NAME_MAX = 128
NO_RESTRICT_RIGHTS = "not enough rights to restrict/unrestrict chat member"
SUPERGROUP_ONLY = "method is available only for supergroups"
SUPERGROUP_OR_CHANNEL = "method is available for supergroup and channel chats only"


def until_date(world: World, p: Params) -> int:
    """`until_date` as Telegram applies it: too close or too far means forever (0)."""
    until = p.get_int("until_date", 0) or 0
    ahead = until - world.now()
    return 0 if until <= 0 or ahead < FOREVER_MIN or ahead > FOREVER_MAX else until


def _require_restrict_rights(world: World, chat: ChatState) -> None:
    if not world.bot_can(chat, "can_restrict_members"):
        raise bad_request(NO_RESTRICT_RIGHTS)


def _target(world: World, chat: ChatState, p: Params) -> tuple[int, MemberState]:
    """The member a moderation call names; the owner and admins are out of reach."""
    user_id = p.required_int("user_id")
    if user_id == world.bot_id:
        raise bad_request("can't restrict self")
    if user_id not in chat.members and user_id not in world.users:
        raise bad_request("user not found")
    member = world.member_of(chat, user_id)
    if member.status == "creator":
        raise bad_request("can't remove chat owner")
    if member.status == "administrator":
        raise bad_request("user is an administrator of the chat")
    return user_id, member


@method("banChatMember")
def ban_chat_member(world: World, p: Params) -> bool:
    chat = world.chat_for_bot(p.chat_id())
    if chat.type == "private":
        raise bad_request(SUPERGROUP_OR_CHANNEL)
    _require_restrict_rights(world, chat)
    user_id, _ = _target(world, chat, p)
    world.change_member(chat, user_id, MemberState("kicked", until_date(world, p)), actor=BOT)
    # Basic groups always lose the banned user's messages; elsewhere only on request.
    if p.get_bool("revoke_messages") or chat.type == "group":
        for record in chat.messages.values():
            if record.sender_id == user_id:
                record.deleted = True
    return True


@method("unbanChatMember")
def unban_chat_member(world: World, p: Params) -> bool:
    chat = world.chat_for_bot(p.chat_id())
    if chat.type not in ("supergroup", "channel"):
        raise bad_request(SUPERGROUP_OR_CHANNEL)
    _require_restrict_rights(world, chat)
    user_id, member = _target(world, chat, p)
    if member.status != "kicked" and (p.get_bool("only_if_banned") or not member.present):
        return True
    # Without only_if_banned, unbanning a current member removes them (they can rejoin).
    world.change_member(chat, user_id, MemberState("left"), actor=BOT)
    return True


@method("restrictChatMember")
def restrict_chat_member(world: World, p: Params) -> bool:
    chat = world.chat_for_bot(p.chat_id())
    if chat.type != "supergroup":
        raise bad_request(SUPERGROUP_ONLY)
    _require_restrict_rights(world, chat)
    user_id, member = _target(world, chat, p)
    given = p.get_json("permissions", "permissions")
    if not isinstance(given, dict):
        raise bad_request("can't parse permissions JSON object")
    permissions = normalise_permissions(given, p.get_bool("use_independent_chat_permissions"))
    inside = member.present
    if all(permissions[name] for name, allowed in chat.permissions.items() if allowed):
        # Granting everything the chat allows lifts the restriction.
        new = MemberState("member" if inside else "left")
    else:
        new = MemberState(
            "restricted",
            until_date=until_date(world, p),
            permissions=permissions,
            is_member=inside,
        )
    world.change_member(chat, user_id, new, actor=BOT)
    return True


@method("getChat")
def get_chat(world: World, p: Params) -> dict[str, Any]:
    chat = world.chat_for_bot(p.chat_id())
    return world.render(chat_full_info(chat, world.pinned_json(chat)))


@method("getChatMember")
def get_chat_member(world: World, p: Params) -> dict[str, Any]:
    chat = world.chat_for_bot(p.chat_id())
    user_id = p.required_int("user_id")
    known = user_id == world.bot_id or user_id in chat.members or user_id in world.users
    if not known:
        raise bad_request("user not found")
    return world.render(member_json(world.member_of(chat, user_id), world.user_ref(user_id)))


@method("getChatAdministrators")
def get_chat_administrators(world: World, p: Params) -> list[dict[str, Any]]:
    chat = world.chat_for_bot(p.chat_id())
    if chat.type == "private":
        raise bad_request("there are no administrators in the private chat")
    include_bots = p.get_bool("return_bots")
    admins: list[tuple[int, dict[str, Any]]] = []
    for user_id in list(chat.members):
        member = world.member_of(chat, user_id)
        user = world.user_ref(user_id)
        if member.status not in ("creator", "administrator"):
            continue
        if isinstance(user, dict) and user.get("is_bot") and not include_bots:
            continue  # other bots are listed only on request
        admins.append((0 if member.status == "creator" else 1, member_json(member, user)))
    if chat.bot.status in ("creator", "administrator"):
        admins.append((1, member_json(chat.bot, BOT)))
    admins.sort(key=lambda item: item[0])  # the owner first
    return world.render([member for _, member in admins])


@method("getChatMemberCount")
def get_chat_member_count(world: World, p: Params) -> int:
    chat = world.chat_for_bot(p.chat_id())
    present = sum(1 for user_id in chat.members if world.member_of(chat, user_id).present)
    return present + (1 if chat.bot.present and chat.type != "private" else 0)


@method("leaveChat")
def leave_chat(world: World, p: Params) -> bool:
    chat = world.chat_for_bot(p.chat_id())
    if chat.type == "private":
        raise bad_request("chat member status can't be changed in private chats")
    world.change_member(chat, world.bot_id, MemberState("left"), actor=BOT)
    return True


# ------------------------------------------------------------ forum topics


def _forum(world: World, p: Params) -> ChatState:
    chat = world.chat_for_bot(p.chat_id())
    if chat.type != "supergroup":
        raise bad_request(SUPERGROUP_ONLY)
    if not chat.is_forum:
        raise bad_request("the chat is not a forum")
    return chat


def _topic(world: World, chat: ChatState, p: Params) -> TopicState:
    if not world.bot_can(chat, "can_manage_topics"):
        raise bad_request("not enough rights to manage topics")
    topic = chat.topics.get(p.required_int("message_thread_id"))
    if topic is None or topic.deleted:
        raise bad_request("message thread not found")
    return topic


def _topic_service(
    world: World, chat: ChatState, topic: TopicState, fields: dict[str, Any]
) -> None:
    world.add_message(chat, fields, sender=BOT, by_bot=True, thread_id=topic.thread_id)


@method("createForumTopic")
def create_forum_topic(world: World, p: Params) -> dict[str, Any]:
    chat = _forum(world, p)
    if not world.bot_can(chat, "can_manage_topics"):
        raise bad_request("not enough rights to create a topic")
    name = (p.get_str("name") or "").strip()
    if not name:
        raise bad_request("topic name must be non-empty")
    if len(name) > TOPIC_NAME_MAX:
        raise bad_request(f"topic name must not exceed {TOPIC_NAME_MAX} characters")
    color = p.get_int("icon_color", 7322096)
    if color not in TOPIC_ICON_COLORS:
        raise bad_request("invalid icon_color specified")
    emoji = p.get_str("icon_custom_emoji_id") or None
    created: dict[str, Any] = {"name": name, "icon_color": color}
    if emoji:
        created["icon_custom_emoji_id"] = emoji
    record = world.add_message(chat, {"forum_topic_created": created}, sender=BOT, by_bot=True)
    # The topic's id is the id of the message that created it.
    record.thread_id = record.message_id
    record.payload["message_thread_id"] = record.message_id
    record.payload["is_topic_message"] = True
    chat.topics[record.message_id] = TopicState(record.message_id, name, color, emoji)
    return forum_topic_json(record.message_id, name, color, emoji)


@method("editForumTopic")
def edit_forum_topic(world: World, p: Params) -> bool:
    chat = _forum(world, p)
    topic = _topic(world, chat, p)
    edited: dict[str, Any] = {}
    if p.has("name"):
        topic.name = p.get_str("name") or topic.name
        edited["name"] = topic.name
    if "icon_custom_emoji_id" in p.raw:
        topic.icon_custom_emoji_id = p.get_str("icon_custom_emoji_id") or None
        edited["icon_custom_emoji_id"] = topic.icon_custom_emoji_id or ""
    if not edited:
        raise bad_request("TOPIC_NOT_MODIFIED")
    _topic_service(world, chat, topic, {"forum_topic_edited": edited})
    return True


def _set_closed(world: World, p: Params, closed: bool) -> bool:
    chat = _forum(world, p)
    topic = _topic(world, chat, p)
    if topic.closed == closed:
        raise bad_request("TOPIC_NOT_MODIFIED")
    topic.closed = closed
    service = "forum_topic_closed" if closed else "forum_topic_reopened"
    _topic_service(world, chat, topic, {service: {}})
    return True


@method("closeForumTopic")
def close_forum_topic(world: World, p: Params) -> bool:
    return _set_closed(world, p, closed=True)


@method("reopenForumTopic")
def reopen_forum_topic(world: World, p: Params) -> bool:
    return _set_closed(world, p, closed=False)


@method("deleteForumTopic")
def delete_forum_topic(world: World, p: Params) -> bool:
    chat = _forum(world, p)
    topic = _topic(world, chat, p)
    topic.deleted = True
    for record in chat.messages.values():
        if record.thread_id == topic.thread_id:
            record.deleted = True
    return True


@method("unpinAllForumTopicMessages")
def unpin_all_forum_topic_messages(world: World, p: Params) -> bool:
    chat = _forum(world, p)
    _topic(world, chat, p)
    return True
