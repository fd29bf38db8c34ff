"""The provider dashboard: rows, next job, authorization, completing and cancelling jobs, notifications."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from grihaseva.booking import domain
from tests.conftest import post, visible_text
from tests.conftest import text as raw_text
from tests.provider.conftest import (MON_4PM, NOW, TUE_5PM, Who, book, booking_status, ics_of, logged_in,
                                     mails, only_event, user_id)


async def page_text(response) -> str:
    return visible_text(html.unescape(await raw_text(response)))


async def test_dashboard_lists_today_and_upcoming_jobs_with_the_next_job_first(demo):
    later = await book(demo, TUE_5PM)
    sooner = await book(demo, MON_4PM)
    client = await logged_in(demo, "provider@example.com")
    response = await client.get("/provider/dashboard")
    body = html.unescape(await raw_text(response))
    assert response.status_code == 200
    next_job = body.split('id="next-job"', 1)[1].split("</section>", 1)[0]
    assert f'data-booking="{sooner}"' in next_job and "Mon 23 Nov, 4:00 pm IST" in next_job
    rows = body.split('id="appointment-rows"', 1)[1]
    assert rows.index(f'data-booking="{sooner}"') < rows.index(f'data-booking="{later}"')
    words = visible_text(rows)
    for expected in ("4:00 pm–5:00 pm", "5:00 pm–6:00 pm", "Tap and leak repair", "Asha Menon",
                     "12 MG Road, Indiranagar, Bengaluru", "+91 99000 12345", "Kitchen tap drips", "confirmed"):
        assert expected in words
    assert re.search(r'sse-connect="/provider/dashboard/live\?after=[0-9]+"', body) and 'sse-swap="appointments"' in body


async def test_a_new_booking_is_highlighted_and_a_cancelled_one_is_marked(demo):
    fresh = await book(demo, TUE_5PM)
    client = await logged_in(demo, "provider@example.com")
    rows = await raw_text(await client.get("/provider/dashboard", headers={"HX-Request": "true"}))
    assert f'class="appointment status-row-confirmed fresh fresh-new" data-booking="{fresh}"' in rows
    demo.clock.now = NOW + timedelta(minutes=30)  # no longer new
    customer = await demo.db.fetch_one("select_user_by_email", {"email": "customer@example.com"})
    await domain.cancel_booking(demo.db, Who(customer["id"]), fresh,
                                demo.clock.now, "plans changed")
    rows = await raw_text(await client.get("/provider/dashboard", headers={"HX-Request": "true"}))
    assert f'class="appointment status-row-cancelled" data-booking="{fresh}" data-status="cancelled"' in rows
    assert "Cancelled by the customer: plans changed" in visible_text(rows)


async def test_the_live_endpoint_streams_the_rows_partial(demo):
    await book(demo, TUE_5PM)
    client = await logged_in(demo, "provider@example.com")
    async with client.request("/provider/dashboard/live", headers={"Accept": "text/event-stream"}) as connection:
        await connection.send_complete()
        chunk = await connection.receive()
        await connection.disconnect()
    first = chunk.decode()
    assert first.startswith("event: appointments\n")
    assert "Tap and leak repair" in first and 'id="appointment-rows"' in first


@pytest.mark.parametrize("path", ["/provider/dashboard", "/provider/notifications", "/provider/availability",
                                  "/provider/earnings", "/provider/earnings.csv", "/provider/calendar"])
async def test_a_customer_cannot_open_provider_pages(demo, path):
    client = await logged_in(demo, "customer@example.com")
    response = await client.get(path)
    assert response.status_code == 403
    assert "This page is for providers" in await page_text(response)


async def test_a_customer_cannot_complete_or_cancel_through_the_provider_routes(demo):
    booking = await book(demo, TUE_5PM)
    client = await logged_in(demo, "customer@example.com")
    assert (await post(client, f"/provider/bookings/{booking}/complete")).status_code == 403
    assert (await post(client, f"/provider/bookings/{booking}/cancel", {"reason": "x"})).status_code == 403
    assert await booking_status(demo, booking) == "confirmed"


async def test_another_providers_booking_is_not_found_and_unchanged(demo):
    booking = await book(demo, TUE_5PM)
    imran = await logged_in(demo, "imran.plumber@example.com")
    demo.clock.now = TUE_5PM + timedelta(minutes=5)
    assert (await post(imran, f"/provider/bookings/{booking}/complete")).status_code == 404
    response = await post(imran, f"/provider/bookings/{booking}/cancel", {"reason": "not mine"})
    assert response.status_code == 404
    assert "Tap and leak repair" not in await page_text(await imran.get("/provider/dashboard"))
    assert await booking_status(demo, booking) == "confirmed"


async def test_a_job_can_be_completed_only_after_its_start(demo):
    booking = await book(demo, TUE_5PM)
    client = await logged_in(demo, "provider@example.com")
    early = await post(client, f"/provider/bookings/{booking}/complete")
    assert early.status_code == 422
    assert "This job starts Tue 24 Nov, 5:00 pm IST. You can mark it completed once it has started." in await page_text(early)
    assert await booking_status(demo, booking) == "confirmed"
    demo.clock.now = TUE_5PM + timedelta(minutes=1)
    done = await post(client, f"/provider/bookings/{booking}/complete")
    assert done.status_code == 303 and done.headers["Location"] == "/provider/dashboard"
    assert await booking_status(demo, booking) == "completed"
    again = await post(client, f"/provider/bookings/{booking}/complete")
    assert again.status_code == 409 and "already completed" in await page_text(again)


async def test_completing_announces_it_to_the_provider_and_the_customer(demo):
    booking = await book(demo, MON_4PM)
    customer = await user_id(demo, "customer@example.com")
    ravi = await user_id(demo, "provider@example.com")
    demo.clock.now = MON_4PM + timedelta(minutes=30)
    await post(await logged_in(demo, "provider@example.com"), f"/provider/bookings/{booking}/complete")
    topics = [row["topic"] for row in await demo.db.fetch_all(
        "SELECT topic FROM events WHERE kind = 'completed' ORDER BY id")]
    assert topics == [f"provider:{ravi}", f"user:{customer}"]


async def test_provider_cancel_needs_a_reason(demo):
    booking = await book(demo, TUE_5PM)
    client = await logged_in(demo, "provider@example.com")
    response = await post(client, f"/provider/bookings/{booking}/cancel", {"reason": "   "})
    assert response.status_code == 422
    assert "Tell the customer why you are cancelling" in await page_text(response)
    assert await booking_status(demo, booking) == "confirmed"


async def test_provider_cancel_reaches_the_customers_bookings_live_and_by_mail(demo):
    booking = await book(demo, TUE_5PM)
    customer_id = await user_id(demo, "customer@example.com")
    before = await demo.db.fetch_value("SELECT COALESCE(MAX(id), 0) AS n FROM events")
    client = await logged_in(demo, "provider@example.com")
    response = await post(client, f"/provider/bookings/{booking}/cancel", {"reason": "Down with fever"})
    assert response.status_code == 303
    assert await booking_status(demo, booking) == "cancelled"
    topics = {row["topic"] for row in await demo.db.fetch_all(
        "SELECT topic FROM events WHERE id > :id AND kind = 'cancelled'", {"id": before})}
    assert f"user:{customer_id}" in topics
    customer = await logged_in(demo, "customer@example.com")
    page = await page_text(await customer.get("/bookings", headers={"HX-Request": "true"}))
    assert "Cancelled by the professional: Down with fever" in page
    cancel_mail = (await mails(demo, "customer@example.com"))[-1]
    assert cancel_mail["subject"] == "Booking cancelled: Tap and leak repair, Tue 24 Nov, 5:00 pm IST"
    assert "by the professional" in cancel_mail["text_body"] and "Reason: Down with fever" in cancel_mail["text_body"]
    calendar = ics_of(cancel_mail)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(only_event(calendar)["STATUS"]) == "CANCELLED"


async def test_unread_notifications_show_a_badge_until_the_list_is_seen(demo):
    await book(demo, TUE_5PM)
    await book(demo, MON_4PM)
    client = await logged_in(demo, "provider@example.com")
    dashboard = await raw_text(await client.get("/provider/dashboard"))
    assert 'id="unread-count" aria-label="2 unread">2<' in dashboard
    listing = await client.get("/provider/notifications")
    words = await page_text(listing)
    assert "New booking: Tap and leak repair, Tue 24 Nov, 5:00 pm IST" in words
    assert words.count("New ") >= 2
    assert 'id="unread-count"' not in await raw_text(await client.get("/provider/dashboard"))
    assert "unread" not in await raw_text(await client.get("/provider/notifications"))


async def test_a_provider_sees_only_their_own_notifications(demo):
    await book(demo, TUE_5PM)
    imran = await logged_in(demo, "imran.plumber@example.com")
    assert "No notifications yet." in await page_text(await imran.get("/provider/notifications"))


async def test_a_rescheduled_job_moves_to_its_new_place_and_is_marked_moved(demo):
    moving = await book(demo, MON_4PM)
    staying = await book(demo, TUE_5PM)
    customer = await demo.db.fetch_one("select_user_by_email", {"email": "customer@example.com"})
    demo.clock.now = NOW + timedelta(minutes=30)  # both are no longer new
    await domain.reschedule_booking(demo.db, Who(customer["id"]), moving,
                                    TUE_5PM + timedelta(hours=2), demo.clock.now)
    client = await logged_in(demo, "provider@example.com")
    rows = await raw_text(await client.get("/provider/dashboard", headers={"HX-Request": "true"}))
    assert rows.index(f'data-booking="{staying}"') < rows.index(f'data-booking="{moving}"')
    assert f'class="appointment status-row-confirmed fresh fresh-moved" data-booking="{moving}"' in rows
    assert f'class="appointment status-row-confirmed" data-booking="{staying}"' in rows


def needs_completing(page: str) -> str:
    """The "Needs completing" section of the dashboard ("" when there is none)."""
    if 'id="needs-completing"' not in page:
        return ""
    return page.split('id="needs-completing"', 1)[1].split("</section>", 1)[0]


# Review #4: a job not marked completed by midnight vanished from the provider's pages for good.
async def test_a_past_job_still_confirmed_stays_on_the_dashboard_until_completed(demo):
    monday = await book(demo, MON_4PM)
    tuesday = await book(demo, TUE_5PM)
    cancelled = await book(demo, TUE_5PM + timedelta(hours=2))
    await domain.cancel_booking(demo.db, Who(await user_id(demo, "customer@example.com")), cancelled, NOW, "Plans changed")
    client = await logged_in(demo, "provider@example.com")
    assert needs_completing(await raw_text(await client.get("/provider/dashboard"))) == ""  # nothing is over yet
    demo.clock.now = NOW + timedelta(days=3)  # Thursday 08:00 IST: both jobs were days ago
    page = html.unescape(await raw_text(await client.get("/provider/dashboard")))
    section = needs_completing(page)
    assert section.index(f'data-booking="{monday}"') < section.index(f'data-booking="{tuesday}"')  # oldest first
    assert f'data-booking="{cancelled}"' not in section
    assert "Mon 23 Nov, 4:00 pm IST" in visible_text(section) and "Asha Menon" in visible_text(section)
    assert section.count("Mark completed") == 2
    assert f'action="/provider/bookings/{monday}/complete"' in section
    assert 'id="appointment-rows"' in page and "No appointments today or coming up." in visible_text(page)
    live = html.unescape(await raw_text(await client.get("/provider/dashboard", headers={"HX-Request": "true"})))
    assert f'data-booking="{monday}"' in needs_completing(live)  # the live rows partial carries it too
    done = await post(client, f"/provider/bookings/{monday}/complete")
    assert done.status_code == 303 and await booking_status(demo, monday) == "completed"
    section = needs_completing(await raw_text(await client.get("/provider/dashboard")))
    assert f'data-booking="{monday}"' not in section and f'data-booking="{tuesday}"' in section


async def test_needs_completing_reaches_back_thirty_days(demo):
    booking = await book(demo, TUE_5PM)

    async def dashboard(email: str = "provider@example.com") -> str:
        client = await logged_in(demo, email)  # a fresh login: the session would not last the month
        return needs_completing(await raw_text(await client.get("/provider/dashboard")))

    demo.clock.now = TUE_5PM + timedelta(days=30)  # Thu 24 Dec: the job started within the last 30 days
    assert f'data-booking="{booking}"' in await dashboard()
    demo.clock.now = TUE_5PM + timedelta(days=31, hours=12)
    assert await dashboard() == ""
    demo.clock.now = TUE_5PM + timedelta(days=1)
    assert await dashboard("imran.plumber@example.com") == ""  # another provider never sees it
