"""Telegram Bot API sandbox: a local in-memory server aiogram cannot tell from Telegram.

    sb = TelegramSandbox(strict_limits=False)
    base = await sb.start("127.0.0.1", 0)       # "http://127.0.0.1:PORT"
    ...
    await sb.stop()

Bot API: `POST|GET /bot<token>/<method>` (and `/bot<token>/test/<method>`), bodies as
query string, urlencoded, multipart or JSON. Any `<digits>:<10+ of [A-Za-z0-9_-]>`
token is accepted; the sandbox hosts one bot whose id is the digits of the token that
last called (use one token per sandbox). Methods: see `bot_api.py`, `messages.py`,
`moderation.py` (`METHODS` lists them). Webhooks are only recorded (for the 409 of
getUpdates); nothing is ever posted to them.

Control API — the SANDBOX.md table, plus these additions:

- `POST /sandbox/chats` also takes `"username"`, `"description"`, `"permissions"`
  (ChatPermissions), `"bot_status"` (any ChatMember status; default `administrator`
  when `bot_is_admin` is true or the chat is a channel, else `member`) and
  `"bot_rights"` (admin rights overriding the defaults, e.g. `{"can_delete_messages":
  false}`). A member may carry `"status"` (`creator`, `administrator`, …) and
  `"rights"`. Posting an existing chat again updates it and adds members. Private
  chats queue no `my_chat_member`.
- `GET /sandbox/chats/{id}` — ChatFullInfo plus `bot_status` and `topics`.
- `POST /sandbox/chats/{id}/bot` `{"status", "rights"?, "by"?: user}` — promote,
  demote, remove or kick the bot (in a private chat `kicked` = the user blocked it);
  queues `my_chat_member`.
- `GET /sandbox/chats/{id}/members` — every ChatMember the chat knows (bans,
  restrictions with `until_date`, `left`), the bot last.
- `GET /sandbox/chats/{id}/messages` — `reactions` is a flat list of
  `{"from_id", "type", "emoji"|"custom_emoji_id"}`.
- `POST /sandbox/messages` also takes `"entities"` (else they are detected),
  `"forward_from_message_id"` and `"forward_from": user`. Banned users and users
  without `can_send_messages` are refused with 403.
- `POST /sandbox/channel_posts` answers the channel Message plus
  `"automatic_forward"`: the copy in the linked group (null if none), whose
  `message_id` is the comment thread id. Takes `"author_signature"` too.
- `GET /sandbox/callbacks/{id}` — `{"id", "answered", "text", "show_alert", …}`.
- `POST /sandbox/leaves` `{"chat_id", "user"}` — `chat_member` + `left_chat_member`.
- `POST /sandbox/reactions` `{"chat_id", "message_id", "user", "reaction": ["👍"]}` —
  queues `message_reaction` (if the bot allowed it).
- `GET /sandbox/updates` — the pending queue and the current allowed_updates.
- `POST /sandbox/raw_updates` `{"update": {...}}` — queues the object as-is (any
  fields, even malformed) with a fresh `update_id`; answers `{"update_id"}`.
- `POST /sandbox/faults` also takes `"seed"` (reseeds the dice) and `"delay"`
  (seconds a `timeout` fault holds the answer, default and maximum 30). `429`/`500`
  fire before the method acts; `timeout` and `drop_connection` after it acted (a
  lost answer), the latter closing the connection without any response. With
  `"act": false` those two do not act (a request lost on the way in). Log entries
  of faulted calls carry `"fault": kind`.

Behaviour notes: a long poll waits at most 50 s and answers ~2 ms after the first
update; a new long poll ends a parked one with 409 (no 3-second spacing of 409s, no
24-hour expiry of updates). `chat_member` and `message_reaction` updates come only
from chats where the bot is an admin; every group message is delivered (privacy mode
off). Callback queries can be answered for 60 s. A forum starts with its creation
service message (id 1, the root of the General topic, whose messages carry no thread
id), so topic ids start at 2. Strict limits count sendMessage and sendPoll only.
"""

from .server import TelegramSandbox

__all__ = ["TelegramSandbox"]
