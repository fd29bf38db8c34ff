"""The one source of "now": aware UTC, replaceable on the app for tests."""

from __future__ import annotations

from datetime import datetime, timezone

UTC = timezone.utc


def utcnow() -> datetime:
    return datetime.now(UTC)
