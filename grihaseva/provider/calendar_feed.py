"""The private calendar feed: `/provider/calendar/<secret>.ics`, revocable.

Only the SHA-256 of the secret is stored, so the link is shown once, when it is
made; making a new link revokes the old one in the same transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from ..booking.ics import provider_feed
from ..i18n import use_locale

FEED_PAST = timedelta(days=1)  # jobs that ended within the last day stay in the feed


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


async def new_feed_secret(db, provider_id: int, now: datetime) -> str:
    secret = secrets.token_urlsafe(32)
    async with db.transaction() as tx:
        await tx.execute("revoke_calendar_feeds", {"provider_id": provider_id, "now": now})
        await tx.execute("insert_calendar_feed", {"provider_id": provider_id, "secret_hash": _hash(secret), "now": now})
    return secret


async def active_feed(db, provider_id: int) -> dict | None:
    return await db.fetch_one("select_active_calendar_feed", {"provider_id": provider_id})


async def feed_for_secret(db, secret: str, now: datetime) -> str | None:
    """The .ics text for a live secret, or None (wrong, revoked or malformed)."""
    if not secret or len(secret) > 100:
        return None
    feed = await db.fetch_one("select_calendar_feed", {"secret_hash": _hash(secret)})
    if feed is None:
        return None
    provider = await db.fetch_one("select_provider", {"id": feed["provider_id"]})
    rows = await db.fetch_all("select_upcoming_confirmed", {"provider_id": feed["provider_id"], "from_at": now - FEED_PAST})
    with use_locale(provider["locale"]):  # the provider's language, whoever fetches the feed
        return provider_feed(provider["name"], rows, now)
