"""Offline language understanding for the GrihaSeva chatbot.

`understand(text, now, catalogue)` turns one customer message (English,
Roman-script Hindi/Hinglish, typos and all) into an `Understanding`: an intent
plus the entities the chat views need (service or category, day, part of day,
clock time, yes/no, FAQ topic).  Everything runs in process with no network:
hand-written lexicons and rules, `rapidfuzz` for typo correction and
`dateparser` for calendar dates written with a month ("28 Nov", "3rd December",
"28/11").  Entities are extracted from every message, whatever the intent.

One module per concern, each with its rules in its docstring:

    lexicon.toml, lexicon.py   every word list, as data, and its names for the code
    text.py                    tokenising and typo correction (`Msg`)
    targets.py                 the service or category named
    dates.py, times.py         the day; the part of the day and the clock time
    cues.py, intents.py        small readings of a message; the intent rules in order
    model.py                   `Understanding`, `CatalogueEntry`, the intents
"""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from .dates import extract_day
from .intents import decide_intent
from .model import INTENTS, PARTS_OF_DAY, CatalogueEntry, Understanding, catalogue_from_demo
from .targets import match_target, matcher
from .text import Msg, tokenise
from .times import extract_part, extract_time

__all__ = [
    "INTENTS", "PARTS_OF_DAY", "CatalogueEntry", "Understanding",
    "understand", "catalogue_from_demo",
]


def understand(text: str, now: datetime, catalogue: Sequence[CatalogueEntry]) -> Understanding:
    """Understand one customer message.

    `now` is the current time in the provider-local zone; relative dates
    ("tomorrow", "this saturday") resolve from its calendar date.
    """
    m = matcher(tuple(catalogue))
    msg = Msg(tokenise(text or "", m.name_words))
    service, category = match_target(msg, m)
    today = now.date()
    day, n_days = extract_day(msg, today)
    part = extract_part(msg)
    if day is None and part == "night" and msg.has("tonight"):
        day = today
    at = extract_time(msg, part)
    when = day is not None or part is not None or at is not None
    intent, topic = decide_intent(msg, (service, category), when, m, n_days)
    u = Understanding(intent=intent, service=service, category=category, day=day, part_of_day=part, at=at,
                      faq=topic if intent == "faq" else None)
    u.yes = intent == "confirm"
    u.no = intent == "deny"
    return u
