"""The intent of a message: the first rule that applies wins.

human (talk to a person / agent / customer care, "call me back", a
complaint) -> password help -> cancel/reschedule (a policy question such as
"is cancellation free?" or "how do I cancel" is faq/cancellation instead) ->
faq/booking -> my_bookings -> other FAQ topics -> service_info (a service or
category plus price / duration / what-is-included words) -> a short yes/no
reply -> find_slots (free / available / slots / "kab" / "can X come" with a
service or a date) -> book (any message naming a service, or a date with
"need"/"book"; a bare date or time is an answer while booking) -> thanks_bye
-> greeting -> fallback.
"""

from __future__ import annotations

import re

from .. import faq as _faq
from .cues import (is_greeting, is_my_bookings, loose_yes_no, only_words, oov_heavy, oov_words, starts_with,
                   strip_leading, verb_then_mine, yes_no)
from .lexicon import (BOOK_AGAIN, COMPLAINT_PHRASES, COMPLAINT_WORDS, SAME_ADDRESS, STATUS_CUES, AVAIL_STRONG, AVAIL_WEAK, BOOKING_NOUNS, BOOK_VERBS, CANCEL_WORDS, DURATION_WORDS, GENDER_WEAK,
                     GENDER_WORDS, HUMAN_ALONE, HUMAN_NOUNS, HUMAN_VERBS, INCLUDE_WORDS, PAYMENT_WORDS, POLICY_WORDS,
                     PRICE_WORDS, PROFESSIONALS, RESCHEDULE_STRONG, RESCHEDULE_WEAK, THANKS, WHEN_FILLERS, WHEN_WORDS)
from .targets import Matcher
from .text import Msg

_CAN_COME_RE = re.compile(r"\b(?:can|could|will)\s+(?:the\s+|a\s+|an\s+|your\s+|some\s+|any\s+)?"
                          r"(?!you\b|u\b|i\b|we\b)[a-z]+\s+(?:come|visit|make it)\b")


_REQUEST_WORDS = ("send", "bhejo", "bhej", "chahiye", "need", "want", "book", "available", "come", "aaye",
                  "aa sakti", "aayegi", "please", "get", "milegi", "milega", "hai kya", "do you have")


def _knowledge():
    return _faq.default_knowledge()


def _faq_topic(msg: Msg, target: tuple[str | None, str | None], m: Matcher, when: bool = False) -> str | None:
    """The FAQ topic this message asks about, with each topic's own gate, or None."""
    scores = _faq.score_faq(msg.text, _knowledge())
    service, category = target
    has_target = bool(service or category)
    beauty = bool((service and service in m.women_only_services)
                  or (category and category in m.women_only_categories)
                  or msg.any(("beauty", "beautician", "beauticians", "parlour", "parlor", "salon")))
    only = msg.any(("only", "exclusive", "exclusively"))
    gender = msg.any(GENDER_WORDS - GENDER_WEAK) or ((beauty or only) and msg.any(GENDER_WEAK))
    if gender and (beauty or only or has_target or msg.any(PROFESSIONALS)) and not (
            when and not only) and not (msg.any(AVAIL_STRONG) and not only):
        scores = dict(scores)
        scores["women_only"] = max(scores.get("women_only", 0), 2)
    allowed: dict[str, int] = {}
    for topic, score in scores.items():
        if topic == "women_only":
            if not gender:
                continue
            if when and not only:
                continue  # "I need a lady beautician tomorrow at 5" is a booking
            if not (beauty or only or has_target or msg.any(PROFESSIONALS)):
                continue
        elif topic == "prices":
            if not msg.any(PAYMENT_WORDS):
                if has_target or oov_words(msg):
                    continue
        elif topic == "booking":
            if has_target:
                continue
        elif topic == "contact":
            if msg.any(("talk", "speak", "chat", "connect", "transfer", "baat")):
                continue
        allowed[topic] = score
    if not allowed:
        return None
    order = {t: i for i, t in enumerate(_knowledge())}
    return max(allowed, key=lambda t: (allowed[t], -order.get(t, 99)))


def decide_intent(msg: Msg, target, when: bool, m: Matcher, n_days: int = 0,
                  women: bool = False) -> tuple[str, str | None]:
    service, category = target
    has_target = bool(service or category)
    toks = msg.tokens
    n = len(toks)
    if n == 0:
        return "fallback", None

    # --- a complaint about a job or a professional (before "a person") ------
    if is_complaint(msg):
        return "complaint", None

    # --- a person -----------------------------------------------------------
    if not has_target:
        if msg.any(HUMAN_VERBS) and msg.any(HUMAN_NOUNS - {"anyone"}):
            if not msg.any(("number", "email", "phone number", "mail", "hours", "timings")) \
                    or msg.any(("talk", "speak", "connect", "transfer", "baat")):
                return "human", None
        if msg.any(("call me", "call me back", "callback", "call back", "ring me")):
            return "human", None
        if msg.any(HUMAN_ALONE) and only_words(msg, HUMAN_ALONE, frozenset({
                "please", "a", "an", "the", "now", "want", "i", "need", "real", "live", "to", "with", "chat",
                "talk", "me"})):
            return "human", None
    if msg.any(("escalate",)) and not msg.any(
            ("number", "email", "mail", "phone", "address", "hours", "id", "contact")):
        return "human", None

    # --- "haan same address": a yes to reusing the saved address ----------------
    if msg.any(SAME_ADDRESS) and not has_target and not when and len(msg.tokens) <= 8:
        return ("deny" if starts_with(strip_leading(msg), ("no", "nahi", "not", "do not")) else "confirm"), None

    # --- account help ---------------------------------------------------------
    topic = _faq_topic(msg, target, m, when)
    beauty = (target[0] in m.women_only_services or target[1] in m.women_only_categories
              or msg.any(("beauty", "beautician", "beauticians", "parlour", "parlor", "salon")))
    if topic == "women_only" and women and msg.any(_REQUEST_WORDS) and not beauty and not msg.any(("only",)):
        topic = None  # "can you send a lady electrician" asks for one
    if topic == "password_reset":
        return "faq", topic

    # --- cancel / reschedule (an action, or a policy question) ---------------
    cancel = msg.any(CANCEL_WORDS) or (
        msg.any(("anymore", "any more", "no longer")) and msg.any(("do not", "no longer", "not")))
    resched = msg.any(RESCHEDULE_STRONG)
    if not resched and msg.any(RESCHEDULE_WEAK):
        anchored = (msg.any(BOOKING_NOUNS) or msg.any(("time", "date", "slot", "timing", "move it",
                                                         "shift it", "change it", "push it"))
                    or (has_target and verb_then_mine(msg))
                    or (msg.has("to") and when and len(msg.tokens) <= 6))  # "shift to monday"
        resched = anchored and not msg.any(("change password", "change my password"))
    if not resched and n_days > 1 and msg.any(BOOKING_NOUNS):
        resched = True  # "kal ki booking parso kar do": a booking and two different days
    if cancel or resched:
        if msg.any(POLICY_WORDS) or msg.any(("cancellation policy", "policy")):
            return "faq", "cancellation"
        if cancel and starts_with(strip_leading(msg), ("no", "nahi", "nope")) and n <= 3:
            return "deny", None
        return ("reschedule" if resched and (not cancel or when) else "cancel"), None

    # --- the same job again -----------------------------------------------------
    if msg.any(BOOK_AGAIN) or (msg.any(("again", "dobara")) and msg.any(("book", "same", "wahi"))):
        return "book_again", None

    # --- FAQ about how booking works (before "my booking" status) -------------
    if topic == "booking":
        return "faq", topic

    # --- my bookings ------------------------------------------------------------
    if is_my_bookings(msg, has_target):
        if msg.any(STATUS_CUES) and not msg.any(("all", "list", "history", "show", "upcoming", "dikhao",
                                                  "bookings", "appointments", "orders", "past", "previous")):
            return "status", None
        return "my_bookings", None

    # --- other FAQ topics -------------------------------------------------------
    if topic in ("women_only", "safety", "contact", "cancellation"):
        return "faq", topic
    if topic == "prices" and msg.any(PAYMENT_WORDS):
        return "faq", topic

    # --- service information ------------------------------------------------
    cost_or_time = msg.any(PRICE_WORDS) or msg.any(DURATION_WORDS)
    info = cost_or_time or (msg.any(INCLUDE_WORDS) and not msg.any(AVAIL_STRONG) and not when
                            and not _CAN_COME_RE.search(msg.text))
    if has_target and info and not msg.any(BOOK_VERBS - {"book"}) and not (
            msg.has("book") and when):
        return "service_info", None
    if not has_target and msg.any(("services", "service list")) and msg.any(
            ("offer", "provide", "have", "list", "available", "kya", "what")):
        if not when:
            return "service_info", None
    if topic == "prices":
        return "faq", topic

    # --- short yes / no --------------------------------------------------------
    yn = yes_no(msg, has_target)
    if yn:
        return yn, None

    # --- availability -----------------------------------------------------------
    avail_strong = msg.any(AVAIL_STRONG)
    avail_weak = msg.any(AVAIL_WEAK) or bool(_CAN_COME_RE.search(msg.text))
    explicit_book = msg.any(BOOK_VERBS) and not msg.any(("book it", "book that"))
    if (avail_strong or avail_weak) and not explicit_book:
        if has_target or when or msg.any(("slot", "slots", "availability", "available", "openings")):
            if avail_strong or has_target:
                return "find_slots", None

    # --- a request for a service -----------------------------------------------
    if has_target:
        return "book", None
    if when and (msg.any(BOOK_VERBS) or msg.any(("need", "want", "chahiye", "send", "bhejo", "someone",
                                                  "somebody", "kisi", "koi"))):
        return "book", None

    # --- a bare date or time: the customer answering "when?" while booking ----
    if when and only_words(msg, WHEN_WORDS, WHEN_FILLERS):
        return "book", None

    # --- "I want to book" with no service yet -------------------------------------
    if msg.any(("book", "schedule", "book karna", "booking karni", "booking karna", "new booking",
                "make a booking", "place an order", "new appointment")) and not oov_heavy(msg):
        return "book", None

    # --- small talk -------------------------------------------------------------
    if msg.any(THANKS) and not oov_heavy(msg):
        return "thanks_bye", None
    if is_greeting(msg):
        return "greeting", None
    loose = loose_yes_no(msg)
    if loose:
        return loose, None
    return "fallback", None



def is_complaint(msg: Msg) -> bool:
    """A report of something that went wrong with a job or a professional."""
    if msg.any(COMPLAINT_PHRASES):
        return True
    if msg.any(COMPLAINT_WORDS):
        # "what is your complaint email" is a contact question
        return not (msg.any(("number", "email", "mail", "phone number", "helpline")) and len(msg.tokens) <= 7)
    return False


def faq_topic_ungated(msg: Msg) -> str | None:
    """The best-scoring FAQ topic without the rules' gates (the classifier already said "faq")."""
    scores = _faq.score_faq(msg.text, _knowledge())
    if not scores:
        return None
    order = {t: i for i, t in enumerate(_knowledge())}
    return max(scores, key=lambda t: (scores[t], -order.get(t, 99)))
