"""The chatbot's conversation: one customer message in, one reply out.

`reply(db, state, user, text, now, conversation_id)` understands the message (`nlu.understand`),
reads it in the light of what the last reply asked (`state["awaiting"]`), moves the dialogue
state on and answers, in the language the customer wrote in (`Understanding.language`), else the
one they chose for the interface. Booking, cancelling and moving go through the booking domain
only, each after a yes to what will happen.

The dialogue state is a JSON-able dict kept with the conversation (docs/ARCHITECTURE.md, "The
chatbot's dialogue state"):

    service, category     what the customer wants; kept across turns and questions in between
    day | from_day, day_to   when: one day, or a range ("this weekend", "next week")
    part, at, after, before  the time of day: "evening", "18:00", "after 17:00", "before 12:00"
    women                 asked for a woman professional: only women are offered, and said so
    pin                   the PIN code whose professionals are offered (said, or a saved address's)
    provider_id           "book again": that professional first
    options               the slots last offered: [{start, provider_id, provider, tz, label}]
    chosen                the slot picked from them
    address, address_id   where: typed, or a saved address (issue 15)
    prefill               the last booking's address, offered for reuse
    awaiting              what the last reply asked for: service | day | slot | login | address |
                          confirm | action | contact
    action                a change waiting for its yes: {kind: cancel | move | move_pick | move_when,
                          booking_id, fee, start, label, options}
    booking, topic        the booking being discussed and what was asked about it (status, cancel,
                          reschedule), so "and the facial?" asks the same about another booking
    listed                the booking ids "my bookings" just listed, in order: "the first one" in
                          the next message (only) means listed[0]
    support               a visitor's complaint waiting for their contact
    lang                  the language of the last reply

A new service keeps the day and time already said (the customer changed their mind about the
job, not the time); a message with its own time replaces them. A short answer is read against
`awaiting`: a yes to "Shall I book it at your saved address?" books, a number picks an offered
time, a contact after "your email or phone?" opens the support request.

This module routes a message; the rest is in parts:

    replies.py            `BotReply` and the replies every part shares
    turn.py               `Turn`: the database, state, user, clock and catalogue of one message
    answers.py            FAQ, my bookings, service info, "not offered", the fallback
    offering.py           free slots for the remembered service and time
    booking_dialogue.py   pick a slot, log in, address, summary, "yes" -> booked
    actions.py            status, cancel, move, book again: on the customer's own bookings
    handoff.py            complaints and "a person, please": a support request
    storage.py            conversations and messages in the database
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from .. import i18n
from . import storage
from .actions import TOPICS, action_button_kind, when_of
from .booking_dialogue import _street_address, picked_option
from .answers import Answers
from .handoff import Handoff
from .nlu import CatalogueEntry, Understanding, learned, understand
from .replies import BotReply, choices, welcome
from .turn import LOCAL_TZ, impossible_date_note, past_date_note

__all__ = ["BotReply", "after_login", "attach_visitor_conversation", "reply", "welcome"]

# Words of someone asking for a job done, when no service of ours matched.
_ASKS_FOR_A_JOB = re.compile(
    r"\b(?:repair|repairs|repairing|fix|fixing|install|installation|servicing|need|needed|want|"
    r"chahiye|karwana|karwani|someone|painter|painting|pest|carpenter|carpentry|mechanic|gardener|"
    r"gardening|cook|maid|driver|tutor|mistri|technician)\b|चाहिए", re.IGNORECASE)
_MOVE_WORDS = re.compile(r"\b(?:move|moving|change|reschedule|shift|postpone|prepone|badal\w*)\b|बदल|खिसका",
                         re.IGNORECASE)
_FOLLOW_UP = re.compile(r"^\s*(?:and|aur|what about|how about|or)\b|^\s*और", re.IGNORECASE)
_INTERRUPTING = ("greeting", "thanks_bye", "faq", "human", "complaint", "my_bookings", "status", "cancel",
                 "reschedule", "book_again", "cancel_reschedule", "service_info")


# ---------------------------------------------------------------- entry points


async def reply(db, state: dict | None, user, text: str, now: datetime,
                conversation_id: int | None = None) -> tuple[BotReply, dict]:
    """Answer one message; returns the reply and the new state (the given state is not changed)."""
    state = dict(state or {})
    await learned.ready()  # the first message of a process waits (bounded) for start-up's classifiers
    catalogue = await _catalogue(db)
    local_now = now.astimezone(ZoneInfo(LOCAL_TZ))
    u = understand(text, local_now, catalogue)
    lang = _language(u, text, state)
    with i18n.use_locale(lang):
        talk = _Turn(db, state, user, now, catalogue, conversation_id)
        bot, new_state = await talk.route(u, text)
    bot.lang = bot.lang or lang
    new_state["lang"] = lang
    new_state["buttons"] = [value for _, value in bot.buttons][:12]  # a tap on one keeps the language
    return bot, new_state


def _language(u: Understanding, text: str, state: dict) -> str:
    """The language the customer wrote in; for a message with no words of its own ("2") the
    conversation's; for romanised Hindi, the interface's."""
    said = getattr(u, "language", None)
    if state.get("lang") in i18n.LANGUAGES and (
            text.strip() in state.get("buttons", ()) or not any(ch.isalpha() for ch in text)
            or state.get("awaiting") in ("address", "contact")):
        return state["lang"]  # a button of the last reply ("Plumbing", a day), "2", an address, an email
    if said in i18n.LANGUAGES:
        return said
    if said is None and i18n.text_language(text) == "hi":  # Devanagari, whatever the understanding says
        return "hi"
    return i18n.get_locale()


async def after_login(db, state: dict | None, user, now: datetime,
                      conversation_id: int | None = None) -> tuple[BotReply | None, dict]:
    """A visitor's conversation that waited for a login: carry on with the chosen slot."""
    state = dict(state or {})
    if state.get("awaiting") != "login" or user is None:
        return None, state
    with i18n.use_locale(state.get("lang") or i18n.get_locale()):
        talk = _Turn(db, state, user, now, await _catalogue(db), conversation_id)
        resumed = await talk.resume()
    if resumed is None:
        return None, state
    return resumed


async def _catalogue(db) -> list[CatalogueEntry]:
    rows = await db.fetch_all("select_active_services")
    return [CatalogueEntry(r["slug"], r["name"], r["category_slug"], r["category_name"], bool(r["women_only"]),
                           r["name_hi"] or "", r["category_name_hi"] or "")
            for r in rows]


def _is(text: str, message: str) -> bool:
    """The message is this button's text, in English or in the current language."""
    said = " ".join(text.lower().split())
    return said in {message.lower(), i18n.gettext(message).lower()}


_NOTHING = Understanding(intent="fallback")  # for the bot's own buttons: nothing understood beyond the button


def _has_when(u: Understanding) -> bool:
    return any(getattr(u, name, None) for name in ("day", "part_of_day", "at", "day_from", "after", "before"))


def _intent(u: Understanding, text: str) -> str:
    """The intent, with the older understanding's joint cancel_reschedule split by its words."""
    if u.intent == "cancel_reschedule":
        return "reschedule" if _MOVE_WORDS.search(text) else "cancel"
    return u.intent


# ---------------------------------------------------------------- one turn


class _Turn(Answers, Handoff):
    """One message's turn: every answer, the booking dialogue and the actions, routed."""

    async def route(self, u: Understanding, text: str) -> tuple[BotReply, dict]:
        s = self.state
        self._note_dates(u)
        kind = action_button_kind(text)
        if kind:
            self.drop_action()
            return await getattr(self, kind)(u, text)
        own = await self._own_button(text)
        if own:
            return own
        awaiting = s.get("awaiting")
        if awaiting == "action":
            answered = await self._action_answer(u, text)
            if answered:
                return answered
        if awaiting == "contact":
            answered = await self.contact_answer(text)
            if answered:
                return answered
            s.pop("awaiting", None)
        if awaiting == "confirm":
            if u.yes or _is(text, "Yes, book it"):
                return await self.book()
            if _is(text, "Another address"):
                return await self.ask_address()
            if u.intent == "deny":
                for key in ("options", "chosen", "awaiting", "prefill"):  # the address stays for another time
                    s.pop(key, None)
                return BotReply([i18n.gettext("OK, I have not booked anything. Would you like other times?")], [],
                                [(i18n.gettext("Show other times"), i18n.gettext("Show other times")),
                                 *choices()[1:]]), s
            if _street_address(" ".join(text.split())):
                return await self.address_answer(text, u)
        if awaiting in ("slot", "confirm", "address", "login"):
            picked = picked_option(text, s.get("options") or [])
            if picked:
                return await self.choose(picked)
        if awaiting == "slot" and u.intent == "deny":  # "no" to the times shown
            s.pop("options", None), s.pop("awaiting", None)
            return BotReply([i18n.gettext("OK, none of those. Tell me another day or time, or pick something else.")],
                            [], [(i18n.gettext("Tomorrow"), i18n.gettext("Tomorrow")), *choices()]), s
        if awaiting == "login" and self.user is not None:
            resumed = await self.resume()
            if resumed:
                return resumed
        if awaiting == "address":
            answered = await self.address_answer(text, u)
            if answered:
                return answered
        if s.get("service"):
            if _is(text, "Show other times"):
                return await self.offer()
            if _is(text, "Another day"):
                for key in ("day", "from_day", "day_to", "options"):
                    s.pop(key, None)
                service = await self._service_now()
                if service:
                    return self._ask_day(service, self.local_today()), s
            if _is(text, "Any professional is fine"):
                s.pop("women", None)
                return await self.offer()
        return await self.by_intent(u, text)

    async def _own_button(self, text: str) -> tuple[BotReply, dict] | None:
        """The bot's own everyday buttons, in either language: never left to guessing."""
        s = self.state
        if _is(text, "Talk to a person"):
            return await self.hand_off(_NOTHING, text, "human")
        if _is(text, "My bookings"):
            return await self.my_bookings(), s
        if _is(text, "Prices"):
            return await self.service_info(_NOTHING, "all services"), s
        if _is(text, "Book a service") and not s.get("awaiting") == "confirm":
            self.forget_pending()
            s["service"] = s["category"] = None
            return await self.offer()
        return None

    async def _service_now(self):
        from ..booking import domain

        return await domain.active_service(self.db, self.state.get("service") or "")

    async def _action_answer(self, u: Understanding, text: str) -> tuple[BotReply, dict] | None:
        """The answer to a pending cancel or move: yes, no, a time picked, or a new day for the move."""
        s = self.state
        action = s.get("action") or {}
        kind = action.get("kind")
        if kind in ("cancel", "move") and (u.yes or _is(text, "Yes, cancel it") or _is(text, "Yes, move it")):
            return await self.do_action()
        if kind == "move_pick":
            picked = picked_option(text, action.get("options") or [])
            if picked:
                return await self.move_picked(picked)
        if u.intent == "deny" or _is(text, "No, keep it"):
            self.drop_action()
            return BotReply([i18n.gettext("OK, I have not changed anything. Anything else?")], [], choices()), s
        if kind in ("move_when", "move_pick", "move") and _has_when(u) and _intent(u, text) not in (
                "cancel", "status", "human", "complaint", "faq", "book_again"):
            row = await self.db.fetch_one("select_booking", {"id": action["booking_id"]})
            return await self.offer_move(row, when_of(u))
        self.drop_action()  # something else: a later "yes" must not change the booking
        return None

    def _note_dates(self, u: Understanding) -> None:
        problem = getattr(u, "date_problem", None)
        day = u.day or getattr(u, "day_from", None)
        if problem == "impossible" and day:
            self.notes.append(impossible_date_note(getattr(u, "date_text", None), day))
        elif problem == "past" and day:
            self.notes.append(past_date_note(getattr(u, "date_text", None), day))

    async def by_intent(self, u: Understanding, text: str) -> tuple[BotReply, dict]:
        s = self.state
        intent = _intent(u, text)
        topic = s.get("topic")
        if (topic in TOPICS and topic != "book_again" and (u.service or u.category) and not _has_when(u)
                and intent in ("book", "find_slots", "service_info", "fallback", "confirm")
                and (len(text.split()) <= 4 or _FOLLOW_UP.search(text))):
            intent = topic  # "and the facial?" after "when is my plumber coming?"
        if self.listed and intent in ("fallback", "confirm", "find_slots") and self.picks_from_list(text):
            return await self.listed_booking(u, text)  # "2" after "my bookings" listed several
        if intent not in TOPICS:
            s.pop("topic", None)
        if intent == "greeting":
            name = self.user.name.split()[0] if self.user else ""
            hello = (i18n.gettext("Namaste, %(name)s! How can I help? I can answer questions, show free times and "
                                  "book a professional for you.", name=name) if name else
                     i18n.gettext("Namaste! How can I help? I can answer questions, show free times and book a "
                                  "professional for you."))
            return BotReply([hello], [], choices()), s
        if intent == "thanks_bye":
            return BotReply([i18n.gettext("You're welcome! Ask me any time.")],
                            [(i18n.gettext("My bookings"), "/bookings")]), s
        if intent == "faq":
            return self.faq(u), s
        if intent in ("human", "complaint"):
            return await self.hand_off(u, text, "complaint" if intent == "complaint" else "human")
        if intent == "my_bookings":
            return await self.my_bookings(), s
        if intent == "status":
            return await self.status(u, text)
        if intent == "cancel":
            return await self.cancel(u, text)
        if intent == "reschedule":
            return await self.reschedule(u, text)
        if intent == "book_again":
            return await self.book_again(u, text)
        self.remember(u, text)
        if intent == "service_info":
            return await self.service_info(u, text), s
        if intent in ("find_slots", "book"):
            return await self.offer()
        if _has_when(u) and (s.get("service") or s.get("category")):
            return await self.offer()  # "what about Sunday?" keeps the service
        if intent == "confirm" and s.get("awaiting") == "login":
            return self.ask_login(), s
        if getattr(u, "women", False) and (s.get("service") or s.get("category")):
            return await self.offer()  # "a lady, please"
        if _ASKS_FOR_A_JOB.search(text):  # "painter needed tomorrow": a job we don't do, not gibberish
            return self.not_offered(), s
        return self.fallback(), s


async def attach_visitor_conversation(db, user, visitor_key: str | None, now: datetime) -> BotReply | None:
    """On the first chat request after a login: the visitor's conversation becomes the user's.

    A booking that waited for the login carries on: the bot's next message is stored and returned.
    """
    if user is None or not visitor_key:
        return None
    conversation = await storage.take_over_visitor_conversation(db, user, visitor_key, now)
    if conversation is None:
        return None
    bot, state = await after_login(db, conversation.state, user, now, conversation.id)
    if bot is None:
        return None
    await storage.record_bot_reply(db, conversation.id, bot, state, now)
    return bot
