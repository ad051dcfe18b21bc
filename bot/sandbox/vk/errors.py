"""VK API error codes, their standard texts, and the exception method handlers raise."""

from __future__ import annotations

from typing import Any

# The texts VK puts in `error_msg`; a detail, when there is one, follows after ": ".
ERROR_MESSAGES: dict[int, str] = {
    1: "Unknown error occurred",
    3: "Unknown method passed",
    5: "User authorization failed",
    6: "Too many requests per second",
    7: "Permission to perform this action is denied",
    8: "Invalid request",
    9: "Flood control",
    10: "Internal server error",
    12: "Unable to compile code",
    13: "Runtime error occurred during code invocation",
    14: "Captcha needed",
    15: "Access denied",
    17: "Validation required",
    18: "User was deleted or banned",
    27: "Group authorization failed: method is unavailable with group auth.",
    29: "Rate limit reached",
    100: "One of the parameters specified was missing or invalid",
    104: "Not found",
    113: "Invalid user id",
    203: "Access to group denied",
    210: "Access to wall's post denied",
    211: "Access to wall's comment denied",
    212: "Access to post comments denied",
    213: "Access to status replies denied",
    214: "Access to adding post denied",
    900: "Can't send messages for users from blacklist",
    901: "Can't send messages for users without permission",
    902: "Can't send messages to this user due to their privacy settings",
    911: "Keyboard format is invalid",
    914: "Message is too long",
    917: "You don't have access to this chat",
}


def error_message(code: int, detail: str = "") -> str:
    """The `error_msg` VK would send for `code`, with an optional detail appended."""
    base = ERROR_MESSAGES.get(code, f"Error {code}")
    return f"{base}: {detail}" if detail else base


class ApiError(Exception):
    """An API error a method handler raises; the server turns it into VK's error envelope."""

    def __init__(self, code: int, detail: str = "", extra: dict[str, Any] | None = None) -> None:
        self.code = code
        self.message = error_message(code, detail)
        # Fields VK adds to some errors, e.g. captcha_sid/captcha_img on 14.
        self.extra = extra or {}
        # Set when the control API's faults made this error, so the log can say so.
        self.injected = False
        super().__init__(f"[{code}] {self.message}")


def missing(name: str) -> ApiError:
    """Error 100 for a required parameter that was not passed."""
    return ApiError(100, f"{name} is a required parameter")


def invalid(name: str, why: str = "is invalid") -> ApiError:
    """Error 100 for a parameter whose value cannot be used."""
    return ApiError(100, f"{name} {why}")
