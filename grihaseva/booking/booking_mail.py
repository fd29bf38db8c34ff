"""Mail to both sides of a booking when it is confirmed, moved or cancelled, each with an .ics.

Called inside the transaction that makes the change (`place_booking`, `cancel_booking`,
`reschedule_booking`, a provider's cancel), so a mail exists exactly when its change does.
The transaction writes only the facts (`mail.enqueue_mails`): the mail sender renders the
bodies and builds the calendar file (`ics.invitation_from_facts`) when it sends.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from . import ics  # noqa: F401 - loaded with the app: the sender calls ics.invitation_from_facts, and a
# first import there (icalendar) would stall the event loop mid-send
from .slots import local_label
from ..i18n import DEFAULT_LOCALE, localized, normalize, use_locale
from ..mail import DeferredAttachment, enqueue_mails
from ..money import rupees

TEMPLATES = {"booked": "booking_confirmed", "rescheduled": "booking_rescheduled", "cancelled": "booking_cancelled"}
_ICS_FIELDS = ("id", "calendar_sequence", "service_name", "service_name_hi", "address", "customer_name", "phone",
               "provider_name", "notes")


async def mail_booking_change(tx, booking_id: int, kind: str, now: datetime, old_start: datetime | None = None,
                              booking: Mapping[str, Any] | None = None) -> None:
    """Enqueue the customer's and the provider's mail about `kind` ("booked", "rescheduled", "cancelled").

    `booking` is the row as `select_booking` reads it after the change; a caller that has every
    field already (placing a booking) passes it, others let it be read here."""
    if booking is None:
        booking = await tx.fetch_one("select_booking", {"id": booking_id})
    cancelled = kind == "cancelled"
    # One calendar file serves both sides (the same event, UID and SEQUENCE), each in their own
    # language: the sender makes it inside the mail's locale.
    facts = {field: booking.get(field) for field in _ICS_FIELDS}
    facts.update(starts_at=booking["starts_at"].isoformat(), ends_at=booking["ends_at"].isoformat())
    attachment = DeferredAttachment(f"booking-{booking_id}.ics", "text/calendar",
                                    "grihaseva.booking.ics:invitation_from_facts",
                                    {"booking": facts, "now": now.isoformat(), "cancelled": cancelled,
                                     "attendee": booking["customer_email"]})
    mails = []
    for role in ("customer", "provider"):
        to, name = booking[f"{role}_email"], booking[f"{role}_name"]
        locale = normalize(booking.get(f"{role}_locale")) or DEFAULT_LOCALE
        with use_locale(locale):  # times and money as this recipient reads them
            context = _context(booking, booking_id, old_start)
        mails.append((to, TEMPLATES[kind], {**context, "role": role, "name": name.split()[0]}, locale))
    await enqueue_mails(tx, mails, now, [attachment])


def _context(booking, booking_id: int, old_start: datetime | None) -> dict:
    return {
        "service": localized(booking, "service_name"),
        "when": local_label(booking["starts_at"], booking["timezone"]),
        "was": local_label(old_start, booking["timezone"]) if old_start else "",
        "address": booking["address"],
        "price": rupees(booking["price_paise"]),
        "provider_name": booking["provider_name"],
        "customer_name": booking["customer_name"],
        "customer_phone": booking["phone"],
        "notes": booking["notes"],
        "reason": booking["cancel_reason"] or "",
        "cancelled_by": booking["cancelled_by"] or "",
        "booking_id": booking_id,
    }
