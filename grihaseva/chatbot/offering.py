"""Offering free times: up to three real slots for the remembered service and
day, part of day or clock time, as buttons.

Free slots come from the booking domain only (`domain.qualified_providers`,
`domain.availability`, `domain.busy` and `slots.free_starts_on`).  A category
without a service offers its everyday (cheapest) job, with the others as
buttons; nothing free that day moves to the nearest later day within a week.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..booking import domain, slots
from ..money import rupees
from .nlu import CatalogueEntry
from .replies import BotReply
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
            return BotReply([str(domain.WOMEN_ONLY_CUSTOMER)], [(service.name, f"/services/{service.slug}")]), s
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
