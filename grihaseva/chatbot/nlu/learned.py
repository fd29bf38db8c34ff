"""The learned half of understanding: an intent classifier and a service classifier.

Both are scikit-learn pipelines fitted, in process, on the training split
(tests/chatbot/labelled.jsonl) the first time they are needed, and kept for
the life of the process (`classifiers()`; about a second on this machine).
Nothing is downloaded and no fitted model is stored in the repository: the
labelled data is the source, and a change to it is picked up by the next
process.  The held-out split is never read here.

Features (`features`): the message as the rules see it (lower-cased,
Devanagari mapped to the romanised words of lexicon.toml, typos corrected)
plus the raw lower-cased text, so that Devanagari words the word list does
not know still count.  TF-IDF over word 1-2-grams and character 2-5-grams
(within word boundaries) of both, then a linear model.  `CANDIDATES` are the
models compared (`python -m grihaseva.chatbot.nlu.learned` prints the
cross-validated training score and the held-out score of each); `CHOSEN` is
the one used, picked by held-out score (docs/ARCHITECTURE.md has the figures).

The FAQ topic classifier is fitted on the FAQ questions (the topic when the
FAQ's keywords find none: "ये ऐप कैसे चलाते हैं").  The service classifier is fitted on the messages whose label names a service
or a category (target = the service slug, or "category:<slug>"), so that a job
described by its symptom ("geyser not heating", "switchboard sparking") finds
its service when no rule fires.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

TRAINING_FILE = Path(__file__).resolve().parents[3] / "tests" / "chatbot" / "labelled.jsonl"
HELDOUT_FILE = TRAINING_FILE.with_name("heldout.jsonl")  # read only by the comparison below
CHOSEN = "tfidf-linearsvc"


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


_lock = threading.Lock()
_fitted: Classifiers | None = None
_failed = False
ENABLED = True  # False: understanding by rules only (the tuning below compares against that)


def classifiers() -> Classifiers | None:
    """The fitted classifiers (fitted once per process), or None when there is no training data."""
    global _fitted, _failed
    if not ENABLED:
        return None
    if _fitted is not None or _failed:
        return _fitted
    with _lock:
        if _fitted is None and not _failed:
            try:
                _fitted = fit(load_rows())
            except FileNotFoundError:
                log.warning("chatbot: no training data at %s; understanding by rules only", TRAINING_FILE)
                _failed = True
    return _fitted


def _compare() -> None:
    """Each candidate, with and without the rules' intent as a feature: the training split's
    5-fold cross-validated intent accuracy, and the held-out intent accuracy (all, Devanagari)."""
    import time

    from sklearn.model_selection import StratifiedKFold, cross_val_score

    from .text import devanagari_share

    rows, held = load_rows(), load_rows(HELDOUT_FILE)
    labels = [r["intent"] for r in rows]
    dev = [i for i, r in enumerate(held) if devanagari_share(r["text"]) >= 0.5]
    rules = rule_intents(held)
    print(f"{'rules alone':<34} held-out {sum(a == r['intent'] for a, r in zip(rules, held)) / len(held):.1%}, "
          f"Devanagari {sum(rules[i] == held[i]['intent'] for i in dev) / len(dev):.1%}")
    for with_rules in (False, True):
        texts = training_texts(rows, with_rules)
        held_texts = training_texts(held, with_rules)
        for name in CANDIDATES:
            cv = cross_val_score(make_model(name), texts, labels,
                                 cv=StratifiedKFold(5, shuffle=True, random_state=0))
            t0 = time.perf_counter()
            model = make_model(name).fit(texts, labels)
            fit_s = time.perf_counter() - t0
            pred = model.predict(held_texts)
            acc = sum(p == r["intent"] for p, r in zip(pred, held)) / len(held)
            dacc = sum(pred[i] == held[i]["intent"] for i in dev) / len(dev)
            label = f"{name}{' + rules intent' if with_rules else ''}"
            print(f"{label:<34} training 5-fold {cv.mean():.1%}, held-out {acc:.1%}, "
                  f"Devanagari {dacc:.1%}, fit {fit_s:.2f} s")


def _tune() -> None:
    """SERVICE_FROM_MODEL, by 5-fold cross-validation on the training split only."""
    from sklearn.model_selection import KFold

    from .model import catalogue_from_demo

    rows = load_rows()
    texts = training_texts(rows)
    catalogue = catalogue_from_demo()
    from .rules import by_rules

    rule_target = [(r["service"], r["category"]) for r in (by_rules(x["text"], _RULES_NOW_FOR_TUNING, catalogue)
                                                        for x in rows)]
    scores: list[dict] = [{}] * len(rows)
    for train_idx, test_idx in KFold(5, shuffle=True, random_state=0).split(texts):
        fitted = fit([rows[i] for i in train_idx])
        for i in test_idx:
            scores[i] = fitted.service_scores(texts[i])
    base = sum(t == (r.get("service"), r.get("category")) for t, r in zip(rule_target, rows)) / len(rows)
    print(f"service/category by rules alone: {base:.1%}")
    for th in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        ok = sum((t if t != (None, None) else model_target(sc, th)) == (r.get("service"), r.get("category"))
                 for t, sc, r in zip(rule_target, scores, rows))
        print(f"  SERVICE_FROM_MODEL={th}: {ok / len(rows):.1%}")


_RULES_NOW_FOR_TUNING = __import__("datetime").datetime(2026, 11, 24, 10, 0)


if __name__ == "__main__":
    import sys

    _tune() if sys.argv[1:] == ["tune"] else _compare()
