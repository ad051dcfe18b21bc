"""Post text: the Telegram HTML subset admins write, made safe for Telegram and plain for VK.

Admins write posts in Telegram's HTML subset (`<b>`, `<i>`, `<a href>`, `<code>`, …).
`telegram_html` keeps well-formed markup and escapes anything Telegram would refuse
(so "price < 100 ₽" still goes out instead of failing with "can't parse entities").
`vk_text` turns the same markup into the plain text a VK wall post shows: tags dropped,
links written out as "text (url)", entities decoded. Both are pure.
"""

from __future__ import annotations

import html
import re

# Tags of Telegram's HTML parse mode (https://core.telegram.org/bots/api#html-style).
TELEGRAM_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)
# Telegram's limits on a text message; VK allows more, so this one bounds both.
MAX_TEXT_LENGTH = 4096

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*)?)\s*(/?)>")
_HREF = re.compile(r"""href\s*=\s*("([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
_ENTITY = re.compile(r"&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|lt|gt|amp|quot);")
_BLANK_LINES = re.compile(r"\n{3,}")


def _tokens(markup: str) -> list[tuple[str, re.Match[str] | None]]:
    """Split markup into ("text", None) and ("tag", match) pieces, in order."""
    pieces: list[tuple[str, re.Match[str] | None]] = []
    position = 0
    for match in _TAG.finditer(markup):
        if match.start() > position:
            pieces.append((markup[position : match.start()], None))
        pieces.append(("", match))
        position = match.end()
    if position < len(markup):
        pieces.append((markup[position:], None))
    return pieces


def _text_is_clean(text: str) -> bool:
    """No stray `<`/`>` and every `&` starts an entity Telegram knows."""
    if "<" in text or ">" in text:
        return False
    return all(_ENTITY.match(text, index) for index in _ampersands(text))


def _ampersands(text: str) -> list[int]:
    return [index for index, char in enumerate(text) if char == "&"]


def is_telegram_html(markup: str) -> bool:
    """True when Telegram's HTML parser would accept `markup` as written."""
    stack: list[str] = []
    for text, tag in _tokens(markup):
        if tag is None:
            if not _text_is_clean(text):
                return False
            continue
        closing, name, _attributes, self_closing = tag.groups()
        name = name.lower()
        if name not in TELEGRAM_TAGS or self_closing:
            return False
        if closing:
            if not stack or stack.pop() != name:
                return False
        else:
            stack.append(name)
    return not stack


def telegram_html(text: str) -> str:
    """The text as Telegram HTML: valid markup kept, anything else escaped as plain text."""
    return text if is_telegram_html(text) else html.escape(text, quote=False)


def vk_text(markup: str) -> str:
    """Telegram HTML → the plain text of a VK post (links as "text (url)")."""
    if not is_telegram_html(markup):
        return markup.strip()  # it was plain text all along
    out: list[str] = []
    links: list[tuple[int, str]] = []  # (where the link text starts in `out`, href)
    for text, tag in _tokens(markup):
        if tag is None:
            out.append(html.unescape(text))
            continue
        closing, name, attributes, _ = tag.groups()
        name = name.lower()
        if name == "a" and not closing:
            found = _HREF.search(attributes or "")
            href = next((group for group in found.groups()[1:] if group), "") if found else ""
            links.append((len(out), html.unescape(href)))
        elif name == "a" and links:
            start, href = links.pop()
            label = "".join(out[start:]).strip()
            if href and href != label and not href.startswith("tg://"):
                out.append(f" ({href})" if label else href)
        elif name in ("blockquote", "pre") and out and not "".join(out).endswith("\n"):
            out.append("\n")  # quoted and preformatted blocks start and end on their own line
    plain = "".join(out)
    return _BLANK_LINES.sub("\n\n", plain).strip()


def plain_preview(markup: str, limit: int = 60) -> str:
    """A one-line preview of a post for lists: plain text, whitespace folded, cut at `limit`."""
    flat = " ".join(vk_text(markup).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def check_length(markup: str) -> None:
    """Raise ValueError if the post is longer than a Telegram message allows."""
    length = len(vk_text(markup))
    if length > MAX_TEXT_LENGTH:
        raise ValueError(
            f"The post has {length} characters; a Telegram message holds at most "
            f"{MAX_TEXT_LENGTH}. Shorten it or split it into two posts."
        )
