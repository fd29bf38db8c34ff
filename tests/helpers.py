"""Plain helpers shared by several test packages: the settable clock, the demo data on a fixed
clock, and the demo accounts logged in.  conftest.py files import the `demo` fixture by name."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from grihaseva.demo.seed import seed_demo
from tests.conftest import login

# Monday 23 Nov 2026, 08:00 in Kolkata.
DEMO_NOW = datetime(2026, 11, 23, 2, 30, tzinfo=timezone.utc)
DEMO_PASSWORD = "demo-pass-123"


class Clock:
    """The app's injectable clock (aware UTC datetimes), moved by tests instead of sleeping."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


async def seed_demo_app(app, settings, now: datetime = DEMO_NOW):
    """The app with the demo catalogue, providers, accounts and posts, on a Clock set to `now`."""
    await seed_demo(app.db, settings)
    app.clock = Clock(now)
    return app


@pytest.fixture
async def demo(app, settings):
    """The app with the demo catalogue, providers and accounts, and a fixed clock (DEMO_NOW)."""
    return await seed_demo_app(app, settings)


async def user_id(app, email: str) -> int:
    return (await app.db.fetch_one("select_user_by_email", {"email": email}))["id"]


async def service_id(app, slug: str) -> int:
    return (await app.db.fetch_one("select_service_by_slug", {"slug": slug}))["id"]


async def logged_in(app, email: str):
    """A test client logged in as the demo account `email` (every demo account has DEMO_PASSWORD)."""
    client = app.test_client()
    response = await login(client, email, DEMO_PASSWORD)
    assert response.status_code == 303, response.status_code
    return client
