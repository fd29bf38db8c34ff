"""Sliding-window rate limits kept in the database, so every app process
shares them.  Used by login throttling, password reset, chat and reactions."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from .db import Database
from .i18n import ngettext


@dataclass(frozen=True)
class Limit:
    bucket: str
    max_hits: int
    window: timedelta


async def retry_after(db: Database, limit: Limit, subject: str, now: datetime) -> timedelta | None:
    """None while under the limit; else how long until the oldest hit in the window expires."""
    hits = await db.fetch_all(
        "select_rate_hits", {"bucket": limit.bucket, "subject": subject, "since": now - limit.window}
    )
    if len(hits) < limit.max_hits:
        return None
    oldest_that_counts = hits[-limit.max_hits]["created_at"]
    return max(oldest_that_counts + limit.window - now, timedelta(seconds=1))


async def take_hit(db: Database, limit: Limit, subject: str, now: datetime) -> tuple[int | None, timedelta | None]:
    """Count this attempt first, then check the limit with it counted, so requests arriving
    together can't all pass a check made before any of them was counted.

    Returns (hit id, None) when allowed (`forget_hit` takes it back), or (None, wait) when
    refused; a refused attempt is not kept, so it does not extend the wait.
    """
    hit_id = (await db.execute("insert_rate_hit", {"bucket": limit.bucket, "subject": subject, "now": now})).lastrowid
    hits = await db.fetch_all("select_rate_hits", {"bucket": limit.bucket, "subject": subject, "since": now - limit.window})
    if len(hits) <= limit.max_hits:
        return hit_id, None
    await forget_hit(db, hit_id)
    return None, await retry_after(db, limit, subject, now) or timedelta(seconds=1)


async def forget_hit(db, hit_id: int) -> None:
    await db.execute("delete_rate_hit", {"id": hit_id})


async def clear_hits(db, limit: Limit, subject: str) -> None:
    await db.execute("delete_rate_hits", {"bucket": limit.bucket, "subject": subject})


async def prune(db: Database, now: datetime, keep: timedelta = timedelta(days=2)) -> int:
    result = await db.execute("prune_rate_hits", {"before": now - keep})
    return result.rowcount


def minutes_text(wait: timedelta) -> str:
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return ngettext("%(num)s minute", "%(num)s minutes", minutes)
