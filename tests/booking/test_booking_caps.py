"""Caps on holding bookings: one customer can't hold a provider's whole calendar. 20 bookings
fired at once by one customer stop exactly at the cap (per provider, overall, and for a new
account); the refusal is a clear 409; the admin sees who hit it. Both databases."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from grihaseva.auth.accounts import create_user
from grihaseva.booking import domain
from grihaseva.booking.domain import BookingCaps, BookingLimitReached
from tests.booking.conftest import NOW, demo, logged_in, user_id  # noqa: F401  (demo is a fixture)
from tests.conftest import post, text, visible_text

DETAILS = {"address": "12 MG Road, Indiranagar, Bengaluru", "phone": "+91 99000 12345", "notes": ""}


async def free_starts(app, slug: str, provider_id: int | None, count: int, gap: timedelta) -> list:
    """`count` free starts of the service at least `gap` apart (so none is a second booking of the same time)."""
    service = await domain.active_service(app.db, slug)
    starts = []
    first = await domain.slot_grid(app.db, service, provider_id, None, NOW)
    days = [day for day, free in first.strip if free]  # the grid shows one day; its strip says which have times
    for day in days:
        grid = await domain.slot_grid(app.db, service, provider_id, day, NOW)
        for _, cells in grid.days:
            for start, free in cells:
                if free and (not starts or start - starts[-1] >= gap):
                    starts.append(start)
        if len(starts) >= count:
            break
    assert len(starts) >= count, "not enough free slots in the strip"
    return starts[:count]


async def fire(app, email: str, slug: str, provider_id: int | None, starts: list) -> tuple[list[int], list[Exception]]:
    """One customer books all `starts` at once; returns (booking ids, refusals)."""
    customer = await app.db.fetch_one("select_user_by_email", {"email": email})
    service = await domain.active_service(app.db, slug)
    who = domain.Customer(customer["id"], customer["gender"])
    results = await asyncio.gather(*(domain.place_booking(app.db, who, service, provider_id, start, DETAILS, NOW)
                                     for start in starts), return_exceptions=True)
    unexpected = [r for r in results if isinstance(r, Exception) and not isinstance(r, domain.BookingRefused)]
    assert not unexpected, unexpected
    return [r for r in results if isinstance(r, int)], [r for r in results if isinstance(r, Exception)]


async def long_standing(app, email: str) -> int:
    """The demo account as a customer of a month's standing (not new, whatever day the demo was seeded)."""
    await app.db.execute("UPDATE users SET created_at = :t WHERE email = :e", {"t": NOW - timedelta(days=30), "e": email})
    return await user_id(app, email)


async def upcoming(app, customer_id: int) -> int:
    return await app.db.fetch_value("SELECT COUNT(*) AS n FROM bookings WHERE customer_id = :c AND status = 'confirmed' "
                                    "AND ends_at > :now", {"c": customer_id, "now": NOW})


async def test_twenty_concurrent_bookings_with_one_provider_stop_at_the_per_provider_cap(demo):
    app = demo
    ravi = await user_id(app, "provider@example.com")
    asha = await long_standing(app, "customer@example.com")
    held = await upcoming(app, asha)
    caps = domain.caps_for(app.db)
    assert (caps.per_provider, caps.upcoming) == (4, 10)  # the defaults
    starts = await free_starts(app, "tap-leak-repair", ravi, 20, timedelta(hours=2))
    booked, refused = await fire(app, "customer@example.com", "tap-leak-repair", ravi, starts)
    already = await app.db.fetch_value("SELECT COUNT(*) AS n FROM bookings WHERE customer_id = :c AND provider_id = :p "
                                       "AND status = 'confirmed' AND ends_at > :now AND id NOT IN ({})".format(
                                           ",".join(str(b) for b in booked) or "0"), {"c": asha, "p": ravi, "now": NOW})
    assert len(booked) == caps.per_provider - already
    assert len(refused) == 20 - len(booked)
    assert all(isinstance(r, BookingLimitReached) and r.cap == "per_provider" and r.status == 409 for r in refused)
    assert await upcoming(app, asha) == held + len(booked)
    # every refusal is kept for the admin, and nothing else of the refused bookings was written
    assert await app.db.fetch_value("SELECT COUNT(*) AS n FROM booking_limit_hits WHERE customer_id = :c", {"c": asha}) == len(refused)
    assert await app.db.fetch_value("SELECT COUNT(*) AS n FROM notifications WHERE booking_id IN ({})".format(
        ",".join(str(b) for b in booked))) == len(booked)


async def test_twenty_concurrent_bookings_with_any_provider_stop_at_the_overall_cap(demo):
    app = demo
    app.db.booking_caps = BookingCaps(upcoming=5, per_provider=100, new_account=1)
    asha = await long_standing(app, "customer@example.com")
    held = await upcoming(app, asha)
    starts = await free_starts(app, "tap-leak-repair", None, 20, timedelta(hours=2))
    booked, refused = await fire(app, "customer@example.com", "tap-leak-repair", None, starts)
    limits = [r for r in refused if isinstance(r, BookingLimitReached)]
    assert await upcoming(app, asha) == max(held, 5)
    assert len(booked) == max(0, 5 - held)
    assert len(limits) >= 20 - len(booked) - sum(isinstance(r, domain.SlotTaken) for r in refused)
    assert {r.cap for r in limits} == {"upcoming"}


async def test_a_new_account_holds_two_until_a_job_is_completed_or_a_week_has_passed(demo):
    app = demo
    newcomer = await create_user(app.db, {"email": "new@example.com", "name": "New Person", "phone": "+91 90000 00001",
                                          "gender": "female", "password": "demo-pass-123"}, NOW, 4, role="customer")
    starts = await free_starts(app, "tap-leak-repair", None, 20, timedelta(hours=2))
    booked, refused = await fire(app, "new@example.com", "tap-leak-repair", None, starts)
    assert len(booked) == 2 and await upcoming(app, newcomer) == 2
    assert {r.cap for r in refused if isinstance(r, BookingLimitReached)} == {"new_account"}
    assert "New accounts can hold 2 upcoming bookings" in refused[0].message

    service = await domain.active_service(app.db, "tap-leak-repair")
    who = domain.Customer(newcomer, "female")
    grid = await domain.slot_grid(app.db, service, None, (NOW + timedelta(days=8)).date(), NOW)
    later = next(start for _, cells in grid.days for start, free in cells if free)
    # a week later the account is no longer new: the overall and per-provider caps apply
    assert await domain.place_booking(app.db, who, service, None, later, DETAILS, NOW + timedelta(days=7))
    assert await upcoming(app, newcomer) == 3


async def test_the_refusal_is_a_clear_409_and_the_admin_sees_who_hit_the_cap(demo):
    app = demo
    app.db.booking_caps = BookingCaps(upcoming=1, per_provider=1, new_account=1)
    ravi = await user_id(app, "provider@example.com")
    client = await logged_in(app, "rahul@example.com")
    rahul = await long_standing(app, "rahul@example.com")
    for start in await free_starts(app, "tap-leak-repair", ravi, 3, timedelta(hours=2)):
        response = await post(client, "/book/tap-leak-repair", {"provider": str(ravi), "slot": start.strftime("%Y-%m-%dT%H:%MZ"), **DETAILS})
        if await upcoming(app, rahul) > 1 or response.status_code == 409:
            break
    assert response.status_code == 409
    assert "upcoming booking" in visible_text(await text(response))
    admin = await logged_in(app, "admin@example.com")
    listing = await admin.get("/admin/customers")
    page = await text(listing)
    assert listing.status_code == 200, visible_text(page)[:600]
    assert 'id="limit-hits"' in page and "rahul@example.com" in page.split('id="limit-hits"')[1]


async def test_a_customer_at_the_cap_is_told_at_the_confirm_step_before_the_form(demo):
    app = demo
    app.db.booking_caps = BookingCaps(upcoming=1, per_provider=5, new_account=5)
    ravi = await user_id(app, "provider@example.com")
    client = await logged_in(app, "rahul@example.com")
    await long_standing(app, "rahul@example.com")
    first, second = await free_starts(app, "tap-leak-repair", ravi, 2, timedelta(hours=2))
    confirm = f"/book/tap-leak-repair/confirm?provider={ravi}&slot={second.strftime('%Y-%m-%dT%H:%MZ')}"
    before = await client.get(confirm)
    assert before.status_code == 200 and 'name="phone"' in await text(before)  # under the cap: the form
    booked = await post(client, "/book/tap-leak-repair", {"provider": str(ravi), "slot": first.strftime("%Y-%m-%dT%H:%MZ"), **DETAILS})
    assert booked.status_code in (200, 303), visible_text(await text(booked))[:400]
    at_cap = await client.get(confirm)
    page = await text(at_cap)
    assert at_cap.status_code == 409 and "upcoming booking" in visible_text(page)
    assert 'name="phone"' not in page  # said before the form, not after it
