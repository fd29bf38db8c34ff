"""A database outage answers 503 with Retry-After, never 500: a page, an htmx fragment, a form
post and an SSE (re)connect; /healthz names the part that is down; everything works again when
the database is back, with nothing half-written. SQLite (the database closed under the app) and
MariaDB (behind a relay the test cuts, as in tests/test_health.py); the same test against a
MariaDB server really stopped and started is tests/test_outage_mariadb.py."""

from __future__ import annotations

import asyncio

import pytest

from grihaseva.app import create_app
from grihaseva.migrate import migrate
from tests.conftest import TEST_CSRF, text, with_csrf
from tests.helpers import DEMO_NOW, DEMO_PASSWORD, Clock, cuttable, load_demo
from tests.test_health import settings_for

UNAVAILABLE = "GrihaSeva is briefly unavailable"
POST = "/blog/monsoon-home-care-checklist"


@pytest.fixture
async def outage(database_url, tmp_path):
    """(app, stop, start): the demo app, and how to take its database away and bring it back."""
    async with cuttable(database_url) as (url, forwarder):
        settings = settings_for(url, tmp_path)
        app = create_app(settings)
        app.config["MAIL_SENDER_AUTOSTART"] = False
        async with app.test_app():
            await migrate(app.db)
            await load_demo(app.db, settings)
            app.clock = Clock(DEMO_NOW)
            if forwarder is None:
                yield app, app.db.close, app.db.connect
            else:
                yield app, forwarder.stop, forwarder.restart


async def counts(app) -> dict[str, int]:
    return {table: await app.db.fetch_value(f"SELECT COUNT(*) AS n FROM {table}")
            for table in ("bookings", "events", "mail_outbox", "notifications", "sessions")}


async def test_a_database_outage_is_503_with_retry_after_and_heals(outage):
    app, stop, start = outage
    customer = app.test_client()
    await with_csrf(customer)
    assert (await customer.post("/login", form={"csrf_token": TEST_CSRF, "email": "customer@example.com",
                                                "password": DEMO_PASSWORD})).status_code == 303
    visitor = app.test_client()
    before = await counts(app)
    assert (await visitor.get("/healthz")).status_code == 200

    await stop()
    page = await visitor.get("/services")
    body = await text(page)
    assert page.status_code == 503 and page.headers["Retry-After"] == "10"
    assert UNAVAILABLE in body and "<html" in body and "try again in a minute" in body
    fragment = await visitor.get("/services/tap-leak-repair", headers={"HX-Request": "true"})
    assert fragment.status_code == 503 and fragment.headers["Retry-After"] == "10"
    assert UNAVAILABLE in await text(fragment) and "<html" not in await text(fragment)
    # a logged-in page (the session lookup itself needs the database)
    assert (await customer.get("/bookings")).status_code == 503
    # an SSE reconnect: 503 before any stream starts, so htmx's SSE extension retries later
    live = await visitor.get(POST + "/live", headers={"Accept": "text/event-stream"})
    assert live.status_code == 503 and live.headers["Retry-After"] == "10"
    # a booking posted meanwhile
    await with_csrf(customer)
    booked = await customer.post("/book/tap-leak-repair", form={
        "csrf_token": TEST_CSRF, "slot": "2026-11-23T10:30:00+00:00", "provider": "any",
        "address": "12 MG Road, Bengaluru", "phone": "+91 99000 12345", "notes": ""})
    assert booked.status_code == 503
    health = await visitor.get("/healthz")
    assert health.status_code == 503
    assert (await text(health)).splitlines()[0] == "database: unreachable"
    await asyncio.sleep(0.5)  # the broadcaster's next polls fail: it says so too
    assert "events: failing" in await text(await visitor.get("/healthz"))

    await start()
    assert (await visitor.get("/services")).status_code == 200
    assert (await customer.get("/bookings")).status_code == 200  # the session survived
    health = await visitor.get("/healthz")
    assert (await text(health)).splitlines()[0] == "database: ok"
    for _ in range(30):  # the broadcaster reads events again at its next poll (every 0.2 s)
        if health.status_code == 200:
            break
        await asyncio.sleep(0.1)
        health = await visitor.get("/healthz")
    assert (health.status_code, await text(health)) == (200, "database: ok\nevents: ok\nmail: off\n")
    assert await counts(app) == before  # nothing half-written by the refused booking
