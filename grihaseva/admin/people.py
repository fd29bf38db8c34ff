"""Vetting providers and handling abusive customer accounts; every change audited.

A suspended provider has verified = 0 (so the catalogue, the slot grids and the
booking checks, which all require a verified provider, leave them out) and
suspended_at set.  Suspending publishes `slots:<provider>` in the same
transaction, so every open grid that shows the provider re-renders without them.
Their future bookings stay as they are until the admin cancels each one with
notice to the customer (`cancel_booking_as_admin`). A deactivated customer's upcoming
bookings are cancelled at once, with notice to the professionals.
"""

from __future__ import annotations

from datetime import datetime

from ..auth.accounts import end_all_sessions
from ..booking import notifications, slots
from ..booking.domain import _announce
from ..booking.booking_mail import mail_booking_change
from ..events import publish
from ..i18n import gettext, lazy_gettext, status_label
from .. import audit
from ..refusal import Refused


class AdminRefused(Refused):
    pass


def provider_state(row) -> str:
    """"verified", "suspended" or "awaiting verification" (the page shows `STATE_LABELS`)."""
    if row["suspended_at"] is not None:
        return "suspended"
    return "verified" if row["verified"] else "awaiting verification"


STATE_LABELS = {"verified": lazy_gettext("verified"), "suspended": lazy_gettext("suspended"),
                "awaiting verification": lazy_gettext("awaiting verification")}


# ---------------------------------------------------------------- providers


async def _provider(tx, provider_id: int) -> dict:
    row = await tx.fetch_one("admin_select_provider", {"id": provider_id})
    if row is None:
        raise AdminRefused(gettext("There is no such provider."), 404)
    return row


async def verify_provider(db, admin_id: int, provider_id: int, now: datetime) -> None:
    """Verify a new provider, or reinstate a suspended one: they appear in the catalogue and grids."""
    async with db.transaction() as tx:
        await tx.fetch_one("lock_provider", {"provider_id": provider_id})
        provider = await _provider(tx, provider_id)
        if provider["verified"]:
            raise AdminRefused(gettext("%(name)s is already verified.", name=provider["name"]), 409)
        await tx.execute("admin_set_provider_state", {"id": provider_id, "verified": 1, "suspended_at": None})
        await publish(tx, f"slots:{provider_id}", "provider_verified", {"provider_id": provider_id}, now)
        action = "provider.reinstate" if provider["suspended_at"] is not None else "provider.verify"
        await audit.record(tx, admin_id, action, "provider", provider_id,
                           f"{'Reinstated' if action == 'provider.reinstate' else 'Verified'} {provider['name']} ({provider['email']})", now)


async def suspend_provider(db, admin_id: int, provider_id: int, reason: str, now: datetime) -> None:
    """Take a provider out of the catalogue and the live grids at once."""
    reason = " ".join(reason.split())
    if len(reason) < 3:
        raise AdminRefused(gettext("Say briefly why the provider is suspended (it goes into the audit log)."))
    if len(reason) > 300:
        raise AdminRefused(gettext("Use at most 300 characters for the reason."))
    async with db.transaction() as tx:
        # The provider lock orders this after any booking of theirs in flight.
        await tx.fetch_one("lock_provider", {"provider_id": provider_id})
        provider = await _provider(tx, provider_id)
        if provider["suspended_at"] is not None:
            raise AdminRefused(gettext("%(name)s is already suspended.", name=provider["name"]), 409)
        await tx.execute("admin_set_provider_state", {"id": provider_id, "verified": 0, "suspended_at": now})
        await publish(tx, f"slots:{provider_id}", "provider_suspended", {"provider_id": provider_id}, now)
        await audit.record(tx, admin_id, "provider.suspend", "provider", provider_id,
                           f"Suspended {provider['name']} ({provider['email']}): {reason}", now)


async def future_bookings(db, provider_id: int, now: datetime) -> list[dict]:
    return await db.fetch_all("admin_select_future_bookings", {"provider_id": provider_id, "now": now})


async def cancel_booking_as_admin(db, admin_id: int, booking_id: int, reason: str, now: datetime) -> dict:
    """Cancel a confirmed booking (cancelled_by 'admin'), tell the provider and the customer, audit it."""
    reason = " ".join(reason.split())[:300] or "The professional is no longer available."
    async with db.transaction() as tx:
        row = await tx.fetch_one("select_booking", {"id": booking_id})
        if row is None:
            raise AdminRefused(gettext("There is no such booking."), 404)
        if row["status"] != "confirmed":
            raise AdminRefused(gettext("Booking #%(id)s is already %(status)s.", id=booking_id,
                                          status=status_label(row["status"])), 409)
        await _cancel_as_admin(tx, admin_id, row, reason, now)
    return row


async def _cancel_as_admin(tx, admin_id: int, row: dict, reason: str, now: datetime) -> None:
    """Inside the caller's transaction: cancel one confirmed booking with notice to both sides."""
    booking_id = row["id"]
    await tx.fetch_one("lock_provider", {"provider_id": row["provider_id"]})
    cancelled = await tx.execute("cancel_booking", {"id": booking_id, "now": now, "by": "admin", "reason": reason})
    if cancelled.rowcount != 1:  # cancelled or completed by someone else after the check above
        raise AdminRefused(gettext("Booking #%(id)s was just changed by someone else; reload to see it.", id=booking_id), 409)
    label = slots.local_label(row["starts_at"], row["timezone"])
    await notifications.notify(tx, row["provider_id"], "cancelled", booking_id, now, "cancelled_by_admin",
                               **notifications.service_params(row),
                               **notifications.when_params(row["starts_at"], row["timezone"]))
    await _announce(tx, row["provider_id"], row["customer_id"], row["timezone"], "cancelled", booking_id,
                    [row["starts_at"]], now)
    # The same mail to both sides as any cancel, with the .ics that removes the calendar entry.
    await tx.execute("bump_calendar_sequence", {"id": booking_id})
    await mail_booking_change(tx, booking_id, "cancelled", now)
    await audit.record(tx, admin_id, "booking.cancel", "booking", booking_id,
                       f"Cancelled #{booking_id} ({row['service_name']}, {label}, {row['customer_name']}): {reason}", now)


# ---------------------------------------------------------------- customers


CLOSED_ACCOUNT_REASON = "The customer's account was closed by GrihaSeva."


async def set_customer_active(db, admin_id: int, customer_id: int, active: bool, reason: str, now: datetime) -> int:
    """Deactivate an abusive customer account (its sessions end at once, its upcoming bookings are
    cancelled with notice to the professionals) or reactivate it. Returns how many were cancelled."""
    reason = " ".join(reason.split())[:300]
    if not active and len(reason) < 3:
        raise AdminRefused(gettext("Say briefly why the account is deactivated (it goes into the audit log)."))
    async with db.transaction() as tx:
        user = await tx.fetch_one("select_user_by_id", {"id": customer_id})
        if user is None or user["role"] != "customer":
            raise AdminRefused(gettext("There is no such customer account."), 404)
        if bool(user["is_active"]) == active:
            raise AdminRefused(gettext("That account is already active.") if active
                              else gettext("That account is already deactivated."), 409)
        await tx.fetch_one("lock_customer", {"customer_id": customer_id})  # no booking slips in meanwhile
        await tx.execute("admin_set_user_active", {"id": customer_id, "role": "customer", "is_active": 1 if active else 0})
        cancelled = 0
        if not active:
            await end_all_sessions(tx, customer_id, now)
            # A professional must not travel to a customer who can no longer log in to cancel.
            for booking in await tx.fetch_all("admin_select_customer_future_bookings", {"customer_id": customer_id, "now": now}):
                await _cancel_as_admin(tx, admin_id, await tx.fetch_one("select_booking", {"id": booking["id"]}),
                                       CLOSED_ACCOUNT_REASON, now)
                cancelled += 1
        action = "customer.reactivate" if active else "customer.deactivate"
        detail = f"{'Reactivated' if active else 'Deactivated'} {user['name']} ({user['email']})"
        await audit.record(tx, admin_id, action, "user", customer_id, detail + (f": {reason}" if reason else ""), now)
    return cancelled
