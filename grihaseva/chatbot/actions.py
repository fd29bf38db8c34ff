"""What a customer can do to a booking inside the chat: ask when the professional comes, cancel,
move it, book it again. Each change is said back with its terms and done only after a yes, through
the same domain functions as the booking pages (`domain.cancel_booking`,
`domain.reschedule_booking`, with the late fee the customer was shown), so every rule holds here
exactly as there.

Which booking: the one named by its number ("#12"), else by its place in the list the last reply
showed ("cancel the first one", "2", "दूसरी वाली": `listed_position`), else by its service ("my
facial"), else the one this conversation is about (`state["booking"]`: just booked, or asked about;
not after a list of several), else the customer's only upcoming one; several: the customer picks. A follow-up that names only another service
("and the facial?") asks the same thing about that booking (`state["topic"]`).
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..booking import domain, slots, timeline
from ..i18n import DEFAULT_LOCALE, gettext, lazy_gettext, localized, rupees, use_locale
from .nlu import Understanding
from .offering import PART_WINDOWS, pick_spread
from .booking_dialogue import ORDINALS, BookingDialogue
from .nlu.text import words as message_words
from .replies import LOGIN_HREF, BotReply

_NUMBER = re.compile(r"#\s*(\d{1,12})\b")
# A place in a list: "the first", "second one", "पहली", "booking 2", "number 2", "no. 2", a lone "2".
# The offered times' ordinals without "1st", "2nd" (dates: "move it to 2nd December"), and more; in
# the tokeniser's spelling of Devanagari (no nukta, anusvara for candrabindu). Not "पहले", "दूसरे":
# "5 बजे से पहले" is "before 5", "दूसरे दिन" "another day". Not a number with a time or a month.
_PLACE_WORDS = {**{word: n for word, n in ORDINALS.items() if not word[0].isdigit()},
                "pehli": 0, "doosri": 1, "dusri": 1, "teesri": 2, "fourth": 3, "fifth": 4,
                "चौथा": 3, "चौथी": 3, "पांचवां": 4, "पांचवीं": 4, "आखिरी": -1}
_PLACE_NUMBER = re.compile(r"^\s*(\d)\s*$|\b(?:booking|number|no\.?|बुकिंग|नंबर)\s*(\d)\b(?!\s*(?:am|pm|baje|बजे|:|\d))",
                           re.IGNORECASE)
TOPICS = ("status", "cancel", "reschedule", "book_again")


class BookingActions(BookingDialogue):
    # ------------------------------------------------------------ which booking

    async def pick_booking(self, u: Understanding, text: str, kind: str) -> tuple[dict | None, BotReply | None]:
        """(booking, None) or (None, a reply asking which / saying there is none)."""
        if self.user is None:
            return None, BotReply([gettext("Log in to see and change your bookings; I will keep this conversation.")],
                                  [(gettext("Log in"), LOGIN_HREF)])
        if self.user.role != "customer":
            return None, BotReply([gettext("You are logged in as a %(role)s; this works from a customer account.",
                                           role=self.role_name())])
        rows = await self.own_bookings()
        if kind == "book_again":
            pool = [r for r in rows if r["status"] == "completed" or (r["status"] == "confirmed" and r["ends_at"] <= self.now)]
            pool = sorted(pool, key=lambda r: r["starts_at"], reverse=True)
        else:
            pool = [r for r in rows if r["status"] == "confirmed" and r["ends_at"] > self.now]
        number = _NUMBER.search(text)
        if number:
            match = [r for r in rows if r["id"] == int(number.group(1))]
            if not match:
                return None, BotReply([gettext("There is no such booking in your account.")],
                                      [(gettext("My bookings"), "/bookings")])
            return match[0], None
        if (position := listed_position(text, len(self.listed))) is not None:
            match = [r for r in rows if r["id"] == self.listed[position]]
            if match:
                return match[0], None
        named = [r for r in pool if (u.service and r["service_slug"] == u.service)
                 or (not u.service and u.category and self._category_of(r["service_slug"]) == u.category)]
        if u.service or u.category:
            pool = named
        elif self.state.get("booking"):
            current = [r for r in pool if r["id"] == self.state["booking"]]
            pool = current or pool
        if not pool:
            what = self._name_of(u.service) if u.service else None
            if kind == "book_again":
                message = gettext("I found no finished job to book again. Would you like to book a service?")
            elif what:
                message = gettext("You have no upcoming %(service)s booking.", service=what)
            else:
                message = gettext("You have no upcoming bookings.")
            return None, BotReply([message], [(gettext("My bookings"), "/bookings")],
                                  [(gettext("Book a service"), gettext("Book a service"))])
        if len(pool) == 1 or kind == "book_again":
            return pool[0], None
        verb = {"status": gettext("Which booking do you mean?"), "cancel": gettext("Which booking should I cancel?"),
                "reschedule": gettext("Which booking should I move?")}[kind]
        self.state["topic"] = kind
        out = BotReply([verb])
        for r in pool[:4]:
            label = gettext("%(service)s, %(when)s (#%(id)s)", service=localized(r, "service_name"),
                            when=slots.local_label(r["starts_at"], r["timezone"]), id=r["id"])
            out.buttons.append((label, action_button(kind, r["id"])))
        return None, out

    async def the_booking(self, u: Understanding, text: str, kind: str) -> tuple[dict | None, BotReply | None]:
        """The booking as it is now (every column the booking pages read), now the one discussed."""
        booking, refusal = await self.pick_booking(u, text, kind)
        if refusal:
            return None, refusal
        row = await self.db.fetch_one("select_booking", {"id": booking["id"]})
        self.state["booking"], self.state["topic"] = row["id"], kind
        return row, None

    # ------------------------------------------------------------ status

    def picks_from_list(self, text: str) -> bool:
        """The message only names a place in the list the last reply showed: "2", "the second one"."""
        return len(message_words(text)) <= 4 and listed_position(text, len(self.listed)) is not None

    async def listed_booking(self, u: Understanding, text: str) -> tuple[BotReply, dict]:
        """A booking picked from the list: where it stands, and buttons to cancel or move it."""
        row, refusal = await self.the_booking(u, text, "status")
        if refusal:
            return refusal, self.state
        out = self.status_of(row)
        terms = domain.change_terms(row, self.now)
        if terms and not out.buttons:  # (a no-show's reply has its own)
            out.buttons.append((gettext("Cancel it"), action_button("cancel", row["id"])))
            if not terms.no_show:
                out.buttons.append((gettext("Move it"), action_button("reschedule", row["id"])))
        return out, self.state

    async def status(self, u: Understanding, text: str) -> tuple[BotReply, dict]:
        row, refusal = await self.the_booking(u, text, "status")
        return (refusal or self.status_of(row)), self.state

    def status_of(self, row: dict) -> BotReply:
        """Where the booking stands, from its timeline."""
        when = slots.local_label(row["starts_at"], row["timezone"])
        name, service = row["provider_name"], localized(row, "service_name")
        stage = timeline.stage(row)
        link = [page_link(row)]
        if stage == "on_the_way":
            since = slots.local_label(row["on_the_way_at"], row["timezone"])
            parts = [gettext("%(name)s is on the way for %(service)s (since %(since)s).", name=name, service=service,
                             since=since),
                     gettext("You can call %(name)s on %(phone)s.", name=name, phone=row["provider_phone"])]
            link.append((gettext("Call %(phone)s", phone=row["provider_phone"]),
                         "tel:" + row["provider_phone"].replace(" ", "")))
        elif stage == "started":
            parts = [gettext("%(name)s has started the job (%(service)s).", name=name, service=service)]
        elif stage == "completed":
            parts = [gettext("%(service)s with %(name)s is completed.", service=service, name=name)]
        elif stage == "cancelled":
            parts = [gettext("%(service)s on %(when)s was cancelled.", service=service, when=when)]
        elif timeline.is_no_show(row, self.now):
            parts = [gettext("%(name)s has not set off yet, 15 minutes after the start. You can cancel free of charge, "
                             "or I can pass this to a person from our team.", name=name)]
            return BotReply(parts, link, [(gettext("Cancel it"), action_button("cancel", row["id"])),
                                          (gettext("Talk to a person"), gettext("Talk to a person"))])
        else:
            parts = [gettext("%(service)s with %(name)s is confirmed for %(when)s.", service=service, name=name, when=when),
                     gettext("%(name)s has not set off yet; you will see it here and get a mail when they do.",
                             name=name)]
        return BotReply(parts, link)

    # ------------------------------------------------------------ cancel

    async def booking_to_change(self, u: Understanding, text: str,
                                kind: str) -> tuple[dict | None, domain.ChangeTerms | None, BotReply | None]:
        """The booking to cancel or move (`kind` "cancel" or "reschedule") and what that costs now, or the
        reply instead: which booking, there is none, or the domain's reason it cannot be done online now."""
        row, refusal = await self.the_booking(u, text, kind)
        if refusal:
            return None, None, refusal
        try:
            return row, domain.terms_of_change(row, self.now, "cancel" if kind == "cancel" else "move"), None
        except domain.BookingRefused as refused:
            if kind != "cancel":
                return None, None, BotReply([refused.message], [page_link(row)])
            return None, None, BotReply([gettext("I cannot cancel %(what)s online any more.", what=_what(row)),
                                         refused.message], [page_link(row)],
                                        [(gettext("Talk to a person"), gettext("Talk to a person"))])

    async def cancel(self, u: Understanding, text: str) -> tuple[BotReply, dict]:
        s = self.state
        row, terms, refusal = await self.booking_to_change(u, text, "cancel")
        if refusal:
            return refusal, s
        what = _what(row)
        if terms.no_show:
            policy = gettext("%(name)s has not set off 15 minutes after the start, so cancelling is free, and our "
                             "team will be told.", name=row["provider_name"])
        elif terms.fee_paise:
            policy = gettext("It is less than 3 hours before the start, so cancelling now costs the late fee of "
                             "%(fee)s, paid to the professional.", fee=rupees(terms.fee_paise))
        else:
            policy = gettext("Cancelling is free until 3 hours before the start, so this costs nothing.")
        s["action"] = {"kind": "cancel", "booking_id": row["id"], "fee": terms.fee_paise}
        s["awaiting"] = "action"
        return BotReply([gettext("Cancel %(what)s?", what=what), policy],
                        [page_link(row)],
                        [(gettext("Yes, cancel it"), gettext("Yes, cancel it")), (gettext("No, keep it"), gettext("No, keep it"))]), s

    # ------------------------------------------------------------ move

    async def reschedule(self, u: Understanding, text: str) -> tuple[BotReply, dict]:
        s = self.state
        row, terms, refusal = await self.booking_to_change(u, text, "reschedule")
        if refusal:
            return refusal, s
        when = when_of(u)
        if not any(when.values()):
            s["action"] = {"kind": "move_when", "booking_id": row["id"]}
            s["awaiting"] = "action"
            return BotReply([gettext("When should %(what)s be instead? Tell me a day and a time, like "
                                     "\"Sunday evening\".", what=_what(row))], [],
                            self.day_buttons(self.local_today())), s
        return await self.offer_move(row, when, terms)

    async def offer_move(self, row, when: dict, terms=None) -> tuple[BotReply, dict]:
        """Free times of the booked professional for the asked day and time (this booking's own time is free)."""
        s = self.state
        service = domain.Service.from_row(await self.db.fetch_one("select_service_by_id", {"id": row["service_id"]}))
        provider = await self.db.fetch_one("select_provider", {"id": row["provider_id"]})
        zone = ZoneInfo(row["timezone"])
        today = self.local_today()
        first = when.get("day") or when.get("from") or today
        first = max(first, today)
        span_from = datetime.combine(first, time(), zone).astimezone(slots.UTC) - timedelta(days=1)
        avail, taken = await domain.schedule(self.db, provider, self.now, span_from, span_from + timedelta(days=10),
                                             ignore_booking=row["id"])
        window = PART_WINDOWS.get(when.get("part") or "")
        candidates, moved = [], False
        for offset in range(7):
            day = first + timedelta(days=offset)
            for start in slots.free_starts_on(avail, taken, service.duration, day, self.now):
                clock = start.astimezone(zone).time()
                if start == row["starts_at"] or (window and not window[0] <= clock < window[1]):
                    continue
                if (when.get("after") and clock < when["after"]) or (when.get("before") and clock >= when["before"]):
                    continue
                candidates.append((start, {"id": row["provider_id"], "name": row["provider_name"]}, row["timezone"]))
            if candidates:
                moved = offset > 0
                break
        if not candidates:
            s.pop("options", None)
            s["action"] = {"kind": "move_when", "booking_id": row["id"]}
            s["awaiting"] = "action"
            return BotReply([gettext("%(name)s has no free time for %(service)s then, nor in the 7 days after. "
                                     "Tell me another day, or cancel and book someone else.",
                                     name=row["provider_name"], service=localized(row, "service_name"))], [],
                            self.day_buttons(today)), s
        options = pick_spread(candidates, when.get("at"), candidates[0][0].astimezone(zone).date())
        s["action"] = {"kind": "move_pick", "booking_id": row["id"], "options": options}
        s["awaiting"] = "action"
        head = (gettext("%(name)s is not free then. The nearest free times to move %(what)s to:",
                        name=row["provider_name"], what=_what(row)) if moved else
                gettext("Free times with %(name)s to move %(what)s to:", name=row["provider_name"], what=_what(row)))
        return BotReply([head, gettext("Pick a time below.")], [], [(o["label"], o["label"]) for o in options]), s

    async def move_picked(self, option: dict) -> tuple[BotReply, dict]:
        s = self.state
        row = await self.db.fetch_one("select_booking", {"id": s["action"]["booking_id"]})
        terms = domain.change_terms(row, self.now)
        new_start = slots.parse_slot(option["start"])
        service = domain.Service.from_row(await self.db.fetch_one("select_service_by_id", {"id": row["service_id"]}))
        try:
            await domain.check_reschedulable(self.db, row, service, new_start, self.now)
        except domain.BookingRefused as refused:
            self.drop_action()
            return BotReply([refused.message]), s
        policy = (gettext("It is less than 3 hours before the start, so moving it now costs the late fee of %(fee)s, "
                          "paid to the professional.", fee=rupees(terms.fee_paise)) if terms and terms.fee_paise
                  else gettext("Moving is free until 3 hours before the start."))
        s["action"] = {"kind": "move", "booking_id": row["id"], "start": option["start"], "label": option["label"],
                       "fee": terms.fee_paise if terms else 0}
        s["awaiting"] = "action"
        return BotReply([gettext("Move %(service)s from %(old)s to %(new)s?", service=localized(row, "service_name"),
                                 old=slots.local_label(row["starts_at"], row["timezone"]),
                                 new=slots.local_label(new_start, row["timezone"])), policy], [],
                        [(gettext("Yes, move it"), gettext("Yes, move it")), (gettext("No, keep it"), gettext("No, keep it"))]), s

    # ------------------------------------------------------------ the yes

    def drop_action(self) -> None:
        self.state.pop("action", None)
        if self.state.get("awaiting") == "action":
            self.state.pop("awaiting")

    async def do_action(self) -> tuple[BotReply, dict]:
        """The customer said yes to a cancel or a move: do it through the booking domain."""
        s = self.state
        action = s.get("action") or {}
        booking_id = action.get("booking_id")
        link = [(gettext("See booking #%(id)s", id=booking_id), f"/bookings/{booking_id}")]
        try:
            if action.get("kind") == "cancel":
                row = await domain.cancel_booking(self.db, self.user, booking_id, self.now,
                                                  reason=gettext("Cancelled in chat"), accepted_fee=action.get("fee"))
                self.drop_action()
                parts = [gettext("Done: %(what)s is cancelled.", what=_what(row))]
                if action.get("fee"):
                    parts.append(gettext("The late fee of %(fee)s is on your receipt.", fee=rupees(action["fee"])))
                return BotReply(parts, link, [(gettext("Book a service"), gettext("Book a service"))]), s
            if action.get("kind") == "move":
                row = await domain.reschedule_booking(self.db, self.user, booking_id, slots.parse_slot(action["start"]),
                                                      self.now, accepted_fee=action.get("fee"))
                self.drop_action()
                return BotReply([gettext("Done: %(service)s is moved to %(when)s.", service=localized(row, "service_name"),
                                         when=slots.local_label(slots.parse_slot(action["start"]), row["timezone"]))],
                                link), s
        except domain.SlotTaken:
            row = await self.db.fetch_one("select_booking", {"id": booking_id})
            self.drop_action()
            out, s = await self.offer_move(row, {"day": slots.parse_slot(action["start"]).astimezone(
                ZoneInfo(row["timezone"])).date()})
            out.parts.insert(0, gettext("Sorry, that time was just taken."))
            return out, s
        except domain.BookingRefused as refused:  # a fee that changed, the start that came meanwhile
            self.drop_action()
            return BotReply([refused.message], link), s
        self.drop_action()
        return BotReply([gettext("OK. Anything else?")]), s

    # ------------------------------------------------------------ book again

    async def book_again(self, u: Understanding, text: str) -> tuple[BotReply, dict]:
        s = self.state
        booking, refusal = await self.pick_booking(u, text, "book_again")
        if refusal:
            return refusal, s
        self.forget_pending()
        s["service"], s["category"] = booking["service_slug"], self._category_of(booking["service_slug"])
        s["provider_id"] = booking["provider_id"]
        s["prefill"] = booking["address"]
        s["topic"] = "book_again"
        self.remember(u, text)  # "... again tomorrow morning"
        return await self.offer(gettext("Booking %(service)s with %(name)s again.", service=localized(booking, "service_name"),
                                        name=booking["provider_name"]))


# The value a "which booking?" button posts: its words in the reply's language, with the number.
_BUTTON_WORDS = {"status": lazy_gettext("status of booking #%(id)s"), "cancel": lazy_gettext("cancel booking #%(id)s"),
                 "reschedule": lazy_gettext("move booking #%(id)s")}


def listed_position(text: str, listed: int) -> int | None:
    """The place (0-based) in a list of `listed` items that the message names, if exactly one."""
    if listed < 2:
        return None
    places = {_PLACE_WORDS[w] % listed for w in message_words(text) if w in _PLACE_WORDS
              and _PLACE_WORDS[w] < listed}
    for match in _PLACE_NUMBER.finditer(text):
        number = int(match.group(1) or match.group(2))
        if 1 <= number <= listed:
            places.add(number - 1)
    return places.pop() if len(places) == 1 else None


def action_button(kind: str, booking_id: int) -> str:
    return str(_BUTTON_WORDS[kind]) % {"id": booking_id}


def action_button_kind(text: str) -> str | None:
    """The kind of action a posted button value asks for ("cancel booking #12", in either language)."""
    said = " ".join(text.split()).lower()
    for kind, words in _BUTTON_WORDS.items():
        with use_locale(DEFAULT_LOCALE):
            english = str(words)
        for form in {english, str(words)}:
            pattern = re.escape(form.lower()).replace(re.escape("%(id)s"), r"\d{1,12}")
            if re.fullmatch(pattern, said):
                return kind
    return None


def page_link(row) -> tuple[str, str]:
    return (gettext("See booking #%(id)s", id=row["id"]), f"/bookings/{row['id']}")


def when_of(u: Understanding) -> dict:
    """The time a message asks a booking to move to (any of them may be None)."""
    return {"day": u.day, "part": u.part_of_day, "at": u.at, "after": getattr(u, "after", None),
            "before": getattr(u, "before", None), "from": getattr(u, "day_from", None),
            "to": getattr(u, "day_to", None)}


def booking_number(text: str) -> int | None:
    found = _NUMBER.search(text)
    return int(found.group(1)) if found else None


def _what(row) -> str:
    return gettext("%(service)s on %(when)s with %(name)s", service=localized(row, "service_name"),
                   when=slots.local_label(row["starts_at"], row["timezone"]), name=row["provider_name"])
