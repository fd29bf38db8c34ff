"""The outbox and its tailer, on the database layer alone (SQLite and MariaDB)."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from datetime import datetime, timezone

import pytest

from grihaseva.db import open_database
from grihaseva.events import Broadcaster, Event, events_since, latest_event_id, publish

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=timezone.utc)
AN_HOUR = 3600.0  # a poll interval so long that only a wake-up can deliver in a test


class MonotonicClock:
    """Monotonic float seconds (what Broadcaster's hole deadlines read), moved only when a test says so;
    unlike tests.helpers.Clock, which returns aware UTC datetimes for the app."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def start_broadcaster(db):
    """Starts broadcasters over the test database and stops them afterwards."""
    started = []

    async def start(**options) -> Broadcaster:
        broadcaster = Broadcaster(db, **options)
        await broadcaster.start()
        started.append(broadcaster)
        return broadcaster

    yield start
    for broadcaster in started:
        await broadcaster.stop()


async def commit_event(db, topic: str, **payload) -> int:
    async with db.transaction() as tx:
        return await publish(tx, topic, "changed", payload, NOW)


async def next_event(subscription, timeout: float = 1.0) -> Event:
    return await asyncio.wait_for(anext(subscription), timeout)


async def insert_with_id(db, event_id: int, topic: str) -> None:
    """A row with a chosen id, as a late-committing transaction would leave it."""
    await db.execute(
        "INSERT INTO events (id, topic, kind, payload, created_at) VALUES (:id, :topic, 'changed', '{}', :now)",
        {"id": event_id, "topic": topic, "now": NOW},
    )


async def test_committed_event_reaches_subscriber_at_once_without_waiting_for_a_poll(db, start_broadcaster):
    broadcaster = await start_broadcaster(poll_interval=AN_HOUR)
    async with broadcaster.subscribe(["test:1"]) as events:
        event_id = await commit_event(db, "test:1", booking_id=7)
        assert await next_event(events) == Event(event_id, "test:1", "changed", {"booking_id": 7}, NOW)


async def test_event_of_a_rolled_back_transaction_is_never_delivered(db, start_broadcaster):
    broadcaster = await start_broadcaster(poll_interval=AN_HOUR)
    events = broadcaster.subscribe(["test:1"])
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await publish(tx, "test:1", "changed", {"n": "rolled back"}, NOW)
            raise RuntimeError("the booking failed")
    await commit_event(db, "test:1", n="committed")

    assert (await next_event(events)).payload == {"n": "committed"}
    await broadcaster.poll()
    assert events.ready() == []
    assert await db.fetch_value("SELECT COUNT(*) AS n FROM events") == 1


async def test_publish_outside_a_transaction_is_refused(db):
    with pytest.raises(TypeError, match="needs a transaction"):
        await publish(db, "test:1", "changed", {}, NOW)
    assert await db.fetch_value("SELECT COUNT(*) AS n FROM events") == 0


async def test_transaction_holding_a_smaller_id_open_is_delivered_when_it_commits_on_mariadb(db, start_broadcaster):
    """Real concurrency: A takes id N and stays open, B takes N+1 and commits first."""
    if db.dialect != "mysql":
        pytest.skip("SQLite serialises writers, so its ids always commit in order (see the SQLite test)")
    broadcaster = await start_broadcaster(poll_interval=AN_HOUR, hole_timeout=60)
    events = broadcaster.subscribe(["test:a", "test:b"])
    inserted, release, ids = asyncio.Event(), asyncio.Event(), {}

    async def transaction_a():
        async with db.transaction() as tx:
            ids["a"] = await publish(tx, "test:a", "changed", {}, NOW)
            inserted.set()
            await release.wait()

    a = asyncio.create_task(transaction_a())
    try:
        await inserted.wait()
        b_id = await commit_event(db, "test:b")
        assert b_id == ids["a"] + 1

        assert (await next_event(events)).id == b_id
        assert ids["a"] in broadcaster.holes  # skipped, not forgotten
    finally:  # never leave A open: its locks would stall the next test's clean-up
        release.set()
        await a
    late = await next_event(events)
    assert (late.id, late.topic) == (ids["a"], "test:a")
    assert broadcaster.holes == {}


async def test_twenty_transactions_committing_in_shuffled_order_all_arrive_once_on_mariadb(db, start_broadcaster):
    if db.dialect != "mysql":
        pytest.skip("SQLite serialises writers: transactions cannot hold ids open side by side")
    broadcaster = await start_broadcaster(poll_interval=AN_HOUR, hole_timeout=60)
    events = broadcaster.subscribe(["test:race"])
    count = 20
    inserted = [asyncio.Event() for _ in range(count)]
    gates = [asyncio.Event() for _ in range(count)]
    ids: dict[int, int] = {}

    async def transaction(n: int):
        async with db.transaction() as tx:
            ids[n] = await publish(tx, "test:race", "changed", {"n": n}, NOW)
            inserted[n].set()
            await gates[n].wait()

    tasks = [asyncio.create_task(transaction(n)) for n in range(count)]
    try:
        for event in inserted:
            await event.wait()
        order = list(range(count))
        random.Random(5).shuffle(order)
        for n in order:
            gates[n].set()
            await tasks[n]
    finally:
        for gate in gates:
            gate.set()
        await asyncio.gather(*tasks)

    received = [await next_event(events, 2.0) for _ in range(count)]
    assert sorted(e.id for e in received) == sorted(ids.values())
    assert {e.payload["n"] for e in received} == set(range(count))
    await broadcaster.poll()
    assert events.ready() == []
    assert broadcaster.holes == {}


async def test_row_that_appears_below_the_last_seen_id_is_still_delivered_on_sqlite(db, start_broadcaster):
    """SQLite cannot commit ids out of order (one writer at a time, ids assigned in commit
    order), so this proves the tailer's hole handling by making a row appear late:
    another connection inserts id 10, the tailer delivers it, then id 9 appears."""
    if db.dialect != "sqlite":
        pytest.skip("MariaDB has the real concurrent test above")
    broadcaster = await start_broadcaster(poll_interval=0.05)
    events = broadcaster.subscribe(["test:late"])
    other_process = sqlite3.connect(db.path, isolation_level=None)
    try:
        other_process.execute("INSERT INTO events (id, topic, kind, payload, created_at) "
                              "VALUES (10, 'test:late', 'changed', '{}', '2026-11-23 02:30:00')")
        assert (await next_event(events)).id == 10
        assert set(broadcaster.holes) == set(range(1, 10))

        other_process.execute("INSERT INTO events (id, topic, kind, payload, created_at) "
                              "VALUES (9, 'test:late', 'changed', '{}', '2026-11-23 02:30:00')")
        assert (await next_event(events)).id == 9
        assert 9 not in broadcaster.holes
    finally:
        other_process.close()


async def test_hole_is_given_up_after_its_deadline(db):
    clock = MonotonicClock()
    broadcaster = Broadcaster(db, hole_timeout=5.0, clock=clock)  # not started: the test drives poll()
    broadcaster.last_id = 0
    events = broadcaster.subscribe(["test:late"])

    await insert_with_id(db, 10, "test:late")
    assert await broadcaster.poll() == 1
    assert set(broadcaster.holes) == set(range(1, 10))

    clock.now += 4.9
    assert await broadcaster.poll() == 0
    assert len(broadcaster.holes) == 9  # still waiting

    clock.now += 0.2
    assert await broadcaster.poll() == 0
    assert broadcaster.holes == {}

    await insert_with_id(db, 9, "test:late")  # too late: a rolled-back id looks just like this
    assert await broadcaster.poll() == 0
    assert [e.id for e in events.ready()] == [10]


async def test_commit_by_another_process_reaches_subscribers_by_polling(db, settings, start_broadcaster):
    broadcaster = await start_broadcaster(poll_interval=0.05)
    events = broadcaster.subscribe(["provider:3"])
    other = open_database(settings.database)  # its commits cannot wake this broadcaster
    await other.connect()
    try:
        event_id = await commit_event(other, "provider:3", booking_id=1)
    finally:
        await other.close()
    assert (await next_event(events, 2.0)).id == event_id


async def test_slow_subscriber_is_dropped_without_delaying_another(db, start_broadcaster):
    broadcaster = await start_broadcaster(poll_interval=AN_HOUR, queue_size=3)
    slow = broadcaster.subscribe(["test:q"])
    fast = broadcaster.subscribe(["test:q"])
    for n in range(6):
        event_id = await commit_event(db, "test:q", n=n)
        assert (await next_event(fast)).id == event_id

    assert slow.overflowed and slow.closed
    assert [event async for event in slow] == []  # its stream ends; the page reconnects to a snapshot
    assert not fast.overflowed
    assert broadcaster.subscriber_count == 1


async def test_subscriber_gets_exactly_its_topics(db, start_broadcaster):
    broadcaster = await start_broadcaster(poll_interval=AN_HOUR)
    events = broadcaster.subscribe(["slots:1:2026-11-23", "user:5"])
    async with db.transaction() as tx:
        for topic in ["slots:1", "slots:1:2026-11-23", "user:50", "user:5", "slots:1:2026-11-24"]:
            await publish(tx, topic, "booked", {}, NOW)
    first = await next_event(events)
    await broadcaster.poll()
    assert [first.topic] + [e.topic for e in events.ready()] == ["slots:1:2026-11-23", "user:5"]


async def test_stop_ends_every_subscription(db, start_broadcaster):
    broadcaster = await start_broadcaster()
    events = broadcaster.subscribe(["test:1"])
    waiting = asyncio.create_task(anext(events, None))
    await asyncio.sleep(0)
    await broadcaster.stop()
    assert await asyncio.wait_for(waiting, 1.0) is None
    assert broadcaster.subscriber_count == 0
    assert broadcaster.subscribe(["test:1"]).closed  # nothing new listens to a stopped broadcaster


async def test_unsubscribing_releases_the_subscriber(db, start_broadcaster):
    broadcaster = await start_broadcaster()
    async with broadcaster.subscribe(["test:1", "test:2"]):
        assert broadcaster.subscriber_count == 1
    assert broadcaster.subscriber_count == 0


async def test_events_since_replays_newer_events_on_the_topics_oldest_first(db):
    a1 = await commit_event(db, "test:a", n=1)
    a2 = await commit_event(db, "test:a", n=2)
    b1 = await commit_event(db, "test:b", n=1)
    a3 = await commit_event(db, "test:a", n=3)

    assert [e.id for e in await events_since(db, ["test:a"], a1)] == [a2, a3]
    assert [e.id for e in await events_since(db, ["test:a", "test:b"], 0, limit=2)] == [b1, a3]
    assert await events_since(db, ["test:a"], a3) == []
    assert await latest_event_id(db, ["test:a"]) == a3
    assert await latest_event_id(db, ["test:b", "test:none"]) == b1
    assert await latest_event_id(db, ["test:none"]) == 0


async def test_topics_must_be_a_list_not_one_string(db):
    with pytest.raises(TypeError, match="list of strings"):
        await events_since(db, "test:a", 0)


async def test_broadcaster_started_before_migration_delivers_the_first_events(settings):
    """The app starts before `migrate` in tests and on a fresh install: nothing is skipped."""
    from grihaseva.migrate import migrate

    database = open_database(settings.database)
    await database.connect()
    broadcaster = Broadcaster(database, poll_interval=AN_HOUR)
    try:
        await broadcaster.start()
        events = broadcaster.subscribe(["test:1"])
        await migrate(database)
        event_id = await commit_event(database, "test:1")
        assert (await next_event(events)).id == event_id
    finally:
        await broadcaster.stop()
        await database.close()
