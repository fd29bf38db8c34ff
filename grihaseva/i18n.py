"""Languages: which one a reader gets, the translated messages, and numbers, money and dates
formatted by locale. English is the source language; Hindi is the first translation.

Messages are GNU gettext catalogues kept as `grihaseva/translations/<lang>/LC_MESSAGES/messages.po`
and compiled to `.mo` by the Makefile (`make messages` extracts and updates them). Templates use
Jinja's i18n extension (`{{ _("...") }}`, `{% trans %}`); Python uses `gettext` here, or
`lazy_gettext` for module constants, which are translated when they are shown.

The current language is a context variable: the request hook (`select_locale`) sets it from
`?lang=`, the language cookie, the logged-in user's profile or `Accept-Language`; mail and
other work outside a request wraps itself in `use_locale(lang)`. Nothing here knows Quart.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Mapping
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal
from babel.support import LazyProxy, NullTranslations, Translations
from markupsafe import Markup

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
DEFAULT_LOCALE = "en"
# Every language the interface offers, in the order the switch lists them, each named in itself.
LANGUAGES: dict[str, str] = {"en": "English", "hi": "हिन्दी"}
COOKIE = "grihaseva_lang"
# Babel's locale for formatting: Indian English and Hindi (India).
_FORMAT_LOCALE = {"en": "en_IN", "hi": "hi_IN"}
# 12-hour times: "6:30 pm" in English, "शाम 6:30" (the part of the day first) in Hindi.
_TIME_PATTERN = {"en": "h:mm a", "hi": "B h:mm"}
RTL = frozenset()  # no right-to-left language yet (Urdu would be one)

_current: contextvars.ContextVar[str] = contextvars.ContextVar("grihaseva_locale", default=DEFAULT_LOCALE)


def normalize(value: object) -> str | None:
    """"hi", "hi-IN", "HI_in" -> "hi"; a language we do not offer -> None."""
    if not isinstance(value, str):
        return None
    code = value.strip().replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else None


def from_accept_language(header: str | None) -> str | None:
    """The first offered language in an Accept-Language header, by quality."""
    choices = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                continue
        code = normalize(tag)
        if code and quality > 0:
            choices.append((-quality, position, code))
    return min(choices)[2] if choices else None


def get_locale() -> str:
    return _current.get()


def set_locale(code: str) -> None:
    _current.set(normalize(code) or DEFAULT_LOCALE)


@contextmanager
def use_locale(code: str | None) -> Iterator[None]:
    """Render in `code` (a mail in its recipient's language), then go back."""
    token = _current.set(normalize(code) or DEFAULT_LOCALE)
    try:
        yield
    finally:
        _current.reset(token)


def direction(code: str | None = None) -> str:
    return "rtl" if (code or get_locale()) in RTL else "ltr"


@lru_cache(maxsize=None)
def translations(code: str) -> NullTranslations:
    """The compiled catalogue (`make` builds the .mo); a missing or stale .mo is compiled from
    the .po in memory, so a checkout run without `make` still speaks Hindi."""
    if code == DEFAULT_LOCALE:
        return NullTranslations()
    po = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        return Translations.load(TRANSLATIONS, [code], domain="messages")
    if not po.exists():
        return NullTranslations()
    from io import BytesIO

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as source:
        catalog = read_po(source, locale=code)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain="messages")


def gettext(message: str, **variables) -> str:
    text = translations(get_locale()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables) -> str:
    text = translations(get_locale()).ngettext(singular, plural, n)
    variables.setdefault("num", n)
    return text % variables


def template_ngettext(singular: str, plural: str, n: int) -> str:
    """The plural form unformatted, for Jinja's new-style `ngettext`, which fills in `num` and the
    template's other variables itself (formatting here first would fail on those others)."""
    return translations(get_locale()).ngettext(singular, plural, n)


class LazyString(LazyProxy):
    """A message translated each time it is used; hashable (by its text now), so it can sit in sets."""

    def __hash__(self) -> int:
        return hash(str(self))

    def __html__(self) -> str:  # Jinja escapes it like the string it stands for
        from markupsafe import escape

        return str(escape(str(self)))


def lazy_gettext(message: str, **variables) -> LazyString:
    """For module constants: translated each time it is shown, in the language of that moment."""
    return LazyString(gettext, message, enable_cache=False, **variables)


_ = gettext


def localized(item: object, field: str) -> str:
    """`item`'s `field` in the reader's language: the column `<field>_<lang>` (the catalogue's
    Hindi names: `name_hi`, `service_name_hi`, ...) when it is there and not empty, else the
    English `field`. `item` is a row (a mapping) or an object with those attributes."""
    code = get_locale()
    if code != DEFAULT_LOCALE:
        translated = field_value(item, f"{field}_{code}")
        if translated:
            return translated
    return field_value(item, field) or ""


def field_value(item: object, name: str):
    """`item[name]` of a row (a mapping), or `item.name` of an object; None when it has none."""
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)


def lang_attribute(text: str | None) -> Markup:
    """` lang="en"` for text in another language than the page's (an English service name not
    translated yet on a Hindi page, a Hindi post on an English one); nothing otherwise."""
    code = text_language(text) if any(ch.isalpha() for ch in text or "") else get_locale()
    return Markup(f' lang="{code}"') if code != get_locale() else Markup("")


# ---------------------------------------------------------------- numbers, money, dates


_BABEL_LOCALES: dict[str, Locale] = {}


def _babel_locale() -> Locale:
    """The current language's Babel locale, parsed once per language (a parse per label was a
    tenth of a booking mail's formatting)."""
    code = get_locale()
    locale = _BABEL_LOCALES.get(code)
    if locale is None:
        locale = _BABEL_LOCALES[code] = Locale.parse(_FORMAT_LOCALE[code])
    return locale


def number(value: int | float) -> str:
    """12,34,567: Indian grouping in both languages."""
    return format_decimal(value, locale=_babel_locale())


def rupees(paise: int) -> str:
    """₹2,499 or ₹1,24,999.50 (Indian grouping; paise shown only when not zero)."""
    if isinstance(paise, float):
        raise TypeError("money must be integer paise, not float")
    return _rupees(int(paise), get_locale())


@lru_cache(maxsize=4096)  # a few prices, shown on every page of the catalogue and in each booking mail
def _rupees(paise: int, code: str) -> str:
    pattern = "¤#,##,##0.00" if paise % 100 else "¤#,##,##0"
    return format_currency(paise / 100 if paise % 100 else paise // 100, "INR", format=pattern,
                           locale=_babel_locale(), currency_digits=False)


def _local(moment: datetime, tz: str) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("times must be aware (UTC)")
    return moment.astimezone(ZoneInfo(tz))


def time_label(moment: datetime, tz: str) -> str:
    """"6:30 pm" / "शाम 6:30" in zone `tz`."""
    return format_datetime(_local(moment, tz), _TIME_PATTERN[get_locale()], locale=_babel_locale())


def time_under_heading(moment: datetime, tz: str, heading: str) -> str:
    """A time shown under a heading that already names its part of the day: "9:00" under "सुबह"
    (not "सुबह 9:00" again), but "शाम 4:00" under "दोपहर", where Hindi calls the hour otherwise.
    English keeps "9:00 am": its am/pm is not the heading's word."""
    local = _local(moment, tz)
    if format_datetime(local, "B", locale=_babel_locale()) == str(heading):
        return format_datetime(local, "h:mm", locale=_babel_locale())
    return time_label(moment, tz)


def clock_label(minutes: int) -> str:
    """A minute of the day as `time_label` shows it: 570 -> "9:30 am" / "सुबह 9:30"; 1440 (the
    end of the day) -> "12:00 am", midnight."""
    from babel.dates import format_time
    from datetime import time

    hours, rest = divmod(int(minutes) % 1440, 60)
    return format_time(time(hours, rest), _TIME_PATTERN[get_locale()], locale=_babel_locale())


def day_label(day: date) -> str:
    """"Wed 25 Nov" / "बुध 25 नव॰"."""
    return format_date(day, "EEE d MMM", locale=_babel_locale())


def short_weekday(day: date) -> str:
    """"Wed" / "बुध" (the day strip's chips)."""
    return format_date(day, "EEE", locale=_babel_locale())


def long_day_label(day: date) -> str:
    """"Wednesday 25 November" / "बुधवार 25 नवंबर"."""
    return format_date(day, "EEEE d MMMM", locale=_babel_locale())


def date_label(day: date) -> str:
    """"25 Nov 2026" / "25 नव॰ 2026"."""
    return format_date(day, "d MMM y", locale=_babel_locale())


def long_date_label(day: date) -> str:
    """"25 November 2026" / "25 नवंबर 2026"."""
    return format_date(day, "d MMMM y", locale=_babel_locale())


def month_day(day: date) -> str:
    """"25 Nov"."""
    return format_date(day, "d MMM", locale=_babel_locale())


def slot_label(moment: datetime, tz: str) -> str:
    """"Wed 25 Nov, 6:30 pm IST" / "बुध 25 नव॰, शाम 6:30 IST"."""
    return _slot_label(moment, tz, get_locale())


@lru_cache(maxsize=4096)  # a booking's time is labelled for its notification and each of its mails
def _slot_label(moment: datetime, tz: str, code: str) -> str:
    local = _local(moment, tz)
    return f"{day_label(local.date())}, {time_label(moment, tz)} {local.tzname()}"


def duration(minutes: int) -> str:
    """"1 h 30 min" / "1 घंटा 30 मिनट"."""
    hours, rest = divmod(int(minutes), 60)
    if hours and rest:
        return ngettext("%(num)s h %(minutes)s min", "%(num)s h %(minutes)s min", hours, minutes=rest)
    if hours:
        return ngettext("%(num)s h", "%(num)s h", hours)
    return gettext("%(minutes)s min", minutes=rest)


def text_language(text: str | None) -> str:
    """The language a piece of content is written in, from its script: "hi" when most of its
    letters are Devanagari, else "en". Enough for `lang` on a post (screen readers, fonts,
    hyphenation); a third language in another script would need more."""
    letters = [ch for ch in (text or "") if ch.isalpha()]
    if not letters:
        return DEFAULT_LOCALE
    devanagari = sum(1 for ch in letters if "\u0900" <= ch <= "\u097f" or "\ua8e0" <= ch <= "\ua8ff")
    return "hi" if devanagari * 2 > len(letters) else "en"


# What a booking's status is called on the page (the database keeps the English word).
STATUS_LABELS = {
    "confirmed": lazy_gettext("confirmed"),
    "completed": lazy_gettext("completed"),
    "cancelled": lazy_gettext("cancelled"),
    "in_progress": lazy_gettext("in progress"),
    "no_show": lazy_gettext("no-show"),
    "pending": lazy_gettext("pending"),
}


def status_label(status: str) -> str:
    label = STATUS_LABELS.get(status)
    return str(label) if label is not None else status


def weekday_names() -> list[str]:
    """Monday first: ["Monday", …] / ["सोमवार", …]."""
    from babel.dates import get_day_names

    names = get_day_names("wide", locale=_babel_locale())
    return [names[i] for i in range(7)]


def zone_name(tz: str) -> str:
    """"Asia/Kolkata" in English (what providers configure), "भारतीय मानक समय" in Hindi."""
    if get_locale() == DEFAULT_LOCALE:
        return tz
    from babel.dates import get_timezone, get_timezone_name

    try:
        return get_timezone_name(get_timezone(tz), "long", locale=_babel_locale())
    except LookupError:
        return tz
