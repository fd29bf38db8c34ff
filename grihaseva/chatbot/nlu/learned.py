"""The learned half of understanding: an intent classifier and a service classifier.

Both are scikit-learn pipelines fitted on the training split, which ships inside the package
(`TRAINING_FILE`, grihaseva/chatbot/nlu/data/training.jsonl, package data).  The held-out split
(tests/chatbot/heldout.jsonl) is never read here; the model comparison and the threshold tuning
that read it live in evaluate.py.

Fitting takes 1-7 s, so it is done once and kept (`Preparation`):

- The app starts it at start-up (`start(var_dir)` in `before_serving`), on a thread of its own
  (never the loop's default executor).  The thread loads the fitted models from
  `<var_dir>/chatbot/classifiers-<key>.pickle`, or fits them and writes that file.
- The key (`cache_key`) hashes everything the fitted models depend on: the training split, the
  code and word lists that read the messages (the rules' reading and intent are features), the
  demo catalogue the training texts are normalised with, `MODEL_VERSION` and the versions of
  scikit-learn, NumPy and SciPy.  A change to any of them gives a new file name, so a stale model
  is never loaded; files of other keys are deleted when a new one is written.
- The file is written whole to a private temporary file and renamed into place, so another
  process sees the old file, the new one or none, never half of one.  A file that cannot be read
  (torn, truncated, another format) is logged and fitted again, never a crash.  The cache is
  pickle: only files this module wrote in the app's own var dir are ever loaded.
- A chat reply that arrives before the thread is done waits for it (`ready`, at most
  `WAIT_SECONDS`), then uses the rules alone until it is.  Outside the app (evaluate, benches,
  tests that call `understand`), the first `classifiers()` call prepares them in the caller's
  thread, with the cache under the default var dir (GRIHASEVA_VAR_DIR, else ./var).

Nothing is downloaded and no fitted model is stored in the repository.

Features (`features`): the message as the rules see it (lower-cased,
Devanagari mapped to the romanised words of lexicon.toml, typos corrected)
plus the raw lower-cased text, so that Devanagari words the word list does
not know still count.  TF-IDF over word 1-2-grams and character 2-5-grams
(within word boundaries) of both, then a linear model.  `CANDIDATES` are the
models compared (`python -m grihaseva.chatbot.evaluate --compare-models` prints the
cross-validated training score and the held-out score of each); `CHOSEN` is
the one used, picked by held-out score (docs/ARCHITECTURE.md has the figures).

The FAQ topic classifier is fitted on the FAQ questions (the topic when the
FAQ's keywords find none: "ये ऐप कैसे चलाते हैं").  The service classifier is fitted on the messages whose label names a service
or a category (target = the service slug, or "category:<slug>"), so that a job
described by its symptom ("geyser not heating", "switchboard sparking") finds
its service when no rule fires.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import pickle
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ...config import var_dir_from_env

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
TRAINING_FILE = HERE / "data" / "training.jsonl"
CHOSEN = "tfidf-linearsvc"
# Bump when what `fit` makes changes in a way the hashed files do not show (a library's default).
MODEL_VERSION = 1
# How long a chat reply waits for start-up's fitting before it answers by the rules alone.
WAIT_SECONDS = 10.0
CACHE_DIR = "chatbot"  # under the var dir


def features(normalised: str, raw: str, rule_intent: str | None = None) -> str:
    """What the classifiers read: the normalised message, the raw text and (for the intent
    classifier) the intent the rules gave, as one word ("ruleintent_book")."""
    rule = f" ruleintent_{rule_intent}" if rule_intent else ""
    return f"{normalised} || {raw.lower()}{rule}"


def _vectoriser():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion([
        ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b",
                                  sublinear_tf=True, min_df=1)),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1)),
    ])


def make_model(name: str):
    """A fresh, unfitted pipeline for one of the candidate models."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.svm import LinearSVC

    if name == "tfidf-logreg":
        clf = LogisticRegression(C=20.0, max_iter=2000, class_weight="balanced")
    elif name == "tfidf-linearsvc":
        clf = LinearSVC(C=1.0, class_weight="balanced")
    else:
        raise ValueError(name)
    return Pipeline([("features", _vectoriser()), ("clf", clf)])


CANDIDATES = ("tfidf-logreg", "tfidf-linearsvc")


@dataclass
class Classifiers:
    intent_model: object    # fitted pipeline: features (with the rules' intent) -> intent
    service: object | None  # fitted pipeline: features -> slug | "category:<slug>"
    name: str
    topic: object | None = None  # fitted pipeline: features of an FAQ question -> FAQ topic

    def intent(self, text: str) -> str:
        return str(self.intent_model.predict([text])[0])

    def faq_topic(self, text: str) -> str | None:
        return None if self.topic is None else str(self.topic.predict([text])[0])

    def service_scores(self, text: str) -> dict[str, float]:
        return _scores(self.service, text) if self.service is not None else {}


def _scores(model, text: str) -> dict[str, float]:
    """Class -> probability (logistic regression) or a squashed margin (SVM), summing to 1."""
    import numpy as np

    clf = model.named_steps["clf"]
    if hasattr(clf, "predict_proba"):
        p = model.predict_proba([text])[0]
    else:
        margin = model.decision_function([text])[0]
        e = np.exp((margin - margin.max()) * 3.0)
        p = e / e.sum()
    return dict(zip(clf.classes_, (float(x) for x in p)))


def model_target(scores: dict[str, float], threshold: float) -> tuple[str | None, str | None]:
    """(service, category) the service classifier is sure enough of, else (None, None)."""
    if not scores:
        return None, None
    best = max(scores, key=scores.get)
    if scores[best] < threshold:
        return None, None
    if best.startswith("category:"):
        return None, best.split(":", 1)[1]
    return best, None




def load_rows(path: Path = TRAINING_FILE) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip() and not line.startswith("#")]


def rule_intents(rows: list[dict]) -> list[str]:
    """What the rules alone say for each row (the rules are written by hand, not fitted)."""
    from .rules import rules_intent
    from .model import catalogue_from_demo

    catalogue = catalogue_from_demo()
    return [rules_intent(r["text"], catalogue) for r in rows]


def training_texts(rows: list[dict], with_rules: bool = False) -> list[str]:
    from .rules import normalised_text  # the same reading the rules get
    from .model import catalogue_from_demo

    catalogue = catalogue_from_demo()
    rules = rule_intents(rows) if with_rules else [None] * len(rows)
    return [features(normalised_text(r["text"], catalogue), r["text"], ri) for r, ri in zip(rows, rules)]


def target_label(row: dict) -> str | None:
    if row.get("service"):
        return row["service"]
    if row.get("category"):
        return f"category:{row['category']}"
    return None


def fit(rows: list[dict], name: str = CHOSEN) -> Classifiers:
    texts = training_texts(rows)
    with_rules = training_texts(rows, with_rules=True)
    intent = make_model(name).fit(with_rules, [r["intent"] for r in rows])
    pairs = [(t, target_label(r)) for t, r in zip(texts, rows) if target_label(r)]
    service = make_model(name).fit([t for t, _ in pairs], [y for _, y in pairs]) if pairs else None
    faqs = [(t, r["faq"]) for t, r in zip(texts, rows) if r["intent"] == "faq" and r.get("faq")]
    topic = make_model(name).fit([t for t, _ in faqs], [y for _, y in faqs]) if len({y for _, y in faqs}) > 1 else None
    return Classifiers(intent_model=intent, service=service, name=name, topic=topic)


def model_inputs() -> list[Path]:
    """The files a fitted model depends on besides the libraries: the training split, the code and
    word lists that read its messages, and the demo catalogue the training texts are read with."""
    return [TRAINING_FILE, *sorted(HERE.glob("*.py")), HERE / "lexicon.toml", HERE.parents[1] / "demo" / "data.py"]


def cache_key() -> str:
    """A hash of everything the fitted models depend on (the cache file's name)."""
    import numpy
    import scipy
    import sklearn

    digest = hashlib.sha256(f"model {MODEL_VERSION} {CHOSEN}; scikit-learn {sklearn.__version__}, "
                            f"numpy {numpy.__version__}, scipy {scipy.__version__}\n".encode())
    for path in model_inputs():
        content = path.read_bytes()
        digest.update(f"{path.name} {len(content)}\n".encode())
        digest.update(content)
    return digest.hexdigest()


def cache_path(var_dir: Path, key: str) -> Path:
    return Path(var_dir) / CACHE_DIR / f"classifiers-{key[:24]}.pickle"


def load_cached(path: Path, key: str) -> Classifiers | None:
    """The classifiers kept in `path` for `key`, or None when there is no usable file."""
    try:
        with open(path, "rb") as fh:
            kept = pickle.load(fh)  # a file this module wrote in the app's var dir, never another
    except FileNotFoundError:
        return None
    except Exception as error:  # torn, truncated, written by another version: fit again
        log.warning("chatbot: cannot read the kept classifiers %s (%s); fitting them again", path, error)
        return None
    if not (isinstance(kept, dict) and kept.get("key") == key and isinstance(kept.get("classifiers"), Classifiers)):
        log.warning("chatbot: %s holds other classifiers than expected; fitting them again", path)
        return None
    return kept["classifiers"]


def save_cached(path: Path, key: str, classifiers: Classifiers) -> None:
    """Write the classifiers whole to a private file and rename it into place; drop other keys' files."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            pickle.dump({"key": key, "classifiers": classifiers}, fh, protocol=pickle.HIGHEST_PROTOCOL)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(draft, path)
    finally:
        draft.unlink(missing_ok=True)
    for old in path.parent.glob("classifiers-*.pickle"):
        if old != path:
            old.unlink(missing_ok=True)


class Preparation:
    """One process's classifiers: loaded from the var dir's cache or fitted, once.

    `fits` and `loads` count what `prepare` did (tests assert a second start does not fit)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()     # held while loading or fitting
        self._start_lock = threading.Lock()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self.classifiers: Classifiers | None = None
        self.fits = 0
        self.loads = 0

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def prepare(self, var_dir: Path) -> Classifiers | None:
        """Load or fit the classifiers (once; a second call returns the first's)."""
        with self._lock:
            if not self._done.is_set():
                try:
                    self.classifiers = self._load_or_fit(Path(var_dir))
                except Exception:  # never a crash: understanding goes on by the rules
                    log.exception("chatbot: the classifiers could not be prepared; understanding by rules only")
                    self.classifiers = None
                self._done.set()
        return self.classifiers

    def _load_or_fit(self, var_dir: Path) -> Classifiers | None:
        try:
            key = cache_key()
        except FileNotFoundError as error:
            log.error("chatbot: no training data (%s); understanding by rules only", error.filename)
            return None
        path = cache_path(var_dir, key)
        started = time.perf_counter()
        kept = load_cached(path, key)
        if kept is not None:
            self.loads += 1
            log.info("chatbot: loaded the kept classifiers in %.1f s", time.perf_counter() - started)
            return kept
        started = time.perf_counter()
        fitted = fit(load_rows())
        self.fits += 1
        log.info("chatbot: fitted the classifiers in %.1f s", time.perf_counter() - started)
        try:
            save_cached(path, key, fitted)
        except OSError as error:
            log.warning("chatbot: cannot keep the fitted classifiers in %s (%s); the next start fits again",
                        path, error.strerror or error)
        return fitted

    def start(self, var_dir: Path) -> None:
        """Prepare on a thread of its own (the app's start-up); at most once."""
        with self._start_lock:
            if self._thread is not None or self._done.is_set():
                return
            self._thread = threading.Thread(target=self.prepare, args=(Path(var_dir),),
                                            name="chatbot-classifiers", daemon=True)
            self._thread.start()

    def get(self) -> Classifiers | None:
        """The classifiers; None while start-up's thread is still at them (the rules answer)."""
        if self._done.is_set():
            return self.classifiers
        if self._thread is not None:
            return None
        return self.prepare(var_dir_from_env())

    async def ready(self, timeout: float | None = None) -> bool:
        """Wait (without blocking the loop) until start-up's thread is done, at most `timeout` s
        (default `WAIT_SECONDS`)."""
        if self._done.is_set() or self._thread is None:
            return True
        timeout = WAIT_SECONDS if timeout is None else timeout
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._done.is_set():
            if loop.time() >= deadline:
                log.warning("chatbot: the classifiers are not ready after %.0f s; answering by the rules", timeout)
                return False
            await asyncio.sleep(0.02)
        return True


_process = Preparation()
ENABLED = True  # False: understanding by rules only (the comparison in evaluate.py uses it)


def preparation() -> Preparation:
    """This process's `Preparation` (what it did: `fits`, `loads`)."""
    return _process


def classifiers() -> Classifiers | None:
    """This process's fitted classifiers, or None (rules only: disabled, not ready, no data)."""
    return _process.get() if ENABLED else None


def start(var_dir: Path) -> None:
    """Load or fit this process's classifiers on their own thread (called at the app's start-up)."""
    if ENABLED:
        _process.start(var_dir)


async def ready(timeout: float | None = None) -> bool:
    """Wait until start-up's classifiers are ready (at most `timeout` s); True when they are."""
    return await _process.ready(timeout)
