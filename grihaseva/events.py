"""The event outbox and the per-process broadcaster.

A change that someone may be watching calls `publish(tx, topic, kind, payload, now)`
inside its own transaction, so an event exists exactly when its change does.  One
`Broadcaster` per process tails the `events` table by id and hands each new row to the
subscribers of its topic; SSE views (`grihaseva/sse.py`) subscribe and re-render
their fragment from the database for every event.

Ids are assigned at insert but transactions commit in any order, so the tailer can
read id N+1 while N is still uncommitted.  It never assumes a skipped id is gone: it
remembers each hole with a deadline, delivers what it has, and looks for the holes
again on every poll until they arrive or the deadline passes (a rolled-back insert
leaves a permanent hole in MySQL).  Subscribers may therefore see events out of id
order, which is harmless because a view re-renders from the database.

Each subscriber has a bounded queue.  Fan-out never waits: a subscriber whose queue
is full is dropped (its iteration ends, the browser reconnects and the snapshot that
starts every stream heals it), so one slow client never delays the others.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .db import Database
from .sqlfiles import SQL_DIR, expand_lists, parse_queries

log = logging.getLogger(__name__)

ACCESS_CHANGED = "access_changed"  # an event kind: streams re-check who may see them before rendering
TOPIC_MAX = 120  # events.topic is VARCHAR(120)
KIND_MAX = 40  # events.kind is VARCHAR(40)
REPLAY_LIMIT = 500  # events_since returns at most this many of the newest events
_READ_BATCH = 500  # rows per tailer read, and ids per `IN (...)` list
_MAX_HOLES = 10_000  # holes remembered at once; beyond that the oldest are given up

# The queries that take a list are expanded here, from their text in sql/queries/events.sql.
_LIST_QUERIES = parse_queries((SQL_DIR / "queries" / "events.sql").read_text())


@dataclass(frozen=True)
class Event:
    id: int
    topic: str
    kind: str
    payload: dict[str, Any]
    created_at: datetime


def _event(row: dict[str, Any]) -> Event:
    return Event(row["id"], row["topic"], row["kind"], json.loads(row["payload"]), row["created_at"])


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"event payloads hold JSON values; got {type(value).__name__}")


def _expand(query: str, lists: dict[str, Sequence[Any]], params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return expand_lists(_LIST_QUERIES[query], lists, params)


def access_topic(user_id: int) -> str:
    """Events here tell every open stream of this user to re-check its session (sse.py)."""
    return f"access:{user_id}"


# ---------------------------------------------------------------- writing


async def publish(tx, topic: str, kind: str, payload: dict, now: datetime) -> int:
    """Write an event inside the caller's transaction; it is delivered once that commits.

    Returns the event's id.  The transaction is marked (`tx.published_events`), so the
    local broadcaster wakes at once after the commit instead of waiting for its next poll.
    """
    body = _checked_body(tx, topic, kind, payload)
    result = await tx.execute("insert_event", {"topic": topic, "kind": kind, "payload": body, "created_at": now})
    _mark(tx, [topic])
    return int(result.lastrowid)


async def publish_many(tx, events: Sequence[tuple[str, str, dict]], now: datetime) -> None:
    """`publish` for several (topic, kind, payload) events in one INSERT statement."""
    bodies = [(topic, kind, _checked_body(tx, topic, kind, payload)) for topic, kind, payload in events]
    if not bodies:
        return
    params: dict[str, Any] = {"created_at": now}
    rows = []
    for n, (topic, kind, body) in enumerate(bodies):
        rows.append(f"(:topic_{n}, :kind_{n}, :payload_{n}, :created_at)")
        params.update({f"topic_{n}": topic, f"kind_{n}": kind, f"payload_{n}": body})
    await tx.execute("INSERT INTO events (topic, kind, payload, created_at) VALUES " + ", ".join(rows), params)
    _mark(tx, [topic for topic, _, _ in bodies])


def _checked_body(tx, topic: str, kind: str, payload: dict) -> str:
    if isinstance(tx, Database) or not hasattr(tx, "execute"):
        raise TypeError("publish() needs a transaction: async with db.transaction() as tx")
    if not topic or len(topic) > TOPIC_MAX:
        raise ValueError(f"event topic must be 1 to {TOPIC_MAX} characters, got {topic!r}")
    if not kind or len(kind) > KIND_MAX:
        raise ValueError(f"event kind must be 1 to {KIND_MAX} characters, got {kind!r}")
    if not isinstance(payload, dict):
        raise TypeError("an event payload is a dict")
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, default=_json_default)


def _mark(tx, topics: list[str]) -> None:
    # Read by commit listeners: the broadcaster wakes, caches of these topics are dropped.
    tx.published_events = True
    tx.published_topics = [*getattr(tx, "published_topics", ()), *topics]


# ---------------------------------------------------------------- reading


async def latest_event_id(db, topics: Iterable[str]) -> int:
    """The newest event id on any of `topics`, or 0."""
    topics = _topic_list(topics)
    if not topics:
        return 0
    sql, params = _expand("select_last_event_id_for_topics", {"topics": topics}, {})
    return int(await db.fetch_value(sql, params) or 0)


async def events_since(db, topics: Iterable[str], last_id: int, limit: int = REPLAY_LIMIT) -> list[Event]:
    """Events on `topics` with an id above `last_id`, oldest first: the newest `limit` of them."""
    topics = _topic_list(topics)
    if not topics:
        return []
    sql, params = _expand("select_recent_events_for_topics", {"topics": topics},
                          {"after_id": int(last_id), "limit": int(limit)})
    rows = await db.fetch_all(sql, params)
    return [_event(row) for row in reversed(rows)]


def _topic_list(topics: Iterable[str]) -> list[str]:
    if isinstance(topics, str):
        raise TypeError("topics is a list of strings, not one string")
    return sorted(set(topics))


# ---------------------------------------------------------------- subscribing


class Subscription:
    """One listener's bounded queue of events on a set of topics.

    Use as `async with broadcaster.subscribe(topics) as events:` and iterate; the
    iteration ends when the subscription overflows (`overflowed` is then True) or the
    broadcaster stops.  Leaving the `async with` block unsubscribes.  A plain list and
    one waiter future, not an asyncio.Queue: thousands are open at once, and a Queue's
    four deques were a tenth of a stream's memory (an empty deque is 0.6 KB, an empty list
    56 bytes; the queue is almost always empty, and a burst is taken whole by `ready`).
    `topics` is a sorted tuple (a frozenset of one topic is 216 bytes).
    """

    __slots__ = ("broadcaster", "topics", "overflowed", "closed", "_items", "_limit", "_waiter")

    def __init__(self, broadcaster: "Broadcaster", topics: tuple[str, ...], queue_size: int):
        self.broadcaster = broadcaster
        self.topics = topics
        self.overflowed = False
        self.closed = False
        self._items: list[Event] = []
        self._limit = queue_size
        self._waiter: asyncio.Future | None = None

    def offer(self, event: Event) -> None:
        """Fan-out: queue the event without waiting; a full queue drops this subscriber."""
        if self.closed:
            return
        if len(self._items) >= self._limit:
            self.overflowed = True
            log.info("dropping a subscriber to %s: %d events behind", self.topics[:3], len(self._items))
            self.close()
            return
        self._items.append(event)
        self._wake_reader()

    def _wake_reader(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def close(self) -> None:
        """Unsubscribe and end the iteration; safe to call more than once."""
        if self.closed:
            return
        self.closed = True
        self.broadcaster._unsubscribe(self)
        self._wake_reader()

    def ready(self) -> list[Event]:
        """The events already queued, without waiting (lets a view render once for a burst)."""
        if self.closed or not self._items:
            return []
        events, self._items = self._items, []
        return events

    def __aiter__(self) -> "Subscription":
        return self

    async def __anext__(self) -> Event:
        while True:
            if self.closed:
                raise StopAsyncIteration
            if self._items:
                return self._items.pop(0)
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None

    async def __aenter__(self) -> "Subscription":
        return self

    async def __aexit__(self, *exc_info) -> None:
        self.close()


# ---------------------------------------------------------------- the broadcaster


class Broadcaster:
    """Tails `events` by id and fans each new row out to the subscribers of its topic.

    One per process: created in `create_app`, started in `before_serving`, stopped in
    `after_serving`.  It wakes at once after a local commit that published events and
    polls every `poll_interval` seconds for commits made by other processes.
    """

    def __init__(self, db: Database, *, poll_interval: float = 0.2, hole_timeout: float = 5.0,
                 queue_size: int = 100, clock: Callable[[], float] = time.monotonic):
        self.db = db
        self.poll_interval = poll_interval
        self.hole_timeout = hole_timeout
        self.queue_size = queue_size
        self.clock = clock  # monotonic seconds; tests replace it to expire holes without sleeping
        self.last_id: int | None = None  # the highest id read so far
        self.holes: dict[int, float] = {}  # skipped id -> clock deadline for it to commit
        self._topics: dict[str, set[Subscription]] = {}
        self._wake = asyncio.Event()
        self._poll_lock = asyncio.Lock()
        self._task: asyncio.Task | None = None
        self._next_poll: asyncio.Future | None = None  # resolved by the next poll to start
        self._stopped = False
        self._failing = False
        # Called with every event read (any topic, any process): caches drop what it changed.
        self.event_listeners: list[Callable[[Event], None]] = []

    # -------------------------------------------------------- life cycle

    async def start(self) -> None:
        """Begin tailing from the newest id now in `events`."""
        self._stopped = False
        self._wake = asyncio.Event()
        self._poll_lock = asyncio.Lock()
        try:
            self.last_id = int(await self.db.fetch_value("select_last_event_id") or 0)
        except Exception as error:  # the pool is open, so this is an unmigrated database
            # Every row that appears later was written after this start: tail from the beginning.
            log.warning("events table not readable yet (%s); live updates start once it exists", error)
            self.last_id = 0
        if self._after_commit not in self.db.commit_listeners:
            self.db.commit_listeners.append(self._after_commit)
        self._task = asyncio.create_task(self._run(), name="event broadcaster")

    async def stop(self) -> None:
        """Stop tailing and end every subscription, so open SSE streams finish."""
        self._stopped = True
        if self._after_commit in self.db.commit_listeners:
            self.db.commit_listeners.remove(self._after_commit)
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        if self._next_poll is not None and not self._next_poll.done():
            self._next_poll.set_result(None)
        for subscription in [s for subs in self._topics.values() for s in subs]:
            subscription.close()
        self._topics.clear()

    def health(self) -> str:
        """For /healthz: ok, failing (cannot read `events`: live pages get no news) or stopped."""
        if self._task is None or self._task.done():
            return "stopped"
        return "failing" if self._failing else "ok"

    def _after_commit(self, tx) -> None:
        if getattr(tx, "published_events", False):
            self._wake.set()

    def wake(self) -> None:
        """Read `events` now rather than at the next poll (another process has committed some)."""
        self._wake.set()

    async def _run(self) -> None:
        # Not `while True`: on Python 3.11 a cancel that lands as the wake-up fires can be
        # swallowed by wait_for, and `stop()` would then wait for this task forever.
        while not self._stopped:
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)
            except asyncio.TimeoutError:
                pass
            self._wake.clear()
            try:
                await self.poll()
            except Exception as error:  # keep tailing through a database outage
                if not self._failing:
                    log.warning("event broadcaster cannot read events: %s (retrying)", error)
                    self._failing = True
            else:
                if self._failing:
                    log.info("event broadcaster reading events again")
                    self._failing = False

    # -------------------------------------------------------- subscribers

    def subscribe(self, topics: Iterable[str]) -> Subscription:
        """Listen to events on any of `topics` (exact names) from now on."""
        subscription = Subscription(self, tuple(_topic_list(topics)), self.queue_size)
        if self._stopped:
            subscription.close()
            return subscription
        for topic in subscription.topics:
            self._topics.setdefault(topic, set()).add(subscription)
        return subscription

    def _unsubscribe(self, subscription: Subscription) -> None:
        for topic in subscription.topics:
            listeners = self._topics.get(topic)
            if listeners is not None:
                listeners.discard(subscription)
                if not listeners:
                    del self._topics[topic]

    @property
    def subscriber_count(self) -> int:
        return len({s for subs in self._topics.values() for s in subs})

    # -------------------------------------------------------- tailing

    async def catch_up(self, timeout: float = 2.0) -> None:
        """Return once a read of `events` that began after this call has delivered its rows.

        An SSE stream calls it between subscribing and rendering its snapshot: whatever is
        queued then was committed before the render, so the snapshot already shows it.
        """
        if self._task is None or self._task.done():  # not running: read now
            await self.poll()
            return
        if self._next_poll is None:
            self._next_poll = asyncio.get_running_loop().create_future()
        waiter = self._next_poll
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(waiter), timeout)
        except asyncio.TimeoutError:
            pass  # the database is stuck; the snapshot's own read will say so

    async def poll(self) -> int:
        """Read late arrivals among the holes, then new rows; deliver them. Returns how many."""
        async with self._poll_lock:
            waiting, self._next_poll = self._next_poll, None  # all registered before this read began
            try:
                if self.last_id is None:
                    self.last_id = int(await self.db.fetch_value("select_last_event_id") or 0)
                delivered = await self._read_holes() if self.holes else 0
                return delivered + await self._read_new()
            finally:
                if waiting is not None and not waiting.done():
                    waiting.set_result(None)

    async def _read_holes(self) -> int:
        delivered = 0
        ids = sorted(self.holes)
        for start in range(0, len(ids), _READ_BATCH):
            sql, params = _expand("select_events_by_ids", {"ids": ids[start:start + _READ_BATCH]}, {})
            for row in await self.db.fetch_all(sql, params):
                if self.holes.pop(row["id"], None) is not None:
                    self._deliver(_event(row))
                    delivered += 1
        now = self.clock()
        for missing in [i for i, deadline in self.holes.items() if deadline <= now]:
            del self.holes[missing]  # rolled back, or committed too late to be announced
        return delivered

    async def _read_new(self) -> int:
        delivered = 0
        while True:
            rows = await self.db.fetch_all("select_events_after", {"after_id": self.last_id, "limit": _READ_BATCH})
            deadline = self.clock() + self.hole_timeout
            for row in rows:
                event = _event(row)
                if event.id > self.last_id + 1:
                    self._remember_holes(self.last_id + 1, event.id, deadline)
                self.last_id = event.id
                self._deliver(event)
                delivered += 1
            if len(rows) < _READ_BATCH:
                return delivered

    def _remember_holes(self, first: int, stop: int, deadline: float) -> None:
        # Uncommitted ids sit just below the newest ones, so a huge jump keeps only its top.
        for missing in range(max(first, stop - _MAX_HOLES), stop):
            self.holes[missing] = deadline
        if len(self.holes) > _MAX_HOLES:
            for oldest in sorted(self.holes)[:len(self.holes) - _MAX_HOLES]:
                del self.holes[oldest]

    def _deliver(self, event: Event) -> None:
        for listener in self.event_listeners:
            listener(event)
        for subscription in tuple(self._topics.get(event.topic, ())):
            subscription.offer(event)
