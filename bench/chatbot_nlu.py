"""Time the chatbot's `understand` over every labelled message.

    python bench/chatbot_nlu.py [FILE...] [--rounds N]

Warms up first (the first call pays for importing dateparser and building the
catalogue matcher), then times each message separately over N rounds and
prints p50 / p95 / max in milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from grihaseva.chatbot.evaluate import DEFAULT_FILE, REFERENCE_NOW, load_cases  # noqa: E402
from grihaseva.chatbot.nlu import catalogue_from_demo, understand  # noqa: E402


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    k = (len(sorted_values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", default=[str(DEFAULT_FILE)])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)

    texts = [c.text for f in args.files for c in load_cases(f)]
    catalogue = catalogue_from_demo()

    t0 = time.perf_counter()
    understand("book a plumber on 28 Nov at 10", REFERENCE_NOW, catalogue)
    first_ms = (time.perf_counter() - t0) * 1000
    for text in texts:  # warm-up
        understand(text, REFERENCE_NOW, catalogue)

    samples: list[float] = []
    for _ in range(args.rounds):
        for text in texts:
            t = time.perf_counter()
            understand(text, REFERENCE_NOW, catalogue)
            samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    print(f"messages: {len(texts)} x {args.rounds} rounds = {len(samples)} calls")
    print(f"first call (cold, incl. dateparser load): {first_ms:.1f} ms")
    print(f"p50: {percentile(samples, 0.50):.3f} ms")
    print(f"p95: {percentile(samples, 0.95):.3f} ms")
    print(f"max: {samples[-1]:.3f} ms")
    print(f"mean: {statistics.fmean(samples):.3f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
