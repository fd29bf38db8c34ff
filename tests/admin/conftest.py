"""Fixtures for the admin console and reviews: the demo data on a fixed clock (Mon 23 Nov 2026, 08:00 IST,
from tests/helpers.py), and bookings made to order."""

from __future__ import annotations

import html
from datetime import timedelta

from tests.booking.conftest import NOW, Clock, demo, logged_in, make_customer, service_id, user_id  # noqa: F401
from tests.conftest import text as raw_text


async def text(response) -> str:
    """The page with entities decoded, as a reader sees the words."""
    return html.unescape(await raw_text(response))


async def make_booking(app, customer_email: str, provider_email: str, slug: str, starts_at, status: str = "confirmed") -> int:
    """A booking written straight to the database (the way a finished job looks once marked completed)."""
    service = await app.db.fetch_one("select_service_by_slug", {"slug": slug})
    result = await app.db.execute("insert_booking", {
        "customer_id": await user_id(app, customer_email), "provider_id": await user_id(app, provider_email),
        "service_id": service["id"], "starts_at": starts_at, "ends_at": starts_at + timedelta(minutes=service["duration_min"]),
        "address": "12 MG Road, Indiranagar, Bengaluru", "phone": "+91 99000 12345", "notes": "",
        "price_paise": service["price_paise"], "now": NOW - timedelta(days=30)})
    if status != "confirmed":
        await app.db.execute("UPDATE bookings SET status = :status WHERE id = :id", {"status": status, "id": result.lastrowid})
    return int(result.lastrowid)


async def audit_rows(app) -> list[dict]:
    return await app.db.fetch_all("SELECT admin_id, action, subject_type, subject_id, detail, created_at FROM audit_log ORDER BY id")
