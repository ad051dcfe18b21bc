"""Retry delays: exponential backoff with jitter (pure; the random source is injected)."""

from __future__ import annotations

import random


def backoff_delay(
    attempt: int,
    *,
    base: float = 1.0,
    factor: float = 2.0,
    cap: float = 300.0,
    jitter: float = 0.2,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait before retry number `attempt` (1 = first retry).

    Jitter spreads retries of many senders so they do not hit the platform in step.
    """
    attempt = max(1, attempt)
    delay = min(cap, base * factor ** (attempt - 1))
    spread = delay * jitter
    return max(0.0, delay + (rng or random).uniform(-spread, spread))
