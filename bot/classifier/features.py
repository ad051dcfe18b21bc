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

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from bot.classifier.lexicon import TOKENS, opinion_tokens

# Words, placeholders (`_url_`), and single symbols — `?`, `!`, `$`, emoji — as tokens.
_WORD_TOKEN = re.compile(r"\w+|[^\w\s]")
_SPACE = 32
_MULTIPLIER = np.uint64(0x100000001B3)  # FNV's 64-bit prime, for the rolling hash


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    """How texts become vectors; chosen by cross-validation on the corpus."""

    char_ngrams: tuple[int, int] = (2, 5)
    word_ngrams: tuple[int, int] = (1, 2)
    char_min_df: int = 2
    word_min_df: int = 1
    max_char_features: int | None = 300_000
    max_word_features: int | None = 200_000
    word_weight: float = 1.0  # scale of the word block against the character block
    # Scale of the opinion-lexicon block (`lexicon.py`); 0 leaves the block out.
    opinion_weight: float = 0.5


_LENGTH_TAG = [np.uint64(n << 58) for n in range(64)]
# Fibonacci hashing: multiply by 2^64 / golden ratio and keep the top bits for the slot.
_SPREAD = np.uint64(0x9E3779B97F4A7C15)


def _slots(hashes: np.ndarray, shift: np.uint64) -> np.ndarray:
    """Home slot of each hash in a table of 2^(64 - shift) slots."""
    return ((hashes * _SPREAD) >> shift).astype(np.int64)


def _padded(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Code points of all texts, each word padded by one space, and each text's start.

    Words are joined by two spaces and a text starts and ends with a space, so a window
    that crosses a word or a text boundary always holds two adjacent spaces.
    """
    pieces = [" " + "  ".join(words) + " " if (words := text.split()) else "" for text in texts]
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
    pairs_before = np.zeros(max(length, 1), dtype=np.int64)
    if length > 1:
        np.cumsum(is_space[:-1] & is_space[1:], out=pairs_before[1:])
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
        if n == 1:
            chosen = np.arange(count)
        else:
            # Valid windows have no pair starting at start .. start + n - 2.
            inside = pairs_before[n - 1 : n - 1 + count] - pairs_before[:count]
            chosen = np.flatnonzero(inside == 0)
        # The length goes into the top bits, so a 2-gram never equals a 1-gram, and no
        # hash is 0, which marks an empty slot of the lookup table.
        hashes.append(rolling[chosen] ^ _LENGTH_TAG[n])
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
    if low <= 2 <= high:
        grams += [f"{a} {b}" for a, b in itertools.pairwise(tokens)]  # the common case, fast
    for n in range(max(low, 3), high + 1):
        grams += [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
    return grams


def _idf(document_frequency: np.ndarray, documents: int) -> np.ndarray:
    # The smoothed IDF of scikit-learn: as if one extra document held every term once.
    return (np.log((1.0 + documents) / (1.0 + document_frequency)) + 1.0).astype(np.float32)


def _select(document_frequency: np.ndarray, min_df: int, limit: int | None) -> np.ndarray:
    """Indices of the terms kept: df ≥ min_df, the `limit` most frequent (stable order)."""
    kept = np.flatnonzero(document_frequency >= min_df)
    if limit is not None and len(kept) > limit:
        order = np.argsort(-document_frequency[kept], kind="stable")[:limit]
        kept = np.sort(kept[order])
    return kept


class _HashTable:
    """Open-addressing table from n-gram hash to column, built and probed with NumPy.

    A sorted array with `searchsorted` costs a cache miss per level; one probe into a
    table at most an eighth full costs about one, and misses (n-grams not in the
    vocabulary, most of them) end at an empty slot almost at once. Built on load,
    never pickled.
    """

    def __init__(self, keys: np.ndarray) -> None:
        bits = max(10, int(np.ceil(np.log2(max(len(keys), 1) * 8))))
        self.mask = (1 << bits) - 1
        self.shift = np.uint64(64 - bits)
        self.keys = np.zeros(1 << bits, dtype=np.uint64)  # 0 = empty; no n-gram hashes to 0
        self.columns = np.zeros(1 << bits, dtype=np.int32)
        self.max_probes = 0
        pending = np.arange(len(keys))
        slots = _slots(keys, self.shift)
        while len(pending):
            self.max_probes += 1
            candidate_slots = slots[pending]
            free = self.keys[candidate_slots] == 0
            claimants = pending[free]
            claimed, first = np.unique(candidate_slots[free], return_index=True)
            winners = claimants[first]
            self.keys[claimed] = keys[winners]
            self.columns[claimed] = winners
            placed = np.zeros(len(keys), dtype=bool)
            placed[winners] = True
            pending = pending[~placed[pending]]
            slots[pending] = (slots[pending] + 1) & self.mask

    def find(self, hashes: np.ndarray) -> np.ndarray:
        """Column of each hash, or -1 for an n-gram not in the vocabulary."""
        found = np.full(len(hashes), -1, dtype=np.int64)
        slots = _slots(hashes, self.shift)
        pending = np.arange(len(hashes))
        for _ in range(self.max_probes):
            if not len(pending):
                break
            keys = self.keys[slots[pending]]
            hit = keys == hashes[pending]
            found[pending[hit]] = self.columns[slots[pending[hit]]]
            pending = pending[(keys != 0) & ~hit]
            slots[pending] = (slots[pending] + 1) & self.mask
        return found


@dataclass(slots=True)
class CharBlock:
    """Character n-gram vocabulary as hashes, and the IDF of each."""

    low: int
    high: int
    hashes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    idf: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    table: _HashTable | None = None

    @property
    def size(self) -> int:
        return len(self.hashes)

    def fit(self, texts: Sequence[str], min_df: int, limit: int | None) -> None:
        hashes, documents = char_ngram_hashes(texts, self.low, self.high)
        unique, inverse = np.unique(hashes, return_inverse=True)
        pairs = np.unique(documents * len(unique) + inverse.astype(np.int64))
        frequency = np.bincount(pairs % max(len(unique), 1), minlength=len(unique))
        kept = _select(frequency, min_df, limit)
        self.hashes = unique[kept]
        self.idf = _idf(frequency[kept], len(texts))
        self.table = None

    def columns(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(text index, column) of every known n-gram occurrence."""
        if not self.size:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        if self.table is None:
            self.table = _HashTable(self.hashes)
        hashes, documents = char_ngram_hashes(texts, self.low, self.high)
        columns = self.table.find(hashes)
        known = columns >= 0
        return documents[known], columns[known]

    def __getstate__(self) -> dict[str, object]:
        # The table is rebuilt on load: pickling it would triple the file size.
        return {"low": self.low, "high": self.high, "hashes": self.hashes, "idf": self.idf}

    def __setstate__(self, state: dict[str, object]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        self.table = None


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
        """(text index, column) of every known word n-gram occurrence."""
        # The whole batch is one token list, so each n-gram length costs a few C-level
        # passes instead of a Python loop per text; n-grams that run from one text into
        # the next are built too and dropped by the position mask.
        token_lists = list(map(_WORD_TOKEN.findall, texts))
        counts = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(texts))
        tokens = list(itertools.chain.from_iterable(token_lists))
        owner = np.repeat(np.arange(len(texts)), counts)
        position = np.arange(len(tokens)) - np.repeat(np.cumsum(counts) - counts, counts)
        room = counts[owner] - position  # tokens from this one to the end of its text
        get = self.vocabulary.get
        documents: list[np.ndarray] = []
        columns: list[np.ndarray] = []
        for n in range(self.low, self.high + 1):
            if n == 1:
                grams = tokens
            elif n == 2:
                grams = list(map(" ".join, itertools.pairwise(tokens)))  # the common case
            else:
                grams = [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
            found = np.fromiter(
                map(get, grams, itertools.repeat(-1)), dtype=np.int64, count=len(grams)
            )
            keep = (found >= 0) & (room[: len(grams)] >= n)
            documents.append(owner[: len(grams)][keep])
            columns.append(found[keep])
        if not columns:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(documents), np.concatenate(columns)


@dataclass(slots=True)
class OpinionBlock:
    """The opinion-lexicon tokens (`lex_pos`, `lex_not_ok` …) and the IDF of each."""

    idf: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))

    @property
    def size(self) -> int:
        return len(self.idf)

    def fit(self, texts: Sequence[str]) -> None:
        documents, columns = self.columns(texts, fitted=False)
        frequency = np.bincount(
            np.unique(documents * len(TOKENS) + columns) % len(TOKENS), minlength=len(TOKENS)
        )
        self.idf = _idf(frequency, len(texts))

    def columns(self, texts: Sequence[str], fitted: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """(text index, column) of every opinion token."""
        if fitted and not self.size:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        documents: list[int] = []
        columns: list[int] = []
        for row, text in enumerate(texts):
            for token in opinion_tokens(text):
                documents.append(row)
                columns.append(_OPINION_COLUMN[token])
        return np.array(documents, dtype=np.int64), np.array(columns, dtype=np.int64)


_OPINION_COLUMN = {token: column for column, token in enumerate(TOKENS)}


@dataclass(frozen=True, slots=True)
class Entries:
    """Non-zero features of a few texts, sorted by text (a sparse matrix in parts)."""

    rows: int
    documents: np.ndarray  # int64: text index of each entry
    columns: np.ndarray  # int64: feature column
    values: np.ndarray  # float32: TF-IDF value


def _tfidf(
    documents: np.ndarray, columns: np.ndarray, idf: np.ndarray, rows: int, scale: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sublinear TF-IDF per (text, column), L2-normalised per text and times `scale`."""
    width = max(len(idf), 1)
    keys, counts = np.unique(documents * width + columns, return_counts=True)
    documents, columns = keys // width, keys % width
    values = (1.0 + np.log(counts)) * idf[columns]
    norms = np.sqrt(np.bincount(documents, weights=values * values, minlength=rows))
    norms[norms == 0] = 1.0
    return documents, columns, (values / norms[documents] * scale).astype(np.float32)


def _tfidf_matrix(
    documents: np.ndarray, columns: np.ndarray, idf: np.ndarray, rows: int, scale: float
) -> sp.csr_matrix:
    """The same as `_tfidf`, as a CSR matrix: for batches, where sorting every entry
    (as `np.unique` does) costs more than scipy's per-row duplicate summing."""
    matrix = sp.coo_matrix(
        (np.ones(len(columns), dtype=np.float64), (documents, columns)),
        shape=(rows, len(idf)),
    ).tocsr()  # sums duplicates: the counts
    row_of = np.repeat(np.arange(rows), np.diff(matrix.indptr))
    values = (1.0 + np.log(matrix.data)) * idf[matrix.indices]
    norms = np.sqrt(np.bincount(row_of, weights=values * values, minlength=rows))
    norms[norms == 0] = 1.0
    matrix.data = (values / norms[row_of] * scale).astype(np.float32)
    return matrix


class TextFeatures:
    """Fitted vocabularies that turn canonical texts into one sparse matrix."""

    def __init__(self, config: FeatureConfig | None = None) -> None:
        self.config = config or FeatureConfig()
        c = self.config
        if c.char_ngrams[0] > 3:
            raise ValueError("character n-grams must start at length 3 or less")
        self.char = CharBlock(*c.char_ngrams)
        self.word = WordBlock(*c.word_ngrams)
        self.opinion = OpinionBlock()

    @property
    def size(self) -> int:
        return self.char.size + self.word.size + self.opinion.size

    def fit(self, texts: Sequence[str]) -> TextFeatures:
        c = self.config
        self.char.fit(texts, min(c.char_min_df, len(texts)), c.max_char_features)
        self.word.fit(texts, min(c.word_min_df, len(texts)), c.max_word_features)
        if c.opinion_weight > 0:
            self.opinion.fit(texts)
        return self

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.fit(texts).transform(texts)

    def entries(self, texts: Sequence[str]) -> Entries:
        """The non-zero features of `texts`, sorted by text (for a few texts at a time)."""
        rows = len(texts)
        c = self.config
        char = _tfidf(*self.char.columns(texts), self.char.idf, rows, 1.0)
        word = _tfidf(*self.word.columns(texts), self.word.idf, rows, c.word_weight)
        opinion = _tfidf(*self.opinion.columns(texts), self.opinion.idf, rows, c.opinion_weight)
        documents = np.concatenate([char[0], word[0], opinion[0]])
        order = np.argsort(documents, kind="stable")  # each text's columns stay in order
        return Entries(
            rows,
            documents[order],
            np.concatenate(
                [char[1], word[1] + self.char.size, opinion[1] + self.char.size + self.word.size]
            )[order],
            np.concatenate([char[2], word[2], opinion[2]])[order],
        )

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """The feature matrix of `texts`: one row per text."""
        rows = len(texts)
        char = _tfidf_matrix(*self.char.columns(texts), self.char.idf, rows, 1.0)
        word = _tfidf_matrix(
            *self.word.columns(texts), self.word.idf, rows, self.config.word_weight
        )
        opinion = _tfidf_matrix(
            *self.opinion.columns(texts), self.opinion.idf, rows, self.config.opinion_weight
        )
        return sp.hstack([char, word, opinion], format="csr", dtype=np.float32)
