"""`steward classify`: intent, sentiment and spam for texts from a file or standard input."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

# Texts classified together: large inputs stream through in bounded memory.
_CHUNK = 2048


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "classify",
        help="classify texts: intent, sentiment, spam score, and why",
        description=(
            "Read texts — one per line, or a CSV file with a 'text' column — from FILE or "
            "standard input, and write one result per text, in order, as JSON lines (default) "
            "or CSV: text, lang, intent, intent_scores, sentiment, sentiment_scores, "
            "spam_score, is_spam, uncertain, reasons. Reads STEWARD_MODEL_PATH (the model; "
            "trained once and saved there if missing)."
        ),
    )
    parser.add_argument("file", nargs="?", type=Path, metavar="FILE", help="input (default stdin)")
    parser.add_argument(
        "--format", choices=("jsonl", "csv"), default="jsonl", help="output format (default jsonl)"
    )
    parser.add_argument(
        "--input",
        choices=("auto", "lines", "csv"),
        default="auto",
        help="input format; auto = CSV when the first line is a header with a 'text' column",
    )
    parser.add_argument("--model", type=Path, help="model file (default STEWARD_MODEL_PATH)")
    parser.set_defaults(handler=run)


def _looks_like_csv_header(line: str) -> bool:
    try:
        fields = next(csv.reader([line]))
    except (csv.Error, StopIteration):
        return False
    return "text" in (field.strip().lower() for field in fields)


def _texts(stream: IO[str], mode: str) -> Iterator[str]:
    """The texts of the input, in order, without reading it all at once."""
    first = stream.readline()
    if not first:
        return
    if mode == "csv" or (mode == "auto" and _looks_like_csv_header(first.rstrip("\r\n"))):
        reader = csv.DictReader(_chain(first, stream))
        fields = {name.strip().lower(): name for name in reader.fieldnames or []}
        if "text" not in fields:
            raise ValueError("the CSV input has no 'text' column in its header line")
        column = fields["text"]
        for row in reader:
            yield row.get(column) or ""
        return
    yield first.rstrip("\r\n")
    for line in stream:
        yield line.rstrip("\r\n")


def _chain(first: str, rest: IO[str]) -> Iterator[str]:
    yield first
    yield from rest


def _chunks(texts: Iterator[str]) -> Iterator[list[str]]:
    chunk: list[str] = []
    for text in texts:
        chunk.append(text)
        if len(chunk) >= _CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _csv_row(record: dict[str, Any]) -> list[str]:
    row = []
    for value in record.values():
        if isinstance(value, bool):
            row.append("true" if value else "false")
        elif isinstance(value, dict | list):
            row.append(json.dumps(value, ensure_ascii=False))
        else:
            row.append(str(value))
    return row


def run(args: argparse.Namespace) -> int:
    from bot.classifier import OUTPUT_KEYS, Classifier
    from bot.config import load_settings

    model_path = args.model or load_settings().model_path
    out = sys.stdout
    if isinstance(out, io.TextIOWrapper) and out.encoding.lower() not in ("utf-8", "utf8"):
        out.reconfigure(encoding="utf-8")
    try:
        source: IO[str] = (
            args.file.open(encoding="utf-8-sig", newline="") if args.file is not None else sys.stdin
        )
    except OSError as error:
        print(f"steward classify: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 1
    classifier = Classifier.load_or_train(model_path, progress=True)
    writer = csv.writer(out, lineterminator="\n") if args.format == "csv" else None
    if writer is not None:
        writer.writerow(OUTPUT_KEYS)
    try:
        for chunk in _chunks(_texts(source, args.input)):
            for verdict in classifier.classify_many(chunk):
                record = verdict.to_json()
                if writer is not None:
                    writer.writerow(_csv_row(record))
                else:
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
    except (ValueError, csv.Error, UnicodeDecodeError) as error:
        print(f"steward classify: cannot read the input: {error}", file=sys.stderr)
        return 1
    finally:
        if args.file is not None:
            source.close()
    return 0
