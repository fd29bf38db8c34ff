"""Provider dashboard fixtures: the demo data with a fixed clock (from the booking tests) and booking helpers."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from icalendar import Calendar

from grihaseva.booking import domain
from tests.booking.conftest import NOW, Clock, demo, logged_in, make_customer, service_id, user_id  # noqa: F401

# NOW is Monday 23 Nov 2026, 08:00 in Kolkata. Ravi (provider@example.com) works 10:00-14:00 and 16:00-21:00 daily.
MON_4PM = NOW.replace(hour=10, minute=30)  # 16:00 IST today
TUE_5PM = NOW.replace(day=24, hour=11, minute=30)  # 17:00 IST tomorrow
TUE_7PM = TUE_5PM + timedelta(hours=2)
DETAILS = {"address": "12 MG Road, Indiranagar, Bengaluru", "phone": "+91 99000 12345", "notes": "Kitchen tap drips"}


class Who:
    """The user the booking domain's customer calls expect (id and role)."""

    def __init__(self, user_id: int, role: str = "customer"):
        self.id, self.role = user_id, role


async def book(app, start: datetime, email: str = "customer@example.com", slug: str = "tap-leak-repair",
               provider: str = "provider@example.com", now: datetime = NOW) -> int:
    """A booking made through the booking domain (the same call the customer's form makes)."""
    customer = await app.db.fetch_one("select_user_by_email", {"email": email})
    service = await domain.active_service(app.db, slug)
    provider_id = await user_id(app, provider)
    return await domain.place_booking(app.db, domain.Customer(customer["id"], customer["gender"]), service,
                                  provider_id, start, DETAILS, now)


async def booking_status(app, booking_id: int) -> str:
    return await app.db.fetch_value("SELECT status FROM bookings WHERE id = :id", {"id": booking_id})


async def mails(app, to: str) -> list[dict]:
    """The outbox's mail to `to`, rendered as the sender will send it (booking mail is stored as facts)."""
    from grihaseva.mail import rendered

    return [rendered(row) for row in await app.db.fetch_all(
        "SELECT id, to_addr, subject, text_body, html_body, attachments, template, facts FROM mail_outbox"
        " WHERE to_addr = :to ORDER BY id", {"to": to})]


def ics_of(mail: dict) -> Calendar:
    """The mail's single .ics attachment, parsed by the icalendar package."""
    attachments = json.loads(mail["attachments"])
    assert [a["content_type"] for a in attachments] == ["text/calendar"]
    return Calendar.from_ical(attachments[0]["content"])


def only_event(calendar: Calendar):
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    return events[0]


def hours_fields(week: dict[int, str]) -> list[tuple[str, str]]:
    """The weekly hours editor's selects for {weekday: "10:00-14:00, 16:00-21:00"} (24-hour text as a test
    writes it; "24:00" is midnight), one value per interval and field, in order."""
    fields = []
    for day, text in week.items():
        for part in [p.strip() for p in text.split(",") if p.strip()]:
            for side, clock in zip(("from", "to"), part.split("-")):
                hours, minutes = (int(x) for x in clock.split(":"))
                fields += [(f"d{day}_{side}_h", str(hours % 12 or 12)), (f"d{day}_{side}_m", f"{minutes:02d}"),
                           (f"d{day}_{side}_p", "pm" if 12 <= hours < 24 else "am")]
    return fields


async def post_hours(client, week: dict[int, str], extra: dict | list | None = None):
    """POST the weekly hours form as the browser sends it (repeated field names)."""
    from urllib.parse import urlencode

    from tests.conftest import TEST_CSRF, with_csrf

    await with_csrf(client)
    extra = list(extra.items()) if isinstance(extra, dict) else list(extra or [])
    body = urlencode([("csrf_token", TEST_CSRF)] + hours_fields(week) + extra)
    return await client.post("/provider/availability/hours", data=body.encode(),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
