"""The "your password was changed" mail, shared by a reset and a change on /account."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from ..mail import enqueue_mail

MAIL_TIME_ZONE = ZoneInfo("Asia/Kolkata")


def _when(now: datetime) -> str:
    local = now.astimezone(MAIL_TIME_ZONE)
    return f"{local.day} {local:%B %Y at %H:%M} IST"


async def enqueue_password_changed_mail(tx, user: Mapping[str, Any], now: datetime, base_url: str) -> int:
    """The "your password was changed" mail, in the transaction that changed it."""
    return await enqueue_mail(tx, user["email"], "password_changed", {
        "name": user["name"], "email": user["email"], "changed_at": _when(now),
        "forgot_url": f"{base_url}/password/forgot",
    }, now)
