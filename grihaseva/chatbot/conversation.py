"""The chatbot's conversation: one customer message in, one reply out.

`reply(db, state, user, text, now)` understands the message (`nlu.understand`),
moves the conversation's small state machine on, and answers.  Booking goes
through the booking domain only: free slots come from `domain.availability`,
`domain.busy` and `slots.free_starts_on`, and the booking itself from
`domain.book_slot`, after the customer has said yes to a summary.

The state is a JSON-able dict kept with the conversation:

    service, category     what the customer wants (remembered across turns)
    day, part, at         when ("2026-11-24", "evening", "18:00")
    options               the slots last offered: [{start, provider_id, provider, label}]
    chosen                the slot picked from them
    address               the address for the booking being made
    awaiting              what the last reply asked for: service | day | slot | login | address | confirm
    prefill               the customer's last booking address, offered for reuse

Nothing here knows about Quart: the views pass the user, the clock and the text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..blog.posts import safe_href
from ..auth.accounts import ValidationError
from ..booking import domain, slots
from ..money import rupees
from ..plaintext import one_line
from . import faq as faq_module
from .nlu import CatalogueEntry, Understanding, understand

LOCAL_TZ = "Asia/Kolkata"
MAX_OPTIONS = 3
LOOK_AHEAD_DAYS = 7
BOOKING_WINDOW_DAYS = 30  # the providers' default booking window (slots.Availability.window)
LOGIN_HREF = "/login?next=/chat"

# Local clock windows for a part of the day: [from, to).
PART_WINDOWS = {
    "morning": (time(6), time(12)),
    "afternoon": (time(12), time(16)),
    "evening": (time(16), time(21)),
    "night": (time(19), time(23)),
}

CHOICES = (("Book a service", "Book a service"), ("Prices", "Prices"), ("My bookings", "My bookings"),
           ("Talk to a person", "Talk to a person"))

_PENDING = ("options", "chosen", "address", "awaiting", "prefill")

# Words of someone asking for a job done, when no service of ours matched.
_ASKS_FOR_A_JOB = re.compile(
    r"\b(?:repair|repairs|repairing|fix|fixing|install|installation|servicing|need|needed|want|"
    r"chahiye|karwana|karwani|someone|painter|painting|pest|carpenter|carpentry|mechanic|gardener|"
    r"gardening|cook|maid|driver|tutor|mistri|technician)\b", re.IGNORECASE)


@dataclass
class BotReply:
    parts: list[str] = field(default_factory=list)             # paragraphs of plain text
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, href)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (label, value posted back as the message)

    def to_json(self) -> dict:
        return {"parts": self.parts, "links": [list(x) for x in self.links],
                "buttons": [list(x) for x in self.buttons]}

    @classmethod
    def from_json(cls, data: dict) -> "BotReply":
        return cls(list(data.get("parts", [])), [tuple(x) for x in data.get("links", [])],
                   [tuple(x) for x in data.get("buttons", [])])

    def link(self, label: str, href: str) -> None:
        if all(h != href for _, h in self.links):
            self.links.append((label, href))


def welcome() -> BotReply:
    """What an empty conversation shows (not stored)."""
    return BotReply(["Namaste! I can answer questions about GrihaSeva and book a verified professional for you. "
                     "Try: \"I need a plumber tomorrow evening\"."], [], list(CHOICES))


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
        picked = _picked(text, state.get("options") or [])
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


class _Turn:
    def __init__(self, db, state: dict, user, now: datetime, catalogue: list[CatalogueEntry]):
        self.db, self.state, self.user, self.now, self.catalogue = db, state, user, now, catalogue

    # ---- routing by intent

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

    def not_offered(self) -> BotReply:
        categories: dict[str, str] = {}
        for e in self.catalogue:
            categories.setdefault(e.category, e.category_name)
        names = ", ".join(categories.values())
        return BotReply([f"Sorry, we don't offer that yet. GrihaSeva professionals do: {names}. "
                         "Pick one, or talk to a person if you are not sure."],
                        [("All services", "/services")],
                        [(name, name) for name in categories.values()] + [CHOICES[3]])

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

    def forget_pending(self) -> None:
        for key in _PENDING:
            self.state.pop(key, None)

    def _category_of(self, slug: str) -> str | None:
        return next((e.category for e in self.catalogue if e.slug == slug), None)

    # ---- answers

    def faq(self, u: Understanding) -> BotReply:
        knowledge = faq_module.default_knowledge()
        entry = knowledge.get(u.faq or "")
        if entry is None:
            return self.fallback()
        answer = _answer(entry.answer_md, entry.title)
        extra = {"booking": [("Browse services", "/services")], "prices": [("See prices", "/services")],
                 "women_only": [("Beauty services", "/services")], "password_reset": [("Reset password", "/password/forgot")],
                 "cancellation": [("My bookings", "/bookings")]}.get(entry.topic, [])
        for label, href in extra:
            answer.link(label, href)
        if u.service:
            entry_name = self._name_of(u.service)
            answer.link(entry_name, f"/services/{u.service}")
        return answer

    def human(self) -> BotReply:
        contact = faq_module.default_knowledge().get("contact")
        text = _answer(contact.answer_md).parts if contact else []
        out = BotReply(["You can talk to a person at GrihaSeva support.", *text])
        if contact:
            email = re.search(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", contact.answer_md)
            phone = re.search(r"\+[\d ]{8,}\d", contact.answer_md)
            if email:
                out.link(f"Email {email.group(0)}", f"mailto:{email.group(0)}")
            if phone:
                out.link(f"Call {phone.group(0)}", "tel:" + phone.group(0).replace(" ", ""))
        return out

    async def cancel_help(self, u: Understanding) -> BotReply:
        """The rule, and for a logged-in customer a direct link to move or cancel each upcoming
        booking (the one for the service named first). The change itself is made on the booking's
        own pages, which ask before they change anything."""
        out = BotReply(["Cancelling is free until 3 hours before the start. Open the booking under My bookings to "
                        "cancel it or to pick a new time (the same 3-hour rule applies). Closer to the start, "
                        "please call the professional."], [("My bookings", "/bookings")])
        if self.user is None or self.user.role != "customer":
            return out
        rows = await self.db.fetch_all("select_customer_bookings", {"customer_id": self.user.id})
        changeable = [r for r in rows if domain.changeable(r, self.now)]
        changeable.sort(key=lambda r: (r["service_slug"] != u.service, r["starts_at"]))  # the named service first
        if changeable:
            out.parts.append("Your bookings you can still change:")
        for r in changeable[:3]:
            when = slots.local_label(r["starts_at"], r["timezone"])
            out.link(f"Move {r['service_name']}, {when}", f"/bookings/{r['id']}/reschedule")
            out.link(f"Cancel {r['service_name']}, {when}", f"/bookings/{r['id']}")
        return out

    def fallback(self) -> BotReply:
        return BotReply(["Sorry, I did not understand that. I can help with these:"], [], list(CHOICES))

    def ask_login(self) -> BotReply:
        return BotReply(["To book, please log in first. This conversation will be waiting for you here."],
                        [("Log in", LOGIN_HREF), ("Register", "/register")])

    async def my_bookings(self) -> BotReply:
        if self.user is None:
            return BotReply(["Log in to see your bookings; I will keep this conversation."],
                            [("Log in", LOGIN_HREF)])
        rows = await self.db.fetch_all("select_customer_bookings", {"customer_id": self.user.id})
        upcoming = [r for r in rows if r["ends_at"] > self.now and r["status"] == "confirmed"]
        if not upcoming:
            out = BotReply(["You have no upcoming bookings. Would you like to book a service?"],
                           [("My bookings", "/bookings")], [CHOICES[0]])
            return out
        lines = [f"{r['service_name']} with {r['provider_name']}, {slots.local_label(r['starts_at'], r['timezone'])}: "
                 f"{r['status']}" for r in upcoming[:5]]
        out = BotReply([f"Your upcoming bookings ({len(upcoming)}):", *lines])
        for r in upcoming[:5]:
            out.link(f"Booking #{r['id']}", f"/bookings/{r['id']}")
        out.link("My bookings", "/bookings")
        return out

    async def service_info(self, u: Understanding, text: str) -> BotReply:
        whole_list = not (u.service or u.category) and re.search(r"\b(services|offer|list|all)\b", text.lower())
        slug = u.service or (self.state.get("service") if not (u.category or whole_list) else None)
        if slug:
            service = await domain.active_service(self.db, slug)
            if service:
                return BotReply(
                    [f"{service.name}: {rupees(service.price_paise)}, about {_duration(service.duration_min)}. "
                     f"{service.summary}", f"Included: {service.included}.",
                     "You pay after the job is done, in cash or by UPI."],
                    [(service.name, f"/services/{service.slug}")],
                    [(f"Book {service.name}", f"Book {service.name}")])
        category = None if whole_list else u.category or self.state.get("category")
        entries = [e for e in self.catalogue if category is None or e.category == category]
        rows = {r["slug"]: r for r in await self.db.fetch_all("select_active_services")}
        heading = (f"{entries[0].category_name} services and prices:" if category and entries
                   else "Our services and prices:")
        lines = [f"{rows[e.slug]['name']}: {rupees(rows[e.slug]['price_paise'])}" for e in entries if e.slug in rows]
        out = BotReply([heading, *lines])
        for e in entries[:6] if category else []:
            out.link(e.name, f"/services/{e.slug}")
        out.link("All services", "/services")
        return out

    def _name_of(self, slug: str) -> str:
        return next((e.name for e in self.catalogue if e.slug == slug), slug)

    # ---- offering slots

    async def offer(self, note: str | None = None) -> tuple[BotReply, dict]:
        """Up to three real free slots for the remembered service and time, as buttons."""
        s = self.state
        for key in ("options", "chosen", "awaiting"):
            s.pop(key, None)
        slug = s.get("service")
        alternatives: list[CatalogueEntry] = []
        if not slug and s.get("category"):
            in_category = [e for e in self.catalogue if e.category == s["category"]]
            rows = {r["slug"]: r["price_paise"] for r in await self.db.fetch_all("select_active_services")}
            in_category.sort(key=lambda e: rows.get(e.slug, 0))
            if in_category:  # the category's everyday job; the others are offered as buttons
                slug, alternatives = in_category[0].slug, in_category[1:]
                s["service"] = slug
        if not slug:
            s["awaiting"] = "service"
            cats: dict[str, str] = {}
            for e in self.catalogue:
                cats.setdefault(e.category, e.category_name)
            return BotReply(["Which service do you need?"], [("All services", "/services")],
                            [(name, name) for name in cats.values()]), s
        service = await domain.active_service(self.db, slug)
        if service is None:
            self.forget_pending()
            s["service"] = None
            return BotReply(["Sorry, that service is not offered any more."], [("All services", "/services")]), s
        if self.user is not None and service.women_only and self.user.gender != "female":
            return BotReply([domain.WOMEN_ONLY_CUSTOMER], [(service.name, f"/services/{service.slug}")]), s
        if self.user is not None and self.user.role != "customer":  # say so before offering times
            return BotReply([f"You are logged in as a {self.user.role}; bookings are made from a customer account. "
                             "You can still ask me about services and prices."],
                            [(service.name, f"/services/{service.slug}")]), s
        today = self.now.astimezone(ZoneInfo(LOCAL_TZ)).date()
        if not (s.get("day") or s.get("part") or s.get("at")):
            s["awaiting"] = "day"
            if s.get("from_day"):  # "next week": four days from its Monday; "weekend": Saturday and Sunday
                first = date.fromisoformat(s["from_day"])
                count = 2 if first.weekday() == 5 else 4
                labels = [(first + timedelta(days=n)).strftime("%a %d %b").replace(" 0", " ") for n in range(count)]
                days = [(label, label) for label in labels]
            else:
                days = [("Today", "Today"), ("Tomorrow", "Tomorrow")]
                for n in (2, 3):
                    name = (today + timedelta(days=n)).strftime("%A")
                    days.append((name, name))
            return BotReply([f"{service.name} ({rupees(service.price_paise)}). Which day suits you?"],
                            [(service.name, f"/services/{service.slug}")], days), s

        last_day = today + timedelta(days=BOOKING_WINDOW_DAYS)
        if s.get("day") and date.fromisoformat(s["day"]) > last_day:
            asked = date.fromisoformat(s.pop("day"))  # never kept: every later request would ask for it
            s["awaiting"] = "day"
            return BotReply([f"We take bookings up to {BOOKING_WINDOW_DAYS} days ahead, so {asked:%a %d %b %Y} is too "
                             f"far out. Which day up to {last_day:%a %d %b} suits you?"],
                            [(service.name, f"/services/{service.slug}")],
                            [("Today", "Today"), ("Tomorrow", "Tomorrow")]), s
        found, moved = await self._find(service)
        parts = [note] if note else []
        if not found:
            at_that_time = " at that time of day" if (s.get("part") or s.get("at")) else ""
            parts.append(f"Sorry, there are no free times for {service.name} in the next {LOOK_AHEAD_DAYS} days"
                         f"{at_that_time}. Try another day or time.")
            return BotReply(parts, [(service.name, f"/services/{service.slug}")]), s
        when = _when_text(s)
        if moved:
            parts.append(f"Nothing is free {when}. The nearest free times for {service.name}:")
        else:
            parts.append(f"Free times for {service.name} ({rupees(service.price_paise)}) {when}:")
        parts.append("Pick a time below." if not alternatives else
                     f"Pick a time below, or choose another {alternatives[0].category_name.lower()} job.")
        s["options"] = found
        s["awaiting"] = "slot"
        out = BotReply(parts, [(service.name, f"/services/{service.slug}")],
                       [(o["label"], o["label"]) for o in found])
        out.buttons.extend((e.name, e.name) for e in alternatives)
        return out, s

    async def _find(self, service: domain.Service) -> tuple[list[dict], bool]:
        """(options, moved): free slots matching the day and time, or the nearest later ones."""
        s = self.state
        tz = ZoneInfo(LOCAL_TZ)
        today = self.now.astimezone(tz).date()
        day = date.fromisoformat(s["day"]) if s.get("day") else (
            date.fromisoformat(s["from_day"]) if s.get("from_day") else today)
        day = max(day, today)
        window = PART_WINDOWS.get(s.get("part") or "")
        at = time.fromisoformat(s["at"]) if s.get("at") else None
        providers = await domain.qualified_providers(self.db, service)
        setups = []
        for p in providers:
            avail = await domain.availability(self.db, p["id"], self.now)
            start = datetime.combine(day, time(), ZoneInfo(avail.tz)).astimezone(slots.UTC) - timedelta(days=1)
            taken = await domain.busy(self.db, p["id"], start, start + timedelta(days=LOOK_AHEAD_DAYS + 2))
            setups.append((p, avail, taken))
        for offset in range(LOOK_AHEAD_DAYS):
            current = day + timedelta(days=offset)
            candidates = []
            for p, avail, taken in setups:
                for start in slots.free_starts_on(avail, taken, service.duration, current, self.now):
                    local = start.astimezone(ZoneInfo(avail.tz))
                    if window and not window[0] <= local.time() < window[1]:
                        continue
                    candidates.append((start, p, avail.tz))
            if candidates:
                return _pick_spread(candidates, at, current), offset > 0
        return [], False

    # ---- choosing, logging in, address, summary, booking

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
            booking_id = await domain.book_slot(self.db, customer, service, chosen["provider_id"], start,
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


# ---------------------------------------------------------------- helpers


def _pick_spread(candidates: list[tuple[datetime, dict, str]], at: time | None, day: date) -> list[dict]:
    """Up to three options: nearest to `at` when given, else the earliest; distinct times first."""
    if at is not None:
        tz = ZoneInfo(candidates[0][2])
        target = datetime.combine(day, at, tz)
        candidates.sort(key=lambda c: (abs(c[0] - target), c[0], c[1]["name"]))
    else:
        candidates.sort(key=lambda c: (c[0], c[1]["name"]))
    chosen, seen = [], set()
    for start, p, tz in candidates:  # one provider per start time first
        if start not in seen:
            chosen.append((start, p, tz))
            seen.add(start)
        if len(chosen) == MAX_OPTIONS:
            break
    for c in candidates:
        if len(chosen) == MAX_OPTIONS:
            break
        if c not in chosen:
            chosen.append(c)
    chosen.sort(key=lambda c: c[0])
    return [{"start": slots.slot_token(start), "provider_id": p["id"], "provider": p["name"], "tz": tz,
             "label": f"{slots.local_label(start, tz)} with {p['name']}"} for start, p, tz in chosen]


_ORDINALS = {"first": 0, "1st": 0, "pehla": 0, "second": 1, "2nd": 1, "doosra": 1, "dusra": 1,
             "third": 2, "3rd": 2, "teesra": 2, "tisra": 2, "last": -1}


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _picked(text: str, options: list[dict]) -> dict | None:
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


_NEXT_WEEK = re.compile(r"\b(?:next|agle|agla|agli|coming)\s+(?:week|hafte|hafta)\b", re.IGNORECASE)
_WEEKEND = re.compile(r"\b(?:this\s+|is\s+|coming\s+)?weekend\b", re.IGNORECASE)


def _span_start(text: str, today: date) -> date | None:
    """The first day of a span the customer named: next week's Monday, this weekend's Saturday."""
    if _NEXT_WEEK.search(text):
        return today + timedelta(days=7 - today.weekday())
    if _WEEKEND.search(text):
        return today if today.weekday() >= 5 else today + timedelta(days=5 - today.weekday())
    return None


def _when_text(state: dict) -> str:
    bits = []
    if state.get("day"):
        bits.append("on " + date.fromisoformat(state["day"]).strftime("%a %d %b").replace(" 0", " "))
    if state.get("at"):
        clock = time.fromisoformat(state["at"])
        hour = clock.hour % 12 or 12
        bits.append(f"around {hour}:{clock.minute:02d} {'am' if clock.hour < 12 else 'pm'}")
    elif state.get("part"):
        bits.append(f"in the {state['part']}")
    return " ".join(bits) or "soonest"


def _duration(minutes: int) -> str:
    hours, rest = divmod(int(minutes), 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"


_MD_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def _answer(markdown: str, title: str = "More") -> BotReply:
    """A knowledge-file answer as plain paragraphs plus its links (no markup reaches the page)."""
    out = BotReply()
    for label, href in _MD_LINK.findall(markdown):
        # The blog's sanitiser and scheme allow-list (http, https, mailto, tel; relative links):
        # a javascript:, data: or vbscript: link typed into the FAQ editor is dropped, its words kept.
        href = safe_href(href)
        if href is not None:
            out.link(title if label.startswith("/") else label, href)
    plain = _MD_LINK.sub(r"\1", markdown).replace("**", "").replace("*", "")
    out.parts = [" ".join(p.split()) for p in re.split(r"\n\s*\n", plain) if p.strip()]
    return out


# ---------------------------------------------------------------- storage


@dataclass
class Conversation:
    id: int | None  # None: nothing said yet, nothing stored
    user_id: int | None
    state: dict


@dataclass
class Message:
    sender: str  # "user" | "bot"
    text: str = ""
    reply: BotReply | None = None


def _conversation(row) -> Conversation:
    try:
        state = json.loads(row["state"] or "{}")
    except ValueError:
        state = {}
    return Conversation(row["id"], row["user_id"], state if isinstance(state, dict) else {})


async def find_conversation(db, user_id: int | None, visitor_key: str | None) -> Conversation | None:
    """The user's latest conversation, else the visitor's (not yet taken over by an account)."""
    if user_id is not None:
        row = await db.fetch_one("select_user_chat_conversation", {"user_id": user_id})
        if row:
            return _conversation(row)
    if visitor_key and user_id is None:
        row = await db.fetch_one("select_visitor_chat_conversation", {"visitor_key": visitor_key})
        if row:
            return _conversation(row)
    return None


async def attach_visitor_conversation(db, user, visitor_key: str | None, now: datetime) -> BotReply | None:
    """On the first chat request after a login: the visitor's conversation becomes the user's.

    A booking that waited for the login carries on: the bot's next message is stored and returned.
    """
    if user is None or not visitor_key:
        return None
    row = await db.fetch_one("select_visitor_chat_conversation", {"visitor_key": visitor_key})
    if row is None:
        return None
    conversation = _conversation(row)
    async with db.transaction() as tx:
        result = await tx.execute("attach_chat_conversation", {"id": conversation.id, "user_id": user.id, "now": now})
    if not result.rowcount:
        return None
    bot, state = await after_login(db, conversation.state, user, now)
    if bot is None:
        return None
    async with db.transaction() as tx:
        await tx.execute("insert_chat_message", {"conversation_id": conversation.id, "sender": "bot",
                                                 "body": json.dumps(bot.to_json()), "now": now})
        await tx.execute("update_chat_state", {"id": conversation.id, "state": json.dumps(state), "now": now})
    return bot


async def record_exchange(db, conversation: Conversation, user_id: int | None, visitor_key: str | None,
                          text: str, bot: BotReply, state: dict, now: datetime) -> int:
    """Store the customer's message, the reply and the new state in one transaction; returns the conversation id."""
    async with db.transaction() as tx:
        conversation_id = conversation.id
        if conversation_id is None:
            result = await tx.execute("insert_chat_conversation", {
                "user_id": user_id, "visitor_key": None if user_id else visitor_key, "state": json.dumps(state),
                "now": now})
            conversation_id = result.lastrowid
        else:
            await tx.execute("update_chat_state", {"id": conversation_id, "state": json.dumps(state), "now": now})
        await tx.execute("insert_chat_message", {"conversation_id": conversation_id, "sender": "user",
                                                 "body": text, "now": now})
        await tx.execute("insert_chat_message", {"conversation_id": conversation_id, "sender": "bot",
                                                 "body": json.dumps(bot.to_json()), "now": now})
    return conversation_id


async def history(db, conversation: Conversation | None) -> list[Message]:
    """The conversation's messages, oldest first (the newest 60)."""
    if conversation is None or conversation.id is None:
        return []
    rows = await db.fetch_all("select_chat_messages", {"conversation_id": conversation.id})
    messages = []
    for row in reversed(rows):
        if row["sender"] == "bot":
            try:
                messages.append(Message("bot", reply=BotReply.from_json(json.loads(row["body"]))))
            except (ValueError, TypeError, AttributeError):
                continue
        else:
            messages.append(Message("user", text=row["body"]))
    return messages
