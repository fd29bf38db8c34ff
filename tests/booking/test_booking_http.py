"""Booking through the HTTP app: catalogue, grid, confirm, lost races, cancel, reschedule, bad input."""

from __future__ import annotations

import asyncio
import html
import re
from datetime import timedelta

import pytest

from grihaseva.booking.slots import slot_token
from tests.booking.conftest import NOW, logged_in, make_customer, service_id, user_id
from tests.conftest import post
from tests.conftest import text as raw_text
from tests.helpers import session_client

# Tuesday 24 Nov 2026 at 17:00 and 18:30 in Kolkata (11:30 and 13:00 UTC): Ravi works 16:00-21:00 every day.
# A one-hour job at 17:00 plus its 15-minute buffer keeps him busy until 18:15.
TUE_5PM = NOW.replace(day=24, hour=11, minute=30)
TUE_6PM = TUE_5PM + timedelta(minutes=90)
DETAILS = {"address": "12 MG Road, Indiranagar, Bengaluru", "phone": "+91 99000 12345", "notes": "Kitchen tap"}


async def text(response) -> str:
    """The page with entities decoded, as a reader sees the words."""
    return html.unescape(await raw_text(response))


async def book(client, slug, provider, start, **extra):
    return await post(client, f"/book/{slug}", {"provider": str(provider), "slot": slot_token(start), **DETAILS, **extra})


async def active_bookings(app) -> int:
    return await app.db.fetch_value("SELECT COUNT(*) AS n FROM bookings WHERE status <> 'cancelled'")


async def assert_no_overlaps(app):
    assert await app.db.fetch_all("select_overlapping_active_pairs") == []


async def test_catalogue_lists_services_with_prices_and_explains_women_only(demo):
    page = await text(await demo.test_client().get("/services"))
    assert "Tap and leak repair" in page and "₹349" in page
    assert "Facial at home" in page
    assert "done only by women professionals" in page


async def test_service_page_lists_providers_with_next_free_slot(demo):
    page = await text(await demo.test_client().get("/services/tap-leak-repair"))
    assert "Ravi Kumar" in page and "Imran Shaikh" in page
    # 08:00 now + 2 h notice: Ravi's first free start is 10:00 today.
    assert "Mon 23 Nov, 10:00 am IST" in page


async def test_women_only_service_lists_only_women_providers(demo):
    page = await text(await demo.test_client().get("/services/facial-at-home"))
    assert "Priya Sharma" in page and "Meena Iyer" in page
    assert "Ravi Kumar" not in page


async def test_grid_shows_free_slots_in_provider_zone(demo):
    ravi = await user_id(demo, "provider@example.com")
    page = await text(await demo.test_client().get(f"/book/tap-leak-repair?provider={ravi}&day=2026-11-24"))
    assert f'data-slot="{slot_token(TUE_5PM)}"' in page
    assert "Times shown in India time." in page and "Asia/Kolkata" not in page
    assert 'sse-connect="/book/tap-leak-repair/live?provider=' in page


async def test_booking_confirms_at_once_and_notifies_provider(demo):
    ravi = await user_id(demo, "provider@example.com")
    client = await logged_in(demo, "customer@example.com")
    confirm = await client.get(f"/book/tap-leak-repair/confirm?provider={ravi}&slot={slot_token(TUE_5PM)}")
    body = await text(confirm)
    assert confirm.status_code == 200
    assert "Tue 24 Nov, 5:00 pm IST" in body and "₹349" in body and "Ravi Kumar" in body
    response = await book(client, "tap-leak-repair", ravi, TUE_5PM)
    assert response.status_code == 303
    booking_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = await text(await client.get(f"/bookings/{booking_id}"))
    assert "Booking confirmed" in page and "12 MG Road" in page
    note = await demo.db.fetch_one("SELECT user_id, kind, message FROM notifications WHERE booking_id = :id", {"id": booking_id})
    assert note["user_id"] == ravi and note["kind"] == "booked" and "Tap and leak repair" in note["message"]
    topics = {row["topic"] for row in await demo.db.fetch_all("SELECT topic FROM events")}
    assert {f"slots:{ravi}:2026-11-24", f"provider:{ravi}", f"user:{await user_id(demo, 'customer@example.com')}"} <= topics
    grid = await text(await client.get(f"/book/tap-leak-repair?provider={ravi}&day=2026-11-24"))
    assert re.search(rf'class="slot taken" data-slot="{slot_token(TUE_5PM)}"', grid)


async def test_second_customer_gets_slot_taken_message_with_fresh_grid(demo):
    ravi = await user_id(demo, "provider@example.com")
    await make_customer(demo, "second@example.com")
    first = await logged_in(demo, "customer@example.com")
    second = await logged_in(demo, "second@example.com")
    assert (await book(first, "tap-leak-repair", ravi, TUE_5PM)).status_code == 303
    lost = await book(second, "tap-leak-repair", ravi, TUE_5PM)
    body = await text(lost)
    assert lost.status_code == 409
    assert "That slot was just taken" in body
    assert f'class="slot taken" data-slot="{slot_token(TUE_5PM)}"' in body
    htmx = await book(second, "tap-leak-repair", ravi, TUE_5PM, **{})
    assert htmx.status_code == 409
    partial = await post(second, "/book/tap-leak-repair", {"provider": str(ravi), "slot": slot_token(TUE_5PM), **DETAILS},
                         headers={"HX-Request": "true"})
    assert partial.status_code == 409
    partial_body = await text(partial)
    assert partial_body.lstrip().startswith("<section id=\"grid-section\"") and "just taken" in partial_body
    assert await active_bookings(demo) == 1


async def test_forged_women_only_booking_by_male_customer_is_refused(demo):
    priya = await user_id(demo, "priya.beauty@example.com")
    client = await logged_in(demo, "rahul@example.com")
    response = await book(client, "facial-at-home", priya, TUE_5PM)
    assert response.status_code == 403
    assert "women customers only" in await text(response)
    assert (await client.get(f"/book/facial-at-home/confirm?provider={priya}&slot={slot_token(TUE_5PM)}")).status_code == 403
    any_provider = await post(client, "/book/facial-at-home", {"provider": "any", "slot": slot_token(TUE_5PM), **DETAILS})
    assert any_provider.status_code == 403
    assert await active_bookings(demo) == 0


async def test_women_only_service_cannot_be_booked_with_a_male_provider(demo):
    ravi = await user_id(demo, "provider@example.com")
    # Even if a male provider's row claims the service, the domain refuses it.
    await demo.db.execute("insert_provider_service", {"provider_id": ravi, "service_id": await service_id(demo, "facial-at-home")})
    client = await logged_in(demo, "customer@example.com")
    response = await book(client, "facial-at-home", ravi, TUE_5PM)
    assert response.status_code == 422
    assert "only by women professionals" in await text(response)


@pytest.mark.parametrize(("slot", "provider_email", "slug", "status", "message"), [
    (NOW - timedelta(hours=1), "provider@example.com", "tap-leak-repair", 422, "in the past"),
    (NOW + timedelta(minutes=90), "provider@example.com", "tap-leak-repair", 422, "notice"),
    (TUE_5PM + timedelta(minutes=15), "provider@example.com", "tap-leak-repair", 422, "not on the provider's schedule"),
    (NOW.replace(day=24, hour=22), "provider@example.com", "tap-leak-repair", 422, "not on the provider's schedule"),
    (TUE_5PM + timedelta(days=40), "provider@example.com", "tap-leak-repair", 422, "booking window"),
    (TUE_5PM, "imran.plumber@example.com", "fan-installation", 422, "does not offer this service"),
])
async def test_bad_slots_get_a_clear_4xx(demo, slot, provider_email, slug, status, message):
    provider = await user_id(demo, provider_email)
    client = await logged_in(demo, "customer@example.com")
    response = await book(client, slug, provider, slot)
    assert response.status_code == status
    assert message in await text(response)
    assert await active_bookings(demo) == 0


@pytest.mark.parametrize(("path", "data", "status", "message"), [
    ("/book/tap-leak-repair", {"provider": "1", "slot": "tomorrow at five"}, 400, "time slot is not valid"),
    ("/book/tap-leak-repair", {"provider": "abc", "slot": "2026-11-24T11:30Z"}, 400, "Choose a provider"),
    ("/book/no-such-service", {"provider": "1", "slot": "2026-11-24T11:30Z"}, 404, "don't offer that service"),
    ("/book/tap-leak-repair", {"provider": "99999", "slot": "2026-11-24T11:30Z"}, 404, "not taking bookings"),
])
async def test_malformed_booking_requests_get_a_clear_4xx(demo, path, data, status, message):
    client = await logged_in(demo, "customer@example.com")
    response = await post(client, path, {**DETAILS, **data})
    assert response.status_code == status
    assert message in await text(response)


async def test_inactive_service_takes_no_bookings(demo):
    ravi = await user_id(demo, "provider@example.com")
    await demo.db.execute("UPDATE services SET is_active = 0 WHERE slug = 'tap-leak-repair'")
    client = await logged_in(demo, "customer@example.com")
    assert (await book(client, "tap-leak-repair", ravi, TUE_5PM)).status_code == 404


async def test_missing_address_is_a_422_with_the_form_kept(demo):
    ravi = await user_id(demo, "provider@example.com")
    client = await logged_in(demo, "customer@example.com")
    response = await book(client, "tap-leak-repair", ravi, TUE_5PM, address="")
    assert response.status_code == 422
    body = await text(response)
    assert "Enter the full address" in body and "Kitchen tap" in body
    assert await active_bookings(demo) == 0


async def test_an_address_of_invisible_characters_is_refused(demo):
    ravi = await user_id(demo, "provider@example.com")
    client = await logged_in(demo, "customer@example.com")
    for address in ("\u200b" * 11, "\u2060\ufeff" * 6, "- - - - - - - -"):
        response = await book(client, "tap-leak-repair", ravi, TUE_5PM, address=address)
        assert response.status_code == 422
        assert "Enter the full address" in await text(response)
    assert await active_bookings(demo) == 0


async def test_visitor_is_sent_to_login_and_back_to_the_confirm_step(demo):
    ravi = await user_id(demo, "provider@example.com")
    path = f"/book/tap-leak-repair/confirm?provider={ravi}&slot={slot_token(TUE_5PM)}"
    response = await demo.test_client().get(path)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/login?next=")


async def test_any_available_provider_gets_the_one_with_fewest_bookings_that_day(demo):
    ravi = await user_id(demo, "provider@example.com")
    imran = await user_id(demo, "imran.plumber@example.com")
    client = await logged_in(demo, "customer@example.com")
    # Imran works 09-13 and 14-19 Mon-Sat; Ravi 10-14 and 16-21. Give Imran a booking on Tuesday.
    assert (await book(client, "tap-leak-repair", imran, NOW.replace(day=24, hour=4, minute=30))).status_code == 303
    response = await post(client, "/book/tap-leak-repair", {"provider": "any", "slot": slot_token(TUE_5PM), **DETAILS})
    assert response.status_code == 303
    booking = await demo.db.fetch_one("SELECT provider_id FROM bookings WHERE starts_at = :s", {"s": TUE_5PM})
    assert booking["provider_id"] == ravi


async def test_cancel_is_free_until_three_hours_before(demo):
    ravi = await user_id(demo, "provider@example.com")
    client = await logged_in(demo, "customer@example.com")
    response = await book(client, "tap-leak-repair", ravi, TUE_5PM)
    booking_id = int(response.headers["Location"].rsplit("/", 1)[1])
    demo.clock.now = TUE_5PM - timedelta(hours=2, minutes=59)
    refused = await post(client, f"/bookings/{booking_id}/cancel")  # a form that showed no fee: asked again
    assert refused.status_code == 409
    assert "late fee of ₹99" in await text(refused)
    assert await demo.db.fetch_value("SELECT status FROM bookings WHERE id = :id", {"id": booking_id}) == "confirmed"
    demo.clock.now = TUE_5PM - timedelta(hours=3)
    assert (await post(client, f"/bookings/{booking_id}/cancel")).status_code == 303
    row = await demo.db.fetch_one("SELECT status, cancelled_by FROM bookings WHERE id = :id", {"id": booking_id})
    assert row == {"status": "cancelled", "cancelled_by": "customer"}
    demo.clock.now = NOW
    grid = await text(await client.get(f"/book/tap-leak-repair?provider={ravi}&day=2026-11-24"))
    assert f'class="slot free" data-slot="{slot_token(TUE_5PM)}"' in grid


async def test_cancelling_asks_first_and_passes_the_reason_to_the_professional(demo):
    ravi = await user_id(demo, "provider@example.com")
    client = await logged_in(demo, "customer@example.com")
    booking_id = int((await book(client, "tap-leak-repair", ravi, TUE_5PM)).headers["Location"].rsplit("/", 1)[1])
    for page in (await raw_text(await client.get(f"/bookings/{booking_id}")), await raw_text(await client.get("/bookings"))):
        # The cancel button sits inside a closed disclosure: one stray tap does not cancel.
        assert re.search(rf'<details class="cancel-job" id="cancel-booking-{booking_id}" hx-preserve="true">\s*'
                         r'<summary>Cancel…</summary>', page)
        assert "Yes, cancel this booking" in page
    assert (await post(client, f"/bookings/{booking_id}/cancel", {"reason": "Fixed it myself"})).status_code == 303
    provider = await logged_in(demo, "provider@example.com")
    assert "Cancelled by the customer: Fixed it myself" in await text(await provider.get("/provider/dashboard"))


async def test_the_booking_page_gives_the_professionals_phone_and_labels_the_customers(demo):
    ravi = await user_id(demo, "provider@example.com")
    client = await logged_in(demo, "customer@example.com")
    booking_id = int((await book(client, "tap-leak-repair", ravi, TUE_5PM)).headers["Location"].rsplit("/", 1)[1])
    page = await text(await client.get(f"/bookings/{booking_id}"))
    assert 'href="tel:+919845011111"' in page and "+91 98450 11111" in page  # Ravi's
    assert "<dt>Your phone</dt><dd>+91 99000 12345</dd>" in page


async def test_a_job_under_way_says_in_progress_and_one_soon_says_whom_to_call(demo):
    ravi = await user_id(demo, "provider@example.com")
    client = await logged_in(demo, "customer@example.com")
    await book(client, "tap-leak-repair", ravi, TUE_5PM)
    demo.clock.now = TUE_5PM - timedelta(hours=1)
    soon = await text(await client.get("/bookings"))
    assert "Starts within 3 hours: moving or cancelling now costs a late fee of ₹99." in soon
    demo.clock.now = TUE_5PM + timedelta(minutes=10)
    starting = await text(await client.get("/bookings"))
    assert "Starting: Ravi Kumar should be on the way. For any change, call them." in starting
    assert "Starts within 3 hours" not in starting


async def test_a_past_job_not_yet_completed_says_so_and_a_completed_one_offers_a_rating(demo):
    ravi = await user_id(demo, "provider@example.com")
    client = await logged_in(demo, "customer@example.com")
    booking_id = int((await book(client, "tap-leak-repair", ravi, TUE_5PM)).headers["Location"].rsplit("/", 1)[1])
    demo.clock.now = TUE_5PM + timedelta(days=1)
    page = await text(await client.get(f"/bookings/{booking_id}"))
    assert "Job done?" in page and "Once Ravi Kumar marks it completed, you can rate it here." in page
    assert "waiting to be marked completed" in await text(await client.get("/bookings"))
    await demo.db.execute("UPDATE bookings SET status = 'completed' WHERE id = :id", {"id": booking_id})
    listing = await text(await client.get("/bookings"))
    assert f'href="/bookings/{booking_id}/review">Rate this job</a>' in listing


async def test_the_confirm_step_says_at_once_when_a_time_cannot_be_booked(demo):
    ravi = await user_id(demo, "provider@example.com")
    client = await logged_in(demo, "customer@example.com")
    confirm = f"/book/tap-leak-repair/confirm?provider={{}}&slot={{}}"
    past = await client.get(confirm.format(ravi, slot_token(NOW - timedelta(days=1))))
    assert past.status_code == 422 and "That time is in the past." in await text(past)
    off_grid = await client.get(confirm.format(ravi, slot_token(TUE_5PM + timedelta(minutes=7))))
    assert off_grid.status_code == 422 and "not on the provider's schedule" in await text(off_grid)
    any_past = await client.get(confirm.format("any", slot_token(NOW - timedelta(days=1))))
    assert any_past.status_code == 422 and "That time is in the past." in await text(any_past)
    assert (await book(client, "tap-leak-repair", ravi, TUE_5PM)).status_code == 303
    taken = await client.get(confirm.format(ravi, slot_token(TUE_5PM)))
    assert taken.status_code == 409 and 'id="grid-section"' in await text(taken)
    posted_past = await book(client, "tap-leak-repair", "any", NOW - timedelta(days=1))
    assert posted_past.status_code == 422 and "any more" not in await text(posted_past)


async def test_another_customers_booking_cannot_be_seen_cancelled_or_moved(demo):
    ravi = await user_id(demo, "provider@example.com")
    owner = await logged_in(demo, "customer@example.com")
    booking_id = int((await book(owner, "tap-leak-repair", ravi, TUE_5PM)).headers["Location"].rsplit("/", 1)[1])
    other = await logged_in(demo, "rahul@example.com")
    assert (await other.get(f"/bookings/{booking_id}")).status_code == 404
    assert (await post(other, f"/bookings/{booking_id}/cancel")).status_code == 404
    assert (await other.get(f"/bookings/{booking_id}/reschedule")).status_code == 404
    assert (await other.get(f"/bookings/{booking_id}/reschedule/confirm?slot={slot_token(TUE_6PM)}")).status_code == 404
    assert (await owner.get(f"/bookings/{booking_id}/reschedule/confirm?slot=soon")).status_code == 400
    past = await owner.get(f"/bookings/{booking_id}/reschedule/confirm?slot={slot_token(NOW - timedelta(days=1))}")
    assert past.status_code == 422 and "That time is in the past." in await text(past)
    await book(other, "tap-leak-repair", ravi, TUE_6PM)
    taken = await owner.get(f"/bookings/{booking_id}/reschedule/confirm?slot={slot_token(TUE_6PM)}")
    assert taken.status_code == 409 and "That slot was just taken" in await text(taken)
    demo.clock.now = TUE_5PM - timedelta(hours=2)
    late = await owner.get(f"/bookings/{booking_id}/reschedule/confirm?slot={slot_token(TUE_5PM + timedelta(days=1))}")
    assert late.status_code == 200 and "Yes, move it and pay ₹99" in await text(late)  # late: the fee before the yes
    assert (await post(other, f"/bookings/{booking_id}/reschedule", {"slot": slot_token(TUE_6PM)})).status_code == 404
    row = await demo.db.fetch_one("SELECT status, starts_at FROM bookings WHERE id = :id", {"id": booking_id})
    assert row["status"] == "confirmed" and row["starts_at"] == TUE_5PM


async def test_reschedule_moves_atomically_and_frees_the_old_slot(demo):
    ravi = await user_id(demo, "provider@example.com")
    client = await logged_in(demo, "customer@example.com")
    booking_id = int((await book(client, "tap-leak-repair", ravi, TUE_5PM)).headers["Location"].rsplit("/", 1)[1])
    grid = await text(await client.get(f"/bookings/{booking_id}/reschedule"))
    assert "Booked now: <strong>Tue 24 Nov, 5:00 pm IST</strong> with Ravi Kumar" in grid
    assert f'<span class="slot current" data-slot="{slot_token(TUE_5PM)}" aria-current="true"' in grid
    confirm_link = f"/bookings/{booking_id}/reschedule/confirm?slot={slot_token(TUE_6PM)}"
    assert f'href="{confirm_link}"' in grid  # a tap asks first; nothing moves yet
    confirm = await text(await client.get(confirm_link))
    assert "Move your booking?" in confirm and "Tue 24 Nov, 5:00 pm IST" in confirm and "Tue 24 Nov, 6:30 pm IST" in confirm
    assert f'name="slot" value="{slot_token(TUE_6PM)}"' in confirm
    row = await demo.db.fetch_one("SELECT starts_at FROM bookings WHERE id = :id", {"id": booking_id})
    assert row["starts_at"] == TUE_5PM
    moved = await post(client, f"/bookings/{booking_id}/reschedule", {"slot": slot_token(TUE_6PM)})
    assert moved.status_code == 303
    row = await demo.db.fetch_one("SELECT starts_at, status FROM bookings WHERE id = :id", {"id": booking_id})
    assert row["starts_at"] == TUE_6PM and row["status"] == "confirmed"
    note = await demo.db.fetch_one("SELECT kind FROM notifications WHERE booking_id = :id AND kind = 'rescheduled'", {"id": booking_id})
    assert note is not None
    public = await text(await client.get(f"/book/tap-leak-repair?provider={ravi}&day=2026-11-24"))
    assert f'class="slot free" data-slot="{slot_token(TUE_5PM)}"' in public


async def test_reschedule_onto_a_taken_slot_changes_nothing(demo):
    ravi = await user_id(demo, "provider@example.com")
    await make_customer(demo, "second@example.com")
    first = await logged_in(demo, "customer@example.com")
    second = await logged_in(demo, "second@example.com")
    booking_id = int((await book(first, "tap-leak-repair", ravi, TUE_5PM)).headers["Location"].rsplit("/", 1)[1])
    assert (await book(second, "tap-leak-repair", ravi, TUE_6PM)).status_code == 303
    response = await post(first, f"/bookings/{booking_id}/reschedule", {"slot": slot_token(TUE_6PM)})
    assert response.status_code == 409
    row = await demo.db.fetch_one("SELECT starts_at FROM bookings WHERE id = :id", {"id": booking_id})
    assert row["starts_at"] == TUE_5PM
    await assert_no_overlaps(demo)


async def test_my_bookings_lists_upcoming_and_past_with_status(demo):
    ravi = await user_id(demo, "provider@example.com")
    client = await logged_in(demo, "customer@example.com")
    await book(client, "tap-leak-repair", ravi, TUE_5PM)
    cancelled = int((await book(client, "tap-leak-repair", ravi, TUE_6PM + timedelta(hours=1))).headers["Location"].rsplit("/", 1)[1])
    await post(client, f"/bookings/{cancelled}/cancel")
    page = await text(await client.get("/bookings"))
    upcoming, past = page.split('id="past"')
    assert "Tue 24 Nov, 5:00 pm IST" in upcoming and "confirmed" in upcoming
    assert "Tue 24 Nov, 7:30 pm IST" in past and "cancelled" in past
    assert re.search(r'sse-connect="/bookings/live\?after=[0-9]+"', page)


# ---------------------------------------------------------------- races through the HTTP app


async def _racing_clients(app, count: int, prefix: str):
    """`count` new customers, each logged in (the first through the login form; the rest get their
    session directly, as the race is about booking, not logging in)."""
    clients = []
    for n in range(count):
        customer = await make_customer(app, f"{prefix}{n}@example.com")
        clients.append(await logged_in(app, f"{prefix}{n}@example.com") if n == 0 else await session_client(app, customer))
    return clients


async def test_fifty_clients_race_for_one_slot_and_exactly_one_wins(demo):
    ravi = await user_id(demo, "provider@example.com")
    clients = await _racing_clients(demo, 50, "racer")
    responses = await asyncio.gather(*(book(c, "tap-leak-repair", ravi, TUE_5PM) for c in clients))
    codes = sorted(r.status_code for r in responses)
    assert codes.count(303) == 1
    assert codes.count(409) == 49
    assert await active_bookings(demo) == 1
    await assert_no_overlaps(demo)


async def test_two_hundred_clients_race_for_twenty_slots_each_sold_once(demo):
    ravi = await user_id(demo, "provider@example.com")
    imran = await user_id(demo, "imran.plumber@example.com")
    # 20 distinct slots on Tuesday and Wednesday: five of Ravi's and five of Imran's each day.
    targets = []
    ist = timedelta(hours=5, minutes=30)
    for day in (24, 25):
        midnight_ist = NOW.replace(day=day, hour=0, minute=0) - ist
        for clock in ("10:00", "11:30", "16:00", "17:30", "19:00"):
            targets.append((ravi, midnight_ist + timedelta(hours=int(clock[:2]), minutes=int(clock[3:]))))
        for clock in ("09:00", "10:30", "14:00", "15:30", "17:00"):
            targets.append((imran, midnight_ist + timedelta(hours=int(clock[:2]), minutes=int(clock[3:]))))
    assert len(targets) == 20
    clients = await _racing_clients(demo, 200, "crowd")
    responses = await asyncio.gather(*(
        book(client, "tap-leak-repair", *targets[n % 20]) for n, client in enumerate(clients)
    ))
    codes = [r.status_code for r in responses]
    assert codes.count(303) == 20 and codes.count(409) == 180
    rows = await demo.db.fetch_all("SELECT provider_id, starts_at FROM bookings WHERE status = 'confirmed'")
    assert sorted((r["provider_id"], r["starts_at"]) for r in rows) == sorted(targets)
    await assert_no_overlaps(demo)


async def test_reschedule_and_new_booking_race_for_the_same_slot(demo):
    ravi = await user_id(demo, "provider@example.com")
    owner = await logged_in(demo, "customer@example.com")
    booking_id = int((await book(owner, "tap-leak-repair", ravi, TUE_5PM)).headers["Location"].rsplit("/", 1)[1])
    rivals = await _racing_clients(demo, 10, "rival")
    results = await asyncio.gather(
        post(owner, f"/bookings/{booking_id}/reschedule", {"slot": slot_token(TUE_6PM)}),
        *(book(c, "tap-leak-repair", ravi, TUE_6PM) for c in rivals),
    )
    winners = [r for r in results if r.status_code == 303]
    assert len(winners) == 1
    assert all(r.status_code == 409 for r in results if r.status_code != 303)
    at_six = await demo.db.fetch_all("SELECT id FROM bookings WHERE starts_at = :s AND status = 'confirmed'", {"s": TUE_6PM})
    assert len(at_six) == 1
    await assert_no_overlaps(demo)


async def test_a_double_submitted_any_provider_booking_books_one_professional(demo):
    customer = await logged_in(demo, "customer@example.com")
    # Ravi and Imran are both free at 5 pm: without the customer lock each submit would get one.
    first, second, third = await asyncio.gather(*(book(customer, "tap-leak-repair", "any", TUE_5PM) for _ in range(3)))
    assert [r.status_code for r in (first, second, third)] == [303, 303, 303]
    booked = await demo.db.fetch_all("SELECT id FROM bookings WHERE status = 'confirmed'")
    assert len(booked) == 1
    assert {r.headers["Location"] for r in (first, second, third)} == {f"/bookings/{booked[0]['id']}"}
    shown = await text(await customer.get(f"/bookings/{booked[0]['id']}"))
    assert "You already have Tap and leak repair booked at that time: Tue 24 Nov, 5:00 pm IST with" in shown


async def test_a_second_submit_when_every_provider_is_now_busy_shows_the_booking_made(demo):
    customer = await logged_in(demo, "customer@example.com")
    late = TUE_5PM + timedelta(hours=2, minutes=30)  # 7:30 pm: only Ravi works then
    first = await book(customer, "tap-leak-repair", "any", late)
    second = await book(customer, "tap-leak-repair", "any", late)
    assert first.status_code == second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    assert await active_bookings(demo) == 1


async def test_the_same_service_at_an_overlapping_time_is_refused_but_another_service_is_not(demo):
    ravi = await user_id(demo, "provider@example.com")
    imran = await user_id(demo, "imran.plumber@example.com")
    customer = await logged_in(demo, "customer@example.com")
    assert (await book(customer, "tap-leak-repair", ravi, TUE_5PM)).status_code == 303
    overlapping = await book(customer, "tap-leak-repair", imran, TUE_5PM + timedelta(minutes=30))
    assert overlapping.status_code == 303 and await active_bookings(demo) == 1  # shown the booking they have
    other_service = await book(customer, "drain-unblocking", imran, TUE_5PM)
    assert other_service.status_code == 303 and await active_bookings(demo) == 2  # a plumber and a second job: fine
    later = await book(customer, "tap-leak-repair", imran, TUE_5PM + timedelta(days=1))
    assert later.status_code == 303 and await active_bookings(demo) == 3


async def test_a_reschedule_onto_the_customers_own_other_booking_of_the_service_is_refused(demo):
    ravi = await user_id(demo, "provider@example.com")
    imran = await user_id(demo, "imran.plumber@example.com")
    customer = await logged_in(demo, "customer@example.com")
    first = await book(customer, "tap-leak-repair", ravi, TUE_5PM)
    wednesday = TUE_5PM + timedelta(days=1)  # Imran and Ravi both work at 5 pm
    assert (await book(customer, "tap-leak-repair", imran, wednesday)).status_code == 303
    booking_id = first.headers["Location"].rsplit("/", 1)[1]
    moved = await post(customer, f"/bookings/{booking_id}/reschedule", {"slot": slot_token(wednesday)})
    assert moved.status_code == 409
    assert "You already have Tap and leak repair booked at that time" in await text(moved)


async def test_hours_ending_at_midnight_never_break_the_catalogue(demo):
    ravi = await user_id(demo, "provider@example.com")
    for weekday in range(7):  # what the editor stores for "23:59-24:00" and "20:00-24:00"
        await demo.db.execute("insert_working_hours", {"provider_id": ravi, "weekday": weekday, "start_min": 1439, "end_min": 1440})
    await demo.db.execute("insert_working_hours", {"provider_id": ravi, "weekday": 1, "start_min": 1260, "end_min": 1440})
    visitor = demo.test_client()
    for path in ("/services/tap-leak-repair", "/book/tap-leak-repair", f"/book/tap-leak-repair?provider={ravi}"):
        assert (await visitor.get(path)).status_code == 200, path
    grid = await text(await visitor.get(f"/book/tap-leak-repair?provider={ravi}&day=2026-11-24"))
    assert "10:30 pm" in grid  # 21:00-24:00 on Tuesday still gives late starts


async def test_landing_page_lists_the_categories(demo):
    page = await text(await demo.test_client().get("/"))
    assert 'href="/services#cat-plumbing"' in page and "Beauty at home" in page and "Women only" in page
