"""The provider's forms fed digits int() refuses, dates at the edge of the calendar and ids wider than
any column: a 4xx with a message and nothing saved, never a 500; and a cancel or completion that
loses a race to the customer changes nothing."""

from __future__ import annotations

import pytest

from grihaseva.booking import domain
from grihaseva.provider import appointments
from tests.booking.test_bad_booking_input import HUGE_ID, _LetCommitFirst
from tests.conftest import post, text
from tests.provider.conftest import NOW, TUE_5PM, Who, book, booking_status, demo, hours_fields, logged_in, mails, user_id  # noqa: F401

SUPERSCRIPT_TWO = "\u00b2"  # str.isdigit() says yes, int() says no


async def test_a_service_choice_that_is_not_a_number_is_refused(demo):
    client = await logged_in(demo, "provider@example.com")
    response = await post(client, "/provider/availability/services", {"service": SUPERSCRIPT_TWO})
    assert response.status_code == 422
    assert "Choose services from the list." in await text(response)


@pytest.mark.parametrize("field", ["buffer", "notice"])
async def test_a_rule_that_is_not_a_number_is_refused_and_the_hours_stay(demo, field):
    client = await logged_in(demo, "provider@example.com")
    before = await demo.db.fetch_all("select_working_hours", {"provider_id": await user_id(demo, "provider@example.com")})
    response = await post(client, "/provider/availability/hours",
                          {**dict(hours_fields({0: "09:00-13:00"})), "buffer": "15", "notice": "120", field: SUPERSCRIPT_TWO})
    assert response.status_code == 422
    assert "from the list" in await text(response)
    after = await demo.db.fetch_all("select_working_hours", {"provider_id": await user_id(demo, "provider@example.com")})
    assert after == before


async def test_working_days_that_are_not_a_number_are_refused(demo):
    client = await logged_in(demo, "provider@example.com")
    saved = await post(client, "/provider/earnings", {"rate": "400", "hours": "10", "days": SUPERSCRIPT_TWO})
    assert saved.status_code == 422
    assert "from 0 to 7" in await text(saved)
    typed = await client.get("/provider/earnings/projection?rate=400&hours=10&days=%C2%B2")
    assert typed.status_code == 422  # the page's htmx config swaps 4xx answers in
    assert "from 0 to 7" in await text(typed)


async def test_time_off_in_the_first_year_of_the_calendar_is_refused(demo):
    client = await logged_in(demo, "provider@example.com")
    response = await post(client, "/provider/availability/time-off",
                          {"off_from": "0001-01-01T00:00", "off_to": "0001-01-02T00:00"})
    assert response.status_code == 422
    assert "Enter the start of your time off as a date and time." in await text(response)
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM time_off") == 0


@pytest.mark.parametrize("path", [f"/provider/bookings/{HUGE_ID}/complete", f"/provider/bookings/{HUGE_ID}/cancel",
                                  f"/provider/availability/time-off/{HUGE_ID}/delete", f"/reviews/{HUGE_ID}/reply"])
async def test_an_id_too_large_for_the_database_is_not_found(demo, path):
    client = await logged_in(demo, "provider@example.com")
    response = await post(client, path, {"reason": "Unwell today", "reply": "Thank you"})
    assert response.status_code == 404


def _skip_on_sqlite(app):
    if app.db.dialect == "sqlite":
        pytest.skip("SQLite runs write transactions one at a time (BEGIN IMMEDIATE): the two cannot interleave")


async def test_a_provider_cancel_that_loses_the_race_to_the_customer_is_refused_and_mails_once(demo):
    _skip_on_sqlite(demo)
    booking = await book(demo, TUE_5PM)
    provider_id = await user_id(demo, "provider@example.com")
    customer_id = await user_id(demo, "customer@example.com")

    async def customer_cancels():
        await domain.cancel_booking(demo.db, Who(customer_id), booking, NOW, "Plans changed")

    with pytest.raises(domain.BookingRefused) as refused:
        await appointments.cancel_job(_LetCommitFirst(demo.db, customer_cancels), provider_id, booking, "Unwell", NOW)
    assert refused.value.status == 409
    row = await demo.db.fetch_one("SELECT cancelled_by, cancel_reason FROM bookings WHERE id = :id", {"id": booking})
    assert (row["cancelled_by"], row["cancel_reason"]) == ("customer", "Plans changed")
    subjects = [m["subject"] for m in await mails(demo, "provider@example.com")]
    assert len([s for s in subjects if "ancel" in s]) == 1, subjects
    notices = await demo.db.fetch_value("SELECT COUNT(*) AS n FROM notifications WHERE booking_id = :id AND kind = 'cancelled'",
                                        {"id": booking})
    assert notices == 1


async def test_completing_a_job_the_customer_just_cancelled_is_refused_and_announces_nothing(demo):
    _skip_on_sqlite(demo)
    booking = await book(demo, TUE_5PM)
    provider_id = await user_id(demo, "provider@example.com")
    customer_id = await user_id(demo, "customer@example.com")

    async def customer_cancels():
        await domain.cancel_booking(demo.db, Who(customer_id), booking, NOW, "Plans changed")

    racing = _LetCommitFirst(demo.db, customer_cancels, before="complete_booking")
    events_before = await demo.db.fetch_value("SELECT COUNT(*) AS n FROM events WHERE kind = 'completed'")
    with pytest.raises(domain.BookingRefused) as refused:
        await appointments.complete_job(racing, provider_id, booking, TUE_5PM)
    assert refused.value.status == 409
    assert await booking_status(demo, booking) == "cancelled"
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM events WHERE kind = 'completed'") == events_before
