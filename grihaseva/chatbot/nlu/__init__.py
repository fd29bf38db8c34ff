"""Offline language understanding for the GrihaSeva chatbot.

`understand(text, now, catalogue)` turns one customer message (English,
Roman-script Hindi/Hinglish, Devanagari, typos and all) into an
`Understanding`: an intent plus the entities the chat views need (service or
category, day or span, part of day, clock time or window, women, date problem,
yes/no, FAQ topic, language).  Everything runs in process with no network:
hand-written lexicons and rules for the entities and a first intent,
`rapidfuzz` for typo correction, and scikit-learn classifiers (learned.py) for
the intent and, when no rule named one, the service.  Entities are extracted
from every message, whatever the intent.

One module per concern, each with its rules in its docstring:

    lexicon.toml, lexicon.py   every word list, as data, and its names for the code
    text.py                    tokenising and typo correction (`Msg`)
    targets.py                 the service or category named
    dates.py, times.py         the day, span or date problem; part of day, clock time, window
    learned.py, data/          the classifiers and their training split; kept under the var dir
    cues.py, intents.py        small readings of a message; the intent rules in order
    model.py                   `Understanding`, `CatalogueEntry`, the intents
"""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from . import learned
from .intents import faq_topic_ungated
from .lexicon import COMMON_WORDS, HINGLISH_FUNCTION
from .model import INTENTS, PARTS_OF_DAY, CatalogueEntry, Understanding, catalogue_from_demo
from .rules import by_rules, normalised_text, rules_intent
from .text import Msg, devanagari_share

__all__ = [
    "INTENTS", "PARTS_OF_DAY", "CatalogueEntry", "Understanding",
    "understand", "catalogue_from_demo", "normalised_text", "rules_intent",
]

# Romanised Hindi words that are not English: one of these makes a message Hinglish.
_HINGLISH = frozenset((HINGLISH_FUNCTION - COMMON_WORDS) | {
    "kal", "aaj", "parso", "chahiye", "subah", "shaam", "raat", "dopahar", "baje", "bje", "nal", "bijli", "safai",
    "pankha", "karwana", "bhejo", "haan", "nahi", "theek", "mahila", "wali", "wala", "baad", "pehle", "din",
    "hafte", "shukriya", "dhanyavaad", "namaste", "kitna", "kitne", "lagega", "karni", "karna", "hai", "kya",
    "mera", "meri", "mujhe", "tapak", "raha", "rahi", "gaya", "aaya", "tha", "thi", "ka", "ki", "ke", "ko",
    "se", "mein", "aur", "bhi", "abhi", "kab", "kaise", "dobara", "wahi", "shikayat", "ji", "bhaiya", "didi",
})


def _language(text: str, msg: Msg) -> str | None:
    """"hi" when the message is mostly Devanagari, "en" when plain English, None for Hinglish."""
    share = devanagari_share(text)
    if share >= 0.5:
        return "hi"
    if share > 0 or not msg.tokens:
        return None
    if any(t in _HINGLISH and t not in ("to", "do", "me", "the", "hi", "ho", "se", "ki", "is") for t in msg.tokens):
        return None
    return "en" if any(t.isalpha() for t in msg.tokens) else None


# The service classifier names a service only when no rule did and it is at least this sure
# (tuned by cross-validation on the training split only: `python -m grihaseva.chatbot.nlu.learned tune`).
SERVICE_FROM_MODEL = 0.70
_JOB_INTENTS = ("book", "find_slots", "service_info", "status", "cancel", "reschedule", "book_again", "complaint")


def understand(text: str, now: datetime, catalogue: Sequence[CatalogueEntry]) -> Understanding:
    """Understand one customer message.

    `now` is the current time in the provider-local zone; relative dates
    ("tomorrow", "this saturday") resolve from its calendar date.  The rules
    read every entity; the classifier decides the intent (reading the rules'
    intent too) and names the service when no rule did.
    """
    r = by_rules(text, now, catalogue)
    text, m, msg, reading, women = r["text"], r["m"], r["msg"], r["reading"], r["women"]
    service, category, intent, topic = r["service"], r["category"], r["intent"], r["topic"]
    day, part, at, after, before = r["day"], r["part"], r["at"], r["after"], r["before"]
    cl = learned.classifiers()
    if cl is not None and msg.tokens:
        rule_intent = intent
        intent = cl.intent(learned.features(msg.text, text, rule_intent))
        feats = learned.features(msg.text, text)
        if intent == "faq" and topic is None:
            topic = faq_topic_ungated(msg) or cl.faq_topic(feats)
        if service is None and category is None and intent in _JOB_INTENTS:
            service, category = learned.model_target(cl.service_scores(feats), SERVICE_FROM_MODEL)
            if service is not None and service not in m.service_category:
                service = None  # a service this catalogue does not have
            if category is not None and category not in m.service_category.values():
                category = None
        if rule_intent == "fallback" and intent in ("book", "find_slots") and not (service or category):
            intent = "fallback"  # a job none of our services or trades names: told as not offered
    u = Understanding(intent=intent, service=service, category=category, day=day, part_of_day=part, at=at,
                      faq=topic if intent == "faq" else None, women=women,
                      day_from=reading.day_from, day_to=reading.day_to, after=after, before=before,
                      date_problem=reading.problem, date_text=reading.text, language=_language(text, msg))
    u.yes = intent == "confirm"
    u.no = intent == "deny"
    return u
