"""Classifier speed: batched throughput, single-message latency, load time, peak memory.

    python bench/classifier.py [--model PATH] [--messages 20000] [--seed 1]

The messages are corpus texts perturbed at random (case, emoji, typos, numbers, joined
pairs), so the bench exercises the same paths as real traffic; nothing here trains or
tunes the model. If the model file is missing, `steward train` makes it first in a
separate process, so that training does not count towards this process's memory.
Targets (issue 3): ≥ 5,000 messages/s batched, p99 < 2 ms single, load < 1 s, RSS < 200 MB.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EMOJI = ["😀", "🔥", "👍", "😡", "🙏", "💰", "🚀", "❤️"]


def perturb(text: str, rng: random.Random) -> str:
    """One plausible variation of a message."""
    choice = rng.random()
    if choice < 0.2:
        text = text.upper() if rng.random() < 0.3 else text.lower()
    elif choice < 0.4:
        text = f"{text} {rng.choice(EMOJI) * rng.randint(1, 4)}"
    elif choice < 0.55 and len(text) > 4:
        position = rng.randrange(len(text) - 1)
        text = text[:position] + text[position + 1] + text[position] + text[position + 2 :]
    elif choice < 0.7:
        text = f"{text} {rng.randint(1, 99999)}"
    elif choice < 0.8:
        text = f"{text}{'!' * rng.randint(1, 5)}"
    return text


def make_messages(count: int, seed: int) -> list[str]:
    from bot.classifier.corpus import load_corpus

    rng = random.Random(seed)
    texts = [example.text for example in load_corpus()]
    messages = []
    for _ in range(count):
        text = rng.choice(texts)
        if rng.random() < 0.1:
            text = f"{text} {rng.choice(texts)}"
        messages.append(perturb(text, rng))
    return messages


def percentiles_ms(seconds: list[float]) -> tuple[float, float]:
    """p50 and p99 in milliseconds."""
    ordered = sorted(seconds)
    return ordered[len(ordered) // 2] * 1000, ordered[int(len(ordered) * 0.99)] * 1000


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="model file (default STEWARD_MODEL_PATH)")
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    started = time.perf_counter()
    from bot.classifier import Classifier
    from bot.config import load_settings

    import_seconds = time.perf_counter() - started
    model_path: Path = args.model or load_settings().model_path
    if not model_path.exists():
        print(f"no model at {model_path}: training it first (in another process)…")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bot.cli",
                "train",
                "--out",
                str(model_path),
                "--quiet",
                "--no-labels",
            ],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    started = time.perf_counter()
    classifier = Classifier.load(model_path)
    classifier.classify("warm-up: builds the lookup table")
    load_seconds = time.perf_counter() - started

    messages = make_messages(args.messages, args.seed)
    average_length = statistics.fmean(len(m) for m in messages)

    # Wall-clock time is what counts; this process's CPU time is shown beside it
    # because on a shared machine other processes' load inflates the wall clock.
    started, started_cpu = time.perf_counter(), time.process_time()
    verdicts = classifier.classify_many(messages)
    batch_seconds = time.perf_counter() - started
    batch_cpu_seconds = time.process_time() - started_cpu
    assert len(verdicts) == len(messages)

    latencies, cpu_latencies = [], []
    for message in messages:
        started, started_cpu = time.perf_counter(), time.process_time()
        classifier.classify(message)
        latencies.append(time.perf_counter() - started)
        cpu_latencies.append(time.process_time() - started_cpu)
    p50, p99 = percentiles_ms(latencies)
    cpu_p50, cpu_p99 = percentiles_ms(cpu_latencies)

    throughput = len(messages) / batch_seconds
    rss = peak_rss_mb()
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"messages:              {len(messages)} (average {average_length:.0f} characters)")
    print(
        f"classify_many:         {throughput:,.0f} messages/s ({batch_seconds:.2f} s); "
        f"by CPU time {len(messages) / batch_cpu_seconds:,.0f} messages/s"
    )
    print(
        f"classify, single:      p50 {p50:.3f} ms, p99 {p99:.3f} ms; "
        f"by CPU time p50 {cpu_p50:.3f} ms, p99 {cpu_p99:.3f} ms"
    )
    print(
        f"model load:            {load_seconds * 1000:.0f} ms "
        f"(imports before it {import_seconds * 1000:.0f} ms)"
    )
    print(f"peak RSS:              {rss:.0f} MB")
    print(f"spam share:            {sum(v.is_spam for v in verdicts) / len(verdicts):.1%}")
    print(f"load average:          {load} on {os.cpu_count()} CPUs")
    targets = [
        ("throughput ≥ 5,000 msg/s", throughput >= 5000),
        ("p99 < 2 ms", p99 < 2.0),
        ("load < 1 s", load_seconds < 1.0),
        ("RSS < 200 MB", rss < 200),
    ]
    verdict = ", ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in targets)
    print(f"targets (wall clock):  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
