"""One turn of the conversation: what every part of the dialogue shares.

`Turn` holds the database, the conversation's state (changed in place), the user (None for a
visitor), the clock, the catalogue and the conversation's id; the answers (`answers.Answers`),
the slot offers (`offering.SlotOffers`), the booking dialogue (`booking_dialogue.BookingDialogue`),
the actions on a booking (`actions.BookingActions`) and the hand-off to a person
(`handoff.Handoff`) build on it, and `conversation._Turn` joins them and routes a message.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from ..i18n import day_label, gettext
from .nlu import CatalogueEntry

LOCAL_TZ = "Asia/Kolkata"

# What belongs to the booking being made; a new service drops it.
_PENDING = ("options", "chosen", "address", "address_id", "awaiting", "prefill", "provider_id")


class Turn:
    """What one message's turn works with; the state dict is changed in place."""

    def __init__(self, db, state: dict, user, now: datetime, catalogue: list[CatalogueEntry],
                 conversation_id: int | None = None):
        self.db, self.state, self.user, self.now, self.catalogue = db, state, user, now, catalogue
        self.conversation_id = conversation_id
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

    def _category_of(self, slug: str) -> str | None:
        return next((e.category for e in self.catalogue if e.slug == slug), None)

    def _name_of(self, slug: str) -> str:
        return next((e.name for e in self.catalogue if e.slug == slug), slug)


def impossible_date_note(text: str | None, day: date) -> str:
    return gettext("There is no such date as \"%(said)s\", so I looked at %(day)s instead.",
                   said=text or "", day=day_label(day))


def past_date_note(text: str | None, day: date) -> str:
    return gettext("\"%(said)s\" has already passed, so I looked from %(day)s instead.",
                   said=text or "", day=day_label(day))
