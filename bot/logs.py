"""Logging set-up that can never print a token."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable

# Telegram tokens inside URLs or messages, and VK access_token parameters.
TOKEN_PATTERNS = [
    re.compile(r"\d{3,}:[A-Za-z0-9_-]{10,}"),
    re.compile(r"(access_token=)[^&\s'\"]+"),
]


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then masks configured secrets and anything token-shaped.

    Working on the final text covers messages, arguments and tracebacks alike.
    """

    def __init__(self, fmt: str, secrets: Iterable[str] = ()) -> None:
        super().__init__(fmt)
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secrets)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    text = TOKEN_PATTERNS[0].sub("***", text)
    return TOKEN_PATTERNS[1].sub(r"\1***", text)


def setup_logging(level: str = "INFO", secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiogram logs every handled update at INFO; ours is the useful record.
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
