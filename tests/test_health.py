"""/healthz: 200 while the database answers, 503 within 2 seconds once it does not."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import pytest

from grihaseva.app import create_app
from grihaseva.config import DatabaseUrl, Settings


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


async def healthz_status(client) -> tuple[int, float]:
    started = time.monotonic()
    response = await client.get("/healthz")
    return response.status_code, time.monotonic() - started


async def test_healthz_is_200_with_the_database_reachable(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert await response.get_data(as_text=True) == "database: ok\nevents: ok\nmail: ok\n"


def settings_for(database, tmp_path) -> Settings:
    return Settings(database=database, secret_key="test-secret-key-" + "x" * 32, env="development",
                    bcrypt_rounds=4, var_dir=tmp_path / "var")


async def test_healthz_is_503_within_2_seconds_when_sqlite_is_closed(tmp_path):
    app = create_app(settings_for(DatabaseUrl(dialect="sqlite", path=str(tmp_path / "health.db")), tmp_path))
    async with app.test_app():
        await check_sqlite_closed(app, app.test_client())


async def check_sqlite_closed(app, client) -> None:
    assert (await healthz_status(client))[0] == 200
    await app.db.close()
    status, elapsed = await healthz_status(client)
    assert status == 503 and elapsed < 2
    assert (await (await client.get("/healthz")).get_data(as_text=True)).startswith("database: unreachable\n")


@pytest.fixture
async def app_behind_forwarder(mysql_database, tmp_path):
    forwarder = await Forwarder(mysql_database.host, mysql_database.port).start()
    app = create_app(settings_for(replace(mysql_database, host="127.0.0.1", port=forwarder.port), tmp_path))
    async with app.test_app():
        yield app, forwarder
    if forwarder.server.is_serving():
        await forwarder.stop()


async def test_healthz_is_503_within_2_seconds_when_mysql_stops_and_200_when_it_is_back(app_behind_forwarder):
    app, forwarder = app_behind_forwarder
    client = app.test_client()
    assert (await healthz_status(client))[0] == 200
    await forwarder.stop()
    status, elapsed = await healthz_status(client)
    assert status == 503 and elapsed < 2
    await forwarder.start(port=forwarder.port)
    assert (await healthz_status(client))[0] == 200


async def test_healthz_is_503_within_2_seconds_when_mysql_hangs(app_behind_forwarder):
    app, forwarder = app_behind_forwarder
    client = app.test_client()
    assert (await healthz_status(client))[0] == 200
    forwarder.frozen = True
    status, elapsed = await healthz_status(client)
    assert status == 503 and elapsed < 2
    forwarder.frozen = False
    status, _ = await healthz_status(client)
    assert status == 200  # a connection abandoned mid-query is not handed out again
