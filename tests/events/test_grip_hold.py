"""GRIP hold answers (grihaseva/grip.py) in process, on both databases: a request marked by
Pushpin gets hold instructions and the snapshot; a direct request still gets a stream."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.blog.conftest import LEAK_SLUG, logged_in
from tests.conftest import serving_app
from tests.events.test_sse import open_stream
from tests.helpers import seed_demo_app

PUSHPIN = {"Accept": "text/event-stream", "Grip-Sig": "from-pushpin"}


@pytest.fixture
async def grip_app(settings):
    async with serving_app(replace(settings, grip_url="http://127.0.0.1:9/")) as app:
        await seed_demo_app(app, settings)
        yield app


async def test_a_request_through_pushpin_gets_hold_instructions_with_the_snapshot(grip_app):
    response = await grip_app.test_client().get(f"/blog/{LEAK_SLUG}/live", headers=PUSHPIN)
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    assert response.headers["Grip-Hold"] == "stream"
    assert response.headers["Grip-Channel"].startswith("pub-")
    assert "format=cstring" in response.headers["Grip-Keep-Alive"]
    body = await response.get_data(as_text=True)
    assert body.startswith("event: reactions\nid: ") and "retry: 1000" in body
    rows = await grip_app.db.fetch_all("select_live_channels")
    assert [r["channel"] for r in rows] == [response.headers["Grip-Channel"]]
    again = await grip_app.test_client().get(f"/blog/{LEAK_SLUG}/live", headers=PUSHPIN)
    assert again.headers["Grip-Channel"] == response.headers["Grip-Channel"]  # one channel for all visitors


async def test_private_channels_differ_per_session_and_do_not_name_the_user(grip_app):
    channels = []
    for _ in range(2):  # the same customer on two devices
        client = await logged_in(grip_app, "customer@example.com")
        response = await client.get("/bookings/live", headers=PUSHPIN)
        channels.append(response.headers["Grip-Channel"])
    other = await (await logged_in(grip_app, "rahul@example.com")).get("/bookings/live", headers=PUSHPIN)
    channels.append(other.headers["Grip-Channel"])
    assert len(set(channels)) == 3 and all(c.startswith("prv-") and len(c) == 44 for c in channels)
    assert all("customer" not in c and "bookings" not in c for c in channels)


async def test_a_direct_request_still_streams_in_process(grip_app):
    async with open_stream(grip_app.test_client(), f"/blog/{LEAK_SLUG}/live") as stream:
        assert (await stream.next()).event == "reactions"
    assert await grip_app.db.fetch_all("select_live_channels") == []




@pytest.mark.mysql
async def test_a_lease_release_cancelled_mid_statement_still_lets_the_pool_close():
    """Stopping the app while the publisher gives its lease up cancels RELEASE_LOCK mid-flight: the
    connection must still go back to the pool, or `db.close()` (the app's shutdown) waits until
    the process is killed (seen: `grihaseva serve` behind Pushpin ignoring SIGTERM for 10 s)."""
    import asyncio

    from grihaseva.db import open_database
    from grihaseva.grip import LEASE_NAME, MysqlLease
    from tests.conftest import fresh_mysql_database

    with fresh_mysql_database("_lease") as url:
        db = open_database(url)
        await db.connect()
        lease = MysqlLease(db)
        assert await lease.acquire()
        releasing = asyncio.create_task(lease.release())
        await asyncio.sleep(0)  # RELEASE_LOCK sent, its answer awaited
        releasing.cancel()
        with pytest.raises(asyncio.CancelledError):
            await releasing
        await asyncio.wait_for(db.close(), 5)  # before: waited for ever for the lost connection
        other = open_database(url)  # and the lock went with the closed connection
        await other.connect()
        try:
            for _ in range(100):
                if await other.fetch_value("SELECT IS_FREE_LOCK(:name) AS free", {"name": LEASE_NAME}) == 1:
                    break
                await asyncio.sleep(0.02)
            else:
                raise AssertionError("the lease's lock is still held")
        finally:
            await other.close()
