"""Reading Bot API parameters the way the reference server does.

Parameters may come in the query string, a urlencoded or multipart form, or a JSON
body; aiogram sends every value as a string (nested objects as JSON strings), a JSON
body carries real types. The accessors accept both spellings.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from .errors import bad_request

_TRUE_WORDS = {"true", "yes", "1"}


async def read_params(request: web.Request) -> dict[str, Any]:
    """Merge the query string and the body into one dict; body values win."""
    params: dict[str, Any] = dict(request.query)
    if not request.can_read_body:
        return params
    content_type = request.content_type
    if content_type == "application/json":
        try:
            body = await request.json()
        except ValueError as exc:
            raise bad_request("can't parse JSON encoded request body") from exc
        if isinstance(body, dict):
            params.update(body)
        return params
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for key, value in form.items():
            # An uploaded file is kept as a marker: the sandbox stores no file contents.
            params[key] = value if isinstance(value, str) else f"<file {value.filename}>"
    return params


class Params:
    """Typed access to one call's parameters, raising Telegram's 400s on bad values."""

    def __init__(self, raw: dict[str, Any]):
        self.raw = raw

    def has(self, name: str) -> bool:
        value = self.raw.get(name)
        return value is not None and value != ""

    def get_str(self, name: str, default: str | None = None) -> str | None:
        value = self.raw.get(name)
        if value is None:
            return default
        return value if isinstance(value, str) else json.dumps(value)

    def get_int(self, name: str, default: int | None = None) -> int | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        try:
            return int(str(value).strip())
        except ValueError as exc:
            raise bad_request(f"invalid {name} specified") from exc

    def required_int(self, name: str) -> int:
        value = self.get_int(name)
        if value is None:
            # Telegram's wording differs by parameter; user ids are "invalid", others "empty".
            text = "invalid user_id specified" if name == "user_id" else f"{name} is empty"
            raise bad_request(text)
        return value

    def get_bool(self, name: str, default: bool = False) -> bool:
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return value != 0
        return str(value).strip().lower() in _TRUE_WORDS

    def get_json(self, name: str, what: str | None = None) -> Any:
        """A nested object: a JSON string from forms, a real value from JSON bodies."""
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError as exc:
            raise bad_request(f"can't parse {what or name} JSON object") from exc

    def chat_id(self, name: str = "chat_id") -> int | str:
        """A numeric chat id, or an `@username` string."""
        value = self.raw.get(name)
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value).strip()
        if text.startswith("@"):
            return text
        try:
            return int(text)
        except ValueError as exc:
            raise bad_request("chat not found") from exc
