"""The text model: training, calibration, cross-validation and the artifact on disk.

Four linear heads share one feature space: intent (6 classes), sentiment (3), spam
(binary) and language (en / ru, for transliterated Russian). Each head is a linear
support-vector machine (scikit-learn's `LinearSVC`: as accurate as logistic regression
on this corpus and ten times faster to fit); after fitting, all weights sit in one
matrix so a batch of messages is scored with a single sparse product. Probabilities
are calibrated on out-of-fold scores from stratified cross-validation — a softmax
temperature for the multi-class heads, Platt scaling for the binary ones — and the
same out-of-fold predictions give the reported metrics.

scikit-learn is imported only to train: loading and scoring need NumPy alone, which
keeps start-up fast and memory small.
"""

from __future__ import annotations

import math
import pickle
import platform
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from bot.classifier.corpus import Example, corpus_hash
from bot.classifier.features import FeatureConfig, TextFeatures
from bot.classifier.metrics import Report, evaluate
from bot.classifier.normalize import NormalizedText, feature_text, normalize, without_contacts
from bot.classifier.verdict import INTENTS, LANGUAGES, SENTIMENTS

ARTIFACT_FORMAT = "steward-classifier"
# Bump when the payload's shape changes: an old file is then refused and retrained.
ARTIFACT_VERSION = 3
SPAM_CLASSES: tuple[str, ...] = ("ham", "spam")

# progress(done, total, message): called before each training step.
ProgressFn = Callable[[int, int, str], None]
# Up to this many texts skip sparse matrices, and their probabilities are computed in
# plain Python: for so few, the fixed cost of each NumPy and SciPy call dominates.
_ONE_BY_ONE = 4


class ArtifactError(Exception):
    """The model file is missing or unreadable; the message says what to do."""


class ArtifactVersionError(ArtifactError):
    """The model file was written by other library versions and must be retrained."""


@dataclass(frozen=True, slots=True)
class TrainingConfig:
    """Everything that decides the fitted model besides the data."""

    features: FeatureConfig = field(default_factory=FeatureConfig)
    intent_c: float = 0.5  # inverse regularisation of each head's linear SVM
    sentiment_c: float = 0.5
    spam_c: float = 0.5
    lang_c: float = 0.5
    class_weight: str | None = "balanced"  # rare classes count as much as common ones
    cv_folds: int = 5  # 0 or 1 = no cross-validation (no calibration, no metrics)
    seed: int = 13
    max_iter: int = 5000


@dataclass(frozen=True, slots=True)
class Head:
    """One output of the model: its classes, columns and calibration."""

    name: str
    classes: tuple[str, ...]
    column: int  # first column in the weight matrix
    width: int  # columns: one per class, or 1 for a binary head
    temperature: float = 1.0  # softmax temperature (multi-class heads)
    reads: str = "text"  # "text", or "words": scored on the text without links and contacts
    platt_scale: float = 1.0  # sigmoid(scale * z + shift) (binary heads)
    platt_shift: float = 0.0


@dataclass(slots=True)
class TextModel:
    """The fitted model: features, one weight matrix, calibrated heads and metadata."""

    features: TextFeatures
    weights: np.ndarray  # (n_features, n_columns) float32
    bias: np.ndarray  # (n_columns,) float32
    heads: dict[str, Head]
    metadata: dict[str, Any] = field(default_factory=dict)

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Raw scores of every column for canonical texts: (n, n_columns)."""
        if len(texts) <= _ONE_BY_ONE:
            # A handful of messages: gather the rows of the weight matrix directly,
            # which skips the fixed cost of building sparse matrices.
            entries = self.features.entries(texts)
            if entries.rows == 1:
                return (entries.values @ self.weights[entries.columns] + self.bias)[None, :]
            weighted = self.weights[entries.columns] * entries.values[:, None]
            out = np.zeros((entries.rows, self.weights.shape[1]), dtype=np.float64)
            for row in range(entries.rows):
                out[row] = weighted[entries.documents == row].sum(axis=0)
            return out + self.bias
        matrix = self.features.transform(texts)
        return np.asarray(matrix @ self.weights, dtype=np.float64) + self.bias

    def probabilities(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Calibrated probabilities per head for canonical texts: name → (n, n_classes)."""
        scores = self.scores(texts)
        return {name: head_probabilities(head, scores) for name, head in self.heads.items()}

    def probability_lists(self, texts: Sequence[str]) -> dict[str, list[list[float]]]:
        """`probabilities` as plain lists (what the verdicts are built from)."""
        if len(texts) > _ONE_BY_ONE:
            return {name: matrix.tolist() for name, matrix in self.probabilities(texts).items()}
        rows = self.scores(texts).tolist()
        return {
            name: [_head_probabilities_one(head, row) for row in rows]
            for name, head in self.heads.items()
        }


def _head_probabilities_one(head: Head, scores: list[float]) -> list[float]:
    """`head_probabilities` for one row of scores, in plain Python."""
    block = scores[head.column : head.column + head.width]
    if head.width == 1:
        z = head.platt_scale * block[0] + head.platt_shift
        positive = 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0
        return [1.0 - positive, positive]
    scaled = [value / head.temperature for value in block]
    top = max(scaled)
    exps = [math.exp(value - top) for value in scaled]
    total = sum(exps)
    return [value / total for value in exps]


def head_probabilities(head: Head, scores: np.ndarray) -> np.ndarray:
    """Calibrated class probabilities of one head from the full score matrix."""
    block = scores[:, head.column : head.column + head.width].astype(np.float64)
    if head.width == 1:
        positive = 1.0 / (1.0 + np.exp(-(head.platt_scale * block[:, 0] + head.platt_shift)))
        return np.column_stack([1.0 - positive, positive])
    block = block / head.temperature
    block -= block.max(axis=1, keepdims=True)
    exp = np.exp(block)
    return exp / exp.sum(axis=1, keepdims=True)


# ---------------------------------------------------------------- training


@dataclass(slots=True)
class _Task:
    """The labelled rows of one head."""

    name: str
    classes: tuple[str, ...]
    rows: np.ndarray  # indices into the examples
    labels: np.ndarray  # class index per row
    c: float
    reads: str = "text"  # "text", or "words": the text without links and contacts


@dataclass(slots=True)
class CrossValidation:
    """Out-of-fold predictions and their scores, for the report and the artifact."""

    folds: int
    reports: dict[str, Report]  # head name → report ("spam" uses the text model alone)
    oof_scores: dict[str, np.ndarray]  # head name → (n_rows, width) raw scores
    oof_probabilities: dict[str, np.ndarray] = field(default_factory=dict)
    # The same for each text without its links and contacts (NaN where it has none).
    oof_variant_scores: dict[str, np.ndarray] = field(default_factory=dict)
    oof_variant_probabilities: dict[str, np.ndarray] = field(default_factory=dict)


def _tasks(
    examples: Sequence[Example], normalized: Sequence[NormalizedText], config: TrainingConfig
) -> list[_Task]:
    def task(
        name: str, classes: tuple[str, ...], labels: list[str | None], c: float, reads: str = "text"
    ) -> _Task:
        index = {label: i for i, label in enumerate(classes)}
        rows = np.array([i for i, label in enumerate(labels) if label in index], dtype=np.int64)
        codes = np.array([index[labels[i]] for i in rows], dtype=np.int64)  # type: ignore[index]
        return _Task(name, classes, rows, codes, c, reads)

    spam_labels = [
        None if e.is_spam is None else ("spam" if e.is_spam else "ham") for e in examples
    ]
    # The language head only matters for Latin-script text (English or transliterated
    # Russian); Cyrillic text is Russian by its letters.
    lang_labels = [
        e.lang if n.latin_letters > n.cyrillic_letters else None
        for e, n in zip(examples, normalized, strict=True)
    ]
    tasks = [
        task("intent", INTENTS, [e.intent for e in examples], config.intent_c),
        # Sentiment is in the words: a screenshot link does not make a complaint cheerful,
        # though in the corpus links mostly come with upbeat spam.
        task("sentiment", SENTIMENTS, [e.sentiment for e in examples], config.sentiment_c, "words"),
        task("spam", SPAM_CLASSES, spam_labels, config.spam_c),
        task("lang", LANGUAGES, lang_labels, config.lang_c),
    ]
    # A head needs at least two classes to learn anything.
    return [t for t in tasks if len(np.unique(t.labels)) >= 2]


def _fit_head(task: _Task, x: Any, config: TrainingConfig) -> tuple[np.ndarray, np.ndarray]:
    """Weights (n_features, width) and bias (width,) of one head fitted on rows of x."""
    from sklearn.svm import LinearSVC

    model = LinearSVC(
        C=task.c,
        max_iter=config.max_iter,
        class_weight=config.class_weight,
        random_state=config.seed,
    )
    model.fit(x, task.labels)
    coef = np.asarray(model.coef_, dtype=np.float32)
    intercept = np.asarray(model.intercept_, dtype=np.float32)
    if len(task.classes) == 2:
        return coef.T, intercept  # one column: the positive class's logit
    # A class absent from this fold's training rows gets a column that never wins.
    full = np.zeros((len(task.classes), coef.shape[1]), dtype=np.float32)
    full_bias = np.full(len(task.classes), -30.0, dtype=np.float32)
    full[model.classes_] = coef
    full_bias[model.classes_] = intercept
    return full.T, full_bias


def _strata(examples: Sequence[Example]) -> list[str]:
    """What cross-validation keeps balanced across folds: the intent, else spam / sentiment."""
    out = []
    for e in examples:
        if e.intent:
            out.append(e.intent)
        elif e.is_spam is not None:
            out.append("spam" if e.is_spam else "ham")
        else:
            out.append(f"sentiment:{e.sentiment}")
    return out


def _fold_count(strata: list[str], wanted: int) -> int:
    smallest = min(strata.count(s) for s in set(strata))
    return max(0, min(wanted, smallest)) if wanted >= 2 else 0


def fit_temperature(scores: np.ndarray, labels: np.ndarray) -> float:
    """The softmax temperature that minimises log-loss of out-of-fold scores."""
    from scipy.optimize import minimize_scalar

    def loss(log_t: float) -> float:
        z = scores / math.exp(log_t)
        z = z - z.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(z).sum(axis=1))
        return float(np.mean(log_norm - z[np.arange(len(labels)), labels]))

    result = minimize_scalar(loss, bounds=(-3.0, 3.0), method="bounded")
    return float(math.exp(result.x))


def fit_platt(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Sigmoid scale and shift that map out-of-fold scores to calibrated probabilities."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1e4, max_iter=1000)
    model.fit(scores.reshape(-1, 1), labels)
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def _cross_validate(
    texts: Sequence[str],
    variants: Sequence[str | None],
    tasks: list[_Task],
    strata: list[str],
    config: TrainingConfig,
    folds: int,
    progress: Callable[[str], None],
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Out-of-fold raw scores of every head, for the texts and for their contact-free
    variants (rows without a label, or without a variant, stay NaN)."""
    from sklearn.model_selection import StratifiedKFold

    n = len(texts)
    oof = {
        t.name: np.full((n, 1 if len(t.classes) == 2 else len(t.classes)), np.nan) for t in tasks
    }
    oof_variants = {name: array.copy() for name, array in oof.items()}
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=config.seed)
    for fold, (train, test) in enumerate(splitter.split(np.zeros(n), strata), start=1):
        progress(f"cross-validation fold {fold}/{folds}: features")
        features = TextFeatures(config.features)
        x_train = {"text": features.fit_transform([texts[i] for i in train])}
        x_train["words"] = features.transform([variants[i] or texts[i] for i in train])
        x_test = {
            "text": features.transform([texts[i] for i in test]),
            "words": features.transform([variants[i] or texts[i] for i in test]),
        }
        variant_rows = np.array([i for i in test if variants[i] is not None], dtype=np.int64)
        x_variants = features.transform([variants[i] or "" for i in variant_rows])
        in_train = np.zeros(n, dtype=bool)
        in_train[train] = True
        position = np.full(n, -1, dtype=np.int64)
        position[train] = np.arange(len(train))
        test_position = np.full(n, -1, dtype=np.int64)
        test_position[test] = np.arange(len(test))
        for task in tasks:
            progress(f"cross-validation fold {fold}/{folds}: {task.name}")
            train_mask = in_train[task.rows]
            rows_train = task.rows[train_mask]
            if len(np.unique(task.labels[train_mask])) < 2:
                continue
            sub = _Task(task.name, task.classes, rows_train, task.labels[train_mask], task.c)
            weights, bias = _fit_head(sub, x_train[task.reads][position[rows_train]], config)
            rows_test = task.rows[~train_mask]
            scores = np.asarray(x_test[task.reads][test_position[rows_test]] @ weights) + bias
            oof[task.name][rows_test] = scores
            if len(variant_rows):
                oof_variants[task.name][variant_rows] = np.asarray(x_variants @ weights) + bias
    return oof, oof_variants


def train(
    examples: Sequence[Example],
    config: TrainingConfig = TrainingConfig(),
    progress: ProgressFn | None = None,
) -> tuple[TextModel, CrossValidation | None]:
    """Fit the model on `examples`; cross-validate and calibrate when `config.cv_folds` ≥ 2.

    Deterministic for a given seed and data. Returns the model and the cross-validation
    (None when it was skipped).
    """
    if not examples:
        raise ValueError("no training examples")
    normalized = [normalize(e.text) for e in examples]
    texts = [feature_text(n) for n in normalized]
    variants = [without_contacts(text) for text in texts]
    tasks = _tasks(examples, normalized, config)
    if not any(t.name == "intent" for t in tasks):
        raise ValueError("the training data needs at least two intents")

    strata = _strata(examples)
    folds = _fold_count(strata, config.cv_folds)
    total = (folds + 1) * (1 + len(tasks))
    done = [0]

    def report(message: str) -> None:
        if progress is not None:
            progress(done[0], total, message)
        done[0] += 1

    calibration: dict[str, tuple[float, float, float]] = {}
    cv: CrossValidation | None = None
    if folds >= 2:
        oof, oof_variants = _cross_validate(texts, variants, tasks, strata, config, folds, report)
        reports: dict[str, Report] = {}
        probabilities: dict[str, np.ndarray] = {}
        variant_probabilities: dict[str, np.ndarray] = {}
        for task in tasks:
            scores = oof[task.name][task.rows]
            known = ~np.isnan(scores).any(axis=1)
            scores, labels = scores[known], task.labels[known]
            if len(task.classes) == 2:
                scale, shift = fit_platt(scores[:, 0], labels)
                calibration[task.name] = (1.0, scale, shift)
            else:
                calibration[task.name] = (fit_temperature(scores, labels), 1.0, 0.0)
            temperature, scale, shift = calibration[task.name]
            head = Head(
                task.name, task.classes, 0, scores.shape[1], temperature, task.reads, scale, shift
            )
            probs = head_probabilities(head, scores)
            full = np.full((len(examples), len(task.classes)), np.nan)
            full[task.rows[known]] = probs
            probabilities[task.name] = full
            variant_probabilities[task.name] = head_probabilities(head, oof_variants[task.name])
            reports[task.name] = evaluate(
                [task.classes[i] for i in labels],
                [task.classes[i] for i in probs.argmax(axis=1)],
                task.classes,
            )
        cv = CrossValidation(
            folds, reports, oof, probabilities, oof_variants, variant_probabilities
        )

    report("final model: features")
    features = TextFeatures(config.features)
    x_all = {"text": features.fit_transform(texts)}
    x_all["words"] = features.transform([v or t for t, v in zip(texts, variants, strict=True)])
    blocks: list[np.ndarray] = []
    biases: list[np.ndarray] = []
    heads: dict[str, Head] = {}
    column = 0
    for task in tasks:
        report(f"final model: {task.name}")
        weights, bias = _fit_head(task, x_all[task.reads][task.rows], config)
        temperature, scale, shift = calibration.get(task.name, (1.0, 1.0, 0.0))
        heads[task.name] = Head(
            task.name,
            task.classes,
            column,
            weights.shape[1],
            temperature,
            task.reads,
            scale,
            shift,
        )
        column += weights.shape[1]
        blocks.append(weights)
        biases.append(bias)

    metadata = {
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "corpus_hash": corpus_hash(examples),
        "examples": len(examples),
        "examples_per_head": {t.name: len(t.rows) for t in tasks},
        "sources": _source_counts(examples),
        "features": features.size,
        "config": _config_json(config),
        "versions": library_versions(),
        "cross_validation": (
            {"folds": cv.folds, **{k: r.to_json() for k, r in cv.reports.items()}} if cv else None
        ),
    }
    if progress is not None:
        progress(total, total, "done")
    model = TextModel(
        features=features,
        weights=np.ascontiguousarray(np.hstack(blocks), dtype=np.float32),
        bias=np.concatenate(biases).astype(np.float32),
        heads=heads,
        metadata=metadata,
    )
    return model, cv


def _source_counts(examples: Sequence[Example]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for e in examples:
        kind = e.source.split(":", 1)[0] or "unknown"
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def _config_json(config: TrainingConfig) -> dict[str, Any]:
    data = asdict(config)
    data["features"] = {
        k: list(v) if isinstance(v, tuple) else v for k, v in data["features"].items()
    }
    return data


# ---------------------------------------------------------------- the artifact


def library_versions() -> dict[str, str]:
    """The versions an artifact depends on; a different scikit-learn or NumPy refuses it."""
    return {
        "scikit-learn": version("scikit-learn"),
        "numpy": np.__version__,
        "scipy": version("scipy"),
        "python": platform.python_version(),
    }


def _incompatibilities(saved: dict[str, str]) -> list[str]:
    """Differences that make a pickled model unsafe to use."""
    current = library_versions()
    problems = []
    if saved.get("scikit-learn") != current["scikit-learn"]:
        problems.append(
            f"scikit-learn {saved.get('scikit-learn')} (installed: {current['scikit-learn']})"
        )
    if str(saved.get("numpy", "")).split(".")[0] != current["numpy"].split(".")[0]:
        problems.append(f"NumPy {saved.get('numpy')} (installed: {current['numpy']})")
    return problems


def save_artifact(model: TextModel, path: Path) -> None:
    """Write the model atomically: a header of plain data, then the fitted payload.

    The header is read first on load, so a version mismatch is found before any
    scikit-learn object is unpickled.
    """
    header = {
        "format": ARTIFACT_FORMAT,
        "format_version": ARTIFACT_VERSION,
        "versions": library_versions(),
        "metadata": model.metadata,
    }
    payload = {
        "features": model.features,
        "weights": model.weights,
        "bias": model.bias,
        "heads": [asdict(head) for head in model.heads.values()],
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("wb") as handle:
        pickle.dump(header, handle, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(payload, handle, protocol=pickle.HIGHEST_PROTOCOL)
    temporary.replace(path)


def read_header(path: Path) -> dict[str, Any]:
    """The artifact's header (format, versions, metadata) without loading the model."""
    path = Path(path)
    if not path.is_file():
        raise ArtifactError(f"no model at {path}; run `steward train` to create it")
    try:
        with path.open("rb") as handle:
            header = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as error:
        raise ArtifactError(f"{path} is not a Steward model ({error}); retrain it") from None
    if not isinstance(header, dict) or header.get("format") != ARTIFACT_FORMAT:
        raise ArtifactError(f"{path} is not a Steward model; retrain it with `steward train`")
    return header


def load_artifact(path: Path) -> TextModel:
    """Load a model written by `save_artifact`, refusing one from other library versions.

    Only load files this installation wrote: unpickling runs code from the file.
    """
    path = Path(path)
    header = read_header(path)
    if header.get("format_version") != ARTIFACT_VERSION:
        raise ArtifactVersionError(
            f"{path} has model format {header.get('format_version')}, this Steward reads "
            f"format {ARTIFACT_VERSION}; retrain it with `steward train`"
        )
    problems = _incompatibilities(header.get("versions", {}))
    if problems:
        raise ArtifactVersionError(
            f"{path} was trained with {', '.join(problems)}; a model from other library "
            "versions may behave differently, so it must be retrained with `steward train`"
        )
    try:
        with path.open("rb") as handle:
            pickle.load(handle)  # the header again
            payload = pickle.load(handle)
        heads = {h["name"]: Head(**{**h, "classes": tuple(h["classes"])}) for h in payload["heads"]}
        return TextModel(
            features=payload["features"],
            weights=payload["weights"],
            bias=payload["bias"],
            heads=heads,
            metadata=header.get("metadata", {}),
        )
    except (
        OSError,
        pickle.UnpicklingError,
        EOFError,
        KeyError,
        TypeError,
        AttributeError,
    ) as error:
        raise ArtifactError(
            f"{path} is damaged ({error}); retrain it with `steward train`"
        ) from None
