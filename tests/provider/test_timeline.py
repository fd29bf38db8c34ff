"""The job's timeline: confirmed -> on the way -> started -> completed, by the booking's own provider
only, in order, each move announced live and the "on the way" one mailed to the customer."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from grihaseva.booking import timeline
from grihaseva.booking.timeline import TimelineRefused
from grihaseva.provider import appointments
from tests.conftest import post, text, visible_text
from tests.provider.conftest import MON_4PM, TUE_5PM, Who, book, logged_in, mails, user_id


async def stage_of(app, booking_id: int) -> str:
    return timeline.stage(await app.db.fetch_one("select_booking", {"id": booking_id}))


async def test_each_move_in_order_by_the_right_provider(demo):
    ravi = await user_id(demo, "provider@example.com")
    asha = await user_id(demo, "customer@example.com")
    booking_id = await book(demo, MON_4PM)
    assert await stage_of(demo, booking_id) == "confirmed"
    before = await demo.db.fetch_value("SELECT COALESCE(MAX(id), 0) AS n FROM events")

    on_the_way = MON_4PM - timedelta(minutes=40)
    await timeline.mark_on_the_way(demo.db, ravi, booking_id, on_the_way)
    assert await stage_of(demo, booking_id) == "on_the_way"
    started = MON_4PM + timedelta(minutes=2)
    await timeline.mark_started(demo.db, ravi, booking_id, started)
    assert await stage_of(demo, booking_id) == "started"
    completed = MON_4PM + timedelta(minutes=50)
    await appointments.complete_job(demo.db, ravi, booking_id, completed)
    row = await demo.db.fetch_one("select_booking", {"id": booking_id})
    assert timeline.stage(row) == "completed"
    assert (row["on_the_way_at"], row["started_at"], row["completed_at"]) == (on_the_way, started, completed)
    assert [(s.key, s.at) for s in timeline.steps(row)][1:] == [
        ("on_the_way", on_the_way), ("started", started), ("completed", completed)]

    events = await demo.db.fetch_all("SELECT topic, kind FROM events WHERE id > :id ORDER BY id", {"id": before})
    for kind in ("on_the_way", "started", "completed"):  # both sides redraw live after every move
        assert {"topic": f"user:{asha}", "kind": kind} in events
        assert {"topic": f"provider:{ravi}", "kind": kind} in events

    [mail] = [m for m in await mails(demo, "customer@example.com") if "on the way" in m["subject"]]
    assert mail["subject"] == "Ravi Kumar is on the way: Tap and leak repair"
    assert "+91 98450 11111" in mail["text_body"]  # the professional's phone


async def test_moves_out_of_order_are_refused_and_change_nothing(demo):
    ravi = await user_id(demo, "provider@example.com")
    booking_id = await book(demo, MON_4PM)
    now = MON_4PM - timedelta(minutes=30)
    with pytest.raises(TimelineRefused, match="on the way\u201d first") as refused:
        await timeline.mark_started(demo.db, ravi, booking_id, now)  # start before on the way
    assert refused.value.status == 409
    await timeline.mark_on_the_way(demo.db, ravi, booking_id, now)
    with pytest.raises(TimelineRefused, match="already said you are on the way"):
        await timeline.mark_on_the_way(demo.db, ravi, booking_id, now)
    await timeline.mark_started(demo.db, ravi, booking_id, MON_4PM)
    with pytest.raises(TimelineRefused, match="already started"):
        await timeline.mark_started(demo.db, ravi, booking_id, MON_4PM)
    with pytest.raises(TimelineRefused, match="already said"):
        await timeline.mark_on_the_way(demo.db, ravi, booking_id, MON_4PM)
    assert await stage_of(demo, booking_id) == "started"


async def test_on_the_way_too_early_or_too_late_is_refused(demo):
    ravi = await user_id(demo, "provider@example.com")
    booking_id = await book(demo, TUE_5PM)
    with pytest.raises(TimelineRefused, match="from 3 hours before the start") as early:
        await timeline.mark_on_the_way(demo.db, ravi, booking_id, TUE_5PM - timedelta(hours=3, minutes=1))
    assert early.value.status == 422
    with pytest.raises(TimelineRefused, match="mark it completed instead"):
        await timeline.mark_on_the_way(demo.db, ravi, booking_id, TUE_5PM + timedelta(hours=1))
    assert await stage_of(demo, booking_id) == "confirmed"


async def test_a_cancelled_or_completed_job_cannot_move(demo):
    ravi = await user_id(demo, "provider@example.com")
    asha = await user_id(demo, "customer@example.com")
    from grihaseva.booking import domain

    cancelled = await book(demo, TUE_5PM)
    await domain.cancel_booking(demo.db, Who(asha), cancelled, TUE_5PM - timedelta(days=1))
    for move in (timeline.mark_on_the_way, timeline.mark_started):
        with pytest.raises(TimelineRefused, match="already cancelled"):
            await move(demo.db, ravi, cancelled, TUE_5PM - timedelta(hours=1))
    with pytest.raises(domain.BookingRefused, match="already cancelled"):  # complete a cancelled job
        await appointments.complete_job(demo.db, ravi, cancelled, TUE_5PM)

    done = await book(demo, MON_4PM)
    await appointments.complete_job(demo.db, ravi, done, MON_4PM + timedelta(minutes=30))
    with pytest.raises(TimelineRefused, match="already completed"):
        await timeline.mark_on_the_way(demo.db, ravi, done, MON_4PM + timedelta(minutes=31))
    with pytest.raises(domain.BookingRefused, match="already completed"):
        await appointments.complete_job(demo.db, ravi, done, MON_4PM + timedelta(minutes=31))


async def test_another_provider_cannot_move_the_job(demo):
    imran = await user_id(demo, "imran.plumber@example.com")
    ravi = await user_id(demo, "provider@example.com")
    booking_id = await book(demo, MON_4PM)
    now = MON_4PM - timedelta(minutes=30)
    with pytest.raises(TimelineRefused, match="no such booking") as refused:
        await timeline.mark_on_the_way(demo.db, imran, booking_id, now)
    assert refused.value.status == 404
    await timeline.mark_on_the_way(demo.db, ravi, booking_id, now)
    with pytest.raises(TimelineRefused, match="no such booking"):
        await timeline.mark_started(demo.db, imran, booking_id, now)
    assert await stage_of(demo, booking_id) == "on_the_way"

    other = await logged_in(demo, "imran.plumber@example.com")
    for move in ("on-the-way", "start", "complete", "paid"):
        response = await post(other, f"/provider/bookings/{booking_id}/{move}", {"method": "cash"})
        assert response.status_code == 404, move
    assert await stage_of(demo, booking_id) == "on_the_way"


async def test_the_moves_through_http_with_messages_never_a_500(demo):
    booking_id = await book(demo, MON_4PM)
    provider = await logged_in(demo, "provider@example.com")
    customer = await logged_in(demo, "customer@example.com")
    demo.clock.now = MON_4PM - timedelta(minutes=20)
    dashboard = html.unescape(await text(await provider.get("/provider/dashboard")))
    assert f'action="/provider/bookings/{booking_id}/on-the-way"' in dashboard

    early = await post(provider, f"/provider/bookings/{booking_id}/start")
    assert early.status_code == 409 and "on the way\u201d first" in html.unescape(await text(early))
    assert (await post(customer, f"/provider/bookings/{booking_id}/on-the-way")).status_code == 403

    assert (await post(provider, f"/provider/bookings/{booking_id}/on-the-way")).status_code == 303
    page = visible_text(html.unescape(await text(await customer.get(f"/bookings/{booking_id}"))))
    assert "Ravi Kumar is on the way" in page and "+91 98450 11111" in page
    listing = visible_text(html.unescape(await text(await customer.get("/bookings"))))
    assert "On the way since 3:40 pm" in listing
    again = await post(provider, f"/provider/bookings/{booking_id}/on-the-way")
    assert again.status_code == 409 and "already said you are on the way" in await text(again)

    demo.clock.now = MON_4PM + timedelta(minutes=1)
    assert (await post(provider, f"/provider/bookings/{booking_id}/start")).status_code == 303
    assert "Job in progress" in await text(await customer.get(f"/bookings/{booking_id}"))
    rows = html.unescape(await text(await provider.get("/provider/dashboard")))
    assert 'data-stage="started"' in rows
    demo.clock.now = MON_4PM + timedelta(minutes=45)
    assert (await post(provider, f"/provider/bookings/{booking_id}/complete")).status_code == 303
    assert (await post(provider, f"/provider/bookings/{booking_id}/start")).status_code == 409


async def test_the_booking_page_streams_its_card(demo):
    booking_id = await book(demo, MON_4PM)
    customer = await logged_in(demo, "customer@example.com")
    page = await text(await customer.get(f"/bookings/{booking_id}"))
    assert re.search(rf'sse-connect="/bookings/{booking_id}/live\?after=[0-9]+"', page) and 'sse-swap="booking"' in page
    other = await logged_in(demo, "rahul@example.com")
    assert (await other.get(f"/bookings/{booking_id}/live", headers={"Accept": "text/event-stream"})).status_code == 404
