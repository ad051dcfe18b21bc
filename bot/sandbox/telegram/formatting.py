"""Message text as Telegram sees it: UTF-16 lengths, parse modes and detected entities.

Telegram measures text and entity offsets in UTF-16 code units. A `parse_mode`
turns markup into plain text plus entities; malformed markup is a 400
"can't parse entities: …". The parsers here cover the documented subsets closely
enough to catch what a bot gets wrong (unbalanced tags, unescaped MarkdownV2
characters); the wording of the detail after the prefix is the sandbox's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .errors import bad_request


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8", errors="surrogatepass"))


class EntityParseError(Exception):
    """Markup that Telegram would refuse; the message becomes the 400 detail."""


@dataclass
class _Builder:
    """Accumulates plain text and the entities opened and closed over it."""

    parts: list[str] = field(default_factory=list)
    units: int = 0
    entities: list[dict[str, Any]] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.units += utf16_len(text)

    def close(self, start: int, entity: dict[str, Any], end: int | None = None) -> None:
        length = (self.units if end is None else end) - start
        if length > 0:
            self.entities.append({**entity, "offset": start, "length": length})

    def result(self) -> tuple[str, list[dict[str, Any]]]:
        ordered = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), ordered


# ---------------------------------------------------------------- HTML

_HTML_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_HTML_TAGS = {*_HTML_SIMPLE, "a", "span", "blockquote", "tg-emoji"}
_TAG_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_ATTRIBUTE = re.compile(
    r"""\s*([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?"""
)
_CHAR_REF = re.compile(r"&(#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[a-zA-Z]{2,8};)")
_NAMED_REFS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _decode_refs(text: str) -> str:
    """Decode the character references Telegram knows; leave other `&` as written."""

    def replace(match: re.Match[str]) -> str:
        body = match.group(1)[:-1]
        if body.startswith(("#x", "#X")):
            code = int(body[2:], 16)
        elif body.startswith("#"):
            code = int(body[1:])
        else:
            return _NAMED_REFS.get(body, match.group(0))
        return chr(code) if 0 < code < 0x110000 else match.group(0)

    return _CHAR_REF.sub(replace, text)


def _html_entity(name: str, attrs: dict[str, str], offset: int) -> dict[str, Any]:
    """The entity a start tag opens; raises on the attribute rules Telegram enforces."""
    if name in _HTML_SIMPLE:
        return {"type": _HTML_SIMPLE[name]}
    if name == "span":
        if attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {offset}'
            )
        return {"type": "spoiler"}
    if name == "a":
        href = attrs.get("href", "")
        user = re.fullmatch(r"tg://user\?id=(\d+)", href)
        if user:
            return {
                "type": "text_mention",
                "user": {"id": int(user.group(1)), "is_bot": False, "first_name": ""},
            }
        return {"type": "text_link", "url": href} if href else {"type": "_plain"}
    if name == "blockquote":
        return {"type": "expandable_blockquote" if "expandable" in attrs else "blockquote"}
    emoji_id = attrs.get("emoji-id")
    if not emoji_id:
        raise EntityParseError(
            f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {offset}'
        )
    return {"type": "custom_emoji", "custom_emoji_id": emoji_id}


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's HTML subset to plain text and entities."""
    out = _Builder()
    # Each open tag: (name, entity, start in UTF-16 units, byte offset of the tag).
    stack: list[tuple[str, dict[str, Any], int, int]] = []
    pos = 0
    while pos < len(text):
        lt = text.find("<", pos)
        if lt < 0:
            out.add(_decode_refs(text[pos:]))
            break
        out.add(_decode_refs(text[pos:lt]))
        gt = text.find(">", lt)
        offset = _byte_offset(text, lt)
        if gt < 0:
            raise EntityParseError(f"Unclosed start tag at byte offset {offset}")
        inner = text[lt + 1 : gt]
        pos = gt + 1
        if inner.startswith("/"):
            name = inner[1:].strip().lower()
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {offset}")
            open_name, entity, start, _ = stack[-1]
            if name != open_name:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {offset}, expected "</{open_name}>", '
                    f'found "</{name}>"'
                )
            stack.pop()
            if entity["type"] == "code" and stack and stack[-1][0] == "pre":
                # <pre><code class="language-x"> is one pre entity with a language.
                language = entity.get("_language")
                if language:
                    stack[-1][1]["language"] = language
                continue
            if entity["type"] != "_plain":
                out.close(start, {k: v for k, v in entity.items() if not k.startswith("_")})
            continue
        name_match = _TAG_NAME.match(inner)
        if not name_match:
            raise EntityParseError(f"Unsupported start tag at byte offset {offset}")
        name = name_match.group(0).lower()
        if name not in _HTML_TAGS:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {offset}')
        attrs = {
            key.lower(): _decode_refs(value.strip("\"'")) if value else ""
            for key, value in _ATTRIBUTE.findall(inner[name_match.end() :].rstrip("/"))
        }
        entity = _html_entity(name, attrs, offset)
        if name == "code" and attrs.get("class", "").startswith("language-"):
            entity["_language"] = attrs["class"][len("language-") :]
        stack.append((name, entity, out.units, offset))
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.result()


# ---------------------------------------------------------------- MarkdownV2

_V2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_V2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
    "blockquote": "BlockQuote",
}


def _reserved(char: str) -> EntityParseError:
    return EntityParseError(
        f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
    )


def parse_markdown_v2(text: str) -> tuple[str, list[dict[str, Any]]]:
    """MarkdownV2 to plain text and entities; every reserved character must be escaped."""
    out = _Builder()
    stack: list[tuple[str, int, int]] = []  # (entity type, start units, byte offset)
    quote_start: int | None = None
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        at_line_start = i == 0 or text[i - 1] == "\n"
        if at_line_start and quote_start is not None and char != ">":
            # A blockquote ends at the first line that does not start with '>' (the line
            # break before that line is not part of the quote).
            out.close(quote_start, {"type": "blockquote"}, end=out.units - 1)
            quote_start = None
        if char == "\\":
            if i + 1 < n:
                out.add(text[i + 1])
                i += 2
            else:
                raise _reserved("\\")
            continue
        if char == ">" and at_line_start:
            if quote_start is None:
                quote_start = out.units
            i += 1
            continue
        if char == "`":
            i = _v2_code(text, i, out)
            continue
        if char == "[":
            stack.append(("text_link", out.units, _byte_offset(text, i)))
            i += 1
            continue
        if char == "]":
            if not stack or stack[-1][0] != "text_link":
                raise _reserved("]")
            if i + 1 >= n or text[i + 1] != "(":
                raise _reserved("]")
            close = i + 2
            url_chars: list[str] = []
            while close < n and text[close] != ")":
                if text[close] == "\\" and close + 1 < n:
                    close += 1
                url_chars.append(text[close])
                close += 1
            if close >= n:
                raise EntityParseError(
                    f"Can't find end of a url at byte offset {_byte_offset(text, i + 1)}"
                )
            _, start, _ = stack.pop()
            out.close(start, {"type": "text_link", "url": "".join(url_chars)})
            i = close + 1
            continue
        marker, kind = _v2_marker(text, i)
        if kind is None:
            if char in _V2_RESERVED:
                raise _reserved(char)
            out.add(char)
            i += 1
            continue
        if stack and stack[-1][0] == kind:
            _, start, _ = stack.pop()
            out.close(start, {"type": kind})
        else:
            stack.append((kind, out.units, _byte_offset(text, i)))
        i += len(marker)
    if quote_start is not None:
        out.close(quote_start, {"type": "blockquote"})
    if stack:
        kind, _, offset = stack[-1]
        name = _V2_NAMES[kind]
        raise EntityParseError(f"Can't find end of {name} entity at byte offset {offset}")
    return out.result()


def _v2_marker(text: str, i: int) -> tuple[str, str | None]:
    """The formatting marker starting at `i`, if any: `__` before `_`, `||` only doubled."""
    if text.startswith("__", i):
        return "__", "underline"
    if text.startswith("||", i):
        return "||", "spoiler"
    single = {"*": "bold", "_": "italic", "~": "strikethrough"}.get(text[i])
    return text[i], single


def _v2_code(text: str, i: int, out: _Builder) -> int:
    """Inline code or a pre block starting at `i`; returns the index after it."""
    offset = _byte_offset(text, i)
    fence = "```" if text.startswith("```", i) else "`"
    body_start = i + len(fence)
    language = ""
    if fence == "```":
        newline = text.find("\n", body_start)
        first_line = text[body_start:newline] if newline >= 0 else ""
        if newline >= 0 and re.fullmatch(r"[\w+#-]*", first_line):
            language = first_line
            body_start = newline + 1
    j = body_start
    chars: list[str] = []
    while j < len(text):
        if text[j] == "\\" and j + 1 < len(text):
            chars.append(text[j + 1])
            j += 2
            continue
        if text.startswith(fence, j):
            start = out.units
            out.add("".join(chars))
            entity: dict[str, Any] = {"type": "pre" if fence == "```" else "code"}
            if language:
                entity["language"] = language
            out.close(start, entity)
            return j + len(fence)
        chars.append(text[j])
        j += 1
    name = "Pre" if fence == "```" else "Code"
    raise EntityParseError(f"Can't find end of {name} entity at byte offset {offset}")


# ---------------------------------------------------------------- legacy Markdown

_LEGACY = {"*": "bold", "_": "italic"}


def parse_markdown(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Legacy Markdown: `*bold*`, `_italic_`, `` `code` ``, ``` ```pre``` ```, `[text](url)`."""
    out = _Builder()
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.add(text[i + 1])
            i += 2
            continue
        if char in _LEGACY or char == "`":
            fence = "```" if text.startswith("```", i) else char
            end = text.find(fence, i + len(fence))
            if end < 0:
                raise EntityParseError(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
                )
            start = out.units
            out.add(text[i + len(fence) : end])
            kind = _LEGACY.get(char) or ("pre" if fence == "```" else "code")
            out.close(start, {"type": kind})
            i = end + len(fence)
            continue
        if char == "[":
            match = re.compile(r"\[([^\]]*)\]\(([^)]*)\)").match(text, i)
            if match:
                start = out.units
                out.add(match.group(1))
                out.close(start, {"type": "text_link", "url": match.group(2)})
                i = match.end()
                continue
        out.add(char)
        i += 1
    return out.result()


# ---------------------------------------------------------------- entry points

_PARSERS = {"html": parse_html, "markdownv2": parse_markdown_v2, "markdown": parse_markdown}


def parse_text(
    text: str, parse_mode: str | None, entities: Any
) -> tuple[str, list[dict[str, Any]]]:
    """Apply `parse_mode` or explicit `entities`; raise Telegram's 400 on bad markup."""
    if parse_mode:
        parser = _PARSERS.get(parse_mode.strip().lower())
        if parser is None:
            raise bad_request(f"unsupported parse_mode {parse_mode!r}")
        try:
            return parser(text)
        except EntityParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from exc
    if entities:
        if not isinstance(entities, list):
            raise bad_request("can't parse entities JSON object")
        return text, [dict(entity) for entity in entities if isinstance(entity, dict)]
    return text, detect_entities(text)


def check_message_text(text: str, limit: int = 4096) -> None:
    """The length rules of sendMessage/editMessageText, on the text after parsing."""
    if not text.strip():
        raise bad_request("message text is empty")
    if utf16_len(text) > limit:
        raise bad_request("message is too long")


_DETECTORS = [
    ("url", re.compile(r"\bhttps?://[^\s<>\"]+[^\s<>\".,!?;:)\]]")),
    ("email", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}\b")),
    ("bot_command", re.compile(r"(?<![\w/])/[a-zA-Z0-9_]{1,64}(?:@[a-zA-Z0-9_]{3,32})?")),
    ("mention", re.compile(r"(?<![\w@])@[a-zA-Z0-9_]{4,32}\b")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d]\w*")),
    ("cashtag", re.compile(r"(?<![\w$])\$[A-Z]{3,8}\b")),
]


def detect_entities(text: str) -> list[dict[str, Any]]:
    """The entities Telegram finds in plain text by itself: commands, mentions, links…"""
    found: list[tuple[int, int, str]] = []
    for kind, pattern in _DETECTORS:
        for match in pattern.finditer(text):
            found.append((match.start(), match.end(), kind))
    found.sort(key=lambda item: (item[0], -item[1]))
    entities: list[dict[str, Any]] = []
    taken_until = 0
    for start, end, kind in found:
        if start < taken_until:
            continue  # overlaps an earlier entity (e.g. the '@' part of an e-mail)
        taken_until = end
        offset = utf16_len(text[:start])
        entities.append({"type": kind, "offset": offset, "length": utf16_len(text[start:end])})
    return entities
