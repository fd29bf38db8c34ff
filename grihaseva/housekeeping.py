"""Deleting rows nothing reads any more: old outbox events, rate-limit hits, expired
sessions, delivered mail and old booking-cap refusals.

Every app process runs `Housekeeper` in the background (first round an hour after
start, then hourly); `grihaseva housekeeping` runs one round from cron or by hand.
Rounds are idempotent, so several processes running them at once is harmless.
Events go in id-range batches so no statement holds locks for long.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import ratelimit
from .auth.accounts import SESSION_LIFETIME
from .clock import utcnow

logger = logging.getLogger(__name__)

EVENTS_KEPT = timedelta(days=1)  # a reconnecting page gets a snapshot anyway; ids only need to be recent
RATE_HITS_KEPT = timedelta(days=2)  # longer than the longest limit window (one hour)
MAIL_KEPT = timedelta(days=30)  # delivered mail, for support questions ("did the mail go out?")
LIMIT_HITS_KEPT = timedelta(days=90)  # the admin console lists the last 30 days; a quarter for questions
EVENT_BATCH = 10_000


@dataclass(frozen=True)
class Round:
    events: int
    rate_hits: int
    sessions: int
    mail: int
    limit_hits: int


async def run_once(db, now: datetime, *, event_batch: int = EVENT_BATCH) -> Round:
    before = now - EVENTS_KEPT
    events = 0
    span = await db.fetch_one("select_event_id_range_before", {"before": before})
    if span and span["first_id"] is not None:
        for start in range(span["first_id"], span["last_id"] + 1, event_batch):
            end = min(start + event_batch - 1, span["last_id"])
            events += (await db.execute("delete_events_between", {"from_id": start, "to_id": end, "before": before})).rowcount
    rate_hits = await ratelimit.prune(db, now, keep=RATE_HITS_KEPT)
    sessions = (await db.execute("delete_expired_sessions", {"before": now - SESSION_LIFETIME})).rowcount
    mail = (await db.execute("delete_old_mail", {"before": now - MAIL_KEPT})).rowcount
    limit_hits = (await db.execute("delete_old_booking_limit_hits", {"before": now - LIMIT_HITS_KEPT})).rowcount
    return Round(events, rate_hits, sessions, mail, limit_hits)


class Housekeeper:
    """The background loop: a round every `interval` seconds, the first one after a full interval."""

    def __init__(self, db, clock: Callable[[], datetime] = utcnow, interval: float = 3600.0):
        self.db, self.clock, self.interval = db, clock, interval
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run_forever(), name="housekeeping")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass

    async def _run_forever(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                done = await run_once(self.db, self.clock())
                logger.info("housekeeping: deleted %s", done)
            except Exception:  # a failed round is retried at the next interval
                logger.exception("housekeeping: this round failed")
