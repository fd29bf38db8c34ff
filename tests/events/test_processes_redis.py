"""Two real `grihaseva serve` processes on MariaDB with Redis wake-ups (GRIHASEVA_REDIS_URL).

Both poll the outbox only every few seconds, so a reaction toggled through process A that
reaches a reader of process B sooner was carried by a Redis wake-up.  Then Redis stops
mid-run: every further toggle still reaches the reader, by the poll, none lost or doubled.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.conftest import fresh_mysql_database
from tests.helpers_live import POST_SLUG, Browser, SseReader, count_of
from tests.helpers_redis import redis_server  # noqa: F401  (fixture)
from tests.helpers_server import LiveServer

pytestmark = [pytest.mark.mysql, pytest.mark.slow]

POLL_MS = 3000
WAKE_BOUND = 1.0  # seconds: far below the poll, well above a loaded machine's wake-up


@pytest.fixture
def two_servers(tmp_path, redis_server):  # noqa: F811
    with fresh_mysql_database("_procs") as url:
        env = {"GRIHASEVA_DATABASE_URL": f"mysql://{url.user}@{url.host}:{url.port}/{url.database}",
               "GRIHASEVA_VAR_DIR": str(tmp_path), "GRIHASEVA_SECRET_KEY": "k" * 40,
               "GRIHASEVA_REDIS_URL": redis_server.url, "GRIHASEVA_REDIS_CHANNEL": redis_server.channel,
               "GRIHASEVA_EVENTS_POLL_MS": str(POLL_MS)}
        servers = [LiveServer(env), LiveServer(env)]
        servers[0].run("migrate")
        servers[0].run("seed-demo")
        try:
            for server in servers:
                server.start()
            yield servers
        finally:
            for server in servers:
                server.stop()


async def subscribed(redis_server, listeners: int, timeout: float = 15.0) -> None:  # noqa: F811
    """Waits until `listeners` clients are subscribed to the test's channel (PUBSUB NUMSUB)."""
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(redis_server.url)
    try:
        deadline = time.monotonic() + timeout
        while (count := dict(await client.pubsub_numsub(redis_server.channel)).get(redis_server.channel.encode(), 0)) < listeners:
            assert time.monotonic() < deadline, f"{count} of {listeners} wake-up listeners subscribed after {timeout} s"
            await asyncio.sleep(0.05)
    finally:
        await client.aclose()


async def test_a_reaction_on_one_process_reaches_the_other_by_redis_and_by_the_poll_once_redis_stops(two_servers, redis_server):  # noqa: F811
    a, b = two_servers
    asha = Browser(a.url).log_in("customer@example.com")
    stream = await SseReader.open(b.port, f"/blog/{POST_SLUG}/live")
    try:
        snapshot = await stream.next()
        base = count_of(snapshot.data, "love")
        await subscribed(redis_server, 2)  # both processes' wake-up listeners, before the first toggle

        async def toggle_and_wait(on: bool, expected: int, bound: float) -> float:
            started = time.monotonic()
            await asyncio.to_thread(asha.react, "love", on)
            message = await stream.next(timeout=bound)
            assert count_of(message.data, "love") == expected, message.data
            return time.monotonic() - started

        with_redis = [await toggle_and_wait(n % 2 == 0, base + (n % 2 == 0), WAKE_BOUND) for n in range(6)]
        assert max(with_redis) < WAKE_BOUND

        redis_server.stop()
        polled = [await toggle_and_wait(n % 2 == 0, base + (n % 2 == 0), POLL_MS / 1000 * 2 + 1) for n in range(4)]
        assert len(polled) == 4
        with pytest.raises(asyncio.TimeoutError):  # and nothing arrives twice
            await stream.next(timeout=POLL_MS / 1000 + 0.5)
    finally:
        await stream.close()
