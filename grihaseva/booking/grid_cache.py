"""A per-process cache of each provider's schedule as the slot grid reads it.

The slot grid reads a provider's working hours, time off and bookings for a week
(`domain.schedule`); a grid watched by many pages would read the same rows again for each.
The cache keeps that read per provider and week until an event for the provider arrives:
a commit in this process drops it at once (the transaction's `published_topics`), a commit in
another process when the broadcaster reads its event (`Broadcaster.event_listeners`), and
any entry expires after `ttl` seconds in case an event never arrives (an event id given up
as a hole). Booking, cancelling and moving never read from it: they read under the lock.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Hashable

# Topics that say a provider's schedule may have changed: slots:<id>, slots:<id>:<day>, provider:<id>.
_PREFIXES = ("slots:", "provider:")


def provider_of(topic: str) -> int | None:
    for prefix in _PREFIXES:
        if topic.startswith(prefix):
            head = topic[len(prefix):].split(":", 1)[0]
            return int(head) if head.isdecimal() else None
    return None


class GridCache:
    def __init__(self, ttl: float = 30.0, max_entries: int = 5000, clock: Callable[[], float] = time.monotonic):
        self.ttl, self.max_entries, self.clock = ttl, max_entries, clock
        self._entries: dict[int, dict[Hashable, tuple[float, Any]]] = {}
        self._size = 0
        self._generation: dict[int, int] = {}  # bumped by every forget of the provider
        self.hits = self.misses = 0

    def generation(self, provider_id: int) -> int:
        """Take before reading the database; `put` with it keeps nothing read before a change."""
        return self._generation.get(provider_id, 0)

    def get(self, provider_id: int, key: Hashable) -> Any | None:
        entry = self._entries.get(provider_id, {}).get(key)
        if entry is None or entry[0] < self.clock():
            self.misses += 1
            return None
        self.hits += 1
        return entry[1]

    def put(self, provider_id: int, key: Hashable, value: Any, generation: int) -> None:
        if generation != self.generation(provider_id):  # changed while it was being read
            return
        if self._size >= self.max_entries:
            self.clear()
        entries = self._entries.setdefault(provider_id, {})
        self._size += key not in entries
        entries[key] = (self.clock() + self.ttl, value)

    def forget(self, provider_id: int) -> None:
        self._generation[provider_id] = self.generation(provider_id) + 1
        self._size -= len(self._entries.pop(provider_id, {}))

    def clear(self) -> None:
        for provider_id in self._entries:
            self._generation[provider_id] = self.generation(provider_id) + 1
        self._entries.clear()
        self._size = 0

    def forget_topics(self, topics) -> None:
        for topic in topics:
            provider_id = provider_of(topic)
            if provider_id is not None:
                self.forget(provider_id)

    # Listeners: `db.commit_listeners` and `Broadcaster.event_listeners`.

    def on_commit(self, tx) -> None:
        self.forget_topics(getattr(tx, "published_topics", ()))

    def on_event(self, event) -> None:
        self.forget_topics((event.topic,))
