"""The VK sandbox: a local, in-memory VK API (5.199) and Bots Long Poll server.

`VkSandbox` speaks VK's wire protocol well enough for the real `vk_api` package
(see SANDBOX.md, "VK sandbox", and PROTOCOLS.md section B), plus the `/sandbox/*`
control API that tests, benchmarks and the demo use to play users.

Choices where VK is vague or the sandbox simplifies:
- `messages.send` answers 914 past 4096 characters (code points), the limit VK
  enforces in practice (its schema says 9000). A community may message a user only
  after the user wrote or allowed messages (else 901); chats need a prior message
  in them (else 917). In chats the returned message id is 0, as community bots see.
- User-only methods (wall.post, wall.delete, groups.ban/unban, every deleteComment and
  restoreComment) answer 27 to community tokens; messages.send/delete answer 15 to
  user tokens. A user token of someone who is not the community's admin gets 15.
- Deleting an already deleted comment, or restoring a live one, answers 1 quietly.
- A postponed post (wall.post with a future `publish_date`) sends no event when
  scheduled; when the injected clock reaches its date it is published under a new
  id and `wall_post_new` carries `postponed_id`. The clock is checked at every
  request and every 0.2 s.
- Long poll: `ts` counts events; the newest 10,000 per community are kept for replay.
- `execute` understands `return [API.a.b({...}), ...];` and `return API.a.b({...});`
  with JSON-ish object literals; anything else is error 12, over 25 calls error 13.
- A banned user (until `end_date`) cannot comment or write through the control API
  (HTTP 403); bans end on their own at `end_date` with `user_unblock` (by_end_date 1).

Control API beyond the SANDBOX.md table (all JSON, 400/404 `{"ok": false, "error"}`):
- `POST /sandbox/groups` also takes `event_version` (default "5.199"; below 5.103
  `message_new` carries the bare message). Without `admin_user_id`, an `admin_token`
  belongs to user 1. Posting an existing id updates its settings, keeping its content.
- `POST /sandbox/users` may carry `"token"`: a user token for that (non-admin) user.
- `POST /sandbox/wall_posts` also takes `close_comments`, `attachments` (list of
  `poll-1_2`-style ids) and `publish_date`.
- `POST /sandbox/comments`: for board/photo/video/market, `object_id` is the
  topic/photo/video/item id, created on first mention; wall needs an existing post.
- `POST /sandbox/messages` may carry `peer_id` (2000000000 + chat id) and `payload`.
- `POST /sandbox/edits` `{"group_id", "object": "wall"|"board"|"photo"|"video"|"market"|
  "message", "comment_id"|"message_id", "text"}` -> the matching `*_edit` event.
- `POST /sandbox/leaves` `{"group_id", "user_id", "self"?: true}` -> `group_leave`.
- `POST /sandbox/message_allow` `{"group_id", "user_id", "key"?}` / `message_deny`
  `{"group_id", "user_id"}` -> `message_allow` / `message_deny`.
- `POST /sandbox/close_comments` `{"group_id", "object"?: "wall", "object_id"|"post_id",
  "closed"?: true}`: later comments there answer 213.
- `POST /sandbox/poll_votes` `{"owner_id", "poll_id", "user_id", "answer_ids": [...]}`.
- `GET /sandbox/groups/{id}/comments?object=wall|board|photo|video|market`,
  `GET /sandbox/groups/{id}/bans`, `GET /sandbox/groups/{id}/polls`.
- `GET /sandbox/groups/{id}/messages` without `peer_id` lists every dialog.
- `POST /sandbox/faults`: `{"method", "error_code", "rate"?: 1, "count"?, "seed"?}`
  fails the call before it acts (14 carries `captcha_sid`/`captcha_img`; a retry
  answering that captcha passes); `{"method", "kind": "drop_connection"|"timeout",
  "rate"?, "count"?, "delay"?: 30}` lets the method act, then closes the connection
  without an answer or holds the answer `delay` seconds. Inside `execute`, only faults
  naming the inner method apply. `{"longpoll_failed": 1|2|3, "group_id"?}` makes the
  next a_check (of that community, or of any) answer that failure.
- `POST /sandbox/raw_events` `{"group_id", "event": <any JSON>}` queues the value as-is
  in the long-poll stream (for malformed and unknown events);
  `POST /sandbox/faults` `{"longpoll_malformed": "not_json"|"no_updates"}` makes the
  next a_check answer an HTML page, or JSON without `updates`.
- `GET /sandbox/log` entries of calls made inside `execute` carry `"via": "execute"`;
  `access_token` and `captcha_key` are never logged.
"""

from bot.sandbox.vk.server import VkSandbox

__all__ = ["VkSandbox"]
