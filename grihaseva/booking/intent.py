"""What a visitor was booking when she was asked to log in or sign up.

The intent is the confirm step's own address (`/book/<slug>/confirm?provider=…&slot=…&pin=…`),
carried through `/login` and `/register` as `next`; nothing is stored. `describe(db, next_url)`
reads it back into words for those pages, or None when `next` is not a booking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from . import domain, slots

_CONFIRM = re.compile(r"^/book/([A-Za-z0-9-]{1,80})/confirm$")


@dataclass(frozen=True)
class Intent:
    service: domain.Service
    provider_name: str | None
    label: str

    @property
    def asks_gender(self) -> bool:
        """Sign-up from here asks gender only when the booking's rule needs it (women-only)."""
        return self.service.women_only


async def describe(db, next_url: str | None) -> Intent | None:
    if not next_url:
        return None
    try:
        parts = urlsplit(next_url)
    except ValueError:
        return None
    match = _CONFIRM.match(parts.path)
    if not match:
        return None
    query = parse_qs(parts.query)
    start = slots.parse_slot((query.get("slot") or [""])[0])
    service = await domain.active_service(db, match.group(1))
    if start is None or service is None:
        return None
    provider_name, tz = None, "Asia/Kolkata"
    provider = (query.get("provider") or ["any"])[0]
    if provider.isdecimal() and len(provider) < 12:
        row = await db.fetch_one("select_provider", {"id": int(provider)})
        if row is None or not row["verified"]:
            return None
        provider_name, tz = row["name"], row["timezone"]
    from ..i18n import slot_label

    return Intent(service, provider_name, slot_label(start, tz))
