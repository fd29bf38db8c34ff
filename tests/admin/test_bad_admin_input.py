"""The admin console fed digits int() refuses, dates at the edge of the calendar, prices beyond Decimal's
range and ids wider than any column: a 4xx with a message and nothing written, never a 500; and an admin
cancel that loses a race to the customer changes nothing."""

from __future__ import annotations

import pytest

from grihaseva.admin import people
from grihaseva.booking import domain
from tests.admin.conftest import NOW, demo, logged_in, make_booking, text, user_id  # noqa: F401
from tests.booking.test_bad_booking_input import HUGE_ID, _LetCommitFirst
from tests.conftest import post
from tests.provider.conftest import TUE_5PM, Who, mails

SERVICE = {"name": "Balcony wash", "category_id": "1", "duration_min": "60", "price_rupees": "499"}


@pytest.mark.parametrize(("query", "field_message"), [
    ("from=0001-01-01", "Enter a date like 2026-11-30."),
    ("to=9999-12-31", "Enter a date like 2026-11-30."),
    ("provider=%C2%B2", "Choose a provider from the list."),
])
async def test_a_booking_search_at_the_edges_is_refused_with_a_message(demo, query, field_message):
    client = await logged_in(demo, "admin@example.com")
    response = await client.get(f"/admin/bookings?{query}")
    assert response.status_code == 422
    assert field_message in await text(response)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("category_id", "\u00b2", "Choose a category from the list."),
    ("category_id", "1" * 5000, "Choose a category from the list."),
    ("duration_min", "\u00b2", "Enter the duration in minutes, from 5 to 720."),
    ("duration_min", "6" * 5000, "Enter the duration in minutes, from 5 to 720."),
    ("price_rupees", "1e999999", "Enter the price in rupees, like 499, 1,499 or 499.50."),
    ("price_rupees", "9" * 5000, "Prices are at most ₹10,00,000."),
])
async def test_a_service_with_an_impossible_number_is_refused(demo, field, value, message):
    client = await logged_in(demo, "admin@example.com")
    category = await demo.db.fetch_value("SELECT MIN(id) AS id FROM categories")
    before = await demo.db.fetch_value("SELECT COUNT(*) AS n FROM services")
    response = await post(client, "/admin/services", {**SERVICE, "category_id": str(category), field: value})
    assert response.status_code == 422
    assert message in await text(response)
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM services") == before


@pytest.mark.parametrize(("method", "path"), [
    ("get", f"/admin/providers/{HUGE_ID}"), ("get", f"/admin/services/{HUGE_ID}"), ("get", f"/admin/categories/{HUGE_ID}"),
    ("post", f"/admin/providers/{HUGE_ID}/verify"), ("post", f"/admin/providers/{HUGE_ID}/suspend"),
    ("post", f"/admin/bookings/{HUGE_ID}/cancel"), ("post", f"/admin/customers/{HUGE_ID}/deactivate"),
    ("post", f"/admin/services/{HUGE_ID}"), ("post", f"/admin/categories/{HUGE_ID}"),
    ("post", f"/admin/services/{HUGE_ID}/deactivate"),
])
async def test_an_id_too_large_for_the_database_is_not_found(demo, method, path):
    client = await logged_in(demo, "admin@example.com")
    response = await (client.get(path) if method == "get" else post(client, path, {**SERVICE, "reason": "Fake reviews"}))
    assert response.status_code in (404, 405)  # 405: no POST rule matches an id that large, a GET rule may


async def test_an_admin_cancel_that_loses_the_race_to_the_customer_is_refused_and_mails_once(demo):
    if demo.db.dialect == "sqlite":
        pytest.skip("SQLite runs write transactions one at a time (BEGIN IMMEDIATE): the two cannot interleave")
    booking = await make_booking(demo, "customer@example.com", "provider@example.com", "tap-leak-repair", TUE_5PM)
    customer_id = await user_id(demo, "customer@example.com")
    admin_id = await user_id(demo, "admin@example.com")

    async def customer_cancels():
        await domain.cancel_booking(demo.db, Who(customer_id), booking, NOW, "Plans changed")

    with pytest.raises(people.AdminRefused) as refused:
        await people.cancel_booking_as_admin(_LetCommitFirst(demo.db, customer_cancels), admin_id, booking, "Suspended", NOW)
    assert refused.value.status == 409
    row = await demo.db.fetch_one("SELECT cancelled_by, cancel_reason FROM bookings WHERE id = :id", {"id": booking})
    assert (row["cancelled_by"], row["cancel_reason"]) == ("customer", "Plans changed")
    assert len(await mails(demo, "customer@example.com")) == 1
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'booking.cancel'") == 0


async def test_an_audit_page_number_that_is_not_a_number_shows_the_first_page(demo):
    client = await logged_in(demo, "admin@example.com")
    response = await client.get("/admin/audit?page=%C2%B2")
    assert response.status_code == 200


async def test_the_service_form_shows_the_stored_price_as_the_rupees_an_admin_types(demo):
    client = await logged_in(demo, "admin@example.com")
    service = await demo.db.fetch_value("SELECT MIN(id) AS id FROM services")
    await demo.db.execute("UPDATE services SET price_paise = 129950 WHERE id = :id", {"id": service})
    page = await text(await client.get(f"/admin/services/{service}"))
    assert 'value="1299.50"' in page
    await demo.db.execute("UPDATE services SET price_paise = 49900 WHERE id = :id", {"id": service})
    assert 'value="499"' in await text(await client.get(f"/admin/services/{service}"))
