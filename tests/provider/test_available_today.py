"""The "available today" switch: off greys the rest of today's free times on the grid (they stay in place)
and refuses them at booking; on brings them back; tomorrow is untouched; open grids are told live."""

from __future__ import annotations

import html
from datetime import timedelta

from grihaseva.booking import domain
from grihaseva.booking.slots import slot_token
from tests.conftest import post, text
from tests.provider.conftest import DETAILS, MON_4PM, NOW, TUE_5PM, logged_in, user_id


def cells(grids, day_index: int) -> dict:
    return dict(grids[day_index].days[0][1])


async def tap_grid(app, ravi: int):
    """The grid of today and of tomorrow (the grid shows one day at a time)."""
    service = await domain.active_service(app.db, "tap-leak-repair")
    today = domain.local_today(app.clock(), "Asia/Kolkata")
    return service, [await domain.slot_grid(app.db, service, ravi, today + timedelta(days=n), app.clock()) for n in (0, 1)]


async def test_switching_off_greys_todays_free_times_and_on_restores_them(demo):
    ravi = await user_id(demo, "provider@example.com")
    provider = await logged_in(demo, "provider@example.com")
    service, before = await tap_grid(demo, ravi)
    assert cells(before, 0)[MON_4PM] is True and cells(before, 1)[TUE_5PM] is True
    events_before = await demo.db.fetch_value("SELECT COALESCE(MAX(id), 0) AS n FROM events")

    assert (await post(provider, "/provider/available-today", {"available": "0"})).status_code == 303
    _, off = await tap_grid(demo, ravi)
    assert set(cells(off, 0)) == set(cells(before, 0))  # the same times, in place
    assert not any(cells(off, 0).values())  # all greyed
    assert cells(off, 1) == cells(before, 1)  # tomorrow untouched
    topics = {row["topic"] for row in await demo.db.fetch_all(
        "SELECT topic FROM events WHERE id > :id", {"id": events_before})}
    assert f"slots:{ravi}:2026-11-23" in topics and f"provider:{ravi}" in topics
    customer = await demo.db.fetch_one("select_user_by_email", {"email": "customer@example.com"})
    try:
        await domain.place_booking(demo.db, domain.Customer(customer["id"], customer["gender"]), service, ravi,
                                   MON_4PM, DETAILS, NOW)
        raise AssertionError("booked a withdrawn time")
    except domain.BookingRefused as refused:
        assert refused.status == 422
    page = html.unescape(await text(await provider.get("/provider/dashboard")))
    assert "Not taking more jobs today" in page and 'aria-checked="false"' in page

    assert (await post(provider, "/provider/available-today", {"available": "1"})).status_code == 303
    _, on = await tap_grid(demo, ravi)
    assert cells(on, 0) == cells(before, 0)


async def test_the_switch_ends_at_the_providers_midnight(demo):
    ravi = await user_id(demo, "provider@example.com")
    provider = await logged_in(demo, "provider@example.com")
    await post(provider, "/provider/available-today", {"available": "0"})
    demo.clock.now = NOW + timedelta(days=1)
    _, grid = await tap_grid(demo, ravi)
    assert any(cells(grid, 0).values())
    assert "Taking jobs today" in await text(await provider.get("/provider/dashboard"))


async def test_bad_switch_input_is_a_400_with_a_message(demo):
    provider = await logged_in(demo, "provider@example.com")
    for form in ({}, {"available": "maybe"}, {"available": "01"}):
        refused = await post(provider, "/provider/available-today", form)
        assert refused.status_code == 400 and "Use the switch" in await text(refused), form
    customer = await logged_in(demo, "customer@example.com")
    assert (await post(customer, "/provider/available-today", {"available": "0"})).status_code == 403
