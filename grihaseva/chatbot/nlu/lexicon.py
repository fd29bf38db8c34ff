"""The lexicons of `lexicon.toml`, named for the code.

Every word list lives in the TOML file next to this module (package data); this
module only reads it once, at import, and gives each list a name: frozensets for
sets of words and phrases, dicts for the lookups (a spelling -> what it means).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from importlib import resources

ServiceRule = tuple[str, int, tuple[frozenset[str], ...]]  # (slug, weight, groups)


def _load() -> dict:
    with resources.files(__package__).joinpath("lexicon.toml").open("rb") as f:
        return tomllib.load(f)


_DEV_DIGITS = {0x0966 + i: str(i) for i in range(10)}
_DEV_MARKS = {0x093C: None, 0x200C: None, 0x200D: None, 0x0901: 0x0902, 0x0964: " ", 0x0965: " "}


def normalise_devanagari(text: str) -> str:
    """Devanagari as one spelling: NFC, no nukta ("फ़" = "फ"), candrabindu as anusvara, digits as 0-9."""
    if not re.search(r"[\u0900-\u097f]", text):
        return text
    return unicodedata.normalize("NFC", text).translate(_DEV_DIGITS).translate(_DEV_MARKS)


_DATA = _load()
_TEXT, _TARGETS, _WHEN, _INTENTS = _DATA["text"], _DATA["targets"], _DATA["when"], _DATA["intents"]


def _lookup(groups: dict[str, list[str]], value=lambda key: key) -> dict[str, object]:
    """{meaning: [spellings]} as {spelling: meaning}."""
    return {spelling: value(key) for key, spellings in groups.items() for spelling in spellings}


# ---- tokenising and typo correction
COMMON_WORDS = frozenset(_TEXT["common_words"].split())
CORRECTABLE = frozenset(_TEXT["correctable"])
ABBREVIATIONS: dict[str, str] = _lookup(_TEXT["abbreviations"])

# Devanagari words -> the romanised word the rules read (keys normalised like the text)
DEVANAGARI: dict[str, str] = {normalise_devanagari(k): v for k, v in _lookup(_DATA["devanagari"]).items()}

# ---- services and categories
CLEAN = frozenset(_TARGETS["cleaning_words"])
GENERIC_NAME_WORDS = frozenset(_TARGETS["generic_name_words"])
CATEGORY_WORDS: dict[str, frozenset[str]] = {cat: frozenset(words) for cat, words in _TARGETS["categories"].items()}
SERVICE_RULES: tuple[ServiceRule, ...] = tuple(
    (rule["slug"], rule["weight"], (frozenset(rule["words"]), CLEAN) if rule.get("cleaning_word")
     else (frozenset(rule["words"]),))
    for rule in _DATA["service_rules"])

# ---- days and times
WEEKDAYS: dict[str, int] = _lookup(_WHEN["weekdays"], list(_WHEN["weekdays"]).index)
NUMBER_WORDS: dict[str, int] = _lookup(_WHEN["numbers"], int)
PART_WORDS: dict[str, str] = _lookup(_WHEN["parts_of_day"])
WHEN_WORDS = frozenset(set(WEEKDAYS) | set(PART_WORDS) | set(_WHEN["when_words"]))
WHEN_FILLERS = frozenset(_WHEN["when_fillers"])

# ---- intent cues (phrases match whole words)
HUMAN_NOUNS = frozenset(_INTENTS["human_nouns"])
HUMAN_VERBS = frozenset(_INTENTS["human_verbs"])
HUMAN_ALONE = frozenset(_INTENTS["human_alone"])
CANCEL_WORDS = frozenset(_INTENTS["cancel_words"])
RESCHEDULE_STRONG = frozenset(_INTENTS["reschedule_strong"])
RESCHEDULE_WEAK = frozenset(_INTENTS["reschedule_weak"])
POLICY_WORDS = frozenset(_INTENTS["policy_words"])
BOOKING_NOUNS = frozenset(_INTENTS["booking_nouns"])
POSSESSIVES = frozenset(_INTENTS["possessives"])
STATUS_WORDS = frozenset(_INTENTS["status_words"])
COMING_WORDS = frozenset(_INTENTS["coming_words"])
STATUS_PHRASES = frozenset(_INTENTS["status_phrases"])
PRICE_WORDS = frozenset(_INTENTS["price_words"])
DURATION_WORDS = frozenset(_INTENTS["duration_words"])
INCLUDE_WORDS = frozenset(_INTENTS["include_words"])
PAYMENT_WORDS = frozenset(_INTENTS["payment_words"])
GENDER_WORDS = frozenset(_INTENTS["gender_words"])
GENDER_WEAK = frozenset(_INTENTS["gender_weak"])
PROFESSIONALS = frozenset(_INTENTS["professionals"])
AVAIL_STRONG = frozenset(_INTENTS["avail_strong"])
AVAIL_WEAK = frozenset(_INTENTS["avail_weak"])
BOOK_VERBS = frozenset(_INTENTS["book_verbs"])
NEED_WORDS = frozenset(_INTENTS["need_words"])
CONFIRM_START = tuple(_INTENTS["confirm_start"])
CONFIRM_ANYWHERE = frozenset(_INTENTS["confirm_anywhere"])
DENY_START = tuple(_INTENTS["deny_start"])
DENY_ANYWHERE = frozenset(_INTENTS["deny_anywhere"])
LEADING_FILLERS = frozenset(_INTENTS["leading_fillers"])
QUESTION_WORDS = frozenset(_INTENTS["question_words"])
THANKS = frozenset(_INTENTS["thanks"])
GREETINGS = frozenset(_INTENTS["greetings"])
GREETING_FILLERS = frozenset(_INTENTS["greeting_fillers"])
HINGLISH_FUNCTION = frozenset(_INTENTS["hinglish_function"])

# ---- intents added with issue 18
_INTENTS2 = _DATA["intents2"]
COMPLAINT_WORDS = frozenset(_INTENTS2["complaint_words"])
COMPLAINT_PHRASES = frozenset(_INTENTS2["complaint_phrases"])
BOOK_AGAIN = frozenset(_INTENTS2["book_again_phrases"])
SAME_ADDRESS = frozenset(_INTENTS2["same_address"])
FEMALE_WORDS = frozenset(_INTENTS2["female_words"])
FEMALE_HEADS = frozenset(_INTENTS2["female_heads"])
PAST_MARKERS = frozenset(_INTENTS2["past_markers"])
STATUS_CUES = frozenset(_INTENTS2["status_words"])
