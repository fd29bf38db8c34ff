"""Small readings of a message that the intent rules combine: "is it only these
words?", a short yes or no, "is it about my bookings?", a greeting."""

from __future__ import annotations

from .lexicon import (BOOKING_NOUNS, COMING_WORDS, COMMON_WORDS, CONFIRM_ANYWHERE, CONFIRM_START, DENY_ANYWHERE,
                     DENY_START, GREETINGS, GREETING_FILLERS, HINGLISH_FUNCTION, LEADING_FILLERS, POSSESSIVES,
                     QUESTION_WORDS, RESCHEDULE_WEAK, STATUS_PHRASES, STATUS_WORDS, THANKS)
from .text import DOMAIN_WORDS, Msg


def only_words(msg: Msg, allowed: frozenset[str], extra: frozenset[str] = frozenset()) -> bool:
    """True when every token is covered by a phrase of `allowed` or a word of `extra`."""
    toks = msg.tokens
    i = 0
    multi = sorted((p.split() for p in allowed if " " in p), key=len, reverse=True)
    while i < len(toks):
        for words in multi:
            if toks[i:i + len(words)] == words:
                i += len(words)
                break
        else:
            if toks[i] in allowed or toks[i] in extra or toks[i][:1].isdigit():
                i += 1
            else:
                return False
    return True


def strip_leading(msg: Msg) -> list[str]:
    """The tokens without leading fillers ("ok", "hmm", "actually"), the last one always kept."""
    toks = list(msg.tokens)
    while toks and toks[0] in LEADING_FILLERS and len(toks) > 1:
        toks = toks[1:]
    return toks


def starts_with(tokens: list[str], phrases) -> str | None:
    """The longest of `phrases` the tokens start with, or None."""
    best = None
    for p in phrases:
        words = p.split()
        if tokens[:len(words)] == words and (best is None or len(words) > len(best.split())):
            best = p
    return best


def oov_words(msg: Msg) -> list[str]:
    """Words the bot does not know at all (neither a cue, nor everyday English, nor Hinglish)."""
    return [t for t in msg.tokens if t.isalpha() and len(t) >= 3 and t not in DOMAIN_WORDS
            and t not in COMMON_WORDS and t not in GREETING_FILLERS and t not in HINGLISH_FUNCTION]


def verb_then_mine(msg: Msg) -> bool:
    """A move/shift/change verb followed closely by "my"/"the"/"it" ("push my facial to friday")."""
    toks = msg.tokens
    for i, tok in enumerate(toks):
        if tok in RESCHEDULE_WEAK:
            if any(w in ("my", "meri", "mera", "mere", "the", "it", "tomorrow", "today") for w in toks[i + 1:i + 3]):
                return True
    return False


def oov_heavy(msg: Msg) -> bool:
    """Mostly unknown words: a cue in it is probably a coincidence."""
    oov = oov_words(msg)
    return len(oov) >= 2 and len(oov) * 2 >= len(msg.tokens)


def is_my_bookings(msg: Msg, has_target: bool) -> bool:
    toks = msg.tokens
    noun_idx = [i for i, t in enumerate(toks) if t in BOOKING_NOUNS]
    poss_idx = [i for i, t in enumerate(toks) if t in POSSESSIVES]
    # "my bookings", "meri kal ki booking", "my AC service booking"
    for i in noun_idx:
        if any(0 < i - j <= 4 for j in poss_idx):
            return True
        if any(0 < j - i <= 2 for j in poss_idx) and toks[i] != "booked":
            return True  # "booking meri"
    if msg.any(("i booked", "have i booked", "did i book", "i have booked", "i had booked", "maine book",
                "what all have i booked", "we booked", "i made")) and not msg.has("how"):
        return True
    if noun_idx and msg.any(STATUS_WORDS - {"see", "check", "all", "list", "show", "view"}):
        return True
    if noun_idx and msg.any(("show", "view", "list", "see", "check", "dikhao", "dikha", "batao")):
        return True
    if noun_idx and msg.any(("do i have", "have i", "any bookings", "any booking")):
        return True
    if msg.any(POSSESSIVES) and has_target and (msg.any(COMING_WORDS) or msg.any(
            ("status", "where is", "what time is", "when is", "confirmed", "scheduled", "booked"))):
        return True
    if msg.any(("when is", "where is", "what time is", "kab")) and msg.any(COMING_WORDS):
        return True
    if msg.any(("where is my", "what time is my", "when is my")) or msg.any(STATUS_PHRASES):
        return True
    return False


def yes_no(msg: Msg, has_target: bool) -> str | None:
    """A short explicit yes/no reply (possibly with a time), else None."""
    if has_target or len(msg.tokens) > 8:
        return None
    toks = strip_leading(msg)
    if not toks:
        return None
    question = any(t in QUESTION_WORDS for t in toks)
    deny = starts_with(toks, DENY_START)
    if deny and not question:
        return "deny"
    if msg.any(DENY_ANYWHERE) and len(msg.tokens) <= 6:
        return "deny"
    if msg.any(THANKS):
        return None  # "ok thanks", "great, thanks!" are a goodbye
    confirm = starts_with(toks, CONFIRM_START) or starts_with(list(msg.tokens), CONFIRM_START)
    if confirm and not question:
        return "confirm"
    return None


def loose_yes_no(msg: Msg) -> str | None:
    if len(msg.tokens) > 6:
        return None
    if msg.any(DENY_ANYWHERE):
        return "deny"
    if msg.any(CONFIRM_ANYWHERE):
        return "confirm"
    return None


def is_greeting(msg: Msg) -> bool:
    if not msg.any(GREETINGS):
        return False
    return only_words(msg, GREETINGS, GREETING_FILLERS)

