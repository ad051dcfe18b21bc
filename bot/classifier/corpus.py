"""Training examples: the written corpus in `data/corpus`, extra CSV files, stored labels.

Every source becomes a list of `Example`; a label a source does not give is None and
that example simply does not train that head. Later sources win over earlier ones for
the same text (moderators correct the corpus), so the order is corpus → extra → labels.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.classifier.verdict import INTENTS, LANGUAGES, SENTIMENTS

DEFAULT_CORPUS_DIR = Path(__file__).resolve().parents[2] / "data" / "corpus"

_SPAM_VALUES = {"spam": True, "ham": False, "1": True, "0": False, "true": True, "false": False}


class CorpusError(Exception):
    """A training file cannot be used; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled text; None means this source does not say."""

    text: str
    intent: str | None = None
    sentiment: str | None = None
    spam: bool | None = None  # explicit spam/ham; otherwise derived from the intent
    lang: str | None = None
    source: str = ""  # where it came from, e.g. "corpus:ru_shops.csv", "labels", "extra:x.csv"

    @property
    def is_spam(self) -> bool | None:
        """The spam label: explicit if given, else whether the intent is spam."""
        if self.spam is not None:
            return self.spam
        if self.intent is not None:
            return self.intent == "spam"
        return None


@dataclass(slots=True)
class LoadReport:
    """What loading skipped or overrode, for the person running `steward train`."""

    skipped: list[str] = field(default_factory=list)  # "file:line: reason"
    conflicts: list[str] = field(default_factory=list)  # same text, different labels in a source
    overridden: int = 0  # corpus texts relabelled by a later source


def _clean(value: str | None) -> str | None:
    value = (value or "").strip().lower()
    return value or None


def _parse_row(
    row: dict[str, str | None], where: str, report: LoadReport, source: str
) -> Example | None:
    text = (row.get("text") or "").strip()
    if not text:
        report.skipped.append(f"{where}: empty text")
        return None
    intent = _clean(row.get("intent"))
    sentiment = _clean(row.get("sentiment"))
    lang = _clean(row.get("lang"))
    spam_raw = _clean(row.get("spam"))
    if intent is not None and intent not in INTENTS:
        report.skipped.append(f"{where}: unknown intent {intent!r}")
        return None
    if sentiment is not None and sentiment not in SENTIMENTS:
        report.skipped.append(f"{where}: unknown sentiment {sentiment!r}")
        return None
    if spam_raw is not None and spam_raw not in _SPAM_VALUES:
        report.skipped.append(f"{where}: spam must be spam or ham, got {spam_raw!r}")
        return None
    if lang is not None and lang not in LANGUAGES:
        lang = None  # a language we do not model still teaches intent and sentiment
    spam = _SPAM_VALUES[spam_raw] if spam_raw is not None else None
    if intent is None and sentiment is None and spam is None:
        report.skipped.append(f"{where}: no label")
        return None
    return Example(text, intent, sentiment, spam, lang, source)


def read_csv(path: Path, source: str, report: LoadReport) -> list[Example]:
    """Examples from one CSV with a `text` column and any of intent, sentiment, spam, lang."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or "text" not in reader.fieldnames:
                raise CorpusError(f"{path} has no 'text' column in its header line")
            examples = []
            for line, row in enumerate(reader, start=2):
                example = _parse_row(row, f"{path.name}:{line}", report, source)
                if example is not None:
                    examples.append(example)
            return examples
    except OSError as error:
        raise CorpusError(f"cannot read {path}: {error.strerror}") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise CorpusError(f"{path} is not a UTF-8 CSV file: {error}") from None


def load_corpus(
    directory: Path = DEFAULT_CORPUS_DIR, report: LoadReport | None = None
) -> list[Example]:
    """Every `*.csv` in the corpus directory, in name order."""
    report = report if report is not None else LoadReport()
    files = sorted(directory.glob("*.csv"))
    if not files:
        raise CorpusError(f"no training files (*.csv) in {directory}")
    examples: list[Example] = []
    for path in files:
        examples.extend(read_csv(path, f"corpus:{path.name}", report))
    return examples


def load_extra(paths: Iterable[Path], report: LoadReport | None = None) -> list[Example]:
    """Examples from extra CSV files given to `steward train --extra`."""
    report = report if report is not None else LoadReport()
    examples: list[Example] = []
    for path in paths:
        examples.extend(read_csv(path, f"extra:{path.name}", report))
    return examples


async def load_stored_labels(database_url: str) -> list[Example]:
    """Moderators' and imported labels from the `labels` table (migrated if new)."""
    from sqlalchemy import select

    from models.db import make_engine, make_sessionmaker, migrate
    from models.tables import TrainingLabel

    engine = make_engine(database_url)
    try:
        await migrate(engine)
        async with make_sessionmaker(engine)() as session:
            rows = (await session.scalars(select(TrainingLabel).order_by(TrainingLabel.id))).all()
    finally:
        await engine.dispose()
    examples = []
    for row in rows:
        intent = row.intent if row.intent in INTENTS else None
        sentiment = row.sentiment if row.sentiment in SENTIMENTS else None
        if row.text.strip() and (intent or sentiment or row.spam is not None):
            examples.append(
                Example(row.text.strip(), intent, sentiment, row.spam, None, f"labels:{row.source}")
            )
    return examples


def _identity(text: str) -> str:
    """Texts that differ only in case and spacing are the same example."""
    return " ".join(text.lower().split())


def merge(sources: Sequence[Sequence[Example]], report: LoadReport | None = None) -> list[Example]:
    """One example per text; a later source's labels override an earlier one's.

    Within one source the first row wins and a disagreeing duplicate is reported, as a
    hint of a labelling mistake. Labels a later source leaves empty are kept.
    """
    report = report if report is not None else LoadReport()
    merged: dict[str, Example] = {}
    for index, source in enumerate(sources):
        seen_here: dict[str, Example] = {}
        for example in source:
            key = _identity(example.text)
            first = seen_here.get(key)
            if first is not None:
                if (first.intent, first.sentiment, first.is_spam) != (
                    example.intent,
                    example.sentiment,
                    example.is_spam,
                ):
                    report.conflicts.append(
                        f"{example.text[:60]!r}: {first.intent}/{first.sentiment} in "
                        f"{first.source} vs {example.intent}/{example.sentiment} "
                        f"in {example.source}"
                    )
                continue
            seen_here[key] = example
            previous = merged.get(key)
            if previous is None:
                merged[key] = example
                continue
            if index > 0:
                report.overridden += 1
            merged[key] = replace(
                previous,
                intent=example.intent or previous.intent,
                sentiment=example.sentiment or previous.sentiment,
                spam=example.spam if example.spam is not None else previous.spam,
                lang=example.lang or previous.lang,
                source=example.source,
            )
    return list(merged.values())


def corpus_hash(examples: Sequence[Example]) -> str:
    """A fingerprint of the training data (texts and labels), independent of file order."""
    digest = hashlib.sha256()
    for line in sorted(
        f"{e.text}\t{e.intent}\t{e.sentiment}\t{e.is_spam}\t{e.lang}" for e in examples
    ):
        digest.update(line.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()
