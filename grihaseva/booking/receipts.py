"""Receipts and payment: numbered receipts, the UPI link and its QR code, marking a job paid.

A receipt is issued when a job is completed, and when a late cancel leaves a late fee owed.
Its number is `GS-<year>-<n>`, n running 1, 2, 3 ... within the year (in the provider's time
zone): `receipt_counters` holds one row per year, created (if missing) outside the issuing
transaction and raised inside it with a plain `UPDATE`, so concurrent completions queue on that
one row lock and each reads its own number.  A unique key on `bookings.receipt_number` backs it.

The customer pays the professional directly: by cash, or by UPI through a `upi://pay` link
(NPCI's deep-link parameters: pa = payee UPI id, pn = payee name, am = amount in rupees with two
decimals, cu = INR, tn = note, tr = reference) and the same link as a QR code for paying from
another phone.  The provider then marks it paid (cash, or UPI with the payment's reference).
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import Mapping
from urllib.parse import quote
from zoneinfo import ZoneInfo

import segno

from ..i18n import gettext, localized, use_locale
from ..mail import enqueue_mail, recipient_locale
from ..money import rupees
from ..refusal import Refused
from . import slots
from .timeline import announce

UPI_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,59}@[A-Za-z][A-Za-z0-9]{1,39}", re.ASCII)
UPI_REFERENCE = re.compile(r"[A-Za-z0-9]{6,35}", re.ASCII)


class PaymentRefused(Refused):
    """A payment mark the rules refuse; `field` names the form field the message belongs to."""

    def __init__(self, message: str, status: int | None = None, field: str = ""):
        super().__init__(message, status)
        self.field = field


def receipt_year(now: datetime, tz: str) -> int:
    """The year of `now` in the provider's zone: receipt numbers restart at their New Year."""
    return now.astimezone(ZoneInfo(tz)).year


async def prepare_receipt_year(db, year: int) -> None:
    """Create the year's counter row if missing; outside the issuing transaction (see module doc)."""
    await db.execute("ensure_receipt_counter", {"year": year})


async def issue_receipt(tx, booking_id: int, year: int, now: datetime) -> str:
    """The next number of `year`, set on the booking, inside the caller's transaction."""
    if (await tx.execute("next_receipt_number", {"year": year})).rowcount != 1:
        await tx.execute("insert_receipt_counter", {"year": year})  # prepare_receipt_year was skipped
    number = int(await tx.fetch_value("select_receipt_counter", {"year": year}))
    receipt = f"GS-{year}-{number:06d}"
    await tx.execute("set_receipt", {"id": booking_id, "number": receipt, "now": now})
    return receipt


def total_paise(booking: Mapping) -> int:
    """What the customer owes: the price of the job plus any late fee; a cancelled job only its fee."""
    price = 0 if booking["status"] == "cancelled" else int(booking["price_paise"])
    return price + int(booking["late_fee_paise"] or 0)


def amount_text(paise: int) -> str:
    return f"{paise // 100}.{paise % 100:02d}"


def upi_link(upi_id: str, payee_name: str, paise: int, receipt_number: str, note: str) -> str:
    """The `upi://pay` deep link; every value percent-encoded (the `@` of the UPI id kept)."""
    params = [("pa", upi_id), ("pn", payee_name), ("am", amount_text(paise)), ("cu", "INR"),
              ("tn", note), ("tr", receipt_number)]
    return "upi://pay?" + "&".join(f"{key}={quote(value, safe='@')}" for key, value in params)


def booking_upi_link(booking: Mapping) -> str | None:
    if not booking.get("upi_id") or not booking.get("receipt_number"):
        return None
    return upi_link(booking["upi_id"], booking["provider_name"], total_paise(booking), booking["receipt_number"],
                    f"GrihaSeva {booking['receipt_number']}")


def qr_svg(link: str) -> bytes:
    """The link as a QR code (error correction M), an SVG that scales for print and phones."""
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="svg", scale=8, border=4, xmldecl=False, title="UPI payment QR code")
    return out.getvalue()


def clean_upi_id(value: str | None) -> str:
    """A UPI id as typed ("name@bank"); PaymentRefused for anything else (empty included)."""
    text = (value or "").strip()
    if not text:
        raise PaymentRefused(gettext("Enter your UPI id, like ravi.kumar@okaxis."), field="upi_id")
    if "@" not in text:
        raise PaymentRefused(gettext("A UPI id looks like name@bank (for example ravi.kumar@okaxis): it needs an @."),
                             field="upi_id")
    if not UPI_ID.fullmatch(text):
        raise PaymentRefused(gettext("That is not a UPI id: use letters, digits, dots, hyphens or underscores, then @ "
                                     "and the bank's handle (for example ravi.kumar@okaxis)."), field="upi_id")
    return text.lower()


async def mail_receipt(tx, booking_id: int, now: datetime) -> None:
    booking = await tx.fetch_one("select_booking", {"id": booking_id})
    locale = await recipient_locale(tx, booking["customer_email"])
    with use_locale(locale):  # times and money as the customer reads them
        context = receipt_context(booking)
    await enqueue_mail(tx, booking["customer_email"], "receipt", context, now, locale=locale)


def receipt_context(booking: Mapping) -> dict:
    tz = booking["timezone"]
    return {
        "name": booking["customer_name"].split()[0], "number": booking["receipt_number"],
        "service": localized(booking, "service_name"), "provider_name": booking["provider_name"],
        "when": slots.local_label(booking["starts_at"], tz),
        "completed": booking["status"] == "completed",
        "price": rupees(booking["price_paise"]) if booking["status"] == "completed" else rupees(0),
        "late_fee": rupees(booking["late_fee_paise"]) if booking["late_fee_paise"] else "",
        "total": rupees(total_paise(booking)), "upi_link": booking_upi_link(booking) or "",
        "booking_id": booking["id"],
    }


async def mark_paid(db, provider_id: int, booking_id: int, method: str | None, reference: str | None,
                    now: datetime) -> None:
    """The provider records the payment: cash, or UPI with its reference (the UTR the app shows)."""
    method = (method or "").strip()
    reference = "".join((reference or "").split())
    if method not in ("cash", "upi"):
        raise PaymentRefused(gettext("Choose how the customer paid: cash or UPI."), field="method")
    if method == "upi" and not UPI_REFERENCE.fullmatch(reference):
        raise PaymentRefused(gettext("Enter the UPI reference (UTR) from the payment: 6 to 35 letters or digits."),
                             field="reference")
    if method == "cash":
        reference = ""
    async with db.transaction() as tx:
        row = await tx.fetch_one("select_booking", {"id": booking_id})
        if row is None or row["provider_id"] != provider_id:
            raise PaymentRefused(gettext("There is no such booking in your account."), 404)
        if row["paid_at"] is not None:
            raise PaymentRefused(gettext("This job is already marked paid."), 409)
        if not row["receipt_number"]:
            raise PaymentRefused(gettext("There is nothing to pay yet: mark the job completed first."), 409)
        if (await tx.execute("mark_paid", {"id": booking_id, "provider_id": provider_id, "method": method,
                                           "reference": reference, "now": now})).rowcount != 1:
            raise PaymentRefused(gettext("This job is already marked paid."), 409)
        await announce(tx, row, "paid", now)
