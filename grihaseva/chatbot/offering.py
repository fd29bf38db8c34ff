"""Offering free times: up to three real slots for the remembered service and time, as buttons.

Free slots come from the booking domain only (`domain.qualified_providers` at the customer's PIN
code, `domain.schedule` and `slots.free_starts_on`).  What the state says narrows them: the day or
a range of days (`from_day`..`day_to`), a part of the day or a clock time, "after 5" / "before
noon", a woman professional, the professional of a booking made before ("book again").  Times
that overlap the customer's own booking of the same service are left out, and said so, here,
when they are offered: the booking would refuse them after the address and the yes.

Nothing free is never a dead end: the nearest later day within a week, else the same days at any
time of day, else the first free times within the booking window, else other days and a person.
A category without a service offers its everyday (cheapest) job, with the others as buttons.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..booking import addresses, domain, slots
from ..i18n import DEFAULT_LOCALE, day_label, get_locale, gettext, localized, long_date_label, rupees, time_label
from .nlu import CatalogueEntry
from .replies import BotReply, person_button
from .turn import LOCAL_TZ, Turn

MAX_OPTIONS = 3
LOOK_AHEAD_DAYS = 7
BOOKING_WINDOW_DAYS = 30  # the providers' default booking window (slots.Availability.window)

# Local clock windows for a part of the day: [from, to).
PART_WINDOWS = {
    "morning": (time(6), time(12)),
    "afternoon": (time(12), time(16)),
    "evening": (time(16), time(21)),
    "night": (time(19), time(23)),
}


def part_name(part: str) -> str:
    return {"morning": gettext("in the morning"), "afternoon": gettext("in the afternoon"),
            "evening": gettext("in the evening"), "night": gettext("at night")}.get(part, part)


class SlotOffers(Turn):
    async def offer(self, note: str | None = None) -> tuple[BotReply, dict]:
        """Up to three real free slots for the remembered service and time, as buttons."""
        s = self.state
        for key in ("options", "chosen", "awaiting"):
            s.pop(key, None)
        slug = s.get("service")
        alternatives: list[CatalogueEntry] = []
        if not slug and s.get("category"):
            in_category = [e for e in self.catalogue if e.category == s["category"]]
            prices = {r["slug"]: r["price_paise"] for r in await self.services()}
            in_category.sort(key=lambda e: prices.get(e.slug, 0))
            if in_category:  # the category's everyday job; the others are offered as buttons
                slug, alternatives = in_category[0].slug, in_category[1:]
                s["service"] = slug
        if not slug:
            s["awaiting"] = "service"
            cats: dict[str, str] = {}
            for e in self.catalogue:
                cats.setdefault(e.category, localized(e, "category_name"))
            return BotReply([gettext("Which service do you need?")], [(gettext("All services"), "/services")],
                            [(name, name) for name in cats.values()]), s
        service = await domain.active_service(self.db, slug)
        if service is None:
            self.forget_pending()
            s["service"] = None
            return BotReply([gettext("Sorry, that service is not offered any more.")],
                            [(gettext("All services"), "/services")]), s
        page = (localized(service, "name"), f"/services/{service.slug}")
        if self.user is not None and service.women_only and self.user.gender != "female":
            return BotReply([str(domain.WOMEN_ONLY_CUSTOMER)], [page]), s
        if self.user is not None and self.user.role != "customer":  # say so before offering times
            return BotReply([gettext("You are logged in as a %(role)s; bookings are made from a customer account. "
                                     "You can still ask me about services and prices.", role=self.role_name())],
                            [page]), s
        today = self.local_today()
        rows, filtered = await self._qualified(service)
        if not rows:  # said before any day is asked: nobody to send, whatever the day
            return self._nobody(service, filtered, [note] if note else []), s
        if not (s.get("day") or s.get("part") or s.get("at") or s.get("from_day") and s.get("day_to")
                or s.get("after") or s.get("before")):
            return self._ask_day(service, today, note), s

        last_day = today + timedelta(days=BOOKING_WINDOW_DAYS)
        if s.get("day") and date.fromisoformat(s["day"]) > last_day:
            asked = date.fromisoformat(s.pop("day"))  # never kept: every later request would ask for it
            s["awaiting"] = "day"
            return BotReply([gettext("We take bookings up to %(days)s days ahead, so %(day)s is too far out. "
                                     "Which day up to %(last)s suits you?", days=BOOKING_WINDOW_DAYS,
                                     day=f"{day_label(asked)} {asked.year}", last=day_label(last_day))],
                            [page], [(gettext("Today"), gettext("Today")), (gettext("Tomorrow"), gettext("Tomorrow"))]), s

        parts = [note] if note else []
        parts += self.date_notes()
        setups = await self._schedules(rows)
        clashes = await self._own_clashes(service)
        found, how = self._find(service, setups, clashes)
        if clashes.get("hit"):
            hit = clashes["hit"]
            parts.append(gettext("You already have %(service)s booked on %(when)s, so I left out times that "
                                 "overlap it.", service=localized(service, "name"), when=slots.local_label(hit, LOCAL_TZ)))
        if not found:
            parts.append(gettext("Sorry, there are no free times for %(service)s in the next %(days)s days. "
                                 "Another service, or a person from our team, may help.",
                                 service=localized(service, "name"), days=BOOKING_WINDOW_DAYS))
            s["awaiting"] = "day"
            return BotReply(parts, [page], [*self.day_buttons(today), person_button()]), s
        when = self.when_text()
        who = gettext(" (women professionals only, as you asked)") if s.get("women") else ""
        if how == "asked":
            parts.append(gettext("Free times for %(service)s (%(price)s) %(when)s%(who)s:", service=localized(service, "name"),
                                 price=rupees(service.price_paise), when=when, who=who))
        elif how == "later_day":
            parts.append(gettext("Nothing is free %(when)s. The nearest free times for %(service)s%(who)s:",
                                 when=when, service=localized(service, "name"), who=who))
        else:  # "any_time": nothing at that time of day
            parts.append(gettext("Nothing is free %(when)s in the next %(days)s days. The nearest free times for "
                                 "%(service)s at any time of day%(who)s:", when=when, days=LOOK_AHEAD_DAYS,
                                 service=localized(service, "name"), who=who))
        parts.append(gettext("Pick a time below.") if not alternatives else
                     gettext("Pick a time below, or choose another %(category)s job.",
                             category=_in_sentence(localized(alternatives[0], "category_name"))))
        s["options"] = found
        s["awaiting"] = "slot"
        out = BotReply(parts, [page], [(o["label"], o["label"]) for o in found])
        out.buttons.extend((localized(e, "name"), localized(e, "name")) for e in alternatives)
        if how != "asked":
            out.buttons.append((gettext("Another day"), gettext("Another day")))
        return out, s

    def _ask_day(self, service: domain.Service, today: date, note: str | None = None) -> BotReply:
        s = self.state
        s["awaiting"] = "day"
        if s.get("from_day"):  # "next week": four days from its Monday; "weekend": Saturday and Sunday
            first = date.fromisoformat(s["from_day"])
            count = 2 if first.weekday() == 5 else 4
            days = [day_button(first + timedelta(days=n)) for n in range(count)]
        else:
            days = self.day_buttons(today)
        return BotReply([*([note] if note else []), gettext("%(service)s (%(price)s). Which day suits you?",
                                                          service=localized(service, "name"), price=rupees(service.price_paise))],
                        [(localized(service, "name"), f"/services/{service.slug}")], days)

    def day_buttons(self, today: date) -> list[tuple[str, str]]:
        days = [(gettext("Today"), gettext("Today")), (gettext("Tomorrow"), gettext("Tomorrow"))]
        for n in (2, 3):
            days.append(day_button(today + timedelta(days=n)))
        return days

    def _nobody(self, service: domain.Service, filtered: str | None, parts: list[str]) -> BotReply:
        """No professional at all for this service (here, or a woman): say which filter, offer the way out."""
        s = self.state
        page = (localized(service, "name"), f"/services/{service.slug}")
        if filtered == "women":
            parts.append(gettext("Sorry, none of our women professionals does %(service)s yet, so I cannot send "
                                 "a woman for this job.", service=localized(service, "name")))
            return BotReply(parts, [page], [(gettext("Any professional is fine"), gettext("Any professional is fine")),
                                            person_button()])
        if filtered == "pin":
            parts.append(gettext("Sorry, no professional does %(service)s at PIN code %(pin)s yet.",
                                 service=localized(service, "name"), pin=s.get("pin") or ""))
            return BotReply(parts, [page, (gettext("All services"), "/services")], [person_button()])
        parts.append(gettext("Sorry, there are no free times for %(service)s in the next %(days)s days. "
                             "Another service, or a person from our team, may help.",
                             service=localized(service, "name"), days=BOOKING_WINDOW_DAYS))
        return BotReply(parts, [page], [person_button()])

    async def _qualified(self, service: domain.Service) -> tuple[list, str | None]:
        """The professionals for the service at the customer's PIN code, a woman if asked, the booked
        professional for "book again"; and which filter emptied the list, if one did."""
        s = self.state
        pin = await self.customer_pin()
        rows = await domain.qualified_providers(self.db, service, pin)
        if not rows:
            return [], ("pin" if pin else None)
        if s.get("women"):
            rows = [r for r in rows if r["gender"] == "female"]
            if not rows:
                return [], "women"
        if s.get("provider_id"):
            same = [r for r in rows if r["id"] == s["provider_id"]]
            rows = same or rows  # not offering it any more: anyone else
        return rows, None

    async def _schedules(self, rows: list) -> list:
        """[(provider, availability, busy)] over the booking window, one read each."""
        first = self.local_today() - timedelta(days=1)
        span_from = datetime.combine(first, time(), ZoneInfo(LOCAL_TZ)).astimezone(slots.UTC)
        span_to = span_from + timedelta(days=BOOKING_WINDOW_DAYS + 3)
        setups = []
        for p in rows:
            avail, taken = await domain.schedule(self.db, p, self.now, span_from, span_to)
            setups.append((p, avail, taken))
        return setups

    async def _own_clashes(self, service: domain.Service) -> dict:
        """The customer's confirmed upcoming bookings of this service: [(start, end)] under "busy"."""
        if self.user is None or self.user.role != "customer":
            return {"busy": []}
        rows = await self.own_bookings()
        busy = [(r["starts_at"], r["ends_at"]) for r in rows
                if r["status"] == "confirmed" and r["ends_at"] > self.now and r["service_slug"] == service.slug]
        return {"busy": busy}

    def _find(self, service: domain.Service, setups: list, clashes: dict) -> tuple[list[dict], str]:
        """(options, how): how is "asked" (the time asked), "later_day" (the same time of day on a
        later day), "any_time" (another time of day) or "window" (the first free times)."""
        s = self.state
        today = self.local_today()
        if s.get("day"):
            first, last = date.fromisoformat(s["day"]), None
        elif s.get("from_day"):
            first = date.fromisoformat(s["from_day"])
            last = date.fromisoformat(s["day_to"]) if s.get("day_to") else None
        else:
            first, last = today, None
        first = max(first, today)
        window = PART_WINDOWS.get(s.get("part") or "")
        after = time.fromisoformat(s["after"]) if s.get("after") else None
        before = time.fromisoformat(s["before"]) if s.get("before") else None
        at = time.fromisoformat(s["at"]) if s.get("at") else None

        def fits(local: datetime, timed: bool) -> bool:
            if not timed:
                return True
            clock = local.time()
            if window and not window[0] <= clock < window[1]:
                return False
            if after and clock < after:
                return False
            return not (before and clock >= before)

        def search(days: range, timed: bool) -> tuple[list[dict], int | None]:
            for offset in days:
                current = first + timedelta(days=offset)
                candidates = []
                for p, avail, taken in setups:
                    zone = ZoneInfo(avail.tz)
                    for start in slots.free_starts_on(avail, taken, service.duration, current, self.now):
                        end = start + service.duration
                        if any(b0 < end and start < b1 for b0, b1 in clashes["busy"]):
                            clashes.setdefault("hit", next(b0 for b0, b1 in clashes["busy"] if b0 < end and start < b1))
                            continue
                        if fits(start.astimezone(zone), timed):
                            candidates.append((start, p, avail.tz))
                if candidates:
                    return pick_spread(candidates, at if timed else None, current), offset
            return [], None

        span = (last - first).days + 1 if last else 1
        found, offset = search(range(max(span, LOOK_AHEAD_DAYS)), True)
        if found:
            return found, ("asked" if offset < span else "later_day")
        if window or after or before or at:
            found, _ = search(range(LOOK_AHEAD_DAYS), False)
            if found:
                return found, "any_time"
        found, _ = search(range(BOOKING_WINDOW_DAYS + 1), False)
        return found, "window"

    def when_text(self) -> str:
        s = self.state
        bits = []
        if s.get("day"):
            bits.append(gettext("on %(day)s", day=day_label(date.fromisoformat(s["day"]))))
        elif s.get("from_day") and s.get("day_to"):
            bits.append(gettext("from %(first)s to %(last)s", first=day_label(date.fromisoformat(s["from_day"])),
                                last=day_label(date.fromisoformat(s["day_to"]))))
        if s.get("at"):
            bits.append(gettext("around %(time)s", time=_clock_label(time.fromisoformat(s["at"]))))
        elif s.get("part"):
            bits.append(part_name(s["part"]))
        if s.get("after"):
            bits.append(gettext("after %(time)s", time=_clock_label(time.fromisoformat(s["after"]))))
        if s.get("before"):
            bits.append(gettext("before %(time)s", time=_clock_label(time.fromisoformat(s["before"]))))
        return " ".join(bits) or gettext("soonest")

    async def customer_pin(self) -> str | None:
        """The PIN code whose professionals are offered: said in this conversation, else the customer's
        last used saved address (issue 15's rule), else none (nobody is filtered)."""
        if self.state.get("pin"):
            return self.state["pin"]
        if self.user is None or self.user.role != "customer":
            return None
        saved = await self.saved_addresses()
        return saved[0].pin_code if saved else None

    async def saved_addresses(self) -> list[addresses.Address]:
        if "_saved" not in self.cache:
            self.cache["_saved"] = await addresses.customer_addresses(self.db, self.user.id) if self.user else []
        return self.cache["_saved"]


def _in_sentence(name: str) -> str:
    """A category's name inside an English sentence ("another plumbing job"); as it is elsewhere."""
    return name.lower() if get_locale() == DEFAULT_LOCALE else name


def day_button(day: date) -> tuple[str, str]:
    """("Wed 25 Nov", "Wed 25 Nov") in English; in Hindi the label "बुध 25 नव॰" posts "25 नवंबर",
    which the date reader takes (it reads full month names)."""
    if get_locale() == DEFAULT_LOCALE:
        return day_label(day), day_label(day)
    return day_label(day), long_date_label(day).rsplit(" ", 1)[0]


def _clock_label(clock: time) -> str:
    moment = datetime.combine(date(2026, 1, 1), clock, ZoneInfo(LOCAL_TZ))
    return time_label(moment, LOCAL_TZ)


def pick_spread(candidates: list[tuple[datetime, dict, str]], at: time | None, day: date) -> list[dict]:
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
             "label": gettext("%(when)s with %(name)s", when=slots.local_label(start, tz), name=p["name"])}
            for start, p, tz in chosen]
