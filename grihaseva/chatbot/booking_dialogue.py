"""The booking dialogue after the slots are shown: the customer picks one, logs
in if need be, gives the address, checks a summary and says yes.

Only then is the slot booked, through `domain.place_booking`; `SlotTaken` gets fresh
choices and `BookingRefused` (women-only, for example) is shown in the domain's
own words.  While the bot waits for the address, a message that is
unmistakably a street address is the address, and anything else that carries a
day, a time or another request is answered as that request.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from ..auth.accounts import ValidationError
from ..booking import domain, slots
from ..money import rupees
from ..plaintext import one_line
from .nlu import Understanding
from .offering import SlotOffers
from .replies import CHOICES, LOGIN_HREF, BotReply
from .turn import LOCAL_TZ


class BookingDialogue(SlotOffers):
    def ask_login(self) -> BotReply:
        return BotReply(["To book, please log in first. This conversation will be waiting for you here."],
                        [("Log in", LOGIN_HREF), ("Register", "/register")])

    async def choose(self, option: dict) -> tuple[BotReply, dict]:
        s = self.state
        service = await domain.active_service(self.db, s.get("service") or "")
        if service is None:
            return await self.offer()
        start = slots.parse_slot(option["start"])
        if not await self._still_free(service, option["provider_id"], start):
            return await self.offer("Sorry, that time was just taken. Here are fresh choices.")
        s["chosen"] = option
        if self.user is None:
            s["awaiting"] = "login"
            out = self.ask_login()
            out.parts.insert(0, f"Good choice: {option['label']}.")
            return out, s
        resumed = await self.resume()
        return resumed

    async def resume(self) -> tuple[BotReply, dict] | None:
        """With a chosen slot and a logged-in user: check who may book, then ask for the address."""
        s = self.state
        if not s.get("chosen") or self.user is None:
            return None
        if self.user.role != "customer":
            self.forget_pending()
            return BotReply([f"You are logged in as a {self.user.role}; bookings are made from a customer account."]), s
        service = await domain.active_service(self.db, s.get("service") or "")
        if service is None:
            return await self.offer()
        try:
            await domain.check_can_book(self.db, domain.Customer(self.user.id, self.user.gender), service,
                                        s["chosen"]["provider_id"])
        except domain.BookingRefused as refused:
            self.forget_pending()
            return BotReply([refused.message], [(service.name, f"/services/{service.slug}")]), s
        prefill = s.pop("address", None)  # said earlier in this conversation
        if not prefill:
            last = await self.db.fetch_one("select_last_booking_address", {"customer_id": self.user.id})
            prefill = last["address"] if last else None
        s["awaiting"] = "address"
        out = BotReply([f"{s['chosen']['label']}. Where should {s['chosen']['provider']} come? "
                        "Type the full address (house, street, area)."])
        if prefill:
            s["prefill"] = prefill
            out.parts.append("Or use the same address as before:")
            out.buttons.append((f"Use {prefill}", prefill))
        return out, s

    async def address_answer(self, text: str, u: Understanding) -> tuple[BotReply, dict] | None:
        s = self.state
        address = one_line(text)  # as the booking will store it
        if u.intent == "confirm" and s.get("prefill"):
            address = s["prefill"]
        elif _street_address(address):
            pass  # "No. 3, Station Road", "10th Cross", "Monday Market Road": an address, not a no or a date
        elif u.intent == "deny":
            self.forget_pending()
            return BotReply(["OK, I have stopped this booking. Anything else?"], [], list(CHOICES)), s
        elif not _addressish(address) or _something_else(u, address):
            if u.intent != "fallback" or u.day or u.part_of_day or u.at:
                return None  # a question or a new request in between: answer it
            return BotReply(["Please type the full address where the work is to be done (house, street, area)."]), s
        if len(address) < 10:
            return BotReply(["That address looks too short. Please include the house, street and area."]), s
        if len(address) > 300:
            return BotReply(["Please keep the address under 300 characters."]), s
        s["address"] = address
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
        return BotReply([
            "Please check your booking:",
            f"Service: {service.name}",
            f"Professional: {chosen['provider']}",
            f"Time: {label}",
            f"Price: {rupees(service.price_paise)} (pay after the job, cash or UPI)",
            f"Address: {s['address']}",
            "Shall I book it?",
        ], [], [("Yes, book it", "Yes, book it"), ("No", "No")]), s

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
        try:
            booking_id = await domain.place_booking(self.db, customer, service, chosen["provider_id"], start,
                                                    {"address": address, "phone": self.user.phone,
                                                     "notes": "Booked in chat"}, self.now)
        except domain.SlotTaken:
            return await self.offer("Sorry, that slot was just taken. Here are fresh choices.")
        except domain.BookingRefused as refused:
            self.forget_pending()
            return BotReply([refused.message], [(service.name, f"/services/{service.slug}")]), s
        except ValidationError as error:
            if "address" in error.errors:
                s["awaiting"] = "address"
                return BotReply([error.errors["address"]]), s
            return BotReply([*error.errors.values(), "Please update your phone number on your account page."],
                            [("Account", "/account")]), s
        label = slots.local_label(start, chosen.get("tz", LOCAL_TZ))
        self.forget_pending()
        s["day"] = s["part"] = s["at"] = None
        return BotReply([f"Booked! {service.name} with {chosen['provider']} on {label}. Booking #{booking_id}.",
                         "You can cancel free of charge until 3 hours before the start."],
                        [(f"See booking #{booking_id}", f"/bookings/{booking_id}"), ("My bookings", "/bookings")]), s

    async def _still_free(self, service: domain.Service, provider_id: int, start: datetime | None) -> bool:
        if start is None:
            return False
        avail = await domain.availability(self.db, provider_id, self.now)
        taken = await domain.busy(self.db, provider_id, start - timedelta(days=1), start + timedelta(days=1))
        return slots.why_not_bookable(avail, taken, service.duration, start, self.now) is None


_ORDINALS = {"first": 0, "1st": 0, "pehla": 0, "second": 1, "2nd": 1, "doosra": 1, "dusra": 1,
             "third": 2, "3rd": 2, "teesra": 2, "tisra": 2, "last": -1}


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def picked_option(text: str, options: list[dict]) -> dict | None:
    """The offered option the message picks: its exact label, "2", "the second one"."""
    if not options:
        return None
    said = _norm(text)
    for option in options:
        if _norm(option["label"]) == said:
            return option
    words = re.findall(r"[a-z0-9]+", said)
    picks = [w for w in words if w not in _PICK_FILLERS]
    if len(picks) != 1 or len(words) > 5:
        return None  # "1, MG Road" is an address, not option 1
    word = picks[0]
    if word.isdigit() and 1 <= int(word) <= len(options):
        return options[int(word) - 1]
    if word in _ORDINALS and (_ORDINALS[word] < len(options)):
        return options[_ORDINALS[word]]
    return None


_PICK_FILLERS = frozenset({"the", "one", "please", "option", "slot", "number", "no", "pls", "wala", "vala",
                           "waala", "time", "i", "take", "ll", "will", "want", "that"})


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
_PIN_CODE = re.compile(r"\b[1-9]\d{5}\b")


def _street_address(text: str) -> bool:
    """Unmistakably a postal address: address-shaped and naming a street part or a PIN code."""
    return (_addressish(text) and "?" not in text
            and bool(_ADDRESS_WORDS.search(text) or _PIN_CODE.search(text)))


def _something_else(u: Understanding, text: str) -> bool:
    """A message that asks or says something other than an address ("facial on Saturday at 10").

    A service word alone does not count when the text looks like a street address
    with commas ("Flat 3, near the water tank, Andheri")."""
    if u.day or u.part_of_day or u.at:
        return True
    if u.intent in ("faq", "human", "my_bookings", "cancel_reschedule", "service_info", "find_slots",
                    "greeting", "thanks_bye"):
        return True
    return u.intent == "book" and "," not in text
