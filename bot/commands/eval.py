"""`steward eval`: measure the classifier on labelled CSV files."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="measure the classifier on labelled CSV files",
        description=(
            "Classify every text of each FILE.csv (a 'text' column and one label column: "
            "intent, sentiment, or spam with spam|ham) and print accuracy, precision / recall "
            "/ F1 per class, macro-F1 (over the classes the file labels) and the confusion "
            "matrix; for spam also the share of ordinary messages flagged, for intent the "
            "complaints removed as spam. Reads STEWARD_MODEL_PATH (the model; trained once "
            "and saved there if missing)."
        ),
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE.csv")
    parser.add_argument("--json", action="store_true", help="one JSON object per file")
    parser.add_argument(
        "--label", choices=("intent", "sentiment", "spam"), help="label column, if several"
    )
    parser.add_argument("--model", type=Path, help="model file (default STEWARD_MODEL_PATH)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from bot.classifier import Classifier
    from bot.classifier.evaluation import EvaluationError, evaluate_file, read_labelled_file
    from bot.config import load_settings

    try:
        labelled = [read_labelled_file(path, args.label) for path in args.files]
    except EvaluationError as error:
        print(f"steward eval: {error}", file=sys.stderr)
        return 1
    classifier = Classifier.load_or_train(args.model or load_settings().model_path)
    for index, one in enumerate(labelled):
        result = evaluate_file(classifier, one)
        if args.json:
            print(json.dumps(result.to_json(), ensure_ascii=False))
        else:
            if index:
                print()
            print(result.format())
    return 0
