"""Input at the edges of the calendar and of the number line, and a cancel that loses a race:
a clear 4xx and nothing changed, never a 500 or a second announcement."""

from __future__ import annotations

from contextlib import asynccontextmanager

import pytest

from grihaseva.booking import domain, slots
from grihaseva.provider import appointments
from tests.booking.conftest import demo, logged_in  # noqa: F401
from tests.conftest import post, text
from tests.provider.conftest import DETAILS, NOW, TUE_5PM, Who, book, booking_status, mails, user_id

HUGE_ID = "99999999999999999999999"  # wider than any 64-bit id column


def test_a_slot_at_the_end_of_the_calendar_is_not_a_slot():
    assert slots.parse_slot("9999-12-31T23:00Z") is None
    assert slots.parse_slot("0001-01-01T00:00Z") is None
    assert slots.parse_slot("2026-11-24T11:30Z") == TUE_5PM


@pytest.mark.parametrize("query", ["week=9999-12-30", "week=9999-12-31", "provider=%C2%B2"])
async def test_grid_query_at_the_edges_is_a_400(demo, query):
    response = await demo.test_client().get(f"/book/tap-leak-repair?{query}")
    assert response.status_code == 400


async def test_confirming_a_slot_at_the_end_of_the_calendar_is_a_400(demo):
    client = await logged_in(demo, "customer@example.com")
    page = await client.get("/book/tap-leak-repair/confirm?slot=9999-12-31T23:00Z&provider=any")
    assert page.status_code == 400
    assert "That time slot is not valid" in await text(page)
    placed = await post(client, "/book/tap-leak-repair", {"slot": "9999-12-31T23:00Z", "provider": "any", **DETAILS})
    assert placed.status_code == 400
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM bookings") == 0


@pytest.mark.parametrize(("method", "path"), [
    ("get", f"/bookings/{HUGE_ID}"), ("get", f"/bookings/{HUGE_ID}/reschedule"), ("get", f"/bookings/{HUGE_ID}/review"),
    ("post", f"/bookings/{HUGE_ID}/cancel"), ("post", f"/bookings/{HUGE_ID}/review"), ("get", f"/providers/{HUGE_ID}"),
])
async def test_an_id_too_large_for_the_database_is_not_found(demo, method, path):
    client = await logged_in(demo, "customer@example.com")
    response = await (client.get(path) if method == "get" else post(client, path, {"rating": "5", "slot": "2026-11-25T10:30Z"}))
    assert response.status_code in (404, 405)  # 405: no POST rule matches an id that large, a GET rule may


async def test_the_live_grid_does_not_open_a_booking_for_a_visitor_who_is_not_logged_in(demo):
    booking = await book(demo, TUE_5PM)
    response = await demo.test_client().get(f"/book/tap-leak-repair/live?reschedule={booking}",
                                            headers={"Accept": "text/event-stream"})
    assert response.status_code == 404


class _LetCommitFirst:
    """The real database; just before the transaction runs query `before` (the provider lock by default),
    `meanwhile` commits on another connection: two requests that both read the booking before either changes it."""

    def __init__(self, db, meanwhile, before: str = "lock_provider"):
        self._db, self._meanwhile, self._before = db, meanwhile, before

    def __getattr__(self, name):
        return getattr(self._db, name)

    @asynccontextmanager
    async def transaction(self):
        async with self._db.transaction() as tx:
            yield _Tx(tx, self)

    async def _interleave(self, query):
        if query == self._before and self._meanwhile:
            meanwhile, self._meanwhile = self._meanwhile, None
            await meanwhile()


class _Tx:
    def __init__(self, tx, owner):
        self._tx, self._owner = tx, owner

    def __getattr__(self, name):
        return getattr(self._tx, name)

    async def fetch_one(self, query, params=None):
        await self._owner._interleave(query)
        return await self._tx.fetch_one(query, params)

    async def execute(self, query, params=None):
        await self._owner._interleave(query)
        return await self._tx.execute(query, params)


async def test_a_customer_cancel_that_loses_the_race_to_the_provider_is_refused_and_mails_once(demo):
    if demo.db.dialect == "sqlite":
        pytest.skip("SQLite runs write transactions one at a time (BEGIN IMMEDIATE): the two cannot interleave")
    booking = await book(demo, TUE_5PM)
    provider_id = await user_id(demo, "provider@example.com")
    customer_id = await user_id(demo, "customer@example.com")

    async def provider_cancels():
        await appointments.cancel_job(demo.db, provider_id, booking, "Unwell today", TUE_5PM.replace(hour=2))

    racing = _LetCommitFirst(demo.db, provider_cancels)
    with pytest.raises(domain.BookingRefused) as refused:
        await domain.cancel_booking(racing, Who(customer_id), booking, TUE_5PM.replace(hour=2), "Plans changed")
    assert refused.value.status == 409
    row = await demo.db.fetch_one("SELECT cancelled_by, cancel_reason FROM bookings WHERE id = :id", {"id": booking})
    assert (row["cancelled_by"], row["cancel_reason"]) == ("provider", "Unwell today")
    assert await booking_status(demo, booking) == "cancelled"
    subjects = [m["subject"] for m in await mails(demo, "customer@example.com")]
    assert len([s for s in subjects if "ancel" in s]) == 1, subjects


async def test_a_booking_of_a_service_the_provider_stopped_offering_meanwhile_is_refused(demo):
    if demo.db.dialect == "sqlite":
        pytest.skip("SQLite runs write transactions one at a time (BEGIN IMMEDIATE): the two cannot interleave")
    from grihaseva.provider import availability_editor

    ravi = await user_id(demo, "provider@example.com")
    customer = await demo.db.fetch_one("select_user_by_email", {"email": "customer@example.com"})
    service = await domain.active_service(demo.db, "tap-leak-repair")
    others = [str(row["id"]) for row in await demo.db.fetch_all("select_provider_services", {"provider_id": ravi})
              if row["id"] != service.id]

    async def provider_drops_the_service():
        await availability_editor.save_services(demo.db, ravi, others, NOW)

    racing = _LetCommitFirst(demo.db, provider_drops_the_service, before="lock_provider_for_booking")
    with pytest.raises(domain.BookingRefused) as refused:
        await domain.place_booking(racing, domain.Customer(customer["id"], customer["gender"]), service, ravi, TUE_5PM,
                               DETAILS, NOW)
    assert (refused.value.status, refused.value.message) == (422, "That provider does not offer this service.")
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM bookings") == 0
