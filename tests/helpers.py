"""Plain helpers shared by several test packages: the settable clock, the demo data on a fixed
clock, the demo accounts logged in, and a database the test can take away.  conftest.py files
import the `demo` fixture by name."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from dataclasses import replace
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


class Forwarder:
    """A TCP relay between the app and MariaDB that the test can stop or freeze."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.server: asyncio.Server | None = None
        self.port = 0
        self.frozen = False
        self.writers: set[asyncio.StreamWriter] = set()

    async def start(self, port: int = 0) -> "Forwarder":
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", port)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def _serve(self, client_reader, client_writer) -> None:
        server_reader, server_writer = await asyncio.open_connection(*self.target)
        self.writers |= {client_writer, server_writer}
        await asyncio.gather(self._pipe(client_reader, server_writer), self._pipe(server_reader, client_writer),
                             return_exceptions=True)

    async def _pipe(self, reader, writer) -> None:
        try:
            while data := await reader.read(65536):
                while self.frozen:  # a hung server: connections stay open, nothing comes back
                    await asyncio.sleep(0.05)
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()

    async def stop(self) -> None:
        """Like a stopped database: no new connections, and the open ones are cut."""
        self.server.close()
        for writer in list(self.writers):
            writer.close()
        self.writers.clear()
        await self.server.wait_closed()

    async def restart(self) -> None:
        """The database is back, on the same port."""
        await self.start(port=self.port)


@asynccontextmanager
async def cuttable(url):
    """(url, forwarder): for MariaDB, `url` goes through a Forwarder that the test can stop and
    restart like the database itself; for SQLite (no network) forwarder is None and the test closes
    and reopens the database instead."""
    if url.dialect != "mysql":
        yield url, None
        return
    forwarder = await Forwarder(url.host, url.port).start()
    try:
        yield replace(url, host="127.0.0.1", port=forwarder.port), forwarder
    finally:
        if forwarder.server.is_serving():
            await forwarder.stop()

