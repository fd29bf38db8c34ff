"""Mail to both sides of a booking when it is confirmed, moved or cancelled, each with an .ics.

Called inside the transaction that makes the change (`place_booking`, `cancel_booking`,
`reschedule_booking`, a provider's cancel), so a mail exists exactly when its change does.
"""

from __future__ import annotations

from datetime import datetime

from .slots import local_label
from ..mail import Attachment, enqueue_mail
from ..money import rupees
from .ics import booking_invitation

TEMPLATES = {"booked": "booking_confirmed", "rescheduled": "booking_rescheduled", "cancelled": "booking_cancelled"}


async def mail_booking_change(tx, booking_id: int, kind: str, now: datetime, old_start: datetime | None = None) -> None:
    """Enqueue the customer's and the provider's mail about `kind` ("booked", "rescheduled", "cancelled")."""
    booking = await tx.fetch_one("select_booking", {"id": booking_id})
    cancelled = kind == "cancelled"
    context = {
        "service": booking["service_name"],
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
    # One calendar file serves both sides (the same event, UID and SEQUENCE).
    ics = booking_invitation(booking, now, cancelled=cancelled, attendee=booking["customer_email"])
    attachment = Attachment(f"booking-{booking_id}.ics", "text/calendar", ics)
    for role, to, name in (("customer", booking["customer_email"], booking["customer_name"]),
                           ("provider", booking["provider_email"], booking["provider_name"])):
        await enqueue_mail(tx, to, TEMPLATES[kind], {**context, "role": role, "name": name.split()[0]}, now,
                           attachments=[attachment])
