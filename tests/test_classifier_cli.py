"""`steward classify`, `steward eval` and `steward train` through the real command line."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.classifier import OUTPUT_KEYS, Classifier
from bot.classifier.metrics import evaluate
from bot.classifier.model import TextModel, load_artifact
from bot.cli import main
from models.db import make_engine, make_sessionmaker, migrate
from models.tables import TrainingLabel
from tests.classifier_fixtures import small_examples

ROOT = Path(__file__).resolve().parents[1]
TEXTS = [
    "сколько стоит доставка?",
    'a text with "quotes", commas, and a\nnew line',
    "",
    "Earn $500 a day from home, DM me",
]


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No stray .env or database from the working directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STEWARD_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'steward.db'}")
    monkeypatch.delenv("STEWARD_MODEL_PATH", raising=False)


def _jsonl(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines()]


def test_classify_reads_standard_input_line_by_line(trained_model_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "classify"],
        input="сколько стоит доставка?\nEarn $500 a day from home, DM me\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env={**os.environ, "STEWARD_MODEL_PATH": str(trained_model_path), "PYTHONPATH": str(ROOT)},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    records = _jsonl(result.stdout)
    assert [r["text"] for r in records] == [
        "сколько стоит доставка?",
        "Earn $500 a day from home, DM me",
    ]
    for record in records:
        assert list(record) == list(OUTPUT_KEYS)
    assert records[0]["intent"] == "purchase" and records[0]["lang"] == "ru"
    assert records[1]["is_spam"] is True


def test_classify_csv_input_to_jsonl_matches_the_library(
    trained_model_path: Path,
    trained_model: TextModel,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = tmp_path / "in.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        for number, text in enumerate(TEXTS):
            writer.writerow([number, text])
    assert main(["classify", str(source), "--model", str(trained_model_path)]) == 0
    records = _jsonl(capsys.readouterr().out)
    expected = [v.to_json() for v in Classifier(trained_model).classify_many(TEXTS)]
    assert records == json.loads(json.dumps(expected, ensure_ascii=False))


def test_classify_writes_csv(
    trained_model_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("привет, сколько стоит?\n\nthanks!!\n"))
    code = main(["classify", "--format", "csv", "--model", str(trained_model_path)])
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [row["text"] for row in rows] == ["привет, сколько стоит?", "", "thanks!!"]
    assert list(rows[0]) == list(OUTPUT_KEYS)
    assert rows[0]["is_spam"] in ("true", "false")
    assert set(json.loads(rows[0]["intent_scores"])) == {
        "purchase", "support", "complaint", "praise", "spam", "other"
    }  # fmt: skip
    assert isinstance(json.loads(rows[1]["reasons"]), list)


def test_classify_input_format_can_be_forced(
    trained_model_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "lines.txt"
    source.write_text("text\nsecond line\n", encoding="utf-8")
    assert (
        main(["classify", str(source), "--input", "lines", "--model", str(trained_model_path)]) == 0
    )
    assert [r["text"] for r in _jsonl(capsys.readouterr().out)] == ["text", "second line"]
    assert main(["classify", str(source), "--model", str(trained_model_path)]) == 0
    assert [r["text"] for r in _jsonl(capsys.readouterr().out)] == ["second line"]


def test_classify_reports_an_unreadable_file(
    trained_model_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.txt"
    assert main(["classify", str(missing), "--model", str(trained_model_path)]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_eval_metrics_match_a_confusion_matrix_counted_by_hand(
    trained_model_path: Path,
    trained_model: TextModel,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = [
        ("сколько стоит доставка до Москвы?", "purchase"),
        ("где мой заказ, жду уже две недели, это ужас", "complaint"),
        ("спасибо, всё супер!", "praise"),
        ("Earn $500 a day from home, DM me", "spam"),
        ("How do I reset my password?", "support"),
        ("what's the weather like today", "other"),
        ("Do you ship to Canada?", "complaint"),  # deliberately mislabelled
        ("Thank you, great service", "spam"),  # deliberately mislabelled
    ]
    path = tmp_path / "tiny.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "intent"])
        writer.writerows(rows)
    assert main(["eval", str(path), "--json", "--model", str(trained_model_path)]) == 0
    result = json.loads(capsys.readouterr().out)

    predicted = [v.intent for v in Classifier(trained_model).classify_many([t for t, _ in rows])]
    gold = [label for _, label in rows]
    labels = result["confusion"]["labels"]
    by_hand = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, predicted, strict=True):
        by_hand[labels.index(g)][labels.index(p)] += 1
    assert result["confusion"]["matrix"] == by_hand
    assert result["rows"] == len(rows)
    assert result["accuracy"] == pytest.approx(
        sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(rows), abs=1e-4
    )
    for name, scores in result["per_class"].items():
        index = labels.index(name)
        true_positive = by_hand[index][index]
        predicted_count = sum(row[index] for row in by_hand)
        support = sum(by_hand[index])
        precision = true_positive / predicted_count if predicted_count else 0.0
        recall = true_positive / support if support else 0.0
        assert scores["precision"] == pytest.approx(precision, abs=1e-4)
        assert scores["recall"] == pytest.approx(recall, abs=1e-4)
        assert scores["support"] == support
    gold_f1 = [result["per_class"][name]["f1"] for name in set(gold)]
    assert result["macro_f1"] == pytest.approx(sum(gold_f1) / len(gold_f1), abs=1e-3)


def test_metrics_by_hand() -> None:
    gold = ["a", "a", "a", "b", "b", "c"]
    predicted = ["a", "a", "b", "b", "c", "c"]
    report = evaluate(gold, predicted, ("a", "b", "c"))
    assert report.matrix == ((2, 1, 0), (0, 1, 1), (0, 0, 1))
    assert report.accuracy == pytest.approx(4 / 6)
    assert report.per_class["a"].precision == 1.0
    assert report.per_class["a"].recall == pytest.approx(2 / 3)
    assert report.per_class["b"].precision == pytest.approx(1 / 2)
    assert report.per_class["b"].f1 == pytest.approx(0.5)
    assert report.per_class["c"].f1 == pytest.approx(2 / 3)
    assert report.macro_f1 == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)
    # A class only predicted (never in the gold labels) is reported but not averaged.
    binary = evaluate(["neg", "pos"], ["neutral", "pos"], ("neg", "neutral", "pos"))
    assert binary.labels == ("neg", "neutral", "pos")
    assert binary.macro_f1 == pytest.approx((0.0 + 1.0) / 2)


def test_eval_reads_spam_and_sentiment_files(
    trained_model_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spam = tmp_path / "spam.csv"
    spam.write_text(
        "text,spam\nEarn $500 a day from home DM me now,spam\nsee you at 5 then,ham\n"
        "ok thanks,ham\n",
        encoding="utf-8",
    )
    sentiment = tmp_path / "sentiment.csv"
    sentiment.write_text(
        'text,sentiment\n"awful, broken on arrival",negative\nlove it,positive\n', encoding="utf-8"
    )
    code = main(["eval", str(spam), str(sentiment), "--model", str(trained_model_path)])
    assert code == 0
    out = capsys.readouterr().out
    assert "spam.csv — spam, 3 rows" in out
    assert "ordinary flagged rate" in out
    assert "sentiment.csv — sentiment, 2 rows" in out
    assert "confusion (rows = true, columns = predicted)" in out
    assert "macro-F1" in out


def test_eval_refuses_a_file_without_one_label_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("text,intent,spam\nhello,other,ham\n", encoding="utf-8")
    assert main(["eval", str(bad)]) == 1
    assert "exactly one label column" in capsys.readouterr().err
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("text,intent\nhello,greeting\n", encoding="utf-8")
    assert main(["eval", str(wrong)]) == 1
    assert "wrong.csv:2: intent must be one of" in capsys.readouterr().err


async def _store_label(url: str, text: str, intent: str) -> None:
    engine = make_engine(url)
    await migrate(engine)
    async with make_sessionmaker(engine)() as session:
        session.add(
            TrainingLabel(text=text, intent=intent, sentiment="neutral", spam=None,
                          who="telegram:7", at=datetime.now(UTC), source="moderator")
        )  # fmt: skip
        await session.commit()
    await engine.dispose()


def _write_corpus(directory: Path) -> None:
    directory.mkdir()
    with (directory / "tiny.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "intent", "sentiment", "lang", "style"])
        for example in small_examples(25):
            writer.writerow([example.text, example.intent, example.sentiment, example.lang, "dm"])


async def test_train_uses_corpus_labels_and_extra_files_deterministically(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    corpus = tmp_path / "corpus"
    _write_corpus(corpus)
    await _store_label(os.environ["STEWARD_DATABASE_URL"], "moderator label text", "praise")
    extra = tmp_path / "extra.csv"
    extra.write_text("text,spam\nbuy cheap followers now,spam\n", encoding="utf-8")
    outputs = []
    for name in ("a.pkl", "b.pkl"):
        arguments = ["train", "--corpus", str(corpus), "--extra", str(extra), "--cv-folds", "2",
                     "--seed", "3", "--out", str(tmp_path / name), "--quiet"]  # fmt: skip
        # `steward train` runs its own event loop, so it is run off this test's loop.
        assert await asyncio.to_thread(main, arguments) == 0
        outputs.append(capsys.readouterr().out)
    out = outputs[0]
    assert "1 extra, 1 stored labels" in out
    for title in ("intent", "sentiment", "spam — text model alone", "spam — removal decisions"):
        assert f"\n{title}" in out
    assert "confusion (rows = true, columns = predicted)" in out
    first, second = load_artifact(tmp_path / "a.pkl"), load_artifact(tmp_path / "b.pkl")
    assert (first.weights == second.weights).all()
    assert first.metadata["corpus_hash"] == second.metadata["corpus_hash"]
    assert first.metadata["config"]["seed"] == 3


def test_train_explains_an_unusable_corpus(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["train", "--corpus", str(empty), "--no-labels", "--out", str(tmp_path / "m")]) == 1
    assert "no training files" in capsys.readouterr().err


def test_help_lists_the_settings_each_command_reads() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "train", "--help"],
        capture_output=True, text=True, cwd=ROOT, timeout=60, check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert "STEWARD_MODEL_PATH" in result.stdout and "STEWARD_DATABASE_URL" in result.stdout
