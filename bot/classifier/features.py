"""Text features: character and word n-grams over the canonical text, TF-IDF weighted.

Character n-grams within word boundaries carry morphology, typos and transliteration
(`скидк`, `stoi`); word n-grams carry phrases (`пиши в лс`, `where is my`). Both use
sublinear TF-IDF with an L2 norm per block — what scikit-learn's `TfidfVectorizer`
computes with `analyzer="char_wb"`, `sublinear_tf=True` (a test checks the two agree).

Speed is why this is not `TfidfVectorizer` itself: its analyser builds every n-gram as
a Python string, about a quarter of a millisecond per message. Here a whole batch is
one array of code points; the n-grams of each length are 64-bit rolling hashes
computed by NumPy at once and looked up in the sorted hashes of the vocabulary. Word
n-grams are few per message and use a plain dictionary.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

# Words, placeholders (`_url_`), and single symbols — `?`, `!`, `$`, emoji — as tokens.
_WORD_TOKEN = re.compile(r"\w+|[^\w\s]")
_SPACE = 32
_MULTIPLIER = np.uint64(0x100000001B3)  # an odd 64-bit multiplier for the rolling hash


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    """How texts become vectors; chosen by cross-validation on the corpus."""

    char_ngrams: tuple[int, int] = (1, 5)
    word_ngrams: tuple[int, int] = (1, 2)
    char_min_df: int = 2
    word_min_df: int = 1
    max_char_features: int | None = 300_000
    max_word_features: int | None = 200_000
    word_weight: float = 1.0  # scale of the word block against the character block


def _mix(values: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser: spreads the bits of a rolling hash (wrapping uint64 math)."""
    values = values ^ (values >> np.uint64(30))
    values = values * np.uint64(0xBF58476D1CE4E5B9)
    values = values ^ (values >> np.uint64(27))
    values = values * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def _padded(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Code points of all texts, each word padded by one space, and each text's start.

    Words are joined by two spaces and a text starts and ends with a space, so a window
    that crosses a word or a text boundary always holds two adjacent spaces.
    """
    pieces = [" " + "  ".join(text.split()) + " " for text in texts]
    starts = np.zeros(len(pieces) + 1, dtype=np.int64)
    np.cumsum([len(piece) for piece in pieces], out=starts[1:])
    codes = np.frombuffer("".join(pieces).encode("utf-32-le"), dtype=np.uint32)
    return codes.astype(np.uint64), starts


def char_ngram_hashes(texts: Sequence[str], low: int, high: int) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of every character n-gram (`char_wb` semantics) and the text each came from.

    Assumes `low` ≤ 3, so a padded word is never shorter than the shortest n-gram.
    """
    codes, starts = _padded(texts)
    length = len(codes)
    is_space = codes == _SPACE
    # pairs_before[j]: how many "two spaces" pairs start before position j.
    pairs_before = np.zeros(length + 1, dtype=np.int64)
    if length > 1:
        np.cumsum(is_space[:-1] & is_space[1:], out=pairs_before[2:])
    hashes: list[np.ndarray] = []
    positions: list[np.ndarray] = []
    rolling = np.zeros(length, dtype=np.uint64)
    for n in range(1, high + 1):
        count = length - n + 1
        if count <= 0:
            break
        rolling = rolling[:count] * _MULTIPLIER + codes[n - 1 : n - 1 + count]
        if n < low:
            continue
        start = np.arange(count)
        # Valid: no pair starts inside the window, i.e. at start .. start + n - 2.
        valid = pairs_before[start + n - 1] == pairs_before[start] if n > 1 else ~np.zeros(
            count, dtype=bool
        )
        if n == 1:
            valid = np.ones(count, dtype=bool)
        chosen = np.flatnonzero(valid)
        hashes.append(_mix(rolling[chosen] ^ np.uint64(n)))
        positions.append(chosen)
    if not hashes:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    where = np.concatenate(positions)
    documents = np.searchsorted(starts, where, side="right") - 1
    return np.concatenate(hashes), documents


def word_ngrams(text: str, low: int, high: int) -> list[str]:
    """Token n-grams joined by a space; tokens are words, placeholders and symbols."""
    tokens = _WORD_TOKEN.findall(text)
    grams: list[str] = tokens[:] if low == 1 else []
    for n in range(max(low, 2), high + 1):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


def _idf(document_frequency: np.ndarray, documents: int) -> np.ndarray:
    # The smoothed IDF of scikit-learn: as if one extra document held every term once.
    return (np.log((1.0 + documents) / (1.0 + document_frequency)) + 1.0).astype(np.float32)


def _select(
    document_frequency: np.ndarray, min_df: int, limit: int | None
) -> np.ndarray:
    """Indices of the terms kept: df ≥ min_df, the `limit` most frequent (stable order)."""
    kept = np.flatnonzero(document_frequency >= min_df)
    if limit is not None and len(kept) > limit:
        order = np.argsort(-document_frequency[kept], kind="stable")[:limit]
        kept = np.sort(kept[order])
    return kept


@dataclass(slots=True)
class CharBlock:
    """Character n-gram vocabulary as sorted hashes, and the IDF of each."""

    low: int
    high: int
    hashes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    idf: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))

    @property
    def size(self) -> int:
        return len(self.hashes)

    def fit(self, texts: Sequence[str], min_df: int, limit: int | None) -> None:
        hashes, documents = char_ngram_hashes(texts, self.low, self.high)
        unique, inverse = np.unique(hashes, return_inverse=True)
        pairs = np.unique(documents * len(unique) + inverse.astype(np.int64))
        frequency = np.bincount(pairs % len(unique), minlength=len(unique)) if len(unique) else (
            np.zeros(0, dtype=np.int64)
        )
        kept = _select(frequency, min_df, limit)
        self.hashes = unique[kept]
        self.idf = _idf(frequency[kept], len(texts))

    def columns(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(text index, column) of every known n-gram occurrence."""
        if not self.size:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        hashes, documents = char_ngram_hashes(texts, self.low, self.high)
        place = np.searchsorted(self.hashes, hashes)
        place[place == self.size] = 0
        known = self.hashes[place] == hashes
        return documents[known], place[known]


@dataclass(slots=True)
class WordBlock:
    """Word n-gram vocabulary and the IDF of each."""

    low: int
    high: int
    vocabulary: dict[str, int] = field(default_factory=dict)
    idf: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))

    @property
    def size(self) -> int:
        return len(self.vocabulary)

    def fit(self, texts: Sequence[str], min_df: int, limit: int | None) -> None:
        frequency: dict[str, int] = {}
        for text in texts:
            for gram in set(word_ngrams(text, self.low, self.high)):
                frequency[gram] = frequency.get(gram, 0) + 1
        grams = sorted(frequency)
        counts = np.array([frequency[g] for g in grams], dtype=np.int64)
        kept = _select(counts, min_df, limit)
        self.vocabulary = {grams[i]: column for column, i in enumerate(kept)}
        self.idf = _idf(counts[kept], len(texts))

    def columns(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        get = self.vocabulary.get
        documents: list[int] = []
        columns: list[int] = []
        for index, text in enumerate(texts):
            found = [c for c in map(get, word_ngrams(text, self.low, self.high)) if c is not None]
            columns += found
            documents += [index] * len(found)
        return np.asarray(documents, dtype=np.int64), np.asarray(columns, dtype=np.int64)


def _tfidf_rows(
    documents: np.ndarray, columns: np.ndarray, idf: np.ndarray, rows: int, scale: float
) -> sp.csr_matrix:
    """Sublinear TF-IDF rows, L2-normalised and multiplied by `scale`."""
    counts = sp.csr_matrix(
        (np.ones(len(columns), dtype=np.float32), (documents, columns)),
        shape=(rows, len(idf)),
        dtype=np.float32,
    )
    counts.sum_duplicates()
    data = (1.0 + np.log(counts.data)) * idf[counts.indices]
    squares = np.zeros(rows, dtype=np.float64)
    np.add.at(squares, np.repeat(np.arange(rows), np.diff(counts.indptr)), data.astype(np.float64) ** 2)
    norms = np.sqrt(squares)
    norms[norms == 0] = 1.0
    counts.data = (data / np.repeat(norms, np.diff(counts.indptr)) * scale).astype(np.float32)
    return counts


class TextFeatures:
    """Fitted vocabularies that turn canonical texts into one sparse matrix."""

    def __init__(self, config: FeatureConfig | None = None) -> None:
        self.config = config or FeatureConfig()
        c = self.config
        if c.char_ngrams[0] > 3:
            raise ValueError("character n-grams must start at length 3 or less")
        self.char = CharBlock(*c.char_ngrams)
        self.word = WordBlock(*c.word_ngrams)

    @property
    def size(self) -> int:
        return self.char.size + self.word.size

    def fit(self, texts: Sequence[str]) -> TextFeatures:
        c = self.config
        self.char.fit(texts, min(c.char_min_df, len(texts)), c.max_char_features)
        self.word.fit(texts, min(c.word_min_df, len(texts)), c.max_word_features)
        return self

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.fit(texts).transform(texts)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        rows = len(texts)
        char = _tfidf_rows(*self.char.columns(texts), self.char.idf, rows, 1.0)
        word = _tfidf_rows(*self.word.columns(texts), self.word.idf, rows, self.config.word_weight)
        return sp.hstack([char, word], format="csr", dtype=np.float32)
