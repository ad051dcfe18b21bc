"""The opinion lexicon: stems, whole-word entries, negation scope, one kind per entry."""

from __future__ import annotations

import pytest

from bot.classifier import lexicon
from bot.classifier.lexicon import kind_of, opinion_tokens
from bot.classifier.normalize import normalize


def tokens(text: str) -> list[str]:
    return opinion_tokens(normalize(text).text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I am terribly dissatisfied with your service", ["lex_neg", "lex_neg"]),
        ("Staff were lovely and the food was delicious.", ["lex_pos", "lex_pos"]),
        ("not worth the money", ["lex_not_pos"]),
        ("Not bad at all!", ["lex_not_neg"]),
        ("it doesn't work", ["lex_not_ok"]),
        ("it doesn’t work", ["lex_not_ok"]),  # a typographic apostrophe
        ("не работает уже неделю", ["lex_not_ok"]),
        ("всё пришло, спасибо", ["lex_ok", "lex_pos"]),
        ("неплохо", ["lex_pos"]),
        ("сколько стоит доставка?", []),
    ],
)
def test_opinion_tokens(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


def test_negation_stops_at_punctuation_and_after_three_words() -> None:
    assert tokens("not yet, but great") == ["lex_pos"]
    assert tokens("no one of them was great") == ["lex_pos"]
    assert tokens("не очень вкусно") == ["lex_not_pos"]


def test_whole_word_entries_do_not_match_longer_words() -> None:
    assert kind_of("bad") == "neg"
    assert kind_of("badge") is None
    assert kind_of("пришлите") is None  # "send me", not "it arrived"
    assert kind_of("disappointing") == "neg"  # a stem matches its endings
    assert kind_of("бесподобно") == "pos"


def test_every_entry_has_one_kind() -> None:
    seen: dict[str, str] = {}
    for kind, words in lexicon._KINDS:
        for word in words:
            assert seen.setdefault(word.rstrip("="), kind) == kind, word
