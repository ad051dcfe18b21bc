"""Validation of `reply_markup`, and what of it a Message echoes back."""

from __future__ import annotations

import json
from typing import Any

from .errors import bad_request

# A button must do something; a text-only button is refused in inline keyboards.
_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "login_url",
    "web_app",
    "pay",
    "callback_game",
    "copy_text",
)
CALLBACK_DATA_MAX_BYTES = 64
REPLY_MARKUP_MAX_BYTES = 10_000


def validate_reply_markup(markup: Any) -> dict[str, Any] | None:
    """Check a reply_markup and return the part a Message echoes (inline keyboards only)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if len(json.dumps(markup, ensure_ascii=False).encode()) > REPLY_MARKUP_MAX_BYTES:
        raise bad_request("reply markup is too long")
    if "inline_keyboard" not in markup:
        # Reply keyboards, keyboard removal and force_reply are accepted and not echoed.
        return None
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
        )
    for row in rows:
        for button in row:
            _validate_button(button)
    return {"inline_keyboard": [[dict(button) for button in row] for row in rows]}


def _validate_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request("can't parse inline keyboard button: Text must be a String")
    if not any(key in button for key in _BUTTON_ACTIONS):
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        size = len(str(data).encode("utf-8", errors="surrogatepass"))
        if not isinstance(data, str) or size == 0 or size > CALLBACK_DATA_MAX_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not str(button["url"]).strip():
        raise bad_request("BUTTON_URL_INVALID")
