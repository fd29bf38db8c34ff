"""The job's timeline after booking: confirmed -> on the way -> started -> completed.

The status column stays 'confirmed' until the job is completed (or cancelled); the instants
`on_the_way_at`, `started_at` and `completed_at` say how far it got.  Only the booking's own
provider moves it, one step at a time, each move in one transaction with its events (the
customer's pages and the provider's dashboard redraw live) and its mail.  Completing a job
issues its receipt (`receipts.issue_receipt`) in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Mapping

from ..events import publish
from ..i18n import gettext, lazy_gettext, localized, status_label, use_locale
from ..mail import enqueue_mail, recipient_locale
from . import notifications, slots
from ..refusal import Refused

ON_THE_WAY_FROM = timedelta(hours=3)  # the earliest "on the way" before the start
NO_SHOW_AFTER = timedelta(minutes=15)  # not on the way this long after the start: a no-show

STAGES = ("confirmed", "on_the_way", "started", "completed")
STAGE_LABELS = {"confirmed": lazy_gettext("Confirmed"), "on_the_way": lazy_gettext("On the way"),
                "started": lazy_gettext("Started"), "completed": lazy_gettext("Completed"),
                "cancelled": lazy_gettext("Cancelled")}


class TimelineRefused(Refused):
    """A move that breaks the order of the timeline; `status` is the HTTP status to answer with."""

    default_status = 409


def stage(booking: Mapping) -> str:
    """Where the job is: confirmed, on_the_way, started, completed or cancelled."""
    if booking["status"] in ("completed", "cancelled"):
        return booking["status"]
    if booking.get("started_at"):
        return "started"
    if booking.get("on_the_way_at"):
        return "on_the_way"
    return "confirmed"


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    at: datetime | None  # when it happened; None: not (yet)
    current: bool


def steps(booking: Mapping) -> list[Step]:
    """The four steps with their times, for the timeline on both sides. A step skipped (a job
    completed without "started" being tapped) has no time."""
    now_stage = stage(booking)
    times = {"confirmed": booking.get("created_at"), "on_the_way": booking.get("on_the_way_at"),
             "started": booking.get("started_at"), "completed": booking.get("completed_at")}
    return [Step(key, str(STAGE_LABELS[key]), times[key], key == now_stage) for key in STAGES]


def is_no_show(booking: Mapping, now: datetime) -> bool:
    """The professional is not on the way 15 minutes after the start: the customer may cancel free."""
    return stage(booking) == "confirmed" and now >= booking["starts_at"] + NO_SHOW_AFTER


def next_move(booking: Mapping, now: datetime) -> str | None:
    """The move the provider can make now ("on_the_way", "start", "complete") or None."""
    current = stage(booking)
    if current == "confirmed" and booking["starts_at"] - ON_THE_WAY_FROM <= now < booking["ends_at"]:
        return "on_the_way"
    if current == "on_the_way":
        return "start"
    if current == "started" or (current in ("confirmed", "on_the_way") and now >= booking["starts_at"]):
        return "complete"
    return None


async def _own(tx, provider_id: int, booking_id: int) -> dict:
    row = await tx.fetch_one("select_booking", {"id": booking_id})
    if row is None or row["provider_id"] != provider_id:  # another provider's booking looks like a missing one
        raise TimelineRefused(gettext("There is no such booking in your account."), 404)
    return row


async def announce(tx, booking: Mapping, kind: str, now: datetime) -> None:
    payload = {"booking_id": booking["id"]}
    await publish(tx, f"provider:{booking['provider_id']}", kind, payload, now)
    await publish(tx, f"user:{booking['customer_id']}", kind, payload, now)


def _refuse_finished(row: Mapping) -> None:
    if row["status"] in ("cancelled", "completed"):
        raise TimelineRefused(gettext("This booking is already %(status)s.", status=status_label(row["status"])), 409)


async def mark_on_the_way(db, provider_id: int, booking_id: int, now: datetime) -> dict:
    """The provider sets off: the customer sees it live, with the provider's phone, and gets a mail."""
    async with db.transaction() as tx:
        row = await _own(tx, provider_id, booking_id)
        _refuse_finished(row)
        if stage(row) != "confirmed":
            raise TimelineRefused(gettext("You already said you are on the way to this job."), 409)
        if now < row["starts_at"] - ON_THE_WAY_FROM:
            raise TimelineRefused(gettext(
                "This job starts %(when)s. You can say you are on the way from 3 hours before the start.",
                when=slots.local_label(row["starts_at"], row["timezone"])), 422)
        if now >= row["ends_at"]:
            raise TimelineRefused(gettext("This job's time is over; mark it completed instead."), 422)
        if (await tx.execute("mark_on_the_way", {"id": booking_id, "provider_id": provider_id, "now": now})).rowcount != 1:
            raise TimelineRefused(gettext("This booking was just changed. Reload the page to see it as it is now."), 409)
        await notifications.notify(tx, row["customer_id"], "on_the_way", booking_id, now, "on_the_way",
                                   name=row["provider_name"], **notifications.service_params(row))
        await announce(tx, row, "on_the_way", now)
        locale = await recipient_locale(tx, row["customer_email"])
        with use_locale(locale):  # the time and the service's name as the customer reads them
            when, service = slots.local_label(row["starts_at"], row["timezone"]), localized(row, "service_name")
        await enqueue_mail(tx, row["customer_email"], "job_on_the_way", {
            "name": row["customer_name"].split()[0], "service": service, "when": when,
            "provider_name": row["provider_name"], "provider_phone": row["provider_phone"], "address": row["address"],
            "booking_id": booking_id}, now, locale=locale)
    return row


async def mark_started(db, provider_id: int, booking_id: int, now: datetime) -> dict:
    """The provider has arrived and starts the work (only after "on the way")."""
    async with db.transaction() as tx:
        row = await _own(tx, provider_id, booking_id)
        _refuse_finished(row)
        current = stage(row)
        if current == "confirmed":
            raise TimelineRefused(gettext("Tap \u201cI'm on the way\u201d first: the customer is told when you set off."), 409)
        if current == "started":
            raise TimelineRefused(gettext("This job is already started."), 409)
        if (await tx.execute("mark_started", {"id": booking_id, "provider_id": provider_id, "now": now})).rowcount != 1:
            raise TimelineRefused(gettext("This booking was just changed. Reload the page to see it as it is now."), 409)
        await announce(tx, row, "started", now)
    return row
