"""VK API method handlers; importing this package registers every method in `METHODS`."""

from bot.sandbox.vk.methods import comments, execute, groups, messages, polls, wall
from bot.sandbox.vk.methods.base import METHODS, CallContext, ExecuteResult, MethodSpec

__all__ = [
    "METHODS",
    "CallContext",
    "ExecuteResult",
    "MethodSpec",
    "comments",
    "execute",
    "groups",
    "messages",
    "polls",
    "wall",
]
