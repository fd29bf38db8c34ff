"""Redis wake-ups between broadcasters (grihaseva/wakeup.py), on both databases.

Two `Database` objects on one database stand in for two processes.  The broadcasters poll
only every few seconds, so an event that arrives sooner came through a Redis wake-up; then
Redis stops, and the same events still arrive, by the poll.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from grihaseva.db import open_database
from grihaseva.events import Broadcaster
from grihaseva.wakeup import RedisWakeup
from tests.events.test_broadcaster import commit_event
from tests.helpers_redis import redis_server  # noqa: F401  (fixture)

SLOW_POLL = 3.0  # seconds: only a wake-up delivers faster than this
WAKE_BOUND = 1.0  # an event carried by a wake-up arrives within this


@pytest.fixture
async def two_processes(settings, db, redis_server):  # noqa: F811
    """(writer db, reader broadcaster, wake-ups A and B) over one database and one Redis."""
    other = open_database(settings.database)
    await other.connect()
    writer_broadcaster = Broadcaster(db, poll_interval=SLOW_POLL)
    reader = Broadcaster(other, poll_interval=SLOW_POLL)
    channel = redis_server.channel
    wake_a = RedisWakeup(redis_server.url, writer_broadcaster.wake, channel=channel)
    wake_b = RedisWakeup(redis_server.url, reader.wake, channel=channel)
    db.commit_listeners.append(wake_a.on_commit)
    for broadcaster in (writer_broadcaster, reader):
        await broadcaster.start()
    for wakeup in (wake_a, wake_b):
        await wakeup.start()
    await wait_for(lambda: wake_b.received == 0 and _subscribed(redis_server, channel) >= 2)
    yield db, reader, wake_a, wake_b
    for wakeup in (wake_a, wake_b):
        await wakeup.stop()
    for broadcaster in (writer_broadcaster, reader):
        await broadcaster.stop()
    await other.close()


def _subscribed(redis_server, channel: str) -> int:
    import redis

    client = redis.Redis.from_url(redis_server.url)
    try:
        return dict(client.pubsub_numsub(channel)).get(channel.encode(), 0)
    finally:
        client.close()


async def wait_for(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def test_a_commit_wakes_the_other_process_at_once_and_the_poll_covers_a_redis_outage(two_processes, redis_server):  # noqa: F811
    db, reader, wake_a, wake_b = two_processes
    async with reader.subscribe(["shop:1"]) as events:
        for n in range(5):
            started = time.monotonic()
            sent = await commit_event(db, "shop:1", n=n)
            event = await asyncio.wait_for(anext(events), WAKE_BOUND)
            assert (event.id, event.payload) == (sent, {"n": n})
            assert time.monotonic() - started < WAKE_BOUND
        assert wake_a.published >= 1 and wake_b.received >= 1

        redis_server.stop()  # mid-run: wake-ups stop; the outbox and the poll go on
        sent_ids = [await commit_event(db, "shop:1", n=n) for n in range(5, 10)]
        received = [await asyncio.wait_for(anext(events), SLOW_POLL * 3) for _ in sent_ids]
        assert [e.id for e in received] == sent_ids  # nothing lost, nothing twice
        assert events.ready() == []


async def test_a_process_ignores_its_own_wake_ups(two_processes):
    db, _reader, wake_a, _wake_b = two_processes
    await commit_event(db, "shop:2")
    await wait_for(lambda: wake_a.published >= 1)
    await asyncio.sleep(0.2)
    assert wake_a.received == 0


async def test_without_a_redis_server_commits_succeed_and_wake_ups_are_skipped(db, settings):
    broadcaster = Broadcaster(db, poll_interval=0.05)
    from tests.helpers_server import free_port

    wakeup = RedisWakeup(f"redis://127.0.0.1:{free_port()}/0", broadcaster.wake, channel="gs_h14:none")
    db.commit_listeners.append(wakeup.on_commit)
    await broadcaster.start()
    await wakeup.start()
    try:
        async with broadcaster.subscribe(["shop:3"]) as events:
            sent = [await commit_event(db, "shop:3", n=n) for n in range(3)]
            assert [(await asyncio.wait_for(anext(events), 2)).id for _ in sent] == sent
        assert wakeup.published == 0
    finally:
        await wakeup.stop()
        await broadcaster.stop()
