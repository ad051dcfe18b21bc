"""The VK sandbox, driven by the real vk_api package over HTTP (PROTOCOLS.md B8).

vk_api is synchronous, so every call runs in a thread (`asyncio.to_thread`) while
the sandbox serves on the test's event loop. Time inside the sandbox is a fake clock
the tests move by hand.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
import requests
import vk_api
from jconfig.memory import MemoryConfig
from requests.adapters import HTTPAdapter
from vk_api.bot_longpoll import VkBotEvent, VkBotLongPoll
from vk_api.exceptions import ApiError, Captcha
from vk_api.requests_pool import VkRequestsPool

from bot.sandbox.vk import VkSandbox
from tests.sandbox_fixtures import VkControl as Control

GROUP_ID = 2000001
GROUP_TOKEN = "vk-group-token"
ADMIN_TOKEN = "vk-admin-token"
ADMIN_ID = 500
USER_ID = 42
OTHER_USER_ID = 43
MEMBER_TOKEN = "vk-member-token"  # a user token of OTHER_USER_ID, not an admin
START_TIME = 1_760_000_000.0
# Bounds for loops that wait on the sandbox; none of them is a timing assertion.
MAX_POLLS = 20


class LoopbackVK(HTTPAdapter):
    """Send https://api.vk.ru/... (and api.vk.com) to the sandbox over plain HTTP."""

    HOSTS = ("https://api.vk.ru/", "https://api.vk.com/")

    def __init__(self, base: str, **kwargs: Any) -> None:
        self.base = base.rstrip("/") + "/"
        super().__init__(**kwargs)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        for host in self.HOSTS:
            if request.url and request.url.startswith(host):
                request.url = self.base + request.url[len(host) :]
                break
        return super().send(request, **kwargs)


def vk_client(base: str, token: str, *, api_version: str = "5.199", group: bool = True) -> Any:
    """A vk_api session whose calls land on the sandbox; throttling off for speed."""
    http = requests.Session()
    http.trust_env = False
    adapter = LoopbackVK(base)
    for host in LoopbackVK.HOSTS:
        http.mount(host, adapter)
    cls = vk_api.VkApiGroup if group else vk_api.VkApi
    vk = cls(token=token, api_version=api_version, session=http, config=MemoryConfig)
    vk.RPS_DELAY = 0
    return vk


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START_TIME)


@pytest.fixture
async def sandbox(clock: FakeClock) -> AsyncIterator[VkSandbox]:
    server = VkSandbox(clock=clock)
    await server.start("127.0.0.1", 0)
    yield server
    await server.stop()


@pytest.fixture
async def control(sandbox: VkSandbox) -> AsyncIterator[Control]:
    async with aiohttp.ClientSession() as http:
        api = Control(sandbox.base_url, http)
        await api.post(
            "/sandbox/groups",
            {
                "id": GROUP_ID,
                "name": "Coffee Lovers",
                "token": GROUP_TOKEN,
                "admin_token": ADMIN_TOKEN,
                "admin_user_id": ADMIN_ID,
            },
        )
        await api.post("/sandbox/users", {"id": USER_ID, "first_name": "Ann", "last_name": "Lee"})
        await api.post(
            "/sandbox/users",
            {"id": OTHER_USER_ID, "first_name": "Bob", "last_name": "Ray", "token": MEMBER_TOKEN},
        )
        yield api


@pytest.fixture
def group_vk(sandbox: VkSandbox, control: Control) -> Any:
    return vk_client(sandbox.base_url, GROUP_TOKEN)


@pytest.fixture
def admin_vk(sandbox: VkSandbox, control: Control) -> Any:
    return vk_client(sandbox.base_url, ADMIN_TOKEN, group=False)


async def call(vk: Any, method: str, values: dict[str, Any] | None = None) -> Any:
    return await asyncio.to_thread(vk.method, method, values or {})


async def api_error(vk: Any, method: str, values: dict[str, Any]) -> ApiError:
    with pytest.raises(ApiError) as caught:
        await call(vk, method, values)
    return caught.value


def raw_call(base: str, method: str, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A plain HTTP call (no vk_api retries), asserting VK's HTTP 200 for errors too."""
    response = requests.post(f"{base}/method/{method}", data=data, timeout=10, **kwargs)
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


async def long_poll(vk: Any, wait: int = 1, group_id: int = GROUP_ID) -> VkBotLongPoll:
    poller = await asyncio.to_thread(VkBotLongPoll, vk, group_id, wait)
    poller.session.trust_env = False
    return poller


async def collect(
    poller: VkBotLongPoll, done: Callable[[list[VkBotEvent]], bool]
) -> list[VkBotEvent]:
    """Poll (bounded) until `done(events so far)`; vk_api's own `check` does the work."""
    seen: list[VkBotEvent] = []
    for _ in range(MAX_POLLS):
        seen.extend(await asyncio.to_thread(poller.check))
        if done(seen):
            return seen
    raise AssertionError(f"gave up waiting; saw {[event.raw['type'] for event in seen]}")


def types_of(seen: list[VkBotEvent]) -> list[str]:
    return [event.raw["type"] for event in seen]


async def user_post(control: Control, text: str = "New menu!") -> int:
    answer = await control.post("/sandbox/wall_posts", {"group_id": GROUP_ID, "text": text})
    return int(answer["post_id"])


# -- envelopes, tokens, shapes ---------------------------------------------------------
async def test_health_and_group_by_id_in_both_shapes(
    sandbox: VkSandbox, control: Control, group_vk: Any
) -> None:
    assert await control.get("/sandbox/health") == {"ok": True}
    new_shape = await call(group_vk, "groups.getById", {})
    assert new_shape["profiles"] == []
    assert new_shape["groups"][0]["id"] == GROUP_ID
    assert new_shape["groups"][0]["name"] == "Coffee Lovers"
    old_vk = vk_client(sandbox.base_url, GROUP_TOKEN, api_version="5.92")
    old_shape = await call(old_vk, "groups.getById", {"group_id": GROUP_ID})
    assert isinstance(old_shape, list) and old_shape[0]["screen_name"] == f"club{GROUP_ID}"
    users = await call(group_vk, "users.get", {"user_ids": [USER_ID, OTHER_USER_ID]})
    assert [(user["id"], user["first_name"]) for user in users] == [
        (USER_ID, "Ann"),
        (OTHER_USER_ID, "Bob"),
    ]


async def test_error_envelope_unknown_method_and_missing_param(
    sandbox: VkSandbox, control: Control
) -> None:
    base = sandbox.base_url
    unknown = await asyncio.to_thread(
        raw_call, base, "messages.sendd", {"access_token": GROUP_TOKEN, "v": "5.199"}
    )
    assert unknown["error"]["error_code"] == 3
    assert unknown["error"]["error_msg"].startswith("Unknown method passed")
    assert {"key": "method", "value": "messages.sendd"} in unknown["error"]["request_params"]
    # Method names are case-sensitive.
    cased = await asyncio.to_thread(
        raw_call, base, "Messages.send", {"access_token": GROUP_TOKEN, "v": "5.199"}
    )
    assert cased["error"]["error_code"] == 3
    # The token may come in an Authorization header; random_id is required.
    no_random = await asyncio.to_thread(
        raw_call,
        base,
        "messages.send",
        {"v": "5.199", "peer_id": USER_ID, "message": "hi"},
        headers={"Authorization": f"Bearer {GROUP_TOKEN}"},
    )
    assert no_random["error"]["error_code"] == 100
    assert "random_id" in no_random["error"]["error_msg"]
    # Query-string parameters work too (GET).
    response = await asyncio.to_thread(
        requests.get,
        f"{base}/method/users.get",
        params={"access_token": GROUP_TOKEN, "v": "5.199", "user_ids": USER_ID},
        timeout=10,
    )
    assert response.json()["response"][0]["id"] == USER_ID
    # So do multipart bodies.
    multipart = await asyncio.to_thread(
        raw_call,
        base,
        "users.get",
        {"access_token": GROUP_TOKEN, "v": "5.199", "user_ids": USER_ID},
        files={"unused": ("note.txt", b"x")},
    )
    assert multipart["response"][0]["first_name"] == "Ann"


async def test_bad_token_is_error_5(sandbox: VkSandbox, control: Control) -> None:
    vk = vk_client(sandbox.base_url, "not-a-token")
    assert (await api_error(vk, "users.get", {"user_ids": USER_ID})).code == 5


async def test_user_only_methods_refuse_community_token_with_27(
    control: Control, group_vk: Any
) -> None:
    post_id = await user_post(control)
    calls = [
        ("wall.post", {"owner_id": -GROUP_ID, "from_group": 1, "message": "hi"}),
        ("wall.deleteComment", {"owner_id": -GROUP_ID, "comment_id": post_id}),
        ("groups.ban", {"group_id": GROUP_ID, "owner_id": USER_ID}),
    ]
    for method, values in calls:
        error = await api_error(group_vk, method, values)
        assert error.code == 27, method
        assert "unavailable with group auth" in error.error["error_msg"]


async def test_non_admin_user_token_gets_15(sandbox: VkSandbox, control: Control) -> None:
    member = vk_client(sandbox.base_url, MEMBER_TOKEN, group=False)
    error = await api_error(
        member, "wall.post", {"owner_id": -GROUP_ID, "from_group": 1, "message": "hi"}
    )
    assert error.code == 15
    assert (await api_error(member, "groups.ban", {"group_id": GROUP_ID, "owner_id": 7})).code == 15


# -- messages --------------------------------------------------------------------------
async def test_random_id_deduplicates_per_peer(control: Control, group_vk: Any) -> None:
    await control.post(
        "/sandbox/messages", {"group_id": GROUP_ID, "from_id": USER_ID, "text": "hi"}
    )
    values = {"peer_id": USER_ID, "message": "Привет!", "random_id": -123456}
    first = await call(group_vk, "messages.send", values)
    again = await call(group_vk, "messages.send", values)
    assert first == again and first > 0
    fresh = await call(group_vk, "messages.send", {**values, "random_id": 0})
    assert fresh != first  # 0 turns the check off
    dialog = await control.get(f"/sandbox/groups/{GROUP_ID}/messages?peer_id={USER_ID}")
    assert [(m["out"], m["text"]) for m in dialog] == [(0, "hi"), (1, "Привет!"), (1, "Привет!")]
    assert dialog[1]["from_id"] == -GROUP_ID and dialog[1]["random_id"] == -123456


async def test_901_for_a_user_who_never_wrote_and_914_for_long_text(
    control: Control, group_vk: Any
) -> None:
    error = await api_error(
        group_vk, "messages.send", {"user_id": USER_ID, "message": "hi", "random_id": 1}
    )
    assert error.code == 901
    await control.post("/sandbox/message_allow", {"group_id": GROUP_ID, "user_id": USER_ID})
    assert await call(
        group_vk, "messages.send", {"user_id": USER_ID, "message": "hi", "random_id": 2}
    )
    too_long = {"user_id": USER_ID, "message": "x" * 4097, "random_id": 3}
    assert (await api_error(group_vk, "messages.send", too_long)).code == 914
    await control.post("/sandbox/message_deny", {"group_id": GROUP_ID, "user_id": USER_ID})
    error = await api_error(
        group_vk, "messages.send", {"user_id": USER_ID, "message": "hi", "random_id": 4}
    )
    assert error.code == 901


async def test_messages_delete(control: Control, group_vk: Any) -> None:
    written = await control.post(
        "/sandbox/messages", {"group_id": GROUP_ID, "from_id": USER_ID, "text": "spam"}
    )
    assert await call(group_vk, "messages.delete", {"message_ids": written["id"]}) == {
        str(written["id"]): 1
    }
    dialog = await control.get(f"/sandbox/groups/{GROUP_ID}/messages?peer_id={USER_ID}")
    assert dialog[0]["deleted"] is True


# -- wall and comments -----------------------------------------------------------------
async def test_213_when_comments_are_closed(control: Control, admin_vk: Any, group_vk: Any) -> None:
    closed = await call(
        admin_vk,
        "wall.post",
        {"owner_id": -GROUP_ID, "from_group": 1, "message": "Rules", "close_comments": 1},
    )
    values = {"owner_id": -GROUP_ID, "post_id": closed["post_id"], "message": "?"}
    assert (await api_error(group_vk, "wall.createComment", values)).code == 213
    post_id = await user_post(control)
    await call(group_vk, "wall.createComment", {**values, "post_id": post_id})
    await control.post("/sandbox/close_comments", {"group_id": GROUP_ID, "post_id": post_id})
    error = await api_error(group_vk, "wall.createComment", {**values, "post_id": post_id})
    assert error.code == 213
    refused = await control.post(
        "/sandbox/comments",
        {"group_id": GROUP_ID, "object_id": post_id, "from_id": USER_ID, "text": "hey"},
        status=400,
    )
    assert refused["error_code"] == 213


async def test_community_reply_threads_and_dedup_by_guid(
    control: Control, group_vk: Any, admin_vk: Any
) -> None:
    post_id = await user_post(control)
    question = await control.post(
        "/sandbox/comments",
        {
            "group_id": GROUP_ID,
            "object": "wall",
            "object_id": post_id,
            "from_id": USER_ID,
            "text": "Open on Sunday?",
        },
    )
    values = {
        "owner_id": -GROUP_ID,
        "post_id": post_id,
        "from_group": GROUP_ID,
        "message": "Yes, 9 to 5.",
        "reply_to_comment": question["comment_id"],
        "guid": "reply-1",
    }
    reply = await call(admin_vk, "wall.createComment", values)
    assert reply["parents_stack"] == [question["comment_id"]]
    assert await call(admin_vk, "wall.createComment", values) == reply
    listed = await call(
        group_vk,
        "wall.getComments",
        {"owner_id": -GROUP_ID, "post_id": post_id, "thread_items_count": 5},
    )
    assert listed["items"][0]["thread"]["count"] == 1
    assert listed["items"][0]["thread"]["items"][0]["from_id"] == -GROUP_ID
    wall = await control.get(f"/sandbox/groups/{GROUP_ID}/wall")
    comments = wall[0]["comments"]
    assert [(c["from_id"], c.get("reply_to_user")) for c in comments] == [
        (USER_ID, None),
        (-GROUP_ID, USER_ID),
    ]
    await call(
        admin_vk,
        "wall.deleteComment",
        {"owner_id": -GROUP_ID, "comment_id": question["comment_id"]},
    )
    await call(
        admin_vk,
        "wall.restoreComment",
        {"owner_id": -GROUP_ID, "comment_id": question["comment_id"]},
    )
    await call(
        admin_vk, "wall.deleteComment", {"owner_id": -GROUP_ID, "comment_id": reply["comment_id"]}
    )
    wall = await control.get(f"/sandbox/groups/{GROUP_ID}/wall")
    assert [c["deleted"] for c in wall[0]["comments"]] == [False, True]
    assert wall[0]["comments"][1]["deleter_id"] == ADMIN_ID


async def test_postponed_post_publishes_when_the_clock_gets_there(
    control: Control, admin_vk: Any, group_vk: Any, clock: FakeClock
) -> None:
    poller = await long_poll(group_vk)
    publish_at = int(START_TIME) + 3600
    scheduled = await call(
        admin_vk,
        "wall.post",
        {
            "owner_id": -GROUP_ID,
            "from_group": 1,
            "message": "Tomorrow's news",
            "publish_date": publish_at,
        },
    )
    wall = await control.get(f"/sandbox/groups/{GROUP_ID}/wall")
    assert wall[0]["postponed"] is True and wall[0]["publish_date"] == publish_at
    clock.advance(3599)
    assert (await control.get(f"/sandbox/groups/{GROUP_ID}/wall"))[0]["postponed"] is True
    clock.advance(1)
    seen = await collect(poller, lambda events: "wall_post_new" in types_of(events))
    post = seen[-1].obj
    assert post.postponed_id == scheduled["post_id"]
    assert post.id != scheduled["post_id"] and post.date == publish_at
    assert post.from_id == -GROUP_ID and post.created_by == ADMIN_ID
    wall = await control.get(f"/sandbox/groups/{GROUP_ID}/wall")
    assert [(p["id"], p["postponed"]) for p in wall] == [(post.id, False)]


async def test_polls_and_a_post_that_carries_one(control: Control, admin_vk: Any) -> None:
    poll = await call(
        admin_vk,
        "polls.create",
        {"owner_id": -GROUP_ID, "question": "Favourite roast?", "add_answers": '["Light","Dark"]'},
    )
    attachment = f"poll{poll['owner_id']}_{poll['id']}"
    await call(
        admin_vk,
        "wall.post",
        {"owner_id": -GROUP_ID, "from_group": 1, "message": "Vote!", "attachments": attachment},
    )
    dark = poll["answers"][1]["id"]
    await control.post(
        "/sandbox/poll_votes",
        {"owner_id": -GROUP_ID, "poll_id": poll["id"], "user_id": USER_ID, "answer_ids": [dark]},
    )
    result = await call(admin_vk, "polls.getById", {"owner_id": -GROUP_ID, "poll_id": poll["id"]})
    assert [answer["votes"] for answer in result["answers"]] == [0, 1] and result["votes"] == 1
    listed = await control.get(f"/sandbox/groups/{GROUP_ID}/polls")
    assert listed[0]["question"] == "Favourite roast?"
    wall = await control.get(f"/sandbox/groups/{GROUP_ID}/wall")
    assert wall[0]["attachments"][0]["poll"]["id"] == poll["id"]
    assert await call(admin_vk, "wall.delete", {"owner_id": -GROUP_ID, "post_id": wall[0]["id"]})
    assert (await control.get(f"/sandbox/groups/{GROUP_ID}/wall"))[0]["deleted"] is True


# -- execute, captcha, limits ----------------------------------------------------------
async def test_execute_reports_a_failed_inner_call(control: Control, group_vk: Any) -> None:
    pool = VkRequestsPool(group_vk)
    users = pool.method("users.get", {"user_ids": USER_ID})
    sent = pool.method("messages.send", {"peer_id": USER_ID, "message": "hi", "random_id": 9})
    await asyncio.to_thread(pool.execute)  # one execute call with both
    assert users.result[0]["first_name"] == "Ann"
    assert not sent.ok and sent.error["error_code"] == 901
    raw = await asyncio.to_thread(
        group_vk.method,
        "execute",
        {"code": 'return [API.users.get({"user_ids": 42}), API.wall.post({"owner_id": -1})];'},
        raw=True,
    )
    assert raw["response"][1] is False
    assert raw["execute_errors"] == [
        {
            "method": "wall.post",
            "error_code": 27,
            "error_msg": raw["execute_errors"][0]["error_msg"],
        }
    ]
    bad = await api_error(group_vk, "execute", {"code": "var x = API.users.get(); return x;"})
    assert bad.code == 12
    inner = [e for e in await control.get("/sandbox/log") if e.get("via") == "execute"]
    assert [(e["method"], e["ok"]) for e in inner] == [
        ("users.get", True),
        ("messages.send", False),
        ("users.get", True),
        ("wall.post", False),
    ]


async def test_captcha_fault_carries_sid_and_image(control: Control, group_vk: Any) -> None:
    await control.post("/sandbox/faults", {"method": "users.get", "error_code": 14, "rate": 1})
    with pytest.raises(Captcha) as caught:
        await call(group_vk, "users.get", {"user_ids": USER_ID})
    captcha = caught.value
    assert captcha.sid and captcha.get_url().endswith(f"sid={captcha.sid}&s=1")
    assert await asyncio.to_thread(captcha.get_image)  # the image URL answers
    answered = await asyncio.to_thread(captcha.try_again, "abcd")
    assert answered[0]["id"] == USER_ID


async def test_injected_errors_count_and_clear(
    sandbox: VkSandbox, control: Control, group_vk: Any
) -> None:
    await control.post("/sandbox/faults", {"method": "*", "error_code": 10, "count": 1})
    assert (await api_error(group_vk, "users.get", {"user_ids": USER_ID})).code == 10
    assert await call(group_vk, "users.get", {"user_ids": USER_ID})
    await control.post("/sandbox/faults", {"method": "users.get", "error_code": 9, "rate": 1})
    assert (await api_error(group_vk, "users.get", {"user_ids": USER_ID})).code == 9
    await control.delete("/sandbox/faults")
    assert await call(group_vk, "users.get", {"user_ids": USER_ID})
    await control.post(
        "/sandbox/faults", {"method": "users.get", "error_code": 9, "rate": 0.5, "seed": 7}
    )
    outcomes = []
    for _ in range(12):
        try:
            await call(group_vk, "users.get", {"user_ids": USER_ID})
            outcomes.append(True)
        except ApiError:
            outcomes.append(False)
    assert True in outcomes and False in outcomes
    await control.post("/sandbox/faults", {"method": "users.get", "error_code": 0}, status=400)


async def test_strict_limits_answer_6_and_vk_api_gets_through(clock: FakeClock) -> None:
    server = VkSandbox(strict_limits=True, clock=clock)
    base = await server.start("127.0.0.1", 0)
    try:
        async with aiohttp.ClientSession() as http:
            await Control(base, http).post(
                "/sandbox/groups", {"id": GROUP_ID, "name": "C", "token": GROUP_TOKEN}
            )
        data = {"access_token": GROUP_TOKEN, "v": "5.199", "user_ids": USER_ID}
        # The fake clock stands still: all of these fall in one second.
        answers = [await asyncio.to_thread(raw_call, base, "users.get", data) for _ in range(21)]
        assert all("response" in answer for answer in answers[:20])
        assert answers[20]["error"]["error_code"] == 6
        assert answers[20]["error"]["error_msg"] == "Too many requests per second"
        # vk_api sleeps 0.5 s and retries error 6 by itself; once the second is over it succeeds.
        vk = vk_client(base, GROUP_TOKEN)
        pending = asyncio.create_task(call(vk, "users.get", {"user_ids": USER_ID}))
        logged = len(server.log.entries)

        def refused_again() -> bool:
            return any(entry.get("error_code") == 6 for entry in server.log.entries[logged:])

        for _ in range(500):
            if refused_again() or pending.done():
                break
            await asyncio.sleep(0.02)
        assert refused_again() and not pending.done()
        clock.advance(1.5)
        assert (await pending)[0]["id"] == USER_ID
    finally:
        await server.stop()


async def test_drop_connection_then_retry_with_the_same_random_id(
    control: Control, group_vk: Any
) -> None:
    await control.post("/sandbox/messages", {"group_id": GROUP_ID, "from_id": USER_ID, "text": "?"})
    await control.post(
        "/sandbox/faults", {"method": "messages.send", "kind": "drop_connection", "count": 1}
    )
    values = {"peer_id": USER_ID, "message": "Answer", "random_id": 777}
    with pytest.raises(requests.exceptions.ConnectionError):
        await call(group_vk, "messages.send", values)
    message_id = await call(group_vk, "messages.send", values)
    dialog = await control.get(f"/sandbox/groups/{GROUP_ID}/messages?peer_id={USER_ID}")
    outgoing = [m for m in dialog if m["out"]]
    assert [m["id"] for m in outgoing] == [message_id]
    sends = [e for e in await control.get("/sandbox/log") if e["method"] == "messages.send"]
    assert [(e["ok"], e.get("fault")) for e in sends] == [(True, "drop_connection"), (True, None)]


async def test_timeout_fault_acts_then_holds_the_answer(
    sandbox: VkSandbox, control: Control
) -> None:
    await control.post("/sandbox/messages", {"group_id": GROUP_ID, "from_id": USER_ID, "text": "?"})
    await control.post(
        "/sandbox/faults", {"method": "messages.send", "kind": "timeout", "count": 1, "delay": 5}
    )
    data = {
        "access_token": GROUP_TOKEN,
        "v": "5.199",
        "peer_id": USER_ID,
        "message": "late",
        "random_id": 5,
    }
    with pytest.raises(requests.exceptions.ReadTimeout):
        await asyncio.to_thread(
            requests.post, f"{sandbox.base_url}/method/messages.send", data=data, timeout=1
        )
    dialog = await control.get(f"/sandbox/groups/{GROUP_ID}/messages?peer_id={USER_ID}")
    assert dialog[-1]["text"] == "late"


# -- Bots Long Poll --------------------------------------------------------------------
async def test_long_poll_delivers_every_event_kind(
    control: Control, group_vk: Any, admin_vk: Any, clock: FakeClock
) -> None:
    poller = await long_poll(group_vk)
    group = {"group_id": GROUP_ID}
    written = await control.post("/sandbox/messages", {**group, "from_id": USER_ID, "text": "hi"})
    await call(group_vk, "messages.send", {"peer_id": USER_ID, "message": "hello", "random_id": 1})
    await control.post(
        "/sandbox/edits", {**group, "object": "message", "message_id": written["id"], "text": "hi!"}
    )
    await control.post("/sandbox/message_allow", {**group, "user_id": OTHER_USER_ID, "key": "k"})
    await control.post("/sandbox/message_deny", {**group, "user_id": OTHER_USER_ID})
    post_id = await user_post(control)
    for kind, api, object_param, owner in [
        ("wall", "wall", "post_id", "owner_id"),
        ("board", "board", "topic_id", "group_id"),
        ("photo", "photos", "photo_id", "owner_id"),
        ("video", "video", "video_id", "owner_id"),
        ("market", "market", "item_id", "owner_id"),
    ]:
        object_id = post_id if kind == "wall" else 77
        made = await control.post(
            "/sandbox/comments",
            {**group, "object": kind, "object_id": object_id, "from_id": USER_ID, "text": "c"},
        )
        await control.post(
            "/sandbox/edits",
            {**group, "object": kind, "comment_id": made["comment_id"], "text": "edited"},
        )
        owner_value = GROUP_ID if owner == "group_id" else -GROUP_ID
        target = {owner: owner_value, "comment_id": made["comment_id"]}
        if kind == "board":
            target["topic_id"] = object_id
        await call(admin_vk, f"{api}.deleteComment", target)
        await call(admin_vk, f"{api}.restoreComment", target)
        reply = {owner: owner_value, object_param: object_id, "message": "community reply"}
        await call(group_vk, f"{api}.createComment", reply)
    await control.post("/sandbox/joins", {**group, "user_id": USER_ID})
    await control.post("/sandbox/leaves", {**group, "user_id": USER_ID})
    await call(
        admin_vk,
        "groups.ban",
        {
            "group_id": GROUP_ID,
            "owner_id": OTHER_USER_ID,
            "end_date": int(START_TIME) + 60,
            "reason": 1,
        },
    )
    await call(admin_vk, "groups.unban", {"group_id": GROUP_ID, "owner_id": OTHER_USER_ID})

    expected = {
        "message_new",
        "message_reply",
        "message_edit",
        "message_allow",
        "message_deny",
        "wall_post_new",
        "group_join",
        "group_leave",
        "user_block",
        "user_unblock",
    }
    for prefix in ("wall_reply", "board_post", "photo_comment", "video_comment", "market_comment"):
        expected |= {f"{prefix}_{action}" for action in ("new", "edit", "delete", "restore")}
    seen = await collect(poller, lambda events: expected <= set(types_of(events)))
    by_type: dict[str, list[Any]] = {}
    for event in seen:
        assert event.group_id == GROUP_ID and event.raw["v"] == "5.199" and event.raw["event_id"]
        by_type.setdefault(event.raw["type"], []).append(event.raw["object"])

    new_message = seen[0]
    assert new_message.message.from_id == USER_ID and new_message.from_user
    assert new_message.client_info.keyboard is True
    assert by_type["message_reply"][0]["from_id"] == -GROUP_ID
    assert by_type["message_edit"][0]["text"] == "hi!"
    assert by_type["message_allow"] == [{"user_id": OTHER_USER_ID, "key": "k"}]
    wall_new = by_type["wall_reply_new"]
    assert wall_new[0]["post_owner_id"] == wall_new[0]["owner_id"] == -GROUP_ID
    assert wall_new[1]["from_id"] == -GROUP_ID  # the community's own reply echoes back
    assert by_type["wall_reply_delete"][0]["deleter_id"] == ADMIN_ID
    assert by_type["board_post_new"][0]["topic_owner_id"] == -GROUP_ID
    assert by_type["board_post_delete"][0]["topic_id"] == 77
    assert by_type["photo_comment_new"][0]["photo_owner_id"] == -GROUP_ID
    assert by_type["video_comment_edit"][0]["video_id"] == 77
    assert by_type["market_comment_delete"][0]["item_id"] == 77
    assert by_type["group_join"] == [{"user_id": USER_ID, "join_type": "join"}]
    assert by_type["group_leave"] == [{"user_id": USER_ID, "self": 1}]
    assert by_type["user_block"][0]["unblock_date"] == int(START_TIME) + 60
    assert by_type["user_unblock"][0]["by_end_date"] == 0
    bans = await control.get(f"/sandbox/groups/{GROUP_ID}/bans")
    assert bans == []
    board = await control.get(f"/sandbox/groups/{GROUP_ID}/comments?object=board")
    assert [(c["from_id"], c["deleted"]) for c in board] == [(USER_ID, False), (-GROUP_ID, False)]


async def test_ban_ends_by_itself_at_end_date(
    control: Control, group_vk: Any, admin_vk: Any, clock: FakeClock
) -> None:
    poller = await long_poll(group_vk)
    await call(
        admin_vk,
        "groups.ban",
        {"group_id": GROUP_ID, "owner_id": USER_ID, "end_date": int(START_TIME) + 60},
    )
    post_id = await user_post(control)
    await control.post(
        "/sandbox/comments",
        {"group_id": GROUP_ID, "object_id": post_id, "from_id": USER_ID, "text": "let me in"},
        status=403,
    )
    bans = await control.get(f"/sandbox/groups/{GROUP_ID}/bans")
    assert [(ban["user_id"], ban["admin_id"], ban["end_date"]) for ban in bans] == [
        (USER_ID, ADMIN_ID, int(START_TIME) + 60)
    ]
    clock.advance(61)
    seen = await collect(poller, lambda events: "user_unblock" in types_of(events))
    assert seen[-1].obj.by_end_date == 1
    assert await control.get(f"/sandbox/groups/{GROUP_ID}/bans") == []


async def test_long_poll_failures_are_recovered_by_vk_api(control: Control, group_vk: Any) -> None:
    poller = await long_poll(group_vk)

    async def write(text: str) -> None:
        await control.post(
            "/sandbox/messages", {"group_id": GROUP_ID, "from_id": USER_ID, "text": text}
        )

    def texts(seen: list[VkBotEvent]) -> list[str]:
        return [event.message.text for event in seen if event.raw["type"] == "message_new"]

    # 1: continue from the ts in the body (what came before it is lost); same key.
    await write("zero")
    await control.post("/sandbox/faults", {"longpoll_failed": 1})
    key = poller.key
    assert await asyncio.to_thread(poller.check) == []
    assert poller.ts == "1" and poller.key == key
    await write("one")
    seen = await collect(poller, lambda events: "one" in texts(events))
    assert texts(seen) == ["one"]
    # 2: the key is dead until getLongPollServer; vk_api keeps its ts, so nothing is lost.
    await control.post("/sandbox/faults", {"longpoll_failed": 2, "group_id": GROUP_ID})
    await write("two")
    seen = await collect(poller, lambda events: "two" in texts(events))
    assert poller.key != key
    assert texts(seen) == ["two"]
    # 3: key and ts both refreshed; what came before is gone, what comes after arrives.
    key = poller.key
    await control.post("/sandbox/faults", {"longpoll_failed": 3})
    await write("lost")
    assert await asyncio.to_thread(poller.check) == []
    assert poller.key != key
    await write("three")
    seen = await collect(poller, lambda events: "three" in texts(events))
    assert texts(seen) == ["three"]


async def test_long_poll_cursor_replay_and_bounds(sandbox: VkSandbox, control: Control) -> None:
    raw = {"access_token": GROUP_TOKEN, "v": "5.199", "group_id": GROUP_ID}
    server = (await asyncio.to_thread(raw_call, sandbox.base_url, "groups.getLongPollServer", raw))[
        "response"
    ]
    assert server["server"] == f"{sandbox.base_url}/lp/{GROUP_ID}"
    assert server["ts"] == "0"
    for text in ("a", "b", "c"):
        await control.post(
            "/sandbox/messages", {"group_id": GROUP_ID, "from_id": USER_ID, "text": text}
        )

    async def check(ts: str, key: str | None = None, wait: int = 0) -> dict[str, Any]:
        params = {"act": "a_check", "key": key or server["key"], "ts": ts, "wait": wait}
        return await control.get(
            f"/lp/{GROUP_ID}?" + "&".join(f"{k}={v}" for k, v in params.items())
        )

    everything = await check("0")
    assert everything["ts"] == "3" and len(everything["updates"]) == 3
    replay = await check("1")
    assert [u["object"]["message"]["text"] for u in replay["updates"]] == ["b", "c"]
    assert await check("3") == {"ts": "3", "updates": []}
    assert await check("99") == {"failed": 1, "ts": "3"}
    assert await check("0", key="wrong") == {"failed": 2}
    # A held request answers as soon as an event arrives.
    held = asyncio.create_task(check("3", wait=20))
    await asyncio.sleep(0.05)
    await control.post("/sandbox/messages", {"group_id": GROUP_ID, "from_id": USER_ID, "text": "d"})
    answer = await held
    assert answer["ts"] == "4" and answer["updates"][0]["object"]["message"]["text"] == "d"


# -- control API -----------------------------------------------------------------------
async def test_control_log_reset_and_errors(
    sandbox: VkSandbox, control: Control, group_vk: Any
) -> None:
    await call(group_vk, "users.get", {"user_ids": USER_ID})
    await api_error(group_vk, "wall.post", {"owner_id": -GROUP_ID, "message": "x"})
    log = await control.get("/sandbox/log?since=0")
    assert [(e["method"], e["ok"], e.get("error_code")) for e in log] == [
        ("users.get", True, None),
        ("wall.post", False, 27),
    ]
    assert "access_token" not in log[0]["params"] and log[0]["time"] == START_TIME
    assert await control.get(f"/sandbox/log?since={log[0]['seq']}") == log[1:]
    missing = await control.get("/sandbox/groups/999/wall", status=404)
    assert missing["ok"] is False and "POST /sandbox/groups" in missing["error"]
    await control.post("/sandbox/comments", {"group_id": GROUP_ID, "object": "forum"}, status=400)
    assert (await control.post("/sandbox/reset"))["ok"] is True
    assert await control.get("/sandbox/log") == []
    assert (await api_error(group_vk, "users.get", {"user_ids": USER_ID})).code == 5


async def test_old_event_version_sends_the_bare_message(
    sandbox: VkSandbox, control: Control
) -> None:
    await control.post(
        "/sandbox/groups", {"id": 7, "name": "Old", "token": "old-token", "event_version": "5.92"}
    )
    poller = await long_poll(vk_client(sandbox.base_url, "old-token"), group_id=7)
    await control.post("/sandbox/messages", {"group_id": 7, "from_id": USER_ID, "text": "old"})
    seen = await collect(poller, lambda events: bool(events))
    assert seen[0].raw["v"] == "5.92"
    assert seen[0].obj.text == "old" and seen[0].from_user  # no {"message", "client_info"}


async def test_long_poll_forgets_past_its_retention(
    sandbox: VkSandbox, control: Control, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.sandbox.vk.longpoll.RETENTION", 3)
    await control.post("/sandbox/groups", {"id": 8, "name": "Short memory", "token": "t8"})
    server = (
        await asyncio.to_thread(
            raw_call,
            sandbox.base_url,
            "groups.getLongPollServer",
            {"access_token": "t8", "v": "5.199", "group_id": 8},
        )
    )["response"]
    for text in "abcde":
        await control.post("/sandbox/messages", {"group_id": 8, "from_id": USER_ID, "text": text})
    lp = f"/lp/8?act=a_check&key={server['key']}&wait=0&ts="
    assert await control.get(lp + "1") == {"failed": 1, "ts": "5"}
    kept = await control.get(lp + "2")
    assert [u["object"]["message"]["text"] for u in kept["updates"]] == ["c", "d", "e"]
