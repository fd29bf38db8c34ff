"""The part of the day and the clock time a message names.

* part_of_day is set only when the message names one: morning/subah,
  afternoon/dopahar, evening/shaam, night/raat/tonight.  Greetings
  ("good morning") do not count.
* A clock time ("at 10", "10:30 am", "6 pm", "5 baje", "shaam 6", "tomorrow
  10") sets `at`.  With am/pm, or a 24-hour hour (13-23), it is taken as
  written.  Otherwise the part of day decides (morning -> am; afternoon,
  evening -> pm; night -> pm, except 1-4 which stay small hours and 12 which
  is midnight), and with no part of day the home-services rule applies:
  1-7 -> pm (13:00-19:00), 8-11 -> am, 12 -> noon.  "noon" is 12:00.
  Bare numbers ("2 days", "2bhk", "28th", phone numbers) are never times.
"""

from __future__ import annotations

import re
from datetime import time

from .lexicon import PART_WORDS
from .text import Msg


def extract_part(msg: Msg) -> str | None:
    toks = msg.tokens
    for i, tok in enumerate(toks):
        part = PART_WORDS.get(tok)
        if part is None:
            continue
        if i > 0 and toks[i - 1] in ("good", "gud", "shubh"):
            continue  # greeting / farewell
        return part
    if msg.has("after lunch") or msg.has("post lunch") or msg.has("lunch time"):
        return "afternoon"
    return None


_UNIT_AFTER = (r"(?!\s*(?:days?|din|hours?|hrs?|minutes?|mins?|weeks?|months?|years?|st|nd|rd|th|bhk|"
               r"rupees|rs|people|persons?|seats?|bathrooms?|rooms?|times?|%|/|\d))")
_TIME_PATTERNS = (
    # "between 4 and 6 pm", "4 to 6 pm": the start of the range, with the end's am/pm
    (re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s+(?:and|to|or)\s+\d{1,2}(?:[:.]\d{2})?\s*(am|pm)\b"), "ampm"),
    # half past 4, saade 5
    (re.compile(r"\b(?:half past|saade|sade|sadhe|saadhe)\s+(\d{1,2})\b" + _UNIT_AFTER), "half"),
    (re.compile(r"\bquarter past\s+(\d{1,2})\b" + _UNIT_AFTER), "quarter"),
    # 10:30 am, 6 pm, 5pm
    (re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)\b"), "ampm"),
    # 17:30, 10.30
    (re.compile(r"\b(\d{1,2})[:.](\d{2})\b"), "hm"),
    # 5 baje, 6 o'clock
    (re.compile(r"\b(\d{1,2})\s*(?:baje|bje|baja|o clock|oclock)\b"), "h"),
    # at 10, by 5, around 4
    (re.compile(r"\b(?:at|by|around|arnd|about|till|until|after|before|from|approx|approximately|"
                r"between|@)\s+(\d{1,2})\b" + _UNIT_AFTER), "h"),
    # shaam 6, morning 7, tomorrow 10, kal 11
    (re.compile(r"\b(?:morning|afternoon|evening|night|tonight|subah|shaam|raat|dopahar|today|tomorrow|"
                r"kal|aaj|parso)\s+(?:ko\s+|at\s+)?(\d{1,2})\b" + _UNIT_AFTER), "h"),
    # 4 in the evening
    (re.compile(r"\b(\d{1,2})\s+(?:in the\s+|at\s+)?(?=morning|afternoon|evening|night|tonight|subah|shaam|"
                r"raat|dopahar)"), "h"),
)


def _resolve_hour(h: int, part: str | None) -> int | None:
    if h > 23:
        return None
    if h >= 13 or h == 0:
        return h
    if part == "morning":
        return 0 if h == 12 else h
    if part in ("afternoon", "evening"):
        return h if h == 12 else h + 12
    if part == "night":
        if h == 12:
            return 0
        return h if h <= 4 else h + 12
    # home-services default: 1-7 -> afternoon/evening, 8-11 -> morning, 12 -> noon
    if 1 <= h <= 7:
        return h + 12
    return h


def extract_time(msg: Msg, part: str | None) -> time | None:
    text = msg.text
    for pattern, kind in _TIME_PATTERNS:
        mt = pattern.search(text)
        if not mt:
            continue
        h = int(mt.group(1))
        minute = 0
        if kind == "ampm":
            minute = int(mt.group(2) or 0)
            ampm = mt.group(3)
            if not 1 <= h <= 12 or minute > 59:
                continue
            h = (h % 12) + (12 if ampm == "pm" else 0)
            return time(h, minute)
        if kind == "hm":
            minute = int(mt.group(2))
            if minute > 59:
                continue
        elif kind == "half":
            minute = 30
        elif kind == "quarter":
            minute = 15
        hour = _resolve_hour(h, part)
        if hour is None:
            continue
        return time(hour, minute)
    if msg.has("noon") or msg.has("midday") or msg.has("dopahar 12"):
        if not msg.has("afternoon"):
            return time(12, 0)
    return None

