"""Measuring the classifier: labelled evaluation files and cross-validated spam decisions.

An evaluation file is a UTF-8 CSV with a `text` column and one label column: `intent`,
`sentiment` or `spam` (spam | ham). Besides the usual report, the figures that matter
most for Steward are computed too: the share of ordinary messages that would be
removed, and how many complaints would be.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bot.classifier.checks import is_too_short, run_checks
from bot.classifier.corpus import Example
from bot.classifier.metrics import Report, evaluate, format_report
from bot.classifier.model import CrossValidation
from bot.classifier.normalize import normalize
from bot.classifier.policy import SpamPolicy, choose_intent, decide_spam
from bot.classifier.service import Classifier
from bot.classifier.verdict import INTENTS, SENTIMENTS, Verdict

LABEL_COLUMNS: tuple[str, ...] = ("intent", "sentiment", "spam")
_SPAM_VALUES = {
    "spam": "spam",
    "ham": "ham",
    "1": "spam",
    "0": "ham",
    "true": "spam",
    "false": "ham",
}


class EvaluationError(Exception):
    """The evaluation file cannot be used; the message says why."""


@dataclass(slots=True)
class LabelledFile:
    """Texts and gold labels of one evaluation file."""

    path: Path
    label: str  # which column: intent, sentiment or spam
    texts: list[str]
    gold: list[str]


@dataclass(slots=True)
class Evaluation:
    """The report on one file plus the figures specific to Steward."""

    path: Path
    label: str
    report: Report
    rows: int
    uncertain: int  # verdicts marked uncertain
    extras: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "label": self.label,
            "rows": self.rows,
            **self.report.to_json(),
            "uncertain": self.uncertain,
            **self.extras,
        }

    def format(self) -> str:
        lines = [format_report(f"{self.path} — {self.label}, {self.rows} rows", self.report)]
        lines.append(f"  marked uncertain: {self.uncertain} of {self.rows}")
        for key, value in self.extras.items():
            lines.append(f"  {key.replace('_', ' ')}: {value}")
        return "\n".join(lines)


def read_labelled_file(path: Path, label: str | None = None) -> LabelledFile:
    """Read an evaluation CSV, checking the label column and every label in it."""
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            fields = reader.fieldnames or []
            if "text" not in fields:
                raise EvaluationError(f"{path} has no 'text' column")
            present = [name for name in LABEL_COLUMNS if name in fields]
            if label is None:
                if len(present) != 1:
                    found = ", ".join(present) or "none"
                    raise EvaluationError(
                        f"{path} needs exactly one label column of intent, sentiment or spam "
                        f"(found: {found}); choose one with --label"
                    )
                label = present[0]
            elif label not in present:
                raise EvaluationError(f"{path} has no {label!r} column")
            allowed = {"intent": INTENTS, "sentiment": SENTIMENTS}.get(label)
            texts: list[str] = []
            gold: list[str] = []
            for line, row in enumerate(reader, start=2):
                value = (row.get(label) or "").strip().lower()
                if label == "spam":
                    value = _SPAM_VALUES.get(value, "")
                    if not value:
                        raise EvaluationError(f"{path}:{line}: spam must be spam or ham")
                elif allowed is not None and value not in allowed:
                    raise EvaluationError(
                        f"{path}:{line}: {label} must be one of {', '.join(allowed)}, got {value!r}"
                    )
                texts.append(row.get("text") or "")
                gold.append(value)
    except OSError as error:
        raise EvaluationError(f"cannot read {path}: {error.strerror}") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise EvaluationError(f"{path} is not a UTF-8 CSV file: {error}") from None
    return LabelledFile(Path(path), label, texts, gold)


def predictions(verdicts: Sequence[Verdict], label: str) -> list[str]:
    """What the classifier says for the label column `label`."""
    if label == "intent":
        return [v.intent for v in verdicts]
    if label == "sentiment":
        return [v.sentiment for v in verdicts]
    return ["spam" if v.is_spam else "ham" for v in verdicts]


def evaluate_file(classifier: Classifier, labelled: LabelledFile) -> Evaluation:
    """Classify every text of the file (without context) and score the predictions."""
    verdicts = classifier.classify_many(labelled.texts)
    predicted = predictions(verdicts, labelled.label)
    order = {"intent": INTENTS, "sentiment": SENTIMENTS, "spam": ("ham", "spam")}[labelled.label]
    report = evaluate(labelled.gold, predicted, order)
    extras: dict[str, Any] = {}
    if labelled.label == "spam":
        ham = [v for v, g in zip(verdicts, labelled.gold, strict=True) if g == "ham"]
        flagged = sum(v.is_spam for v in ham)
        extras["ordinary_flagged"] = flagged
        extras["ordinary_flagged_rate"] = round(flagged / len(ham), 4) if ham else 0.0
    if labelled.label == "intent":
        complaints = [v for v, g in zip(verdicts, labelled.gold, strict=True) if g == "complaint"]
        extras["complaints_removed_as_spam"] = sum(v.is_spam for v in complaints)
    return Evaluation(
        labelled.path,
        labelled.label,
        report,
        len(verdicts),
        sum(v.uncertain for v in verdicts),
        extras,
    )


@dataclass(slots=True)
class SpamDecisions:
    """Cross-validated removal decisions on the training corpus (no message context)."""

    report: Report  # gold spam/ham against is_spam
    ordinary_flagged_rate: float  # share of ham that would be removed
    complaints_removed: int  # complaints (by gold intent) that would be removed
    complaints: int


def cross_validated_intents(
    examples: Sequence[Example], cv: CrossValidation, policy: SpamPolicy | None = None
) -> Report | None:
    """The intent report with the verdict's rule (`policy.choose_intent`) applied to the
    out-of-fold probabilities, instead of the plain most-probable class."""
    policy = policy or SpamPolicy()
    intents = cv.oof_probabilities.get("intent")
    if intents is None:
        return None
    gold: list[str] = []
    predicted: list[str] = []
    for index, example in enumerate(examples):
        if example.intent is None or math.isnan(intents[index][0]):
            continue
        gold.append(example.intent)
        predicted.append(
            choose_intent(dict(zip(INTENTS, intents[index].tolist(), strict=True)), policy)
        )
    return evaluate(gold, predicted, INTENTS)


def _scores(
    probabilities: dict[str, np.ndarray], index: int
) -> tuple[dict[str, float], dict[str, float]]:
    intent_scores = dict(zip(INTENTS, probabilities["intent"][index].tolist(), strict=True))
    sentiment = probabilities.get("sentiment")
    if sentiment is None or math.isnan(sentiment[index][0]):
        return intent_scores, {"negative": 0.0, "neutral": 1.0, "positive": 0.0}
    return intent_scores, dict(zip(SENTIMENTS, sentiment[index].tolist(), strict=True))


def cross_validated_spam_decisions(
    examples: Sequence[Example], cv: CrossValidation, policy: SpamPolicy | None = None
) -> SpamDecisions | None:
    """Apply the full spam decision (text model + text-only checks + hard rule) to the
    out-of-fold probabilities, as if each example had never been seen in training."""
    policy = policy or SpamPolicy()
    probabilities = cv.oof_probabilities
    if not {"intent", "spam"} <= probabilities.keys():
        return None
    gold: list[str] = []
    predicted: list[str] = []
    complaints = complaints_removed = 0
    for index, example in enumerate(examples):
        spam_row = probabilities["spam"][index]
        intent_row = probabilities["intent"][index]
        if example.is_spam is None or math.isnan(spam_row[0]) or math.isnan(intent_row[0]):
            continue  # not scored in cross-validation
        intent_scores, sentiment_scores = _scores(probabilities, index)
        variants = cv.oof_variant_probabilities
        variant = None
        if "intent" in variants and not math.isnan(variants["intent"][index][0]):
            variant = _scores(variants, index)
        normalized = normalize(example.text)
        checks = run_checks(normalized, None, None, policy)
        decision = decide_spam(
            float(spam_row[1]),
            checks,
            intent_scores,
            sentiment_scores,
            policy,
            None,
            variant,
            is_too_short(normalized, None, policy),
        )
        gold.append("spam" if example.is_spam else "ham")
        predicted.append("spam" if decision.is_spam else "ham")
        if example.intent == "complaint":
            complaints += 1
            complaints_removed += decision.is_spam
    report = evaluate(gold, predicted, ("ham", "spam"))
    ham = [p for g, p in zip(gold, predicted, strict=True) if g == "ham"]
    rate = sum(p == "spam" for p in ham) / len(ham) if ham else 0.0
    return SpamDecisions(report, rate, complaints_removed, complaints)
