"""Booking mails to both sides, each with an .ics that a real iCalendar parser reads."""

from __future__ import annotations

from datetime import timedelta

from grihaseva.booking import domain
from grihaseva.booking.ics import booking_uid
from tests.provider.conftest import NOW, TUE_5PM, TUE_7PM, Who, book, ics_of, mails, only_event, user_id

CUSTOMER, PROVIDER = "customer@example.com", "provider@example.com"


async def test_a_booking_mails_both_sides_a_calendar_request(demo):
    booking = await book(demo, TUE_5PM)
    for to, greeting in ((CUSTOMER, "Your booking is confirmed."), (PROVIDER, "You have a new booking.")):
        [mail] = await mails(demo, to)
        assert mail["subject"] == "Booking confirmed: Tap and leak repair, Tue 24 Nov, 5:00 pm IST"
        assert greeting in mail["text_body"]
        calendar = ics_of(mail)
        event = only_event(calendar)
        assert str(calendar["METHOD"]) == "REQUEST"
        assert str(event["UID"]) == f"booking-{booking}@grihaseva" == booking_uid(booking)
        assert event["SEQUENCE"] == 0
        assert event.decoded("DTSTART") == TUE_5PM
        assert event.decoded("DTEND") == TUE_5PM + timedelta(hours=1)
        assert str(event["LOCATION"]) == "12 MG Road, Indiranagar, Bengaluru"
        assert str(event["STATUS"]) == "CONFIRMED"


async def test_a_reschedule_keeps_the_uid_and_raises_the_sequence_and_a_cancel_sends_method_cancel(demo):
    booking = await book(demo, TUE_5PM)
    customer = Who(await user_id(demo, CUSTOMER), "customer")
    await domain.reschedule_booking(demo.db, customer, booking, TUE_7PM, NOW)
    moved = (await mails(demo, CUSTOMER))[-1]
    assert moved["subject"] == "Booking moved: Tap and leak repair to Tue 24 Nov, 7:00 pm IST"
    assert "from Tue 24 Nov, 5:00 pm IST" in moved["text_body"]
    calendar = ics_of(moved)
    event = only_event(calendar)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == f"booking-{booking}@grihaseva"
    assert event["SEQUENCE"] == 1
    assert event.decoded("DTSTART") == TUE_7PM
    assert str(only_event(ics_of((await mails(demo, PROVIDER))[-1]))["UID"]) == f"booking-{booking}@grihaseva"

    await domain.cancel_booking(demo.db, customer, booking, NOW, "")
    for to in (CUSTOMER, PROVIDER):
        cancelled = (await mails(demo, to))[-1]
        assert cancelled["subject"].startswith("Booking cancelled: Tap and leak repair")
        calendar = ics_of(cancelled)
        event = only_event(calendar)
        assert str(calendar["METHOD"]) == "CANCEL"
        assert str(event["STATUS"]) == "CANCELLED"
        assert str(event["UID"]) == f"booking-{booking}@grihaseva"
        assert event["SEQUENCE"] == 2
    assert len(await mails(demo, CUSTOMER)) == 3


async def test_a_refused_booking_writes_no_mail(demo):
    await book(demo, TUE_5PM)
    try:
        await book(demo, TUE_5PM, email="rahul@example.com")
    except domain.SlotTaken:
        pass
    assert await mails(demo, "rahul@example.com") == []
    assert len(await mails(demo, PROVIDER)) == 1
