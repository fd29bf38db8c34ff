"""The day a message means, relative to `now` (provider-local).

* "today"/"aaj"/"tonight"/"this evening" -> today; "tomorrow"/"kal" -> +1;
  "day after tomorrow"/"parso" -> +2; "in N days", "after N days", "N din baad"
  -> +N; "in a week" -> +7.  "kal" always means tomorrow (a booking bot is
  asked about the future).
* A weekday name ("saturday", "this saturday", "on sat", "next monday",
  "shanivar") is the first such day after today.  Said on that same weekday,
  "this tuesday" means today and a bare "tuesday" or "next tuesday" means a
  week from today (as dateparser, which the chatbot once used, read them).
* "on 28th" / "the 2nd" / "on 30": that day of this month, or of next month
  when it has already passed.  Dates with a month ("28 Nov", "Dec 3",
  "28/11", day first) are read here and checked (below).
* "next week", "this weekend" and similar spans are not one day: day is None
  and `day_from`/`day_to` hold the span (this weekend: the coming Saturday and
  Sunday; next week: Monday to Sunday after this one; this week: today to
  Sunday; "monday to wednesday", "somvar se budhvar": those days).
* A date that cannot be ("31st November", "30 Feb", "31 नवंबर") is
  date_problem "impossible": `day` is the last valid day of that month when
  still ahead, else the next valid day after it.  A past date ("yesterday",
  "kal ... tha/gaya/aaya", "20 Nov" said on the 24th, "last monday") is
  date_problem "past": `day` is today (for a weekday: its next occurrence).
  `date_text` is the phrase as written.
* "kal" is tomorrow unless a past-tense verb follows it (tha, thi, gaya, aaya,
  hua, kiya ...): then it is yesterday.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from .lexicon import NUMBER_WORDS, PAST_MARKERS, WEEKDAYS
from .text import Msg

_MONTH_RE = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
             r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")

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



_MONTHS = {m: i for i, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
    ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
    ("dec", "december")), 1) for m in names}


@dataclass
class DayReading:
    """What a message says about the day: one day, a span, or a date with a problem."""

    day: date | None = None
    n_days: int = 0
    day_from: date | None = None
    day_to: date | None = None
    problem: str | None = None
    text: str | None = None


def _month_date(dd: int, mm: int, year: int | None, today: date) -> tuple[date | None, str | None]:
    """A day and month (and year) as a date, never silently moved: (date, problem)."""
    if not 1 <= mm <= 12 or dd < 1:
        return None, None
    y = year if year is not None else today.year
    last = monthrange(y, mm)[1]
    if dd > last:
        if dd > 31:
            return None, None
        if year is None and date(y, mm, last) < today:
            y += 1
            last = monthrange(y, mm)[1]
            if dd <= last:  # "29 Feb" in a year without one: next year's may have it
                return date(y, mm, dd), None
        choice = date(y, mm, last)
        if choice < today:
            choice = date(y, mm, last) + timedelta(days=1)
        return max(choice, today), "impossible"
    d = date(y, mm, dd)
    if d >= today:
        return d, None
    if year is None and (today - d).days > 62:  # "5 jan" said in November: next January
        return date(y + 1, mm, dd) if not (mm == 2 and dd == 29) else date(y + 1, 3, 1), None
    return today, "past"


def _weekday_dates(msg: Msg, today: date) -> list[tuple[int, date, int]]:
    """(char position, date, token index) of each weekday named."""
    out = []
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
        out.append((len(" ".join(msg.tokens[:i])) + (1 if i else 0), today + timedelta(days=delta), i))
    return out


def _kal_is_past(msg: Msg, i: int) -> bool:
    """"kal" at token i followed by a past-tense verb: yesterday."""
    rest = msg.tokens[i + 1:i + 9]
    return any(t in PAST_MARKERS for t in rest if t not in ("did", "had", "was", "were", "came")) or (
        any(t in ("was", "were", "came", "did") for t in rest))


def _span(text: str, today: date) -> tuple[int, date, date] | None:
    """A named span of days: (char position, first day, last day)."""
    mt = re.search(r"\b(?:next|agle|agla|agli)\s+weekend\b", text)
    if mt:
        sat = today + timedelta(days=(5 - today.weekday()) % 7 + 7)
        return mt.start(), sat, sat + timedelta(days=1)
    mt = re.search(r"\b(?:this|is|coming|iss)?\s*weekend\b", text)
    if mt:
        wd = today.weekday()
        first = today if wd >= 5 else today + timedelta(days=5 - wd)
        return mt.start(), first, today + timedelta(days=6 - wd)
    mt = re.search(r"\b(?:next|agle|agla|agli|coming)\s+(?:week|hafte|hafta)\b", text)
    if mt:
        mon = today + timedelta(days=7 - today.weekday())
        return mt.start(), mon, mon + timedelta(days=6)
    mt = re.search(r"\b(?:this|is|iss)\s+(?:week|hafte|hafta)\b|\bweek mein\b", text)
    if mt:
        return mt.start(), today, today + timedelta(days=6 - today.weekday())
    mt = re.search(r"\b(?:next|agle|agla)\s+(?:month|mahine|mahina)\b", text)
    if mt:
        y, m = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
        return mt.start(), date(y, m, 1), date(y, m, monthrange(y, m)[1])
    mt = re.search(r"\b(?:this|is)\s+(?:month|mahine|mahina)\b", text)
    if mt:
        return mt.start(), today, date(today.year, today.month, monthrange(today.year, today.month)[1])
    return None


def extract_day(msg: Msg, today: date) -> DayReading:
    """The day meant (or the span, or the problem with it) and how many distinct days are named."""
    text = msg.text
    found: list[tuple[int, date]] = []  # (char position, date)
    problems: list[tuple[int, str, str]] = []  # (char position, problem, phrase)

    def add(pos: int, d: date) -> None:
        found.append((pos, d))

    for mt in re.finditer(r"\bday before yesterday\b|\byesterday\b|\blast night\b|\bkal raat\b(?=.*\b(?:tha|thi|gaya|"
                          r"gayi|aaya|aayi|hua|hui|kiya)\b)", text):
        add(mt.start(), today)
        problems.append((mt.start(), "past", mt.group(0)))
    for mt in re.finditer(r"\bday after (?:tomorrow|tommorow|kal)\b|\bparso\b|\bparson\b|\bparsoon\b|"
                          r"\bparsu\b|\bovermorrow\b", text):
        add(mt.start(), today + timedelta(days=2))
    for mt in re.finditer(r"\b(?:tomorrow|kal|kalh)\b", text):
        if text[max(0, mt.start() - 10):mt.start()].endswith("day after "):
            continue
        if any(a <= mt.start() < a + len(p) for a, _, p in problems):
            continue
        if mt.group(0) != "tomorrow":
            i = len(text[:mt.start()].split())
            if _kal_is_past(msg, i):
                add(mt.start(), today)
                problems.append((mt.start(), "past", mt.group(0)))
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
    weekdays = _weekday_dates(msg, today)
    for pos, d, i in weekdays:
        if i > 0 and msg.tokens[i - 1] in ("last", "pichle", "pichhle", "pichla", "beete"):
            problems.append((pos, "past", f"{msg.tokens[i - 1]} {msg.tokens[i]}"))
        add(pos, d)
    # dates with a month, checked: never silently moved to another month
    month_spans = []
    for mt in _MONTH_DATE_RE.finditer(text):
        dd = int(mt.group("d1") or mt.group("d2"))
        mname = (mt.group("m1") or mt.group("m2"))
        yr = re.search(r"\b(20\d\d)\b", mt.group(0))
        d, problem = _month_date(dd, _MONTHS[mname], int(yr.group(1)) if yr else None, today)
        month_spans.append((mt.start(), mt.end()))
        if d is not None:
            add(mt.start(), d)
            if problem:
                problems.append((mt.start(), problem, mt.group(0)))
    for mt in _NUMERIC_DATE_RE.finditer(text):
        dd, mm = int(mt.group(1)), int(mt.group(2))
        if 1 <= dd <= 31 and 1 <= mm <= 12:
            yr = mt.group(3)
            year = None if yr is None else (int(yr) + 2000 if len(yr) == 2 else int(yr))
            d, problem = _month_date(dd, mm, year, today)
            month_spans.append((mt.start(), mt.end()))
            if d is not None:
                add(mt.start(), d)
                if problem:
                    problems.append((mt.start(), problem, mt.group(0)))

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
    reading = DayReading()
    # "monday to wednesday", "somvar se budhvar tak": a span of named weekdays
    if len(weekdays) == 2 and re.search(r"\b(?:to|se|till|until|and|-)\b", text[weekdays[0][0]:weekdays[1][0]]) \
            and msg.tokens[weekdays[1][2] - 1] in ("to", "se", "till", "until", "and") \
            and weekdays[1][2] - weekdays[0][2] == 2:
        a, b = weekdays[0][1], weekdays[1][1]
        if b < a:
            b += timedelta(days=7)
        reading.day_from, reading.day_to = a, b
        return reading
    if problems:
        pos, problem, phrase = problems[-1]
        reading.problem, reading.text = problem, phrase
    if not found:
        span = _span(text, today)
        if span is not None:
            reading.day_from, reading.day_to = span[1], span[2]
        return reading
    distinct = len({d for _, d in found})
    reading.n_days = distinct
    if distinct > 1:
        # "move tomorrow's booking to friday": prefer the date introduced by "to"/"on"/"for"
        for pos, d in sorted(found, key=lambda f: -f[0]):
            before = text[max(0, pos - 4):pos]
            if re.search(r"\b(?:to|on|for)\s$", before):
                reading.day = d
                return reading
        # "kal ki booking parso kar do": the later-named date is the new one
        reading.day = max(found, key=lambda f: f[0])[1]
        return reading
    reading.day = min(found, key=lambda f: f[0])[1]
    return reading
