"""The one place money is formatted. Amounts are integer paise, never floats."""

from __future__ import annotations

from . import i18n


def _indian_grouping(whole: int) -> str:
    digits = str(whole)
    if len(digits) <= 3:
        return digits
    head, tail = digits[:-3], digits[-3:]
    groups = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    return ",".join(groups) + "," + tail


def rupees_as_typed(paise: int) -> str:
    """Paise as the plain rupees a person types into a form: 49900 -> "499", 49950 -> "499.50"."""
    whole, rest = divmod(int(paise), 100)
    return f"{whole}.{rest:02d}" if rest else str(whole)


def rupees(paise: int) -> str:
    """₹2,499 or ₹1,24,999.50 (Indian digit grouping; paise shown only when not zero), in the
    current language's number format (grihaseva/i18n.py)."""
    return i18n.rupees(paise)
