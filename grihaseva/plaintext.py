"""Cleaning one line of text a person typed (a name, an address).

Characters that draw nothing but can hide or reorder what is shown (zero-width spaces, word
joiners, byte-order marks, soft hyphens, bidirectional overrides and isolates) are removed;
runs of whitespace become one space. Zero-width joiners and non-joiners stay: Indic scripts
and emoji sequences need them.
"""

from __future__ import annotations

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u00ad\u180e"
                                    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"), None)


def one_line(text: str) -> str:
    return " ".join(text.translate(_INVISIBLE).split())


def has_letters_or_digits(text: str) -> bool:
    return any(ch.isalnum() for ch in text)
