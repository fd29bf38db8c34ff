"""The part of the day, the clock time and a window of time a message names.

* part_of_day is set only when the message names one: morning/subah/सुबह,
  afternoon/dopahar/दोपहर, evening/shaam/शाम, night/raat/रात/tonight.
  Greetings ("good morning") do not count.
* A clock time ("at 10", "10:30 am", "6 pm", "5 baje", "shaam 6", "tomorrow
  10", "साढ़े चार बजे", "char baje") sets `at`.  With am/pm, or a 24-hour hour
  (13-23), it is taken as written.  Otherwise the part of day decides (morning
  -> am; afternoon, evening -> pm; night -> pm, except 1-4 which stay small
  hours and 12 which is midnight), and with no part of day the home-services
  rule applies: 1-7 -> pm (13:00-19:00), 8-11 -> am, 12 -> noon.  "noon" is
  12:00.  Bare numbers ("2 days", "2bhk", "28th", phone numbers) are never times.
* A window sets `after` and/or `before` instead of `at`: "after 5", "5 ke
  baad", "5 बजे के बाद" (after 17:00); "before 11", "by 5", "till 4", "12 se
  pehle", "before noon"; "between 4 and 6 pm", "4-6 pm", "10 se 12" (both).
* Number words count as digits before "baje" and after "saade"/"sawa"/"paune":
  "saade char" = 4:30, "sawa paanch" = 5:15, "paune chhe" = 5:45, "dedh" =
  1:30 and "dhai" = 2:30.
"""

from __future__ import annotations

import re
from datetime import time

from .lexicon import PART_WORDS
from .text import Msg

_NUM = {"ek": 1, "do": 2, "teen": 3, "char": 4, "chaar": 4, "paanch": 5, "panch": 5, "chhe": 6, "che": 6,
        "chheh": 6, "saat": 7, "aath": 8, "nau": 9, "das": 10, "gyarah": 11, "barah": 12, "baarah": 12}
_NUM_RE = "|".join(sorted(_NUM, key=len, reverse=True))


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


_UNIT_AFTER = (r"(?!\s*(?:days?|din|hours?|hrs?|ghante|minutes?|mins?|weeks?|hafte|months?|years?|st|nd|rd|th|bhk|"
               r"rupees|rupaye|rs|people|persons?|seats?|bathrooms?|rooms?|times?|baar|%|/|\d))")
_H = r"(\d{1,2})(?:[:.](\d{2}))?"
_AMPM = r"\s*(am|pm)?"
_CLOCK = r"(?:\s*(?:baje|bje|o clock|oclock))?"

# windows: (pattern, kind); groups are hour, minute, am/pm of each end
_WINDOW_PATTERNS = (
    (re.compile(r"\b(?:between|from|btw)?\s*" + _H + _AMPM + _CLOCK + r"\s+(?:and|to|or|se|till|until)\s+"
                + _H + _AMPM + _CLOCK + r"(?:\s+(?:ke\s+)?(?:beech|bich|tak))?\b" + _UNIT_AFTER), "between"),
    (re.compile(r"\b(?:after|aftr|past)\s+" + _H + _AMPM + r"\b" + _UNIT_AFTER), "after"),
    (re.compile(r"\b" + _H + _AMPM + _CLOCK + r"\s+(?:ke\s+)?(?:baad|bad|ke baad)\b"), "after"),
    (re.compile(r"\b(?:before|by|till|until|latest by|no later than)\s+" + _H + _AMPM + r"\b" + _UNIT_AFTER),
     "before"),
    (re.compile(r"\b" + _H + _AMPM + _CLOCK + r"\s+(?:se\s+)?(?:pehle|pahle|phle|tak)\b"), "before"),
)

_TIME_PATTERNS = (
    # half past 4, saade 5
    (re.compile(r"\b(?:half past|saade|sade|sadhe|saadhe)\s+(\d{1,2})\b" + _UNIT_AFTER), "half"),
    (re.compile(r"\b(?:quarter past|sawa|sava)\s+(\d{1,2})\b" + _UNIT_AFTER), "quarter"),
    (re.compile(r"\b(?:quarter to|paune|pone)\s+(\d{1,2})\b" + _UNIT_AFTER), "quarter_to"),
    # 10:30 am, 6 pm, 5pm
    (re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)\b"), "ampm"),
    # 17:30, 10.30
    (re.compile(r"\b(\d{1,2})[:.](\d{2})\b"), "hm"),
    # 5 baje, 6 o'clock
    (re.compile(r"\b(\d{1,2})\s*(?:baje|bje|baja|o clock|oclock)\b"), "h"),
    # at 10, around 4
    (re.compile(r"\b(?:at|around|arnd|about|approx|approximately|@|from)\s+(\d{1,2})\b" + _UNIT_AFTER), "h"),
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


def _digits(text: str) -> str:
    """Number words as digits where they are clock hours ("char baje" -> "4 baje", "dedh baje" -> "1:30")."""
    t = re.sub(rf"\b(saade|sade|sadhe|saadhe|sawa|sava|paune|pone)\s+({_NUM_RE})\b",
               lambda m: f"{m.group(1)} {_NUM[m.group(2)]}", text)
    t = re.sub(rf"\b({_NUM_RE})\s+(baje|bje|ke baad|ke bad|se pehle)\b", lambda m: f"{_NUM[m.group(1)]} {m.group(2)}", t)
    t = re.sub(r"\bdedh\s+(baje|bje)\b", r"1:30 \1", t)
    t = re.sub(r"\bdhai\s+(baje|bje)\b", r"2:30 \1", t)
    t = re.sub(r"\b(noon|dopahar 12|midday)\b", "12:00 pm", t)
    return t


def _clock(h: int, minute: int, ampm: str | None, part: str | None) -> time | None:
    if minute > 59:
        return None
    if ampm:
        if not 1 <= h <= 12:
            return None
        return time((h % 12) + (12 if ampm == "pm" else 0), minute)
    hour = _resolve_hour(h, part)
    return None if hour is None else time(hour, minute)


def extract_window(msg: Msg, part: str | None) -> tuple[time | None, time | None]:
    """(after, before) of a window of time the message names, or (None, None)."""
    text = _digits(msg.text)
    for pattern, kind in _WINDOW_PATTERNS:
        mt = pattern.search(text)
        if not mt:
            continue
        if kind == "between":
            h1, m1, a1, h2, m2, a2 = mt.groups()
            if not (a1 or a2 or part or re.search(r"\b(?:between|from|btw)\b|\b(?:baje|bje|beech|bich|tak)\b",
                                                  mt.group(0))):
                continue  # "2 or 3 bathrooms", "1 to 2 hours" never get here; "3 to 4" alone stays unread
            end = _clock(int(h2), int(m2 or 0), a2, part)
            start = _clock(int(h1), int(m1 or 0), a1 or (a2 if int(h1) <= int(h2) or a2 == "am" else None), part)
            if start is None or end is None:
                continue
            if start >= end and not a1:  # "10 to 1": 10 am to 1 pm
                alt = _clock(int(h1), int(m1 or 0), None, "morning")
                start = alt if alt and alt < end else start
            return start, end
        h, m, ampm = mt.group(1), mt.group(2), mt.group(3)
        at = _clock(int(h), int(m or 0), ampm, part)
        if at is None:
            continue
        return (at, None) if kind == "after" else (None, at)
    if re.search(r"\bbefore (?:noon|lunch|12:00 pm)\b|\bdopahar se pehle\b", text):
        return None, time(12, 0)
    if re.search(r"\bafter (?:12:00 pm)\b", text):
        return time(12, 0), None
    return None, None


def extract_time(msg: Msg, part: str | None) -> time | None:
    text = _digits(msg.text)
    for pattern, kind in _TIME_PATTERNS:
        mt = pattern.search(text)
        if not mt:
            continue
        h = int(mt.group(1))
        minute = 0
        if kind == "ampm":
            at = _clock(h, int(mt.group(2) or 0), mt.group(3), part)
            if at is None:
                continue
            return at
        if kind == "hm":
            minute = int(mt.group(2))
            if minute > 59:
                continue
        elif kind == "half":
            minute = 30
        elif kind == "quarter":
            minute = 15
        elif kind == "quarter_to":
            h, minute = (h - 1) or 12, 45
        hour = _resolve_hour(h, part)
        if hour is None:
            continue
        return time(hour, minute)
    return None
