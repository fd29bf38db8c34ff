"""Redis as a wake-up between processes (on when `GRIHASEVA_REDIS_URL` is set).

After a local commit that wrote events, `RedisWakeup` publishes a short message on one
channel; every process subscribes to that channel and wakes its broadcaster, which then
reads the `events` outbox at once instead of at its next poll.  The message carries no
event, only the sender's random token (so a process ignores its own wake-ups, which its
broadcaster already had from the commit itself).

The outbox stays the only record.  A lost message, a Redis outage or a Redis that was
never there costs latency, never an event: the broadcaster's poll goes on regardless.
Publishing never delays a request: it runs in a task of its own, coalesces a burst of
commits into one message, and while Redis is unreachable it retries at most once a
second.  The subscriber reconnects with a backoff and, when it does, wakes the
broadcaster once (a wake-up sent while it was away may have been missed).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable

log = logging.getLogger(__name__)

DEFAULT_CHANNEL = "grihaseva:events"
_RETRY_SECONDS = 1.0  # after a failure: no publish, and no reconnect, sooner than this
_MAX_BACKOFF = 5.0


class RedisWakeup:
    """Publishes a wake-up after each commit that wrote events; wakes `wake()` on others'."""

    def __init__(self, url: str, wake: Callable[[], None], *, channel: str = DEFAULT_CHANNEL,
                 clock: Callable[[], float] | None = None):
        self.url = url
        self.channel = channel
        self.wake = wake
        self.token = secrets.token_hex(8).encode()
        self.published = 0  # wake-ups sent (for tests and the bench)
        self.received = 0  # wake-ups from other processes
        self._clock = clock
        self._client = None
        self._listener: asyncio.Task | None = None
        self._publisher: asyncio.Task | None = None
        self._pending = False
        self._retry_at = 0.0
        self._warned = False

    def _now(self) -> float:
        return self._clock() if self._clock else asyncio.get_running_loop().time()

    async def start(self) -> None:
        import redis.asyncio as redis  # only a process configured for Redis imports it

        self._client = redis.from_url(self.url, socket_connect_timeout=0.5, socket_timeout=2.0,
                                      health_check_interval=10)
        self._listener = asyncio.create_task(self._listen(), name="redis wake-up listener")

    async def stop(self) -> None:
        for task in (self._listener, self._publisher):
            if task is not None:
                task.cancel()
                try:
                    await task
                except (asyncio.CancelledError, Exception):
                    pass
        self._listener = self._publisher = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # ------------------------------------------------------------ publishing

    def on_commit(self, tx) -> None:
        """A `db.commit_listeners` entry: announce a commit that wrote events."""
        if not getattr(tx, "published_events", False) or self._client is None:
            return
        self._pending = True
        if self._publisher is None or self._publisher.done():
            self._publisher = asyncio.get_running_loop().create_task(self._publish())

    async def _publish(self) -> None:
        while self._pending:
            if self._now() < self._retry_at:  # Redis failed a moment ago: the poll covers this one
                self._pending = False
                return
            self._pending = False  # commits from here on need another message
            try:
                await self._client.publish(self.channel, self.token)
                self.published += 1
                self._healthy()
            except Exception as error:
                self._failed("publish", error)

    # ------------------------------------------------------------ listening

    async def _listen(self) -> None:
        backoff = _RETRY_SECONDS
        while True:
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                self.wake()  # anything announced while we were not listening is read now
                backoff = _RETRY_SECONDS
                self._healthy()
                while True:
                    message = await pubsub.get_message(timeout=30.0)
                    if message is not None and message.get("data") != self.token:
                        self.received += 1
                        self.wake()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                self._failed("subscribe", error)
            finally:
                try:
                    await pubsub.aclose()
                except Exception:
                    pass
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, _MAX_BACKOFF)

    def _failed(self, what: str, error: Exception) -> None:
        self._retry_at = self._now() + _RETRY_SECONDS
        if not self._warned:
            log.warning("Redis wake-ups unavailable (%s: %s); live updates cross processes by polling", what, error)
            self._warned = True

    def _healthy(self) -> None:
        if self._warned:
            log.info("Redis wake-ups working again")
            self._warned = False
        self._retry_at = 0.0
