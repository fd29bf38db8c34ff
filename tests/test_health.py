"""/healthz: 200 while the database answers, 503 within 2 seconds once it does not."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from grihaseva.app import create_app
from grihaseva.config import DatabaseUrl, Settings
from tests.helpers import Forwarder


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
