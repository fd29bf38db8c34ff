"""Which service or category a message names.

A specific phrase ("blocked drain", "tap leaking") sets `service`, a trade word
("plumber", "safai") sets only `category` (rules and words in lexicon.toml).
Services the built-in lexicon does not know (added to the database later)
match when every significant word of their name appears in the message.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .lexicon import CATEGORY_WORDS, GENERIC_NAME_WORDS, SERVICE_RULES
from .model import CatalogueEntry
from .text import Msg, tokenise


@dataclass
class Matcher:
    """Service and category rules for one catalogue."""

    rules: tuple[tuple[str, int, tuple[frozenset[str], ...]], ...]
    categories: tuple[tuple[str, frozenset[str]], ...]
    service_category: dict[str, str]
    women_only_categories: frozenset[str]
    women_only_services: frozenset[str]
    name_words: frozenset[str]  # words of catalogue names, kept as written


def _name_words(name: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", name.lower()) if w not in GENERIC_NAME_WORDS]


@functools.lru_cache(maxsize=16)
def matcher(catalogue: tuple[CatalogueEntry, ...]) -> Matcher:
    slugs = {e.slug for e in catalogue}
    rules = [r for r in SERVICE_RULES if r[0] in slugs]
    known = {r[0] for r in rules}
    for e in catalogue:
        if e.slug in known:
            continue
        words = _name_words(e.name) or _name_words(e.slug.replace("-", " "))
        if words:  # every significant word of the name must be there
            rules.append((e.slug, 3, tuple(frozenset({w}) for w in words)))
        known.add(e.slug)
    cat_names: dict[str, str] = {}
    for e in catalogue:
        cat_names.setdefault(e.category, e.category_name)
    categories = []
    for cat, name in cat_names.items():
        words = set(CATEGORY_WORDS.get(cat, ()))
        if cat not in CATEGORY_WORDS:
            words.update(_name_words(name))
            words.add(cat.replace("-", " "))
        categories.append((cat, frozenset(words)))
    name_words = frozenset(w for e in catalogue for text in (e.name, e.category_name, e.slug, e.category)
                           for w in re.findall(r"[a-z0-9]+", text.lower()))
    # The Hindi names the bot shows (and posts back from its buttons) name their service or
    # category as a whole phrase, read the way a message is read; before any rule's guess.
    for e in catalogue:
        phrase = _phrase(e.name_hi, name_words)
        if phrase:
            rules.insert(0, (e.slug, 4, (frozenset({phrase}),)))
    hindi_categories = {e.category: _phrase(e.category_name_hi, name_words) for e in catalogue}
    categories = [(cat, words | {hindi_categories[cat]} if hindi_categories.get(cat) else words)
                  for cat, words in categories]
    return Matcher(
        rules=tuple(rules),
        categories=tuple(categories),
        service_category={e.slug: e.category for e in catalogue},
        women_only_categories=frozenset(e.category for e in catalogue if e.women_only),
        women_only_services=frozenset(e.slug for e in catalogue if e.women_only),
        name_words=name_words,
    )


def _phrase(name: str, protected: frozenset[str]) -> str:
    return " ".join(tokenise(name, protected)) if name else ""


def _first_index(msg: Msg, phrases) -> int:
    best = -1
    for p in phrases:
        i = msg.find(p)
        if i >= 0 and (best < 0 or i < best):
            best = i
    return best


def match_target(msg: Msg, m: Matcher) -> tuple[str | None, str | None]:
    best: tuple[int, int, str] | None = None  # (-weight, position, slug)
    for slug, weight, groups in m.rules:
        pos = 10**6
        ok = True
        for g in groups:
            i = _first_index(msg, g)
            if i < 0:
                ok = False
                break
            pos = min(pos, i)
        if ok:
            key = (-weight, pos, slug)
            if best is None or key < best:
                best = key
    if best is not None:
        return best[2], None
    cat_best: tuple[int, str] | None = None
    for cat, words in m.categories:
        i = _first_index(msg, words)
        if i >= 0 and (cat_best is None or i < cat_best[0]):
            cat_best = (i, cat)
    if cat_best is not None:
        return None, cat_best[1]
    return None, None

