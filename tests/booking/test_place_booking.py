"""`domain.place_booking`: the one entry point for a booking, chosen provider or "any"."""

from __future__ import annotations

import pytest

from grihaseva.auth.accounts import ValidationError
from grihaseva.booking import domain
from tests.booking.conftest import demo  # noqa: F401
from tests.provider.conftest import DETAILS, NOW, TUE_5PM, user_id


async def _customer(app, email: str) -> domain.Customer:
    row = await app.db.fetch_one("select_user_by_email", {"email": email})
    return domain.Customer(row["id"], row["gender"])


async def _count(app) -> int:
    return await app.db.fetch_value("SELECT COUNT(*) AS n FROM bookings")


async def test_any_provider_picks_a_free_qualified_professional(demo):
    service = await domain.active_service(demo.db, "tap-leak-repair")
    asha = await _customer(demo, "customer@example.com")
    booking_id = await domain.place_booking(demo.db, asha, service, None, TUE_5PM, DETAILS, NOW)
    row = await demo.db.fetch_one("select_booking", {"id": booking_id})
    assert row["provider_id"] in {p["id"] for p in await domain.qualified_providers(demo.db, service)}
    assert (row["customer_id"], row["starts_at"]) == (asha.id, TUE_5PM)


@pytest.mark.parametrize("any_provider", [True, False])
async def test_a_male_customer_is_refused_a_women_only_service_either_way(demo, any_provider):
    service = await domain.active_service(demo.db, "facial-at-home")
    rahul = await _customer(demo, "rahul@example.com")
    priya = await user_id(demo, "priya.beauty@example.com")
    with pytest.raises(domain.BookingRefused) as refused:
        await domain.place_booking(demo.db, rahul, service, None if any_provider else priya, TUE_5PM, DETAILS, NOW)
    assert (refused.value.status, refused.value.message) == (403, domain.WOMEN_ONLY_CUSTOMER)
    assert await _count(demo) == 0


@pytest.mark.parametrize("any_provider", [True, False])
async def test_a_second_booking_of_the_same_service_shows_the_first_either_way(demo, any_provider):
    service = await domain.active_service(demo.db, "tap-leak-repair")
    asha = await _customer(demo, "customer@example.com")
    first = await domain.place_booking(demo.db, asha, service, None, TUE_5PM, DETAILS, NOW)
    provider = None if any_provider else await user_id(demo, "provider@example.com")
    with pytest.raises(domain.AlreadyBooked) as already:
        await domain.place_booking(demo.db, asha, service, provider, TUE_5PM, DETAILS, NOW)
    assert already.value.booking_id == first
    assert await _count(demo) == 1


async def test_what_was_typed_is_checked_before_a_provider_is_picked(demo):
    service = await domain.active_service(demo.db, "tap-leak-repair")
    asha = await _customer(demo, "customer@example.com")
    with pytest.raises(ValidationError) as error:
        await domain.place_booking(demo.db, asha, service, None, TUE_5PM, {**DETAILS, "address": ""}, NOW)
    assert "address" in error.value.errors
    assert await _count(demo) == 0
