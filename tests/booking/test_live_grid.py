"""The slot grid page carries the event id it was rendered at; its stream opened from there
sends nothing until the grid changes, then the fresh grid."""

from __future__ import annotations

import html
import re

from grihaseva.booking import domain
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
    assert frame.event == "slots" and frame.id > after
    assert "slot" in frame.data


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
