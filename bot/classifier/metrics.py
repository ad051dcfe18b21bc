"""Classification metrics as plain functions over label lists (no library needed).

Used by `steward train` (cross-validated figures) and `steward eval` (held-out files).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ClassScore:
    precision: float
    recall: float
    f1: float
    support: int  # gold examples of this class


@dataclass(frozen=True, slots=True)
class Report:
    """Accuracy, per-class scores, macro-F1 and the confusion matrix of one labelling."""

    labels: tuple[str, ...]  # row and column order of the matrix
    matrix: tuple[tuple[int, ...], ...]  # matrix[gold][predicted]
    accuracy: float
    per_class: dict[str, ClassScore]
    macro_f1: float  # mean F1 over the classes that occur in the gold labels

    def to_json(self) -> dict[str, Any]:
        return {
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "per_class": {
                name: {
                    "precision": round(s.precision, 4),
                    "recall": round(s.recall, 4),
                    "f1": round(s.f1, 4),
                    "support": s.support,
                }
                for name, s in self.per_class.items()
            },
            "confusion": {"labels": list(self.labels), "matrix": [list(r) for r in self.matrix]},
        }


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def evaluate(gold: Sequence[str], predicted: Sequence[str], order: Sequence[str] = ()) -> Report:
    """Score `predicted` against `gold`.

    Classes are listed in `order` first, then any other label seen, alphabetically.
    Macro-F1 averages over the gold classes only: a file labelled just negative/positive
    is not scored on a neutral class it never contains, though predicting neutral still
    costs recall.
    """
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted labels differ in length")
    seen = set(gold) | set(predicted)
    labels = tuple(name for name in order if name in seen) + tuple(sorted(seen - set(order)))
    index = {name: i for i, name in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, predicted, strict=True):
        matrix[index[g]][index[p]] += 1
    per_class: dict[str, ClassScore] = {}
    for name, i in index.items():
        true_positive = matrix[i][i]
        predicted_count = sum(row[i] for row in matrix)
        support = sum(matrix[i])
        precision = _ratio(true_positive, predicted_count)
        recall = _ratio(true_positive, support)
        f1 = _ratio(2 * true_positive, predicted_count + support)
        per_class[name] = ClassScore(precision, recall, f1, support)
    gold_classes = [name for name in labels if per_class[name].support]
    macro = sum(per_class[n].f1 for n in gold_classes) / len(gold_classes) if gold_classes else 0.0
    correct = sum(matrix[i][i] for i in range(len(labels)))
    return Report(
        labels=labels,
        matrix=tuple(tuple(row) for row in matrix),
        accuracy=_ratio(correct, len(gold)),
        per_class=per_class,
        macro_f1=macro,
    )


def format_report(title: str, report: Report) -> str:
    """A human-readable block: per-class table, accuracy, macro-F1 and the matrix."""
    width = max([len(n) for n in report.labels] + [9])
    lines = [
        title,
        f"  {'class':<{width}}  precision  recall     f1  support",
    ]
    for name, s in report.per_class.items():
        lines.append(
            f"  {name:<{width}}  {s.precision:9.3f}  {s.recall:6.3f}  {s.f1:5.3f}  {s.support:7d}"
        )
    lines.append(f"  accuracy {report.accuracy:.3f}   macro-F1 {report.macro_f1:.3f}")
    cell = max(6, *(len(n) for n in report.labels)) + 1
    lines.append("  confusion (rows = true, columns = predicted):")
    lines.append("  " + " " * width + "".join(f"{n[: cell - 1]:>{cell}}" for n in report.labels))
    for name, row in zip(report.labels, report.matrix, strict=True):
        lines.append(f"  {name:<{width}}" + "".join(f"{v:>{cell}d}" for v in row))
    return "\n".join(lines)
