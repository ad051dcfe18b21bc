"""groups.getById, groups.getLongPollServer, groups.ban, groups.unban, users.get."""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox.vk import actions, events
from bot.sandbox.vk.errors import ApiError, invalid, missing
from bot.sandbox.vk.methods.base import CallContext, group_by_id, method, require_admin
from bot.sandbox.vk.params import Params, version_tuple

# groups.getById answers {"groups", "profiles"} from this version on, a bare list before.
GROUPS_OBJECT_SINCE = (5, 194)

_GROUP_ALIAS = re.compile(r"^(?:club|public|event)?(-?\d+)$")
_USER_ALIAS = re.compile(r"^(?:id)?(\d+)$")


@method("groups.getById")
def get_by_id(ctx: CallContext, params: Params) -> Any:
    """groups.getById: the token's community by default; shape depends on `v`."""
    names = params.str_list("group_ids") or params.str_list("group_id")
    if not names:
        if not ctx.is_group:
            raise missing("group_ids")
        names = [str(ctx.token.owner_id)]
    found = []
    for name in names:
        match = _GROUP_ALIAS.match(name)
        if match is None:
            raise invalid("group_ids", f"is invalid: {name!r}")
        found.append(group_by_id(ctx, int(match.group(1)), "group_ids"))
    items = [events.group_object(group, ctx.user_id) for group in found]
    if version_tuple(ctx.version) >= GROUPS_OBJECT_SINCE:
        return {"groups": items, "profiles": []}
    return items


@method("groups.getLongPollServer")
def get_long_poll_server(ctx: CallContext, params: Params) -> dict[str, Any]:
    """groups.getLongPollServer: `server` is this sandbox's /lp/<id> URL."""
    group = group_by_id(ctx, params.integer("group_id", required=True))
    require_admin(ctx, group)
    stream = group.stream
    return {
        "key": stream.issue_key(ctx.new_key()),
        "server": f"{ctx.base_url}/lp/{group.id}",
        "ts": str(stream.cursor),
    }


def _target_user(params: Params) -> int:
    if "owner_id" in params:
        return params.integer("owner_id")
    if "user_id" in params:
        return params.integer("user_id")
    raise missing("owner_id")


@method("groups.ban", user_only=True)
def ban(ctx: CallContext, params: Params) -> int:
    """groups.ban (admin user token): blacklist `owner_id` until `end_date`."""
    group = group_by_id(ctx, params.integer("group_id", required=True))
    require_admin(ctx, group)
    user_id = _target_user(params)
    if group.is_admin(user_id):
        raise ApiError(15, "an admin of the community cannot be banned")
    end_date = params.integer("end_date", 0)
    if end_date and end_date <= ctx.state.now():
        raise invalid("end_date", "must be in the future")
    actions.ban(
        ctx.state,
        group,
        user_id,
        admin_id=ctx.token.owner_id,
        end_date=end_date,
        reason=params.integer("reason", 0),
        comment=params.text("comment"),
    )
    return 1


@method("groups.unban", user_only=True)
def unban(ctx: CallContext, params: Params) -> int:
    """groups.unban (admin user token)."""
    group = group_by_id(ctx, params.integer("group_id", required=True))
    require_admin(ctx, group)
    actions.unban(group, _target_user(params), admin_id=ctx.token.owner_id)
    return 1


@method("users.get")
def users_get(ctx: CallContext, params: Params) -> list[dict[str, Any]]:
    """users.get by ids or `id<N>` screen names."""
    names = params.str_list("user_ids") or params.str_list("user_id")
    if not names and not ctx.is_group:
        names = [str(ctx.token.owner_id)]
    fields = params.str_list("fields")
    result = []
    for name in names:
        match = _USER_ALIAS.match(name)
        if match is None:
            raise ApiError(113, f"{name!r}")
        result.append(events.user_object(ctx.state.user_name(int(match.group(1))), fields))
    return result
