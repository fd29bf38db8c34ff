"""Deactivating a customer cancels their upcoming bookings, with notice to the professionals."""

from __future__ import annotations

from datetime import timedelta

from tests.admin.conftest import NOW, audit_rows, logged_in, make_booking, text, user_id
from tests.conftest import post


async def test_a_deactivated_customers_upcoming_bookings_are_cancelled_and_the_professional_told(demo):
    asha = await user_id(demo, "customer@example.com")
    ravi = await user_id(demo, "provider@example.com")
    upcoming = await make_booking(demo, "customer@example.com", "provider@example.com", "tap-leak-repair", NOW + timedelta(days=2))
    past = await make_booking(demo, "customer@example.com", "provider@example.com", "tap-leak-repair",
                              NOW - timedelta(days=2), status="completed")
    other = await make_booking(demo, "rahul@example.com", "provider@example.com", "tap-leak-repair", NOW + timedelta(days=3))
    admin = await logged_in(demo, "admin@example.com")
    response = await post(admin, f"/admin/customers/{asha}/deactivate", {"reason": "Abusive messages"},
                          follow_redirects=True)
    assert "Account deactivated and logged out everywhere. 1 upcoming booking was cancelled and the professional told." \
        in await text(response)
    statuses = {row["id"]: (row["status"], row["cancelled_by"]) for row in
                await demo.db.fetch_all("SELECT id, status, cancelled_by FROM bookings WHERE id IN (:a, :b, :c)",
                                        {"a": upcoming, "b": past, "c": other})}
    assert statuses == {upcoming: ("cancelled", "admin"), past: ("completed", None), other: ("confirmed", None)}
    note = await demo.db.fetch_one("SELECT message FROM notifications WHERE booking_id = :id", {"id": upcoming})
    assert note["message"].startswith("Cancelled by GrihaSeva: Tap and leak repair")
    mail = await demo.db.fetch_all("SELECT to_addr FROM mail_outbox ORDER BY id")
    assert {m["to_addr"] for m in mail} >= {"provider@example.com", "customer@example.com"}
    event = await demo.db.fetch_one("SELECT kind FROM events WHERE topic = :t ORDER BY id DESC", {"t": f"provider:{ravi}"})
    assert event["kind"] == "cancelled"
    actions = [row["action"] for row in await audit_rows(demo)]
    assert sorted(actions) == ["booking.cancel", "customer.deactivate"]
    reason = await demo.db.fetch_value("SELECT cancel_reason FROM bookings WHERE id = :id", {"id": upcoming})
    assert reason == "The customer's account was closed by GrihaSeva."
