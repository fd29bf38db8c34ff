"""The "your password was changed" mail, shared by a reset and a change on /account."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from .. import i18n
from ..mail import enqueue_mail, recipient_locale

MAIL_TIME_ZONE = ZoneInfo("Asia/Kolkata")


def _when(now: datetime) -> str:
    local = now.astimezone(MAIL_TIME_ZONE)
    if i18n.get_locale() == "en":
        return f"{local.day} {local:%B %Y at %H:%M} IST"
    return f"{i18n.long_date_label(local.date())}, {i18n.time_label(now, MAIL_TIME_ZONE.key)} IST"


async def enqueue_password_changed_mail(tx, user: Mapping[str, Any], now: datetime, base_url: str) -> int:
    """The "your password was changed" mail, in the transaction that changed it."""
    locale = await recipient_locale(tx, user["email"])
    with i18n.use_locale(locale):
        changed_at = _when(now)
    return await enqueue_mail(tx, user["email"], "password_changed", {
        "name": user["name"], "email": user["email"], "changed_at": changed_at,
        "forgot_url": f"{base_url}/password/forgot",
    }, now, locale=locale)
