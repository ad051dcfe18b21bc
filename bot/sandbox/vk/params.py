"""Typed reads of VK method parameters, which always arrive as strings."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.sandbox.vk.errors import ApiError, invalid, missing

# vk_api str()-s Python booleans, so "True"/"False" arrive next to VK's usual 1/0.
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Params:
    """The parameters of one call, with readers that raise VK's error 100 on bad input."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self.values: dict[str, str] = dict(values)

    def __contains__(self, name: str) -> bool:
        return name in self.values

    def raw(self, name: str) -> str | None:
        return self.values.get(name)

    def text(self, name: str, default: str = "", *, required: bool = False) -> str:
        value = self.values.get(name)
        if value is None:
            if required:
                raise missing(name)
            return default
        return value

    def integer(self, name: str, default: int | None = None, *, required: bool = False) -> int:
        value = self.values.get(name)
        if value is None or value.strip() == "":
            if required or default is None:
                raise missing(name)
            return default
        try:
            return int(value.strip())
        except ValueError:
            raise invalid(name, "not integer") from None

    def optional_int(self, name: str) -> int | None:
        if name not in self.values or self.values[name].strip() == "":
            return None
        return self.integer(name)

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None:
            return default
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise invalid(name, "must be 0 or 1")

    def int_list(self, name: str, *, required: bool = False) -> list[int]:
        value = self.values.get(name, "")
        parts = [part.strip() for part in value.split(",") if part.strip()]
        if not parts:
            if required:
                raise missing(name)
            return []
        try:
            return [int(part) for part in parts]
        except ValueError:
            raise invalid(name, "must be a comma-separated list of integers") from None

    def str_list(self, name: str) -> list[str]:
        value = self.values.get(name, "")
        return [part.strip() for part in value.split(",") if part.strip()]

    def json(self, name: str, error_code: int = 100) -> Any:
        """A parameter that carries JSON (keyboard, forward, add_answers); None if absent."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        try:
            return json.loads(value)
        except ValueError:
            if error_code == 100:
                raise invalid(name, "is not valid JSON") from None
            raise ApiError(error_code, f"{name} is not valid JSON") from None


def to_param_string(value: Any) -> str:
    """How a value from an `execute` object literal becomes a form-style parameter."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if value is None:
        return ""
    if isinstance(value, list):
        return ",".join(to_param_string(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def version_tuple(version: str) -> tuple[int, ...]:
    """'5.199' -> (5, 199); anything unparsable sorts as the oldest version."""
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return (0,)
