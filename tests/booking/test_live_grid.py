"""The slot grid page carries the event id it was rendered at; its stream opened from there
sends nothing until the grid changes, then only what changed: a booking sends the chip of its
day and, when that day is the one shown, its start times (`slots-day`, swapped out of band by
id), never the whole grid; a change to the schedule sends the whole grid (`slots`)."""

from __future__ import annotations

import html
import re

from grihaseva.booking import domain
from grihaseva.events import publish
from tests.booking.conftest import demo  # noqa: F401
from tests.conftest import text
from tests.events.test_sse import open_stream
from tests.provider.conftest import DETAILS, NOW, TUE_5PM, user_id


async def _live_url(client, path: str) -> str:
    page = await text(await client.get(path))
    return html.unescape(re.search(r'sse-connect="([^"]+)"', page).group(1))


async def test_the_grid_stream_opened_at_the_pages_event_id_sends_no_frame_until_a_change(demo):
    demo.config["SSE_HEARTBEAT_SECONDS"] = 0.05
    ravi = await user_id(demo, "provider@example.com")
    service = await domain.active_service(demo.db, "tap-leak-repair")
    customer = await demo.db.fetch_one("select_user_by_email", {"email": "customer@example.com"})
    # An earlier booking, so the page's id is not 0.
    await domain.place_booking(demo.db, domain.Customer(customer["id"], "female"), service, ravi,
                               TUE_5PM.replace(hour=5), DETAILS, NOW)
    await demo.broadcaster.poll()
    client = demo.test_client()
    live = await _live_url(client, f"/book/tap-leak-repair?provider={ravi}&week=2026-11-23")
    after = int(re.search(r"[?&]after=(\d+)", live).group(1))
    assert after == await demo.db.fetch_value("SELECT MAX(id) AS n FROM events WHERE topic LIKE 'slots:%'")
    async with open_stream(client, live) as stream:
        assert (await stream.next()).raw == "retry: 1000"
        for _ in range(3):
            assert (await stream.next(timeout=1.0)).event == "heartbeat"  # a named event (static/live.js)
        await domain.place_booking(demo.db, domain.Customer(customer["id"], "female"), service, ravi,
                                   TUE_5PM, DETAILS, NOW)
        frame = await stream.next()
        while frame.event == "heartbeat":
            frame = await stream.next()
    assert frame.event == "slots-day" and frame.id > after
    assert 'id="chip-2026-11-24"' in frame.data  # the booked day's chip, swapped by id


async def test_a_grid_page_rendered_before_a_commit_gets_the_change_as_its_first_frame(demo):
    ravi = await user_id(demo, "provider@example.com")
    client = demo.test_client()
    live = await _live_url(client, f"/book/tap-leak-repair?provider={ravi}&week=2026-11-23")
    service = await domain.active_service(demo.db, "tap-leak-repair")
    customer = await demo.db.fetch_one("select_user_by_email", {"email": "customer@example.com"})
    await domain.place_booking(demo.db, domain.Customer(customer["id"], "female"), service, ravi, TUE_5PM, DETAILS, NOW)
    async with open_stream(client, live) as stream:
        first = await stream.next()
    assert first.event == "slots" and first.id is not None


async def _next_change(stream):
    frame = await stream.next()
    while frame.event == "heartbeat":
        frame = await stream.next()
    return frame


async def test_a_booking_sends_only_its_days_chip_and_the_shown_days_times(demo):
    ravi = await user_id(demo, "provider@example.com")
    service = await domain.active_service(demo.db, "tap-leak-repair")
    customer = await demo.db.fetch_one("select_user_by_email", {"email": "customer@example.com"})
    client = demo.test_client()
    live = await _live_url(client, f"/book/tap-leak-repair?provider={ravi}&day=2026-11-24")
    async with open_stream(client, live.split("&after=")[0]) as stream:  # from the start: a snapshot first
        whole = await stream.next()
        await domain.place_booking(demo.db, domain.Customer(customer["id"], "female"), service, ravi,
                                   TUE_5PM, DETAILS, NOW)  # the shown day, Tuesday 24th
        shown_day = await _next_change(stream)
        await domain.place_booking(demo.db, domain.Customer(customer["id"], "female"), service, ravi,
                                   TUE_5PM.replace(day=25), DETAILS, NOW)  # Wednesday: not shown
        other_day = await _next_change(stream)
    assert whole.event == "slots" and 'class="day-strip"' in whole.data
    assert shown_day.event == "slots-day"
    chips = re.findall(r'id="chip-([0-9-]+)"', shown_day.data)
    assert chips == ["2026-11-24"]
    assert 'id="day-times"' in shown_day.data and 'hx-swap-oob="true"' in shown_day.data
    assert re.search(r'class="slot taken"[^>]*>5:00', shown_day.data)  # the booked time greys out
    assert 'class="day-strip"' not in shown_day.data and "service-terms" not in shown_day.data
    assert len(shown_day.data) < len(whole.data) * 0.7
    assert other_day.event == "slots-day"
    assert re.findall(r'id="chip-([0-9-]+)"', other_day.data) == ["2026-11-25"]
    assert 'id="day-times"' not in other_day.data  # Tuesday's times did not change
    assert len(other_day.data) < 600


async def test_a_schedule_change_sends_the_whole_grid(demo):
    ravi = await user_id(demo, "provider@example.com")
    client = demo.test_client()
    live = await _live_url(client, f"/book/tap-leak-repair?provider={ravi}&day=2026-11-24")
    async with open_stream(client, live) as stream:
        assert (await stream.next()).raw == "retry: 1000"
        async with demo.db.transaction() as tx:
            await publish(tx, f"slots:{ravi}", "availability", {"provider_id": ravi}, NOW)
        frame = await _next_change(stream)
    assert frame.event == "slots" and 'class="day-strip"' in frame.data and 'id="day-times"' in frame.data
