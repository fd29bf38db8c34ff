"""One turn of the conversation: what every part of the dialogue shares.

`Turn` holds the database, the conversation's state (changed in place), the
user (None for a visitor), the clock and the catalogue; the answers
(`answers.Answers`), the slot offers (`offering.SlotOffers`) and the booking
dialogue (`booking_dialogue.BookingDialogue`) build on it, and
`conversation._Turn` joins them and routes a message by its intent.
"""

from __future__ import annotations

from datetime import datetime

from .nlu import CatalogueEntry

LOCAL_TZ = "Asia/Kolkata"

# What belongs to the booking being made; a new service drops it.
_PENDING = ("options", "chosen", "address", "awaiting", "prefill")


class Turn:
    """What one message's turn works with; the state dict is changed in place."""

    def __init__(self, db, state: dict, user, now: datetime, catalogue: list[CatalogueEntry]):
        self.db, self.state, self.user, self.now, self.catalogue = db, state, user, now, catalogue

    def forget_pending(self) -> None:
        for key in _PENDING:
            self.state.pop(key, None)

    def _category_of(self, slug: str) -> str | None:
        return next((e.category for e in self.catalogue if e.slug == slug), None)

    def _name_of(self, slug: str) -> str:
        return next((e.name for e in self.catalogue if e.slug == slug), slug)
