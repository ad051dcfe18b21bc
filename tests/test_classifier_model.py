"""Training, the artifact on disk, and the training data sources."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from bot.classifier import ArtifactError, ArtifactVersionError, Classifier, TrainingConfig
from bot.classifier.corpus import (
    Example,
    LoadReport,
    corpus_hash,
    load_corpus,
    load_extra,
    load_stored_labels,
    merge,
)
from bot.classifier.model import (
    ARTIFACT_VERSION,
    TextModel,
    library_versions,
    load_artifact,
    read_header,
    save_artifact,
    train,
)
from models.db import make_engine, make_sessionmaker, migrate
from models.tables import TrainingLabel
from tests.classifier_fixtures import TEST_CONFIG, small_examples

PROBES = [
    "сколько стоит доставка?",
    "где мой заказ, уже две недели жду!!",
    "Earn $500 a day from home, DM me",
    "thank you so much, great service",
]


def _same_model(a: TextModel, b: TextModel) -> None:
    np.testing.assert_array_equal(a.weights, b.weights)
    np.testing.assert_array_equal(a.bias, b.bias)
    assert a.heads == b.heads
    np.testing.assert_array_equal(a.features.char.hashes, b.features.char.hashes)
    assert a.features.word.vocabulary == b.features.word.vocabulary


def test_training_is_deterministic_for_a_seed() -> None:
    examples = small_examples(50)
    config = TrainingConfig(cv_folds=2, seed=7)
    first, cv_first = train(examples, config)
    second, cv_second = train(examples, config)
    _same_model(first, second)
    assert cv_first is not None and cv_second is not None
    assert cv_first.reports == cv_second.reports
    assert first.metadata["corpus_hash"] == second.metadata["corpus_hash"]


def test_artifact_round_trip(trained_model: TextModel, tmp_path: Path) -> None:
    path = tmp_path / "model.pkl"
    save_artifact(trained_model, path)
    loaded = load_artifact(path)
    _same_model(trained_model, loaded)
    for name, probabilities in trained_model.probabilities(PROBES).items():
        np.testing.assert_allclose(loaded.probabilities(PROBES)[name], probabilities)
    metadata = read_header(path)["metadata"]
    assert metadata["versions"] == library_versions()
    assert set(metadata) >= {"trained_at", "corpus_hash", "cross_validation", "config"}
    assert metadata["cross_validation"]["folds"] == TEST_CONFIG.cv_folds
    intent_cv = metadata["cross_validation"]["intent"]
    assert set(intent_cv["per_class"]) == {
        "purchase", "support", "complaint", "praise", "spam", "other"
    }  # fmt: skip


def _rewrite_header(path: Path, **changes: object) -> None:
    with path.open("rb") as handle:
        header = pickle.load(handle)
        payload = pickle.load(handle)
    header.update(changes)
    with path.open("wb") as handle:
        pickle.dump(header, handle)
        pickle.dump(payload, handle)


def test_an_artifact_from_other_library_versions_is_refused(
    trained_model: TextModel, tmp_path: Path
) -> None:
    path = tmp_path / "old.pkl"
    save_artifact(trained_model, path)
    versions = {**library_versions(), "scikit-learn": "0.20.0"}
    _rewrite_header(path, versions=versions)
    with pytest.raises(ArtifactVersionError, match=r"scikit-learn 0\.20\.0 .*retrained"):
        load_artifact(path)
    _rewrite_header(path, versions=library_versions(), format_version=ARTIFACT_VERSION + 1)
    with pytest.raises(ArtifactVersionError, match="model format"):
        load_artifact(path)


def test_load_or_train_retrains_a_mismatched_artifact(
    trained_model: TextModel, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "model.pkl"
    save_artifact(trained_model, path)
    _rewrite_header(path, versions={**library_versions(), "scikit-learn": "0.20.0"})
    classifier = Classifier.load_or_train(
        path, progress=False, examples=small_examples(30), config=TrainingConfig(cv_folds=0)
    )
    assert "0.20.0" in capsys.readouterr().err
    assert read_header(path)["versions"] == library_versions()  # rewritten, loadable again
    assert Classifier.load(path).classify("цена?").intent == classifier.classify("цена?").intent


def test_load_or_train_trains_once_when_missing_with_a_progress_bar(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sub" / "model.pkl"
    Classifier.load_or_train(
        path, progress=True, examples=small_examples(30), config=TrainingConfig(cv_folds=2)
    )
    err = capsys.readouterr().err
    assert "training it once" in err
    assert "[" in err and "done" in err
    assert path.is_file()
    Classifier.load_or_train(path, progress=True)  # cached: no training this time
    assert "training" not in capsys.readouterr().err


def test_damaged_or_missing_artifacts_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="steward train"):
        load_artifact(tmp_path / "missing.pkl")
    junk = tmp_path / "junk.pkl"
    junk.write_bytes(b"not a model at all")
    with pytest.raises(ArtifactError, match="not a Steward model"):
        load_artifact(junk)


def test_corpus_files_load_with_every_intent() -> None:
    report = LoadReport()
    examples = load_corpus(report=report)
    assert {e.intent for e in examples} == {
        "purchase", "support", "complaint", "praise", "spam", "other"
    }  # fmt: skip
    # Rows labelled with another language ("mixed") keep their intent and sentiment.
    assert {e.lang for e in examples} <= {"ru", "en", None}
    assert sum(e.lang == "ru" for e in examples) > 0 and sum(e.lang == "en" for e in examples) > 0
    assert all(e.source.startswith("corpus:") for e in examples)


def test_extra_files_and_merging(tmp_path: Path) -> None:
    extra = tmp_path / "extra.csv"
    extra.write_text(
        "text,intent,sentiment,spam\n"
        "Цена?,other,neutral,\n"  # relabels a corpus-like text (case and spaces ignored)
        "buy followers cheap,,,spam\n"
        "bad row,unknown-intent,,\n"
        ",purchase,,\n",
        encoding="utf-8",
    )
    report = LoadReport()
    corpus = [Example("цена?", "purchase", "neutral", None, "ru", "corpus:x.csv")]
    merged = merge([corpus, load_extra([extra], report)], report)
    by_text = {e.text.lower(): e for e in merged}
    assert by_text["цена?"].intent == "other"
    assert by_text["цена?"].lang == "ru"  # kept from the corpus
    assert by_text["buy followers cheap"].is_spam is True
    assert by_text["buy followers cheap"].intent is None
    assert report.overridden == 1
    assert len(report.skipped) == 2
    assert corpus_hash(merged) == corpus_hash(list(reversed(merged)))


async def test_stored_labels_are_read_from_the_database(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'labels.db'}"
    engine = make_engine(url)
    await migrate(engine)
    async with make_sessionmaker(engine)() as session:
        session.add_all(
            [
                TrainingLabel(text="верните деньги!", intent="complaint", sentiment="negative",
                              spam=False, who="telegram:5", at=datetime.now(UTC),
                              source="moderator"),
                TrainingLabel(text="free crypto here", intent=None, sentiment=None, spam=True,
                              who="telegram:5", at=datetime.now(UTC), source="moderator"),
                TrainingLabel(text="   ", intent="other", sentiment=None, spam=None,
                              who="import", at=datetime.now(UTC), source="import"),
            ]
        )  # fmt: skip
        await session.commit()
    await engine.dispose()
    labels = await load_stored_labels(url)
    assert [(e.text, e.intent, e.is_spam) for e in labels] == [
        ("верните деньги!", "complaint", False),
        ("free crypto here", None, True),
    ]
    assert labels[0].source == "labels:moderator"
