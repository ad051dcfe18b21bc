"""What became of one send attempt — decided by a platform sender, applied by the store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Outcome:
    """`sent`, `retry` after `delay` seconds, `failed` for good, or `deferred` (not tried).

    `deferred` is for a send held back by our own rate limiter: it does not count
    as an attempt.
    """

    status: str
    delay: float = 0.0
    error: str | None = None
    result: dict[str, Any] | None = None
    new_params: dict[str, Any] | None = None

    @classmethod
    def sent(cls, result: dict[str, Any] | None = None) -> Outcome:
        return cls("sent", result=result)

    @classmethod
    def retry(cls, delay: float, error: str, new_params: dict[str, Any] | None = None) -> Outcome:
        return cls("retry", delay=delay, error=error, new_params=new_params)

    @classmethod
    def failed(cls, error: str) -> Outcome:
        return cls("failed", error=error)

    @classmethod
    def deferred(cls, delay: float) -> Outcome:
        return cls("deferred", delay=delay)
