"""Giveaway draws: who may win, and a reproducible draw.

The caller collects the authors of the comments under the giveaway post and the ids to
leave out (moderators, admins, banned members, authors of comments removed as spam),
calls `eligible`, picks a seed (`new_seed`, or any int), records it with the giveaway,
and calls `draw`. Anyone holding the same entrants and seed gets the same winners, which
is the audit trail: the draw sorts the distinct entrants first, so the order in which
comments were fetched does not matter.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterable


def eligible(commenters: Iterable[str], excluded_ids: Iterable[str]) -> list[str]:
    """The distinct commenters not excluded, in order of their first comment."""
    excluded = set(excluded_ids)
    seen: set[str] = set()
    entrants: list[str] = []
    for member in commenters:
        if member not in excluded and member not in seen:
            seen.add(member)
            entrants.append(member)
    return entrants


def draw(entrants: Iterable[str], winners: int, seed: int) -> list[str]:
    """`winners` distinct winners (all entrants if there are fewer), fixed by `seed`.

    The pool is the sorted distinct entrants; `random.Random(seed).sample` picks from
    it, so winners come back in the order drawn (first = first prize).
    """
    if winners < 1:
        raise ValueError(f"A giveaway needs at least 1 winner, got winners={winners}.")
    pool = sorted(set(entrants))
    return random.Random(seed).sample(pool, min(winners, len(pool)))


def new_seed() -> int:
    """A fresh seed to record with the giveaway before drawing (63 random bits)."""
    return secrets.randbits(63)
