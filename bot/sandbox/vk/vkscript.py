"""A small, safe reader for the `execute` programs vk_api sends.

Accepts `return [API.a.b({...}), API.c.d({...})];` and `return API.a.b({...});`
where the arguments are JSON-ish object literals (quoted or bare keys, single- or
double-quoted strings, numbers, true/false/null, nested arrays and objects).
Nothing is evaluated: anything else is a `ScriptError`, which `execute` answers
with error 12, as VK does for code it cannot compile.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

# VK allows at most 25 API calls in one execute.
MAX_CALLS = 25


class ScriptError(ValueError):
    """The code is not in the supported subset of VKScript (VK error 12)."""


class TooManyCalls(ScriptError):
    """More than `MAX_CALLS` API calls (VK fails these at run time: error 13)."""


@dataclass
class ApiCall:
    """One `API.<method>({...})` call of the program."""

    method: str
    params: dict[str, Any]


@dataclass
class Program:
    """A parsed execute program."""

    calls: list[ApiCall]
    returns_list: bool  # `return [..]` rather than `return API.x(..)`


_IDENT_START = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$"
_IDENT_CHARS = _IDENT_START + "0123456789"


def _single_to_double_quoted(body: str) -> str:
    """Rewrite a single-quoted literal's body so the JSON decoder reads its escapes."""
    out: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body):
            following = body[index + 1]
            out.append("'" if following == "'" else char + following)
            index += 2
            continue
        out.append('\\"' if char == '"' else char)
        index += 1
    return "".join(out)


class _Reader:
    def __init__(self, code: str) -> None:
        self.code = code
        self.pos = 0

    def fail(self, what: str) -> ScriptError:
        return ScriptError(f"{what} at position {self.pos}")

    def skip_space(self) -> None:
        while self.pos < len(self.code) and self.code[self.pos].isspace():
            self.pos += 1

    def peek(self) -> str:
        self.skip_space()
        return self.code[self.pos] if self.pos < len(self.code) else ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise self.fail(f"expected {char!r}")
        self.pos += 1

    def identifier(self) -> str:
        self.skip_space()
        start = self.pos
        if self.pos >= len(self.code) or self.code[self.pos] not in _IDENT_START:
            raise self.fail("expected a name")
        while self.pos < len(self.code) and self.code[self.pos] in _IDENT_CHARS:
            self.pos += 1
        return self.code[start : self.pos]

    def string(self) -> str:
        quote = self.peek()
        start = self.pos
        self.pos += 1
        escaped = False
        while self.pos < len(self.code):
            char = self.code[self.pos]
            self.pos += 1
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                body = self.code[start + 1 : self.pos - 1]
                if quote == "'":
                    body = _single_to_double_quoted(body)
                try:
                    return str(json.loads(f'"{body}"'))
                except ValueError:
                    raise self.fail("bad string literal") from None
        raise self.fail("unterminated string")

    def number(self) -> int | float:
        self.skip_space()
        start = self.pos
        while self.pos < len(self.code) and self.code[self.pos] in "+-0123456789.eE":
            self.pos += 1
        text = self.code[start : self.pos]
        try:
            return int(text)
        except ValueError:
            pass
        try:
            return float(text)
        except ValueError:
            raise self.fail("bad number") from None

    def value(self) -> Any:
        char = self.peek()
        if char == "{":
            return self.object()
        if char == "[":
            return self.array()
        if char in "\"'":
            return self.string()
        if char and (char.isdigit() or char in "-+."):
            return self.number()
        word = self.identifier()
        literals: dict[str, Any] = {"true": True, "false": False, "null": None}
        if word not in literals:
            raise self.fail(f"unsupported expression {word!r}")
        return literals[word]

    def array(self) -> list[Any]:
        self.expect("[")
        items: list[Any] = []
        while self.peek() != "]":
            items.append(self.value())
            if self.peek() != ",":
                break
            self.pos += 1
        self.expect("]")
        return items

    def object(self) -> dict[str, Any]:
        self.expect("{")
        result: dict[str, Any] = {}
        while self.peek() != "}":
            char = self.peek()
            if char in "\"'":
                key = self.string()
            elif char.isdigit():
                key = str(self.number())
            else:
                key = self.identifier()
            self.expect(":")
            result[key] = self.value()
            if self.peek() != ",":
                break
            self.pos += 1
        self.expect("}")
        return result

    def call(self) -> ApiCall:
        if self.identifier() != "API":
            raise self.fail("expected API.<method>(…)")
        parts: list[str] = []
        while self.peek() == ".":
            self.pos += 1
            parts.append(self.identifier())
        if not parts:
            raise self.fail("expected a method name after API")
        self.expect("(")
        params: dict[str, Any] = {}
        if self.peek() != ")":
            argument = self.value()
            if not isinstance(argument, dict):
                raise self.fail("API call arguments must be an object")
            params = argument
        self.expect(")")
        return ApiCall(method=".".join(parts), params=params)


def parse_program(code: str) -> Program:
    """Read an `execute` program of the supported form, or raise `ScriptError`."""
    reader = _Reader(code)
    if reader.identifier() != "return":
        raise reader.fail("only `return [API.…(…), …];` programs are supported")
    calls: list[ApiCall] = []
    returns_list = reader.peek() == "["
    if returns_list:
        reader.expect("[")
        while reader.peek() != "]":
            calls.append(reader.call())
            if reader.peek() != ",":
                break
            reader.pos += 1
        reader.expect("]")
    else:
        calls.append(reader.call())
    if reader.peek() == ";":
        reader.pos += 1
    if reader.peek() != "":
        raise reader.fail("unexpected code after the return statement")
    if len(calls) > MAX_CALLS:
        raise TooManyCalls(f"too many API calls ({len(calls)} > {MAX_CALLS})")
    return Program(calls=calls, returns_list=returns_list)
