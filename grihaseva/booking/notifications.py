"""In-app notifications ("New booking: …", "Ravi Kumar is on the way: …"), shown in the reader's
language of the moment, not the writer's.

A row keeps which message it is (`message_key`, a key of MESSAGES) and its values
(`message_params`, JSON) beside `message`, the English text (for rows read by something that does
not know the key, and as it always was). Values are kept as facts, not words: a service as its
names in each language, a time as UTC with its zone, money in paise; `text(row)` formats them
through gettext and Babel when the row is read. A row without a key (written before migration
018) or with a key this code no longer knows shows its stored text.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Mapping

from .. import i18n
from ..i18n import lazy_gettext, use_locale
from . import slots

MESSAGE_LENGTH = 300  # notifications.message, VARCHAR(300) on MySQL

MESSAGES = {
    "booked": lazy_gettext("New booking: %(service)s, %(when)s"),
    "moved": lazy_gettext("Moved: %(service)s to %(when)s"),
    "cancelled": lazy_gettext("Cancelled: %(service)s, %(when)s."),
    "cancelled_late_fee": lazy_gettext("Cancelled: %(service)s, %(when)s. Late fee %(fee)s owed to you."),
    "cancelled_by_provider": lazy_gettext("Cancelled by the professional: %(service)s, %(when)s. Reason: %(reason)s"),
    "cancelled_by_admin": lazy_gettext("Cancelled by GrihaSeva: %(service)s, %(when)s"),
    "on_the_way": lazy_gettext("%(name)s is on the way: %(service)s"),
    "no_show": lazy_gettext("No-show: %(provider)s did not set off for %(service)s, %(when)s (booking #%(id)s)."),
}


def service_params(row: Mapping, field: str = "service_name") -> dict:
    """A service's names in every language, from a row (`service_name`, `service_name_hi`) or a
    `Service` (`name`, `name_hi`): {"service": "Tap and leak repair", "service_hi": "नल …"}."""
    params = {"service": i18n.field_value(row, field) or ""}
    for code in i18n.LANGUAGES:
        if code != i18n.DEFAULT_LOCALE and i18n.field_value(row, f"{field}_{code}"):
            params[f"service_{code}"] = i18n.field_value(row, f"{field}_{code}")
    return params


def when_params(moment: datetime, tz: str) -> dict:
    return {"when": moment.isoformat(), "tz": tz}


async def notify(tx, user_id: int, kind: str, booking_id: int | None, now: datetime, key: str, **params) -> None:
    """Insert one notification: `key` with `params` (JSON-ready values), and its English text."""
    if key not in MESSAGES:
        raise KeyError(key)
    with use_locale(i18n.DEFAULT_LOCALE):
        english = render(key, params)
    await tx.execute("insert_notification", {
        "user_id": user_id, "kind": kind, "booking_id": booking_id, "now": now,
        "message": english[:MESSAGE_LENGTH], "message_key": key,
        "message_params": json.dumps(params, ensure_ascii=False)})


def text(row: Mapping) -> str:
    """The notification in the current language; its stored text when it has no (known) key."""
    key = row.get("message_key")
    if key in MESSAGES:
        try:
            params = json.loads(row.get("message_params") or "{}")
            return render(key, params)
        except (ValueError, TypeError, KeyError):
            pass
    return row["message"]


def render(key: str, params: Mapping) -> str:
    """Message `key` with its stored values, in the current language."""
    values = dict(params)
    if "service" in params:
        values["service"] = i18n.localized(params, "service")
    if "when" in params:
        values["when"] = slots.local_label(datetime.fromisoformat(params["when"]), params["tz"])
    if "fee" in params:
        values["fee"] = i18n.rupees(int(params["fee"]))
    return str(MESSAGES[key]) % values
