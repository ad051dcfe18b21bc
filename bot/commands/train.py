"""`steward train`: train the classifier from the corpus, stored labels and extra files."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train the message classifier and write the model file",
        description=(
            "Train the intent / sentiment / spam classifier from the corpus in data/corpus, "
            "the labels moderators stored (the labels table) and any --extra CSV files; print "
            "cross-validated precision, recall and F1 per class with the confusion matrices; "
            "write the model file. Deterministic for a given --seed and data. "
            "Reads STEWARD_MODEL_PATH (where to write, unless --out) and STEWARD_DATABASE_URL "
            "(the stored labels)."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--extra",
        action="append",
        default=[],
        metavar="FILE.csv",
        type=Path,
        help="more training data: a CSV with a text column and any of intent, sentiment, "
        "spam (spam|ham), lang; may be repeated",
    )
    parser.add_argument("--out", type=Path, help="model file to write (default STEWARD_MODEL_PATH)")
    parser.add_argument("--seed", type=int, default=13, help="random seed (default 13)")
    parser.add_argument(
        "--cv-folds",
        type=int,
        default=5,
        metavar="N",
        help="cross-validation folds for the metrics and the calibration; 0 skips both (default 5)",
    )
    parser.add_argument(
        "--corpus", type=Path, help="directory of corpus CSV files (default data/corpus)"
    )
    parser.add_argument(
        "--no-labels", action="store_true", help="do not read stored labels from the database"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from bot.classifier.corpus import (
        DEFAULT_CORPUS_DIR,
        CorpusError,
        LoadReport,
        load_corpus,
        load_extra,
        load_stored_labels,
        merge,
    )
    from bot.classifier.evaluation import cross_validated_intents, cross_validated_spam_decisions
    from bot.classifier.metrics import format_report
    from bot.classifier.model import TrainingConfig
    from bot.classifier.policy import SpamPolicy
    from bot.classifier.service import train_and_save
    from bot.config import load_settings

    settings = load_settings()
    out: Path = args.out or settings.model_path
    report = LoadReport()
    try:
        corpus = load_corpus(args.corpus or DEFAULT_CORPUS_DIR, report)
        extra = load_extra(args.extra, report)
    except CorpusError as error:
        print(f"steward train: {error}", file=sys.stderr)
        return 1
    labels = []
    if not args.no_labels:
        try:
            labels = asyncio.run(load_stored_labels(settings.database_url))
        except Exception as error:  # any database failure: say which setting to check
            print(
                f"steward train: cannot read stored labels from STEWARD_DATABASE_URL "
                f"({type(error).__name__}: {error}); fix the setting or pass --no-labels",
                file=sys.stderr,
            )
            return 1
    examples = merge([corpus, extra, labels], report)
    print(
        f"training on {len(examples)} texts: {len(corpus)} corpus rows, {len(extra)} extra, "
        f"{len(labels)} stored labels ({report.overridden} corpus labels overridden)"
    )
    for note in report.skipped[:20]:
        print(f"  skipped {note}")
    if len(report.skipped) > 20:
        print(f"  … and {len(report.skipped) - 20} more skipped rows")
    for note in report.conflicts[:10]:
        print(f"  conflicting duplicate: {note}")
    if len(report.conflicts) > 10:
        print(f"  … and {len(report.conflicts) - 10} more conflicting duplicates")

    config = TrainingConfig(seed=args.seed, cv_folds=args.cv_folds)
    try:
        model, cv = train_and_save(out, examples, config=config, progress=not args.quiet)
    except ValueError as error:
        print(f"steward train: {error}", file=sys.stderr)
        return 1
    if cv is None:
        print("cross-validation skipped (--cv-folds 0): no metrics, probabilities uncalibrated")
    else:
        print(f"\ncross-validated ({cv.folds} folds) on the training data:")
        titles = {
            "intent": "intent — the most probable class",
            "sentiment": "sentiment",
            "spam": "spam — text model alone",
            "lang": "language of Latin-script texts (en vs transliterated ru)",
        }
        for name, head_report in cv.reports.items():
            print()
            print(format_report(titles.get(name, name), head_report))
        decided = cross_validated_intents(examples, cv)
        if decided is not None:
            print()
            print(
                format_report(
                    f"intent — as the verdict decides it (complaint at p ≥ "
                    f"{SpamPolicy().complaint_threshold})",
                    decided,
                )
            )
        decisions = cross_validated_spam_decisions(examples, cv)
        if decisions is not None:
            print()
            print(
                format_report(
                    "spam — removal decisions (text model + text checks + hard rule, no context)",
                    decisions.report,
                )
            )
            print(
                f"  ordinary messages removed: {decisions.ordinary_flagged_rate:.2%}; complaints "
                f"removed: {decisions.complaints_removed} of {decisions.complaints}"
            )
    corpus_hash = model.metadata["corpus_hash"][:12]
    print(f"\nwrote {out} ({model.features.size} features, corpus {corpus_hash})")
    return 0
