"""The booking dialogue after the slots are shown: the customer picks one, logs in if need be,
says where, checks a summary and says yes.

Where: a customer with saved addresses (issue 15's address book) is not asked at all: the summary
names the last used one ("Shall I book it at Home, 12 MG Road…?"), and a yes ("haan same address")
books; "Another address" or typing one changes it. Without saved addresses the last booking's
address is offered as a button, and a yes takes it.

Only then is the slot booked, through `domain.place_booking` (with the saved address's id and PIN
code); `SlotTaken` gets fresh choices and `BookingRefused` (women-only, a cap, another booking of
the service then) is shown in the domain's own words, with fresh times where times can help.
While the bot waits for the address, a message that is unmistakably a street address is the
address, and anything else that carries a day, a time or another request is answered as that.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from ..auth.accounts import ValidationError
from ..booking import addresses, domain, slots
from ..i18n import gettext, localized, rupees
from ..plaintext import one_line
from .nlu import Understanding
from .nlu.text import words
from .offering import SlotOffers
from .replies import LOGIN_HREF, BotReply, choices
from .turn import LOCAL_TZ, PIN_CODE

# What the professional reads on the booking: kept as written (their page translates nothing typed).
BOOKED_IN_CHAT = "Booked in chat"


class BookingDialogue(SlotOffers):
    def ask_login(self) -> BotReply:
        return BotReply([gettext("To book, please log in first. This conversation will be waiting for you here.")],
                        [(gettext("Log in"), LOGIN_HREF), (gettext("Register"), "/register")])

    async def choose(self, option: dict) -> tuple[BotReply, dict]:
        s = self.state
        service = await domain.active_service(self.db, s.get("service") or "")
        if service is None:
            return await self.offer()
        start = slots.parse_slot(option["start"])
        if not await self._still_free(service, option["provider_id"], start):
            return await self.offer(gettext("Sorry, that time was just taken. Here are fresh choices."))
        s["chosen"] = option
        if self.user is None:
            s["awaiting"] = "login"
            out = self.ask_login()
            out.parts.insert(0, gettext("Good choice: %(label)s.", label=option["label"]))
            return out, s
        return await self.resume()

    async def resume(self) -> tuple[BotReply, dict] | None:
        """With a chosen slot and a logged-in user: check who may book, then the address."""
        s = self.state
        if not s.get("chosen") or self.user is None:
            return None
        if self.user.role != "customer":
            self.forget_pending()
            return BotReply([gettext("You are logged in as a %(role)s; bookings are made from a customer account.",
                                     role=self.role_name())]), s
        service = await domain.active_service(self.db, s.get("service") or "")
        if service is None:
            return await self.offer()
        try:
            await domain.check_can_book(self.db, domain.Customer(self.user.id, self.user.gender), service,
                                        s["chosen"]["provider_id"])
        except domain.BookingRefused as refused:
            self.forget_pending()
            return BotReply([refused.message], [(localized(service, "name"), f"/services/{service.slug}")]), s
        if s.get("address"):  # said earlier in this conversation
            return await self.summary()
        saved = await self._saved_for(s["chosen"]["provider_id"])
        if saved:
            s["address"], s["address_id"], s["pin"] = saved.text, saved.id, saved.pin_code
            return await self.summary()
        return await self.ask_address()

    async def ask_address(self) -> tuple[BotReply, dict]:
        s = self.state
        prefill = s.pop("prefill", None) or s.get("address")
        s.pop("address", None), s.pop("address_id", None)
        if not prefill:
            last = await self.db.fetch_one("select_last_booking_address", {"customer_id": self.user.id})
            prefill = last["address"] if last else None
        s["awaiting"] = "address"
        out = BotReply([gettext("%(label)s. Where should %(name)s come? Type the full address (house, street, area).",
                                label=s["chosen"]["label"], name=s["chosen"]["provider"])])
        for saved in (await self.saved_addresses())[:3]:
            out.buttons.append((saved.name, saved.name))
        if prefill:
            s["prefill"] = prefill
            out.parts.append(gettext("Or use the same address as before:"))
            out.buttons.append((gettext("Use %(address)s", address=prefill), prefill))
        return out, s

    async def _saved_for(self, provider_id: int) -> addresses.Address | None:
        """The saved address to book at: the last used one the professional serves."""
        for saved in await self.saved_addresses():
            if await addresses.serves(self.db, provider_id, saved.pin_code):
                return saved
        return None

    async def address_answer(self, text: str, u: Understanding) -> tuple[BotReply, dict] | None:
        s = self.state
        address = one_line(text)  # as the booking will store it
        saved = next((a for a in await self.saved_addresses() if _norm(a.name) == _norm(address)), None)
        if saved is not None:
            s["address"], s["address_id"], s["pin"] = saved.text, saved.id, saved.pin_code
            return await self.summary()
        if u.yes and s.get("prefill"):
            address = s["prefill"]
        elif _street_address(address):
            pass  # "No. 3, Station Road", "10th Cross", "Monday Market Road": an address, not a no or a date
        elif u.intent == "deny":
            self.forget_pending()
            return BotReply([gettext("OK, I have stopped this booking. Anything else?")], [], choices()), s
        elif not _addressish(address) or _something_else(u, address):
            if u.intent != "fallback" or u.day or u.part_of_day or u.at:
                return None  # a question or a new request in between: answer it
            return BotReply([gettext("Please type the full address where the work is to be done (house, street, area).")]), s
        if len(address) < 10:
            return BotReply([gettext("That address looks too short. Please include the house, street and area.")]), s
        if len(address) > 300:
            return BotReply([gettext("Please keep the address under 300 characters.")]), s
        s["address"] = address
        s.pop("address_id", None)
        return await self.summary()

    async def summary(self) -> tuple[BotReply, dict]:
        s = self.state
        service = await domain.active_service(self.db, s.get("service") or "")
        if service is None:
            return await self.offer()
        chosen = s["chosen"]
        start = slots.parse_slot(chosen["start"])
        label = slots.local_label(start, chosen.get("tz", LOCAL_TZ))
        s["awaiting"] = "confirm"
        saved = next((a for a in await self.saved_addresses() if a.id == s.get("address_id")), None)
        question = (gettext("Shall I book it at your saved address, %(name)s?", name=saved.name) if saved
                    else gettext("Shall I book it?"))
        out = BotReply([
            gettext("Please check your booking:"),
            gettext("Service: %(service)s", service=localized(service, "name")),
            gettext("Professional: %(name)s", name=chosen["provider"]),
            gettext("Time: %(when)s", when=label),
            gettext("Price: %(price)s (pay after the job, cash or UPI)", price=rupees(service.price_paise)),
            gettext("Address: %(address)s", address=s["address"]),
            question,
        ], [], [(gettext("Yes, book it"), gettext("Yes, book it")), (gettext("Another address"), gettext("Another address")),
                (gettext("No"), gettext("No"))])
        return out, s

    async def book(self) -> tuple[BotReply, dict]:
        s = self.state
        if self.user is None:
            s["awaiting"] = "login"
            return self.ask_login(), s
        service = await domain.active_service(self.db, s.get("service") or "")
        chosen, address = s.get("chosen"), s.get("address")
        if service is None or not chosen or not address:
            return await self.offer()
        start = slots.parse_slot(chosen["start"])
        customer = domain.Customer(self.user.id, self.user.gender)
        details = {"address": address, "phone": self.user.phone, "notes": BOOKED_IN_CHAT}
        if s.get("address_id"):
            details["address_id"], details["pin"] = str(s["address_id"]), s.get("pin") or ""
        try:
            booking_id = await domain.place_booking(self.db, customer, service, chosen["provider_id"], start,
                                                    details, self.now)
        except domain.SlotTaken:
            return await self.offer(gettext("Sorry, that slot was just taken. Here are fresh choices."))
        except domain.AlreadyBooked as refused:
            return await self.offer(refused.message)
        except domain.BookingRefused as refused:
            self.forget_pending()
            return BotReply([refused.message], [(localized(service, "name"), f"/services/{service.slug}")]), s
        except ValidationError as error:
            if "address" in error.errors:
                s["awaiting"] = "address"
                return BotReply([error.errors["address"]]), s
            return BotReply([*error.errors.values(), gettext("Please update your phone number on your account page.")],
                            [(gettext("Account"), "/account")]), s
        if s.get("address_id"):
            await addresses.mark_used(self.db, self.user.id, int(s["address_id"]), self.now)
        label = slots.local_label(start, chosen.get("tz", LOCAL_TZ))
        self.forget_pending()
        for key in ("day", "part", "at", "from_day", "day_to", "after", "before", "women"):
            s.pop(key, None)
        s["booking"] = booking_id  # "when is he coming?", "cancel it" refer to this one now
        return BotReply([gettext("Booked! %(service)s with %(name)s on %(when)s. Booking #%(id)s.",
                                 service=localized(service, "name"), name=chosen["provider"], when=label, id=booking_id),
                         gettext("You can cancel free of charge until 3 hours before the start.")],
                        [(gettext("See booking #%(id)s", id=booking_id), f"/bookings/{booking_id}"),
                         (gettext("My bookings"), "/bookings")]), s

    async def _still_free(self, service: domain.Service, provider_id: int, start: datetime | None) -> bool:
        if start is None:
            return False
        provider = await self.db.fetch_one("select_provider", {"id": provider_id})
        if provider is None:
            return False
        avail, taken = await domain.schedule(self.db, provider, self.now, start - timedelta(days=1),
                                             start + timedelta(days=1))
        return slots.why_not_bookable(avail, taken, service.duration, start, self.now) is None


ORDINALS = {"first": 0, "1st": 0, "pehla": 0, "second": 1, "2nd": 1, "doosra": 1, "dusra": 1,
             "third": 2, "3rd": 2, "teesra": 2, "tisra": 2, "last": -1,
             "पहला": 0, "पहली": 0, "दूसरा": 1, "दूसरी": 1, "तीसरा": 2, "तीसरी": 2}


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def picked_option(text: str, options: list[dict]) -> dict | None:
    """The offered option the message picks: its exact label, "2", "the second one", "दूसरा"."""
    if not options:
        return None
    said = _norm(text)
    for option in options:
        if _norm(option["label"]) == said:
            return option
    said_words = words(said)  # (Python's \w splits a Devanagari word at every vowel sign)
    picks = [w for w in said_words if w not in _PICK_FILLERS]
    if len(picks) != 1 or len(said_words) > 5:
        return None  # "1, MG Road" is an address, not option 1
    word = picks[0]
    if word.isdigit() and 1 <= int(word) <= len(options):
        return options[int(word) - 1]
    if word in ORDINALS and (ORDINALS[word] < len(options)):
        return options[ORDINALS[word]]
    return None


_PICK_FILLERS = frozenset({"the", "one", "please", "option", "slot", "number", "no", "pls", "wala", "vala",
                           "waala", "time", "i", "take", "ll", "will", "want", "that", "वाला", "वाली", "नंबर"})


def _addressish(text: str) -> bool:
    """Addresses carry a house number or commas; questions and chit-chat rarely do."""
    return len(text) >= 10 and (any(ch.isdigit() for ch in text) or "," in text)


# Words that name parts of an Indian street address, and ordinal streets ("10th Cross",
# "2nd Main", "3rd Avenue"); a date reader sees days in the latter, and "No. 3" reads as "no".
_ADDRESS_WORDS = re.compile(
    r"\b(?:road|rd|street|st|lane|cross|avenue|flat|house|h\.?\s?no|floor|sector|block|nagar|colony|"
    r"apartments?|apts?|society|marg|plot|phase|layout|tower|towers|villa|bungalow|chawl|gali|mohalla|"
    r"residency|enclave|extension|stage|village|building|bldg|wing|complex|vihar|puram|chowk|circle|"
    r"no\.\s*\d+|\d+(?:st|nd|rd|th)\s+main)\b", re.IGNORECASE)


def _street_address(text: str) -> bool:
    """Unmistakably a postal address: address-shaped and naming a street part or a PIN code."""
    return (_addressish(text) and "?" not in text
            and bool(_ADDRESS_WORDS.search(text) or PIN_CODE.search(text)))


def _something_else(u: Understanding, text: str) -> bool:
    """A message that asks or says something other than an address ("facial on Saturday at 10").

    A service word alone does not count when the text looks like a street address
    with commas ("Flat 3, near the water tank, Andheri")."""
    if u.day or u.part_of_day or u.at:
        return True
    if u.intent in ("faq", "human", "complaint", "my_bookings", "cancel", "reschedule", "status", "book_again",
                    "cancel_reschedule", "service_info", "find_slots", "greeting", "thanks_bye"):
        return True
    return u.intent == "book" and "," not in text
