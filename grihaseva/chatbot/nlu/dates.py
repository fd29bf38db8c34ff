"""The day a message means, relative to `now` (provider-local).

* "today"/"aaj"/"tonight"/"this evening" -> today; "tomorrow"/"kal" -> +1;
  "day after tomorrow"/"parso" -> +2; "in N days", "after N days", "N din baad"
  -> +N; "in a week" -> +7.  "kal" always means tomorrow (a booking bot is
  asked about the future).
* A weekday name ("saturday", "this saturday", "on sat", "next monday",
  "shanivar") is the first such day after today.  Said on that same weekday,
  "this tuesday" means today and a bare "tuesday" or "next tuesday" means a
  week from today (this matches dateparser's own reading).
* "on 28th" / "the 2nd" / "on 30": that day of this month, or of next month
  when it has already passed.  Dates with a month ("28 Nov", "Dec 3",
  "28/11", day first) go through `dateparser` and are never in the past.
* "next week", "this weekend" and similar spans are not one day: day is None.
"""

from __future__ import annotations

import re
import threading
from datetime import date, datetime, time, timedelta

from .lexicon import NUMBER_WORDS, WEEKDAYS
from .text import Msg

_MONTH_RE = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
             r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")

_dateparser_lock = threading.Lock()
_dateparser_mod = None


def _dateparser():
    global _dateparser_mod
    if _dateparser_mod is None:
        with _dateparser_lock:
            if _dateparser_mod is None:
                import dateparser  # slow import: done once, on first use
                _dateparser_mod = dateparser
    return _dateparser_mod


def _parse_calendar_date(fragment: str, today: date) -> date | None:
    """A date with a month ("28 nov", "dec 3", "28/11"), never before `today`."""
    base = datetime.combine(today, time(0, 0)) - timedelta(seconds=1)
    settings = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": base,  # just before today's midnight, so "24 nov" on 24 Nov is today
        "RETURN_AS_TIMEZONE_AWARE": False,
        "DATE_ORDER": "DMY",
        "REQUIRE_PARTS": ["day", "month"],
    }
    try:
        parsed = _dateparser().parse(fragment, languages=["en"], settings=settings)
    except Exception:  # dateparser raises on a few odd inputs; a date is optional
        parsed = None
    if parsed is None:
        return None
    d = parsed.date()
    if d < today:  # an explicit past year, or dateparser ignoring the preference
        try:
            d = d.replace(year=today.year + (1 if (d.month, d.day) < (today.month, today.day) else 0))
        except ValueError:
            return None
    return d


def _day_of_month(n: int, today: date) -> date | None:
    year, month = today.year, today.month
    for _ in range(3):
        if n >= 1:
            try:
                d = date(year, month, n)
            except ValueError:
                d = None
            if d is not None and d >= today:
                return d
        month += 1
        if month > 12:
            month, year = 1, year + 1
    return None


_REL_DAYS_RE = re.compile(
    r"\b(?:(?:in|after)\s+(?P<n1>\d{1,2}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|ek|do|teen|"
    r"char|chaar|paanch|panch)\s+(?P<u1>days?|weeks?|din|hafte|hafta)"
    r"|(?P<n2>\d{1,2}|a|an|one|two|three|four|five|six|seven|ek|do|teen|char|chaar|paanch|panch)\s+"
    r"(?P<u2>days?|weeks?|din|hafte|hafta)\s+(?:later|baad|bad|mein|me|main|from now|after))\b")
_MONTH_DATE_RE = re.compile(
    rf"\b(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m1>{_MONTH_RE})\b(?:\s+\d{{4}})?"
    rf"|(?P<m2>{_MONTH_RE})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\b(?:\s+\d{{4}})?)")
_NUMERIC_DATE_RE = re.compile(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b")
_ORDINAL_RE = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b")
_ON_DAY_RE = re.compile(r"\b(?:on|by|till|until)\s+(?:the\s+)?(\d{1,2})\b(?!\s*(?::|am|pm|baje|bje|o clock|oclock|"
                        r"hours?|minutes?|days?|din|weeks?|bhk|rupees|rs|people|seats|bathrooms?|rooms?))")


def extract_day(msg: Msg, today: date) -> tuple[date | None, int]:
    """The day meant and how many distinct days the message names."""
    text = msg.text
    found: list[tuple[int, date | None]] = []  # (char position, date); None marks a span (no one day)

    def add(pos: int, d: date | None) -> None:
        found.append((pos, d))

    for mt in re.finditer(r"\bday after (?:tomorrow|tommorow|kal)\b|\bparso\b|\bparson\b|\bparsoon\b|"
                          r"\bparsu\b|\bovermorrow\b", text):
        add(mt.start(), today + timedelta(days=2))
    for mt in re.finditer(r"\b(?:tomorrow|kal|kalh)\b", text):
        if text[max(0, mt.start() - 10):mt.start()].endswith("day after "):
            continue
        add(mt.start(), today + timedelta(days=1))
    for mt in re.finditer(r"\b(?:today|aaj|aj|tonight|abhi ke abhi)\b", text):
        add(mt.start(), today)
    for mt in re.finditer(r"\bthis (?:morning|afternoon|evening|night)\b", text):
        add(mt.start(), today)
    for mt in _REL_DAYS_RE.finditer(text):
        n = mt.group("n1") or mt.group("n2")
        unit = mt.group("u1") or mt.group("u2")
        k = int(n) if n.isdigit() else NUMBER_WORDS.get(n, 0)
        if unit.startswith(("week", "haft")):
            k *= 7
        if 0 < k <= 60:
            add(mt.start(), today + timedelta(days=k))
    for mt in re.finditer(r"\b(?:next|agle|agla|agli|coming)\s+(?:week|hafte|hafta|month|mahine)\b|"
                          r"\b(?:this|is|coming)\s+(?:week|weekend|hafte|hafta|month)\b|\bweekend\b", text):
        add(mt.start(), None)
    # weekday names
    for i, tok in enumerate(msg.tokens):
        wd = WEEKDAYS.get(tok)
        if wd is None:
            continue
        if tok in ("sat", "sun", "mon", "wed") and i > 0 and msg.tokens[i - 1] in ("i", "the", "we", "a"):
            continue  # "I sat", "the sun"
        prev = msg.tokens[i - 1] if i > 0 else ""
        delta = (wd - today.weekday()) % 7
        if delta == 0:
            delta = 0 if prev in ("this", "is", "aaj", "today") else 7
        pos = len(" ".join(msg.tokens[:i]))
        add(pos, today + timedelta(days=delta))
    # dates with a month
    month_spans = []
    for mt in _MONTH_DATE_RE.finditer(text):
        d = _parse_calendar_date(mt.group(0), today)
        if d is not None:
            add(mt.start(), d)
            month_spans.append((mt.start(), mt.end()))
    for mt in _NUMERIC_DATE_RE.finditer(text):
        dd, mm = int(mt.group(1)), int(mt.group(2))
        if 1 <= dd <= 31 and 1 <= mm <= 12:
            d = _parse_calendar_date(mt.group(0), today)
            if d is not None:
                add(mt.start(), d)
                month_spans.append((mt.start(), mt.end()))

    def in_month_span(pos: int) -> bool:
        return any(a <= pos < b for a, b in month_spans)

    for mt in _ORDINAL_RE.finditer(text):
        if in_month_span(mt.start()):
            continue
        after = text[mt.end():mt.end() + 8]
        if re.match(r"\s*(?:floor|time|person|visit|booking|bhk)", after):
            continue
        d = _day_of_month(int(mt.group(1)), today)
        if d is not None:
            add(mt.start(), d)
    for mt in _ON_DAY_RE.finditer(text):
        if in_month_span(mt.start(1)):
            continue
        n = int(mt.group(1))
        if 1 <= n <= 31:
            d = _day_of_month(n, today)
            if d is not None:
                add(mt.start(), d)
    if not found:
        return None, 0
    # The target of a reschedule ("move tomorrow's booking to friday") is the
    # last date named; with one date named this is simply that date.
    dated = [f for f in found if f[1] is not None]
    if not dated:
        return None, 0
    distinct = len({d for _, d in dated})
    if distinct > 1:
        # "move tomorrow's booking to friday": prefer the date introduced by "to"/"on"/"for"
        for pos, d in sorted(dated, key=lambda f: -f[0]):
            before = text[max(0, pos - 4):pos]
            if re.search(r"\b(?:to|on|for)\s$", before):
                return d, distinct
        # "kal ki booking parso kar do": the later-named date is the new one
        return max(dated, key=lambda f: f[0])[1], distinct
    return min(dated, key=lambda f: f[0])[1], distinct

