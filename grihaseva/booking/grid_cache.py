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

    owner_of = staticmethod(provider_of)  # what `forget` takes, from a topic

    # Listeners: `db.commit_listeners` and `Broadcaster.event_listeners`.

    def forget_topics(self, topics) -> None:
        for topic in topics:
            owner = self.owner_of(topic)
            if owner is not None:
                self.forget(owner)

    def on_commit(self, tx) -> None:
        self.forget_topics(getattr(tx, "published_topics", ()))

    def on_event(self, event) -> None:
        self.forget_topics((event.topic,))


def owner_of(topic: str) -> str | None:
    """The SectionCache owner a topic changes: `service:<id>`, or `provider:<id>` for the slots
    and provider topics."""
    if topic.startswith("service:"):
        return topic
    provider_id = provider_of(topic)
    return None if provider_id is None else f"provider:{provider_id}"


class SectionCache:
    """A per-process cache of the rendered grid section (`partials/booking/_grid_section.html`),
    the part of the booking page that costs most to make (bench/grid.py; py-spy: reads of
    ratings and jobs, the slot engine and the template). A grid watched by many phones is then
    rendered once per change instead of once per page view.

    An entry names its *owners*: `service:<id>` and `provider:<id>` for each professional it
    shows (in the times or in the list). An event on `service:<id>`, `slots:<pid>...` or
    `provider:<pid>` drops every entry that owner is in, at once for a commit in this process
    and when the broadcaster reads it for another process's. What no event announces (a newly
    verified professional joining an "any" grid, a new review's rating, a start passing its
    notice period) shows within `ttl` seconds; a booking re-checks everything under its locks.

    `version()` before reading the database, `put(..., version)` after: an entry rendered
    from data older than a change of one of its owners is not kept.
    """

    def __init__(self, ttl: float = 10.0, max_entries: int = 2000, clock: Callable[[], float] = time.monotonic):
        self.ttl, self.max_entries, self.clock = ttl, max_entries, clock
        self._entries: dict[Hashable, tuple[float, frozenset[str], Any]] = {}
        self._owned: dict[str, set[Hashable]] = {}
        self._version = 0
        self._changed: dict[str, int] = {}  # owner -> the version of its last change
        self.hits = self.misses = 0

    def version(self) -> int:
        return self._version

    def get(self, key: Hashable) -> Any | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] < self.clock():
            self.misses += 1
            return None
        self.hits += 1
        return entry[2]

    def put(self, key: Hashable, owners, value: Any, version: int) -> None:
        owners = frozenset(owners)
        if any(self._changed.get(owner, -1) >= version for owner in owners):
            return  # an owner changed while this was being read and rendered
        if len(self._entries) >= self.max_entries:
            self.clear()
        self._drop(key)
        self._entries[key] = (self.clock() + self.ttl, owners, value)
        for owner in owners:
            self._owned.setdefault(owner, set()).add(key)

    def forget(self, owner: str) -> None:
        self._changed[owner] = self._version
        self._version += 1
        for key in self._owned.pop(owner, ()):
            self._drop(key)

    def clear(self) -> None:
        self._version += 1
        for owner in self._owned:
            self._changed[owner] = self._version - 1
        self._entries.clear()
        self._owned.clear()

    def _drop(self, key: Hashable) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            for owner in entry[1]:
                keys = self._owned.get(owner)
                if keys is not None:
                    keys.discard(key)
                    if not keys:
                        del self._owned[owner]

    owner_of = staticmethod(owner_of)
    forget_topics, on_commit, on_event = GridCache.forget_topics, GridCache.on_commit, GridCache.on_event

