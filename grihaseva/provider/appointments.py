"""A provider's appointments: the dashboard rows, completing and cancelling jobs, notifications.

Every change is one transaction with its events (the same `_announce` path the
booking domain uses, so the customer's /bookings and the slot grids update live)
and its mails.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..booking import notifications as notices, receipts, slots
from ..i18n import gettext, status_label
from ..booking.domain import BookingChanged, BookingRefused, _announce, _day_start, local_today
from ..events import publish
from ..booking.booking_mail import mail_booking_change
from .standing import refuse_if_suspended

FRESH_FOR = timedelta(minutes=10)  # a row created or moved this recently is highlighted
OVERDUE_DAYS = 30  # "Needs completing" reaches back this many days
OVERDUE_SHOWN = 20  # and lists at most this many (the oldest first)
REASON_MAX = 300


async def dashboard(db, provider_id: int, tz: str, now: datetime) -> dict:
    """Today's and upcoming appointments (from the start of today in the provider's zone), the next job first,
    and "Needs completing": earlier jobs still confirmed (from the last OVERDUE_DAYS days, oldest first)."""
    today_start = _day_start(local_today(now, tz), tz)
    overdue = await db.fetch_all("select_provider_overdue", {
        "provider_id": provider_id, "before": today_start, "since": today_start - timedelta(days=OVERDUE_DAYS),
        "limit": OVERDUE_SHOWN + 1})
    rows = await db.fetch_all("select_provider_appointments", {"provider_id": provider_id, "from_at": today_start})
    appointments = []
    for row in rows:
        fresh = ""
        if row["status"] == "confirmed" and now - row["created_at"] < FRESH_FOR:
            fresh = "new"
        elif row["status"] == "confirmed" and now - row["updated_at"] < FRESH_FOR:
            fresh = "moved"
        appointments.append({**row, "fresh": fresh})  # fresh: "new", "moved" or ""
    upcoming = [a for a in appointments if a["status"] == "confirmed" and a["ends_at"] > now]
    unread = await db.fetch_value("count_unread_notifications", {"user_id": provider_id})
    shown = {row["id"] for row in rows}
    unpaid = [row for row in await db.fetch_all("select_provider_unpaid", {
        "provider_id": provider_id, "since": today_start - timedelta(days=OVERDUE_DAYS)}) if row["id"] not in shown]
    return {"appointments": appointments, "unpaid": unpaid, "next_job": upcoming[0] if upcoming else None,
            "overdue": overdue[:OVERDUE_SHOWN], "more_overdue": len(overdue) > OVERDUE_SHOWN,
            "unread": int(unread or 0), "tz": tz, "now": now}


async def _own_booking(tx, provider_id: int, booking_id: int) -> dict:
    row = await tx.fetch_one("select_provider_booking", {"id": booking_id, "provider_id": provider_id})
    if row is None:  # another provider's booking looks exactly like a missing one
        raise BookingRefused(gettext("There is no such booking in your account."), 404)
    return row


async def complete_job(db, provider_id: int, booking_id: int, now: datetime) -> str:
    """Mark a confirmed job completed, only once its start time has come; issues the receipt (numbered in
    the same transaction) and mails it to the customer. Returns the receipt number."""
    first = await _own_booking(db, provider_id, booking_id)
    year = receipts.receipt_year(now, first["timezone"])
    await receipts.prepare_receipt_year(db, year)
    async with db.transaction() as tx:
        row = await _own_booking(tx, provider_id, booking_id)
        await refuse_if_suspended(tx, provider_id)  # no provider lock: it would queue behind a customer's cancel
        if row["status"] != "confirmed":
            raise BookingRefused(gettext("This booking is already %(status)s.", status=status_label(row["status"])), 409)
        if now < row["starts_at"] and not row["started_at"]:  # started early: it may end early too
            raise BookingRefused(gettext(
                "This job starts %(when)s. You can mark it completed once it has started.",
                when=slots.local_label(row["starts_at"], row["timezone"])), 422)
        if (await tx.execute("complete_booking", {"id": booking_id, "now": now})).rowcount != 1:
            raise BookingChanged()  # the customer or an admin cancelled it since it was read
        number = await receipts.issue_receipt(tx, booking_id, year, now)
        payload = {"booking_id": booking_id}
        await publish(tx, f"provider:{provider_id}", "completed", payload, now)
        await publish(tx, f"user:{row['customer_id']}", "completed", payload, now)
        await receipts.mail_receipt(tx, booking_id, now)
    return number


def clean_reason(reason: str | None) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise BookingRefused(gettext("Tell the customer why you are cancelling (for example: unwell, emergency)."), 422)
    if len(reason) > REASON_MAX:
        raise BookingRefused(gettext("Keep the reason to at most %(max)s characters.", max=REASON_MAX), 422)
    return reason


async def cancel_job(db, provider_id: int, booking_id: int, reason: str | None, now: datetime) -> None:
    """The provider cancels a confirmed job with a reason; the customer sees it live and gets a mail."""
    async with db.transaction() as tx:
        row = await _own_booking(tx, provider_id, booking_id)
        reason = clean_reason(reason)
        if row["status"] != "confirmed":
            raise BookingRefused(gettext("This booking is already %(status)s.", status=status_label(row["status"])), 409)
        if now >= row["ends_at"]:
            raise BookingRefused(gettext("This job is already over; mark it completed instead."), 422)
        await tx.fetch_one("lock_provider", {"provider_id": provider_id})
        await refuse_if_suspended(tx, provider_id)
        cancelled = await tx.execute("cancel_booking", {"id": booking_id, "now": now, "by": "provider", "reason": reason})
        if cancelled.rowcount != 1:  # changed after the check above, before the lock
            raise BookingChanged()
        await notices.notify(tx, row["customer_id"], "cancelled", booking_id, now, "cancelled_by_provider",
                             **notices.service_params(row), **notices.when_params(row["starts_at"], row["timezone"]),
                             reason=reason)
        await _announce(tx, provider_id, row["customer_id"], row["timezone"], "cancelled", booking_id,
                        [row["starts_at"]], now)
        await tx.execute("bump_calendar_sequence", {"id": booking_id})
        await mail_booking_change(tx, booking_id, "cancelled", now)


async def notifications(db, user_id: int, now: datetime, limit: int = 50) -> list[dict]:
    """The newest notifications, each with its `text` in the reader's language; the unread ones
    among them are marked read (they are now seen)."""
    rows = [{**row, "text": notices.text(row)}
            for row in await db.fetch_all("select_notifications", {"user_id": user_id, "limit": limit})]
    if any(row["read_at"] is None for row in rows):
        async with db.transaction() as tx:
            await tx.execute("mark_notifications_read", {"user_id": user_id, "now": now, "up_to": rows[0]["id"]})
            await publish(tx, f"provider:{user_id}", "notifications-read", {}, now)
    return rows
