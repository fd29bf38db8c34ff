"""iCalendar (RFC 5545) files for bookings, built with the `icalendar` package.

Every booking is one VEVENT with the stable UID `booking-<id>@grihaseva`, so a
calendar app that received the confirmation replaces that entry when a
reschedule (a higher SEQUENCE, METHOD:REQUEST) or a cancel (METHOD:CANCEL,
STATUS:CANCELLED) arrives.  The provider's feed lists the same UIDs.

The summary and description are in the current language: a mail's file is made by the sender
inside the recipient's language (`mail.rendered`), the feed in the provider's. The service is
named in that language too (`service_name_hi` beside `service_name`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from icalendar import Calendar, Event, vCalAddress

from ..i18n import gettext, localized

PRODID = "-//GrihaSeva//Bookings//EN"
ORGANIZER = "mailto:bookings@grihaseva.example"


def booking_uid(booking_id: int) -> str:
    return f"booking-{booking_id}@grihaseva"


def _event(booking: Mapping[str, Any], now: datetime, *, cancelled: bool = False,
           attendee: str | None = None) -> Event:
    event = Event()
    event.add("uid", booking_uid(booking["id"]))
    event.add("dtstamp", now)
    event.add("dtstart", booking["starts_at"])
    event.add("dtend", booking["ends_at"])
    event.add("sequence", int(booking.get("calendar_sequence") or 0))
    event.add("summary", gettext("GrihaSeva: %(service)s", service=localized(booking, "service_name")))
    event.add("location", booking["address"])
    lines = [gettext("Customer: %(name)s", name=booking["customer_name"])]
    if booking.get("phone"):
        lines.append(gettext("Phone: %(phone)s", phone=booking["phone"]))
    if booking.get("provider_name"):
        lines.append(gettext("Professional: %(name)s", name=booking["provider_name"]))
    if booking.get("notes"):
        lines.append(gettext("Notes: %(notes)s", notes=booking["notes"]))
    event.add("description", "\n".join(lines))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("organizer", vCalAddress(ORGANIZER))
    if attendee:
        event.add("attendee", vCalAddress(f"mailto:{attendee}"))
    return event


def _calendar(method: str | None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    return calendar


def booking_invitation(booking: Mapping[str, Any], now: datetime, *, cancelled: bool = False,
                       attendee: str | None = None) -> str:
    """The .ics attached to a booking mail: METHOD:REQUEST, or METHOD:CANCEL for a cancel."""
    calendar = _calendar("CANCEL" if cancelled else "REQUEST")
    calendar.add_component(_event(booking, now, cancelled=cancelled, attendee=attendee))
    return calendar.to_ical().decode("utf-8")


def provider_feed(provider_name: str, bookings: Iterable[Mapping[str, Any]], now: datetime) -> str:
    """The subscribable feed of a provider's upcoming jobs (no METHOD: it is published, not sent)."""
    calendar = _calendar(None)
    calendar.add("x-wr-calname", gettext("GrihaSeva jobs: %(name)s", name=provider_name))
    for booking in bookings:
        calendar.add_component(_event(booking, now))
    return calendar.to_ical().decode("utf-8")


def invitation_from_facts(booking: Mapping[str, Any], now: str, cancelled: bool, attendee: str) -> str:
    """`booking_invitation` from the JSON facts a booking mail keeps in the outbox (instants as
    ISO 8601 text): the mail sender calls it, so the booking's transaction builds no calendar."""
    facts = {**booking, "starts_at": datetime.fromisoformat(booking["starts_at"]),
             "ends_at": datetime.fromisoformat(booking["ends_at"])}
    return booking_invitation(facts, datetime.fromisoformat(now), cancelled=cancelled, attendee=attendee)
