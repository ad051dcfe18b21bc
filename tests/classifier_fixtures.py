"""A trained classifier shared by the tests: trained once per test session.

`tests/conftest.py` registers this module (`pytest_plugins`), so any test can ask for
`classifier` (a fresh `Classifier`), `trained_model` (the fitted `TextModel`) or
`trained_model_path` (its artifact file). The model is cached in a module global as
well, so it is trained once even if the module is registered twice.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.classifier import Classifier, SpamPolicy, TrainingConfig
from bot.classifier.corpus import Example, LoadReport, load_corpus, merge
from bot.classifier.model import TextModel, load_artifact, save_artifact, train

# Three folds: enough for calibrated probabilities, quick enough for a test session.
TEST_CONFIG = TrainingConfig(cv_folds=3, seed=13)

_trained: dict[str, Path] = {}


def corpus_examples() -> list[Example]:
    report = LoadReport()
    return merge([load_corpus(report=report)], report)


def small_examples(per_intent: int = 60) -> list[Example]:
    """A balanced slice of the corpus, for tests that train several times."""
    taken: dict[str, int] = {}
    chosen = []
    for example in corpus_examples():
        if example.intent and taken.get(example.intent, 0) < per_intent:
            taken[example.intent] = taken.get(example.intent, 0) + 1
            chosen.append(example)
    return chosen


@pytest.fixture(scope="session")
def trained_model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if "path" not in _trained:
        path = tmp_path_factory.mktemp("classifier") / "model.pkl"
        model, _ = train(corpus_examples(), TEST_CONFIG)
        save_artifact(model, path)
        _trained["path"] = path
    return _trained["path"]


@pytest.fixture(scope="session")
def trained_model(trained_model_path: Path) -> TextModel:
    return load_artifact(trained_model_path)


@pytest.fixture
def classifier(trained_model: TextModel) -> Classifier:
    """A fresh Classifier (empty repetition memory) over the session's model."""
    return Classifier(trained_model, policy=SpamPolicy())
