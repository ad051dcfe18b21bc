"""polls.create and polls.getById (votes are cast through the control API)."""

from __future__ import annotations

from typing import Any

from bot.sandbox.vk import events
from bot.sandbox.vk.errors import ApiError, invalid, missing
from bot.sandbox.vk.methods.base import CallContext, group_by_owner, method, require_admin
from bot.sandbox.vk.params import Params
from bot.sandbox.vk.state import Poll

MAX_ANSWERS = 10


def _owner(ctx: CallContext, params: Params) -> int:
    default = -ctx.token.owner_id if ctx.is_group else ctx.token.owner_id
    return params.integer("owner_id", default)


@method("polls.create")
def create(ctx: CallContext, params: Params) -> dict[str, Any]:
    """polls.create; `add_answers` is a JSON list of strings."""
    owner_id = _owner(ctx, params)
    if owner_id < 0:
        require_admin(ctx, group_by_owner(ctx, owner_id))
    elif ctx.is_group or owner_id != ctx.token.owner_id:
        raise ApiError(15, "a poll can be created only for yourself or a community you manage")
    question = params.text("question").strip()
    if not question:
        raise missing("question")
    answers = params.json("add_answers")
    if answers is None:
        raise missing("add_answers")
    if (
        not isinstance(answers, list)
        or not 1 <= len(answers) <= MAX_ANSWERS
        or not all(isinstance(answer, str) and answer.strip() for answer in answers)
    ):
        raise invalid("add_answers", f"must be a JSON list of 1 to {MAX_ANSWERS} non-empty strings")
    poll_id = ctx.state.take_poll_id(owner_id)
    poll = Poll(
        id=poll_id,
        owner_id=owner_id,
        author_id=-ctx.token.owner_id if ctx.is_group else ctx.token.owner_id,
        question=question,
        # Answer ids are unique across the sandbox's polls, as VK's are.
        answers=[
            {"id": poll_id * 1000 + index, "text": text, "votes": 0}
            for index, text in enumerate(answers, start=1)
        ],
        anonymous=params.flag("is_anonymous"),
        multiple=params.flag("is_multiple"),
        end_date=params.integer("end_date", 0),
        created=ctx.state.now(),
    )
    ctx.state.polls[(owner_id, poll_id)] = poll
    return events.poll_object(poll)


@method("polls.getById")
def get_by_id(ctx: CallContext, params: Params) -> dict[str, Any]:
    """polls.getById, with the current vote counts."""
    owner_id = _owner(ctx, params)
    poll_id = params.integer("poll_id", required=True)
    poll = ctx.state.polls.get((owner_id, poll_id))
    if poll is None:
        raise invalid("poll_id", f"is invalid: no poll {owner_id}_{poll_id}")
    return events.poll_object(poll, ctx.user_id)
