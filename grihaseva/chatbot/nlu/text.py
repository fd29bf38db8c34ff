"""Tokenising and typo correction: a customer's text as normalised tokens (`Msg`).

The text is lower-cased, contractions expanded ("can't" -> "cannot"), glued
units split ("5pm" -> "5 pm"), chat shorthand rewritten ("tmrw" -> "tomorrow",
see `[text.abbreviations]` in lexicon.toml), and a misspelt domain keyword
corrected with `rapidfuzz` ("plumer" -> "plumber"): one edit for words of 5-7
letters, two for longer ones, first letter kept, and never for everyday English
words (`common_words`) or the catalogue's own names.
"""

from __future__ import annotations

import functools
import re

from rapidfuzz import process
from rapidfuzz.distance import OSA

from .. import faq as _faq
from .lexicon import (ABBREVIATIONS, DEVANAGARI, normalise_devanagari, AVAIL_STRONG, AVAIL_WEAK, BOOKING_NOUNS, BOOK_VERBS, CANCEL_WORDS, CATEGORY_WORDS,
                     CLEAN, COMING_WORDS, COMMON_WORDS, CONFIRM_START, CORRECTABLE, DENY_START, DURATION_WORDS,
                     GENDER_WORDS, GREETINGS, HUMAN_NOUNS, HUMAN_VERBS, INCLUDE_WORDS, NEED_WORDS, PART_WORDS,
                     PAYMENT_WORDS, POLICY_WORDS, PRICE_WORDS, RESCHEDULE_STRONG, RESCHEDULE_WEAK, SERVICE_RULES,
                     STATUS_WORDS, THANKS, WEEKDAYS)

_CONTRACTIONS = (
    (r"\bcan't\b", "cannot"), (r"\bwon't\b", "will not"), (r"\bshan't\b", "shall not"),
    (r"n't\b", " not"), (r"'re\b", " are"), (r"'ve\b", " have"), (r"'ll\b", " will"),
    (r"'d\b", " would"), (r"\bi'm\b", "i am"), (r"\b(what|that|it|there|here|who|where|how)'s\b", r"\1 is"),
    (r"'s\b", ""), (r"s'\s", "s "),
)


# The vocabulary a misspelt word may be corrected into: every single-word cue.


def _domain_words() -> frozenset[str]:
    words: set[str] = set()
    groups = [
        CLEAN, HUMAN_NOUNS, HUMAN_VERBS, CANCEL_WORDS, RESCHEDULE_STRONG,
        RESCHEDULE_WEAK, POLICY_WORDS, BOOKING_NOUNS, STATUS_WORDS, COMING_WORDS,
        PRICE_WORDS, DURATION_WORDS, INCLUDE_WORDS, PAYMENT_WORDS, GENDER_WORDS,
        AVAIL_STRONG, AVAIL_WEAK, BOOK_VERBS, NEED_WORDS, CONFIRM_START, DENY_START,
        THANKS, GREETINGS, WEEKDAYS, PART_WORDS, CORRECTABLE,
    ]
    for group in groups:
        for phrase in group:
            for w in phrase.split():
                if len(w) >= 4 and w.isalpha():
                    words.add(w)
    for _, _, rule_groups in SERVICE_RULES:
        for g in rule_groups:
            for phrase in g:
                words.update(w for w in phrase.split() if len(w) >= 4 and w.isalpha())
    for g in CATEGORY_WORDS.values():
        for phrase in g:
            words.update(w for w in phrase.split() if len(w) >= 4 and w.isalpha())
    for entry in _faq.default_knowledge().values():  # the FAQ's own keywords
        for phrase in entry.keywords:
            words.update(w for w in re.findall(r"[a-z]+", phrase) if len(w) >= 4)
    return frozenset(words)


DOMAIN_WORDS = _domain_words()


_TOKEN_RE = re.compile(r"\d{1,2}[:.]\d{2}|\d+(?:st|nd|rd|th)\b|\d+/\d+(?:/\d+)?|[a-z0-9]+|[\u0900-\u0963\u0970-\u097f]+")
_DEVANAGARI_LETTER = re.compile(r"[\u0900-\u097f]")
_LATIN_LETTER = re.compile(r"[a-zA-Z]")


def _normalise_raw(text: str) -> str:
    t = normalise_devanagari(text).lower()
    t = t.replace("’", "'").replace("‘", "'").replace("`", "'")
    t = t.replace("a/c", " ac ").replace("a.m.", " am ").replace("p.m.", " pm ")
    t = re.sub(r"\ba\.m\b", " am ", t)
    t = re.sub(r"\bp\.m\b", " pm ", t)
    for pattern, repl in _CONTRACTIONS:
        t = re.sub(pattern, repl, t)
    t = t.replace("'", "")
    # split glued clock and unit forms: 5pm -> 5 pm, 10:30am -> 10:30 am, 2days -> 2 days
    t = re.sub(r"(\d)(am|pm|baje|bje|hrs|hours|days|day|din)\b", r"\1 \2", t)
    t = re.sub(r"\b(mani)\s*-\s*(pedi)\b", r"manicure pedicure", t)
    t = re.sub(r"(\d)\s*-\s*(\d)", r"\1 to \2", t)  # 4-6 pm -> 4 to 6 pm
    t = t.replace("-", " ")
    return t


@functools.lru_cache(maxsize=4096)
def _correct(token: str) -> str:
    """A misspelt domain keyword corrected ("plumer" -> "plumber"), else the token itself."""
    if (len(token) < 5 or not token.isalpha() or token in DOMAIN_WORDS or token in COMMON_WORDS
            or token in WEEKDAYS or token in ABBREVIATIONS):
        return token
    limit = 1 if len(token) <= 7 else 2
    # sorted: a set's order changes with the hash seed, and ties must break the same way every run
    candidates = sorted(w for w in DOMAIN_WORDS if w[0] == token[0] and abs(len(w) - len(token)) <= limit)
    if not candidates:
        return token
    best = process.extractOne(token, candidates, scorer=OSA.distance, score_cutoff=limit)
    if best is None:
        return token
    word, dist, _ = best
    if dist == 2 and token[:2] != word[:2]:  # two edits only when the start agrees
        return token
    return word


def words(text: str) -> list[str]:
    """The message's words as the tokeniser reads them (Devanagari in one spelling, lower case,
    clock times and "2nd" whole), without corrections or abbreviations expanded: for matching a
    short answer against what the bot offered ("दूसरी वाली", "the second one")."""
    return _TOKEN_RE.findall(_normalise_raw(text))


def tokenise(text: str, protected: frozenset[str] = frozenset()) -> list[str]:
    """Normalised tokens; words in `protected` (the catalogue's own names) are never corrected."""
    raw = _TOKEN_RE.findall(_normalise_raw(text))
    out: list[str] = []
    for tok in raw:
        tok = DEVANAGARI.get(tok) or ABBREVIATIONS.get(tok, tok)
        for part in tok.split():
            out.append(part if part in protected else _correct(part))
    return out


def devanagari_share(text: str) -> float:
    """The share of the letters in `text` that are Devanagari (0.0 with no letters at all)."""
    dev = len(_DEVANAGARI_LETTER.findall(text))
    lat = len(_LATIN_LETTER.findall(text))
    return dev / (dev + lat) if dev + lat else 0.0


class Msg:
    """A normalised message: tokens, the joined text and phrase lookups."""

    __slots__ = ("tokens", "text", "_padded", "tokset")

    def __init__(self, tokens: list[str]):
        self.tokens = tokens
        self.text = " ".join(tokens)
        self._padded = f" {self.text} "
        self.tokset = frozenset(tokens)

    def has(self, phrase: str) -> bool:
        if " " not in phrase:
            return phrase in self.tokset
        return f" {phrase} " in self._padded

    def any(self, phrases) -> bool:
        return any(self.has(p) for p in phrases)

    def find(self, phrase: str) -> int:
        """Token index where `phrase` starts, or -1."""
        words = phrase.split()
        n = len(words)
        for i in range(len(self.tokens) - n + 1):
            if self.tokens[i:i + n] == words:
                return i
        return -1

