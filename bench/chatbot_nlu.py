"""Time the chatbot's `understand` per message, over both labelled splits.

    python bench/chatbot_nlu.py [FILE...] [--rounds N]

The first call prepares the classifiers (once per process: loaded from the
cache under the var dir, GRIHASEVA_VAR_DIR or ./var, else fitted and kept
there) and is printed on its own.  Then, over N rounds of every message, three readings are
timed per message: the floor (tokenising only: lower-casing, the Devanagari
word list, typo correction), the rules alone, and the whole `understand`
(rules + classifiers); p50 / p95 / max in milliseconds and the ratio of each
p95 to the floor's.  Target: understanding well under the reply's p95 50 ms.
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

from grihaseva.chatbot.evaluate import HELDOUT_FILE, TRAINING_FILE, REFERENCE_NOW, load_cases  # noqa: E402
from grihaseva.chatbot.nlu import catalogue_from_demo, learned, understand  # noqa: E402
from grihaseva.chatbot.nlu.targets import matcher  # noqa: E402
from grihaseva.chatbot.nlu.text import tokenise  # noqa: E402


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    k = (len(sorted_values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def timed(fn, texts: list[str], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        for text in texts:
            t = time.perf_counter()
            fn(text)
            samples.append((time.perf_counter() - t) * 1000)
    return sorted(samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", default=[str(TRAINING_FILE), str(HELDOUT_FILE)])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"# chatbot understanding  ({time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}, load average {load})")
    texts = [c.text for f in args.files for c in load_cases(f)]
    catalogue = catalogue_from_demo()
    names = matcher(tuple(catalogue)).name_words

    t0 = time.perf_counter()
    understand("book a plumber on 28 Nov at 10", REFERENCE_NOW, catalogue)
    done = learned.preparation()
    how = "fitted them" if done.fits else "loaded them from the cache" if done.loads else "rules only"
    print(f"first call (cold: prepares the classifiers; {how}): {(time.perf_counter() - t0) * 1000:.0f} ms")
    for text in texts:  # warm-up
        understand(text, REFERENCE_NOW, catalogue)

    floor = timed(lambda t: tokenise(t, names), texts, args.rounds)

    def rules_only(t):
        learned.ENABLED = False
        try:
            understand(t, REFERENCE_NOW, catalogue)
        finally:
            learned.ENABLED = True

    rules = timed(rules_only, texts, args.rounds)
    whole = timed(lambda t: understand(t, REFERENCE_NOW, catalogue), texts, args.rounds)
    print(f"messages: {len(texts)} x {args.rounds} rounds = {len(whole)} calls per reading")
    f95 = percentile(floor, 0.95)
    for label, s in (("floor (tokenise)", floor), ("rules alone", rules), ("understand", whole)):
        p95 = percentile(s, 0.95)
        print(f"{label:<18} p50 {percentile(s, 0.50):6.3f} ms  p95 {p95:6.3f} ms  max {s[-1]:6.2f} ms  "
              f"mean {statistics.fmean(s):6.3f} ms  p95/floor {p95 / f95:5.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
