"""The rules' whole reading of a message: its entities and a first intent (what the classifiers read too)."""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from .dates import extract_day
from .intents import decide_intent
from .lexicon import FEMALE_HEADS, FEMALE_WORDS
from .model import CatalogueEntry
from .targets import match_target, matcher
from .text import Msg, tokenise
from .times import extract_part, extract_time, extract_window


def women_asked(msg: Msg) -> bool:
    """Asked for a woman professional: a female word next to a professional or a request."""
    toks = msg.tokens
    for i, tok in enumerate(toks):
        if tok not in FEMALE_WORDS:
            continue
        if tok in ("didi", "madam") and i == 0:
            continue  # "didi, ..." addresses someone
        window = " ".join(toks[i + 1:i + 4])
        if any(f" {h} " in f" {window} " for h in FEMALE_HEADS):
            if msg.any(("only for women", "only for ladies", "men book", "for men", "for my husband")):
                return False
            return True
    return False


def normalised_text(text: str, catalogue: Sequence[CatalogueEntry] = ()) -> str:
    """The message as the rules read it: tokens joined by spaces (what the classifiers read too)."""
    names = matcher(tuple(catalogue)).name_words if catalogue else frozenset()
    return Msg(tokenise((text or "")[:2000], names)).text



def by_rules(text: str, now: datetime, catalogue: Sequence[CatalogueEntry]) -> dict:
    """Everything the rules read from a message (the intent included)."""
    text = (text or "")[:2000]
    m = matcher(tuple(catalogue))
    msg = Msg(tokenise(text, m.name_words))
    service, category = match_target(msg, m)
    today = now.date()
    reading = extract_day(msg, today)
    day = reading.day
    part = extract_part(msg)
    if day is None and part == "night" and msg.has("tonight"):
        day = today
    after, before = extract_window(msg, part)
    at = None if (after or before) else extract_time(msg, part)
    when = (day is not None or part is not None or at is not None or after is not None or before is not None
            or reading.day_from is not None)
    women = women_asked(msg)
    intent, topic = decide_intent(msg, (service, category), when, m, reading.n_days, women)
    return dict(text=text, m=m, msg=msg, service=service, category=category, reading=reading, day=day, part=part,
                after=after, before=before, at=at, women=women, intent=intent, topic=topic)


_RULES_NOW = datetime(2026, 11, 24, 10, 0)


def rules_intent(text: str, catalogue: Sequence[CatalogueEntry], now: datetime = _RULES_NOW) -> str:
    """The intent the rules alone give (what the intent classifier reads besides the words)."""
    return by_rules(text, now, catalogue)["intent"]
