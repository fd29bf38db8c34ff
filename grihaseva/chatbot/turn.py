"""One turn of the conversation: what every part of the dialogue shares.

`Turn` holds the database, the conversation's state (changed in place), the user (None for a
visitor), the clock, the catalogue and the conversation's id; the answers (`answers.Answers`),
the slot offers (`offering.SlotOffers`), the booking dialogue (`booking_dialogue.BookingDialogue`),
the actions on a booking (`actions.BookingActions`) and the hand-off to a person
(`handoff.Handoff`) build on it, and `conversation._Turn` joins them and routes a message.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ..i18n import day_label, gettext, localized
from .nlu import CatalogueEntry, Understanding

LOCAL_TZ = "Asia/Kolkata"
PIN_CODE = re.compile(r"\b[1-9]\d{5}\b")

# What belongs to the booking being made; a new service drops it.
_PENDING = ("options", "chosen", "address", "address_id", "awaiting", "prefill", "provider_id")


class Turn:
    """What one message's turn works with; the state dict is changed in place."""

    def __init__(self, db, state: dict, user, now: datetime, catalogue: list[CatalogueEntry],
                 conversation_id: int | None = None):
        self.db, self.state, self.user, self.now, self.catalogue = db, state, user, now, catalogue
        self.conversation_id = conversation_id
        # The booking ids the last reply listed, in order ("my bookings"): "the first one" or "2"
        # in this message means one of them. Good for the one message after the list only.
        self.listed: list[int] = list(state.pop("listed", None) or [])
        self.cache: dict = {}  # reads shared by the parts of one turn
        self.notes: list[str] = []  # what the understanding corrected (an impossible or past date)

    def forget_pending(self) -> None:
        for key in _PENDING:
            self.state.pop(key, None)

    def local_today(self) -> date:
        return self.now.astimezone(ZoneInfo(LOCAL_TZ)).date()

    def date_notes(self) -> list[str]:
        return list(self.notes)

    def role_name(self) -> str:
        return {"provider": gettext("provider"), "admin": gettext("admin")}.get(self.user.role, self.user.role)

    async def services(self) -> list:
        if "_services" not in self.cache:
            self.cache["_services"] = await self.db.fetch_all("select_active_services")
        return self.cache["_services"]

    async def own_bookings(self) -> list:
        """The customer's bookings (every status), oldest first; [] for a visitor."""
        if self.user is None or self.user.role != "customer":
            return []
        if "_bookings" not in self.cache:
            self.cache["_bookings"] = await self.db.fetch_all("select_customer_bookings", {"customer_id": self.user.id})
        return self.cache["_bookings"]

    def remember(self, u: Understanding, text: str) -> None:
        """Keep what the message says about the service, the time, a woman professional, the PIN code.

        A new service drops the choices pending for the old one but keeps the day and time said
        (issue 18: a switch of service must not lose them); a message with its own time replaces
        the old time, and a new service on a new day starts without the old time of day."""
        s = self.state
        switched = False
        if u.service and u.service != s.get("service"):
            self.forget_pending()
            switched = bool(s.get("service") or s.get("category"))
            s["service"], s["category"] = u.service, self._category_of(u.service)
        elif u.category and not u.service and u.category != s.get("category"):
            self.forget_pending()
            switched = bool(s.get("service") or s.get("category"))
            s["service"], s["category"] = None, u.category
        if switched and (u.day or getattr(u, "day_from", None)):
            for key in ("at", "part", "after", "before"):  # a new job on a new day: the old time of day went too
                s.pop(key, None)
        if getattr(u, "women", False):
            s["women"] = True
        pin = PIN_CODE.search(text)
        if pin:
            s["pin"] = pin.group(0)
        day_from, day_to = getattr(u, "day_from", None), getattr(u, "day_to", None)
        if u.day is not None:
            s["day"] = u.day.isoformat()
            s.pop("from_day", None), s.pop("day_to", None)
        elif day_from is not None:
            s.pop("day", None)
            s["from_day"] = day_from.isoformat()
            if day_to is not None:
                s["day_to"] = day_to.isoformat()
            else:
                s.pop("day_to", None)
        else:
            span = _span_start(text, self.local_today())
            if span is not None:  # "next week", "this weekend" (before the understanding gave ranges)
                s.pop("day", None), s.pop("day_to", None)
                s["from_day"] = span.isoformat()
        after, before = getattr(u, "after", None), getattr(u, "before", None)
        if u.at is not None or u.part_of_day is not None or after or before:
            for key in ("at", "part", "after", "before"):
                s.pop(key, None)
        if u.at is not None:
            s["at"] = u.at.strftime("%H:%M")
            if u.part_of_day:
                s["part"] = u.part_of_day
        elif u.part_of_day is not None:
            s["part"] = u.part_of_day
        if after:
            s["after"] = after.strftime("%H:%M")
        if before:
            s["before"] = before.strftime("%H:%M")

    def _category_of(self, slug: str) -> str | None:
        return next((e.category for e in self.catalogue if e.slug == slug), None)

    def _name_of(self, slug: str) -> str:
        return next((localized(e, "name") for e in self.catalogue if e.slug == slug), slug)


def impossible_date_note(text: str | None, day: date) -> str:
    return gettext("There is no such date as \"%(said)s\", so I looked at %(day)s instead.",
                   said=text or "", day=day_label(day))


def past_date_note(text: str | None, day: date) -> str:
    return gettext("\"%(said)s\" has already passed, so I looked from %(day)s instead.",
                   said=text or "", day=day_label(day))


_NEXT_WEEK = re.compile(r"\b(?:next|agle|agla|agli|coming)\s+(?:week|hafte|hafta)\b", re.IGNORECASE)

_WEEKEND = re.compile(r"\b(?:this\s+|is\s+|coming\s+)?weekend\b", re.IGNORECASE)


def _span_start(text: str, today: date) -> date | None:
    """The first day of a span the customer named: next week's Monday, this weekend's Saturday."""
    if _NEXT_WEEK.search(text):
        return today + timedelta(days=7 - today.weekday())
    if _WEEKEND.search(text):
        return today if today.weekday() >= 5 else today + timedelta(days=5 - today.weekday())
    return None
