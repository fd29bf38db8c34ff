"""The chatbot's conversation: one customer message in, one reply out.

`reply(db, state, user, text, now)` understands the message (`nlu.understand`),
moves the conversation's small state machine on, and answers.  Booking goes
through the booking domain only: free slots come from `domain.availability`,
`domain.busy` and `slots.free_starts_on`, and the booking itself from
`domain.place_booking`, after the customer has said yes to a summary.

The state is a JSON-able dict kept with the conversation:

    service, category     what the customer wants (remembered across turns)
    day, part, at         when ("2026-11-24", "evening", "18:00")
    options               the slots last offered: [{start, provider_id, provider, label}]
    chosen                the slot picked from them
    address               the address for the booking being made
    awaiting              what the last reply asked for: service | day | slot | login | address | confirm
    prefill               the customer's last booking address, offered for reuse

Nothing here knows about Quart: the views pass the user, the clock and the text.

This module routes a message and remembers what it says; the rest is in parts:

    replies.py            `BotReply` and the replies every part shares
    turn.py               `Turn`: the database, state, user, clock and catalogue of one message
    answers.py            FAQ, a person, my bookings, cancel help, service info, "not offered"
    offering.py           free slots for the remembered service and time
    booking_dialogue.py   pick a slot, log in, address, summary, "yes" -> booked
    storage.py            conversations and messages in the database
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from . import storage
from .answers import Answers
from .booking_dialogue import BookingDialogue, picked_option
from .nlu import CatalogueEntry, Understanding, understand
from .replies import CHOICES, BotReply, welcome
from .turn import LOCAL_TZ

__all__ = ["BotReply", "after_login", "attach_visitor_conversation", "reply", "welcome"]

# Words of someone asking for a job done, when no service of ours matched.
_ASKS_FOR_A_JOB = re.compile(
    r"\b(?:repair|repairs|repairing|fix|fixing|install|installation|servicing|need|needed|want|"
    r"chahiye|karwana|karwani|someone|painter|painting|pest|carpenter|carpentry|mechanic|gardener|"
    r"gardening|cook|maid|driver|tutor|mistri|technician)\b", re.IGNORECASE)


# ---------------------------------------------------------------- entry points


async def reply(db, state: dict | None, user, text: str, now: datetime) -> tuple[BotReply, dict]:
    """Answer one message; returns the reply and the new state (the given state is not changed)."""
    state = dict(state or {})
    catalogue = await _catalogue(db)
    local_now = now.astimezone(ZoneInfo(LOCAL_TZ))
    u = understand(text, local_now, catalogue)
    talk = _Turn(db, state, user, now, catalogue)

    awaiting = state.get("awaiting")
    if awaiting == "confirm":
        if u.intent == "confirm":
            return await talk.book()
        if u.intent == "deny":
            for key in ("options", "chosen", "awaiting", "prefill"):  # the address stays for another time
                talk.state.pop(key, None)
            return BotReply(["OK, I have not booked anything. Would you like other times?"], [],
                            [("Show other times", "Show other times"), *CHOICES[1:]]), talk.state
    if awaiting in ("slot", "confirm", "address", "login"):
        picked = picked_option(text, state.get("options") or [])
        if picked:
            return await talk.choose(picked)
    if awaiting == "slot" and u.intent == "deny":  # "no" to the times shown
        talk.forget_pending()
        return BotReply(["OK, none of those. Tell me another day or time, or pick something else."], [],
                        [("Tomorrow", "Tomorrow"), *CHOICES]), talk.state
    if awaiting == "login" and user is not None:
        resumed = await talk.resume()
        if resumed:
            return resumed
    if awaiting == "address":
        answered = await talk.address_answer(text, u)
        if answered:
            return answered
    if text.strip().lower() == "show other times" and state.get("service"):
        return await talk.offer()
    return await talk.by_intent(u, text)


async def after_login(db, state: dict | None, user, now: datetime) -> tuple[BotReply | None, dict]:
    """A visitor's conversation that waited for a login: carry on with the chosen slot."""
    state = dict(state or {})
    if state.get("awaiting") != "login" or user is None:
        return None, state
    talk = _Turn(db, state, user, now, await _catalogue(db))
    resumed = await talk.resume()
    if resumed is None:
        return None, state
    return resumed


async def _catalogue(db) -> list[CatalogueEntry]:
    rows = await db.fetch_all("select_active_services")
    return [CatalogueEntry(r["slug"], r["name"], r["category_slug"], r["category_name"], bool(r["women_only"]))
            for r in rows]


# ---------------------------------------------------------------- one turn


class _Turn(Answers, BookingDialogue):
    """One message's turn: every answer and the booking dialogue, routed by intent."""

    async def by_intent(self, u: Understanding, text: str) -> tuple[BotReply, dict]:
        self.remember(u)
        span = _span_start(text, self.now.astimezone(ZoneInfo(LOCAL_TZ)).date())
        if span is not None and u.day is None:  # "next week", "this weekend": days from there
            self.state.pop("day", None)
            self.state["from_day"] = span.isoformat()
        intent = u.intent
        if intent == "greeting":
            name = f", {self.user.name.split()[0]}" if self.user else ""
            return BotReply([f"Namaste{name}! How can I help? I can answer questions, show free times and book "
                             "a professional for you."], [], list(CHOICES)), self.state
        if intent == "thanks_bye":
            return BotReply(["You're welcome! Ask me any time."], [("My bookings", "/bookings")]), self.state
        if intent == "faq":
            return self.faq(u), self.state
        if intent == "human":
            return self.human(), self.state
        if intent == "my_bookings":
            return await self.my_bookings(), self.state
        if intent == "cancel_reschedule":
            return await self.cancel_help(u), self.state
        if intent == "service_info":
            return await self.service_info(u, text), self.state
        if intent in ("find_slots", "book"):
            return await self.offer()
        has_when = u.day is not None or u.part_of_day is not None or u.at is not None
        if has_when and (self.state.get("service") or self.state.get("category")):
            return await self.offer()  # "what about Sunday?" keeps the service
        if intent == "confirm" and self.state.get("awaiting") == "login":
            return self.ask_login(), self.state
        if _ASKS_FOR_A_JOB.search(text):  # "painter needed tomorrow": a job we don't do, not gibberish
            return self.not_offered(), self.state
        return self.fallback(), self.state

    def remember(self, u: Understanding) -> None:
        """Keep what the message says about the service and the time; a new service drops pending
        choices. The time said for the previous job carries over only to another job of the same
        kind named without a time ("Drain unblocking" after "plumber tomorrow evening"): a
        message with its own time replaces the old one, and a job of another kind starts afresh."""
        s = self.state
        had_job = bool(s.get("service") or s.get("category"))  # "tomorrow", then "plumber": the day stays
        old_category, changed = s.get("category"), False
        if u.service and u.service != s.get("service"):
            self.forget_pending()
            s["service"], s["category"] = u.service, self._category_of(u.service)
            changed = had_job
        elif u.category and not u.service and u.category != s.get("category"):
            self.forget_pending()
            s["service"], s["category"] = None, u.category
            changed = had_job
        if changed:
            s.pop("from_day", None)
            if u.day or u.part_of_day or u.at:
                s.pop("part", None), s.pop("at", None)
            elif s.get("category") != old_category:
                for key in ("day", "part", "at"):
                    s.pop(key, None)
        if u.day is not None:
            s["day"] = u.day.isoformat()
            s.pop("from_day", None)
        if u.at is not None:
            s["at"] = u.at.strftime("%H:%M")
            s["part"] = u.part_of_day
        elif u.part_of_day is not None:
            s["part"], s["at"] = u.part_of_day, None


_NEXT_WEEK = re.compile(r"\b(?:next|agle|agla|agli|coming)\s+(?:week|hafte|hafta)\b", re.IGNORECASE)

_WEEKEND = re.compile(r"\b(?:this\s+|is\s+|coming\s+)?weekend\b", re.IGNORECASE)


def _span_start(text: str, today: date) -> date | None:
    """The first day of a span the customer named: next week's Monday, this weekend's Saturday."""
    if _NEXT_WEEK.search(text):
        return today + timedelta(days=7 - today.weekday())
    if _WEEKEND.search(text):
        return today if today.weekday() >= 5 else today + timedelta(days=5 - today.weekday())
    return None


async def attach_visitor_conversation(db, user, visitor_key: str | None, now: datetime) -> BotReply | None:
    """On the first chat request after a login: the visitor's conversation becomes the user's.

    A booking that waited for the login carries on: the bot's next message is stored and returned.
    """
    if user is None or not visitor_key:
        return None
    conversation = await storage.take_over_visitor_conversation(db, user, visitor_key, now)
    if conversation is None:
        return None
    bot, state = await after_login(db, conversation.state, user, now)
    if bot is None:
        return None
    await storage.record_bot_reply(db, conversation.id, bot, state, now)
    return bot
