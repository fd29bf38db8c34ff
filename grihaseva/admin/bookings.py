"""Searching bookings for the admin console."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Mapping
from zoneinfo import ZoneInfo

from ..auth.accounts import ValidationError, normalize_email
from ..i18n import gettext

STATUSES = ("pending", "confirmed", "completed", "cancelled")
SEARCH_LIMIT = 200
CONSOLE_TZ = ZoneInfo("Asia/Kolkata")  # the dates an admin types are Indian calendar days


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), CONSOLE_TZ).astimezone(ZoneInfo("UTC"))


def clean_search(args: Mapping[str, str]) -> dict:
    """Query-string filters -> query parameters (None = no filter); ValidationError on bad input."""
    errors, params = {}, {"from_at": None, "to_at": None, "provider_id": None, "customer_email": None,
                          "status": None, "limit": SEARCH_LIMIT}
    days = {}
    for name in ("from", "to"):
        value = (args.get(name) or "").strip()
        if value:
            try:
                days[name] = date.fromisoformat(value)
                # the "to" day is included; OverflowError: a day at the very edge of the calendar
                params[f"{name}_at"] = _day_start(days[name] + timedelta(days=1 if name == "to" else 0))
            except (ValueError, OverflowError):
                days.pop(name, None)
                errors[name] = gettext("Enter a date like 2026-11-30.")
    if "from" in days and "to" in days and days["to"] < days["from"]:
        errors["to"] = gettext("The end date is before the start date.")
    provider = (args.get("provider") or "").strip()
    if provider:
        if not provider.isdecimal() or len(provider) > 12:  # isdigit() also passes "²", which int() refuses
            errors["provider"] = gettext("Choose a provider from the list.")
        else:
            params["provider_id"] = int(provider)
    email = normalize_email(args.get("customer") or "")
    if email:
        params["customer_email"] = email[:254]
    status = (args.get("status") or "").strip()
    if status:
        if status not in STATUSES:
            errors["status"] = gettext("Choose a status from the list.")
        else:
            params["status"] = status
    if errors:
        raise ValidationError(errors)
    return params


async def search_bookings(db, params: dict) -> list[dict]:
    return await db.fetch_all("admin_search_bookings", params)
