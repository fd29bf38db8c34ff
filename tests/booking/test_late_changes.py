"""Late changes: inside the 3-hour window a cancel or move costs the service's late fee, shown before the
yes, charged once (also under a double submit), on the receipt and in the provider's earnings. A
professional not on the way 15 minutes after the start lets the customer cancel free and tells the admins.
The clock is the app's injected one (`app.clock`)."""

from __future__ import annotations

import asyncio
import html
from datetime import timedelta

import pytest

from grihaseva.booking import timeline
from grihaseva.booking.slots import slot_token
from tests.conftest import post, text, visible_text
from tests.provider.conftest import TUE_5PM, TUE_7PM, book, logged_in, mails, service_id, user_id


async def fee_of(app, booking_id: int) -> int:
    return await app.db.fetch_value("SELECT late_fee_paise FROM bookings WHERE id = :id", {"id": booking_id})


async def test_a_late_cancel_shows_the_fee_first_and_charges_it_once_under_a_double_submit(demo):
    booking_id = await book(demo, TUE_5PM)
    customer = await logged_in(demo, "customer@example.com")
    demo.clock.now = TUE_5PM - timedelta(hours=2)
    page = html.unescape(await text(await customer.get(f"/bookings/{booking_id}")))
    assert "moving or cancelling now costs a late fee of ₹99" in visible_text(page)
    assert 'name="late_fee" value="9900"' in page and "Yes, cancel and pay ₹99" in page

    form = {"late_fee": "9900", "reason": "Plans changed"}
    first, second = await asyncio.gather(post(customer, f"/bookings/{booking_id}/cancel", form),
                                         post(customer, f"/bookings/{booking_id}/cancel", form))
    assert sorted([first.status_code, second.status_code]) == [303, 409]
    row = await demo.db.fetch_one("SELECT status, late_fee_paise, receipt_number FROM bookings WHERE id = :id",
                                  {"id": booking_id})
    assert row == {"status": "cancelled", "late_fee_paise": 9900, "receipt_number": "GS-2026-000001"}
    receipt = visible_text(html.unescape(await text(await customer.get(f"/bookings/{booking_id}/receipt"))))
    assert "Late change fee ₹99" in receipt and "Total ₹99" in receipt
    [mail] = [m for m in await mails(demo, "customer@example.com") if m["subject"].startswith("Receipt")]
    assert "Late fee: ₹99" in mail["text_body"] and "am=99.00" in mail["text_body"]

    provider = await logged_in(demo, "provider@example.com")
    earnings = visible_text(html.unescape(await text(await provider.get("/provider/earnings"))))
    assert "Late fees this month ₹99" in earnings and "Not paid yet ₹99" in earnings
    dashboard = visible_text(html.unescape(await text(await provider.get("/provider/dashboard"))))
    assert "Late fee ₹99 owed to you." in dashboard


async def test_a_late_cancel_without_the_fee_seen_is_asked_again_and_changes_nothing(demo):
    booking_id = await book(demo, TUE_5PM)
    customer = await logged_in(demo, "customer@example.com")
    demo.clock.now = TUE_5PM - timedelta(hours=1)
    for form in ({}, {"late_fee": "0"}, {"late_fee": "-9900"}, {"late_fee": "99"}, {"late_fee": "９９00"}):
        asked = await post(customer, f"/bookings/{booking_id}/cancel", form)
        assert asked.status_code == 409, form
        body = html.unescape(await text(asked))
        assert "late fee of ₹99" in body and 'name="late_fee" value="9900"' in body
    assert await demo.db.fetch_value("SELECT status FROM bookings WHERE id = :id", {"id": booking_id}) == "confirmed"
    assert await fee_of(demo, booking_id) == 0


async def test_a_late_move_shows_the_fee_and_a_second_late_change_adds_none(demo):
    booking_id = await book(demo, TUE_5PM)
    customer = await logged_in(demo, "customer@example.com")
    demo.clock.now = TUE_5PM - timedelta(hours=2, minutes=30)
    confirm = html.unescape(await text(await customer.get(
        f"/bookings/{booking_id}/reschedule/confirm?slot={slot_token(TUE_7PM)}")))
    assert "Yes, move it and pay ₹99" in confirm and 'name="late_fee" value="9900"' in confirm
    unseen = await post(customer, f"/bookings/{booking_id}/reschedule", {"slot": slot_token(TUE_7PM)})
    assert unseen.status_code == 409 and "late fee of ₹99" in html.unescape(await text(unseen))
    assert await fee_of(demo, booking_id) == 0

    form = {"slot": slot_token(TUE_7PM), "late_fee": "9900"}
    first, second = await asyncio.gather(post(customer, f"/bookings/{booking_id}/reschedule", form),
                                         post(customer, f"/bookings/{booking_id}/reschedule", form))
    assert sorted([first.status_code, second.status_code]) == [303, 422]  # the second: "already booked"
    assert await fee_of(demo, booking_id) == 9900

    demo.clock.now = TUE_7PM - timedelta(hours=1)  # late again: the booking already carries its fee
    page = visible_text(html.unescape(await text(await customer.get(f"/bookings/{booking_id}"))))
    assert "costs a late fee" not in page and "Late fee ₹99" in page
    assert (await post(customer, f"/bookings/{booking_id}/cancel")).status_code == 303
    assert await fee_of(demo, booking_id) == 9900


async def test_the_fee_is_a_setting_per_service_and_a_free_window_change_costs_nothing(demo):
    admin = await logged_in(demo, "admin@example.com")
    tap = await service_id(demo, "tap-leak-repair")
    service = await demo.db.fetch_one("admin_select_service", {"id": tap})
    form = {"category_id": str(service["category_id"]), "name": service["name"], "summary": service["summary"],
            "included": service["included"], "price_rupees": "349", "duration_min": str(service["duration_min"])}
    for fee, message in (("-10", "cannot be negative"), ("₹ -0.01", "cannot be negative"),
                         ("lots", "Enter the late fee in rupees"), ("1e9", "Enter the late fee in rupees"),
                         ("NaN", "Enter the late fee in rupees"), ("99999", "at most ₹10,000"),
                         ("9" * 40, "at most ₹10,000"), ("10000.01", "at most ₹10,000"),
                         ("99.999", "Enter the late fee in rupees")):
        refused = await post(admin, f"/admin/services/{tap}", {**form, "late_fee_rupees": fee})
        assert refused.status_code == 422 and message in html.unescape(await text(refused)), fee
    assert await demo.db.fetch_value("SELECT late_fee_paise FROM services WHERE id = :id", {"id": tap}) == 9900
    assert (await post(admin, f"/admin/services/{tap}", {**form, "late_fee_rupees": "149.50"})).status_code == 303
    assert await demo.db.fetch_value("SELECT late_fee_paise FROM services WHERE id = :id", {"id": tap}) == 14950

    early = await book(demo, TUE_5PM)
    customer = await logged_in(demo, "customer@example.com")
    demo.clock.now = TUE_5PM - timedelta(hours=3)  # exactly 3 hours before: still free
    assert (await post(customer, f"/bookings/{early}/cancel", {"late_fee": "14950"})).status_code == 303
    assert await fee_of(demo, early) == 0
    late = await book(demo, TUE_7PM, now=demo.clock.now)
    demo.clock.now = TUE_7PM - timedelta(minutes=30)
    assert "late fee of ₹149.50" in visible_text(html.unescape(await text(await customer.get(f"/bookings/{late}"))))
    assert (await post(customer, f"/bookings/{late}/cancel", {"late_fee": "14950"})).status_code == 303
    assert await fee_of(demo, late) == 14950


async def test_no_show_after_15_minutes_lets_the_customer_cancel_free_and_tells_the_admins(demo):
    booking_id = await book(demo, TUE_5PM)
    customer = await logged_in(demo, "customer@example.com")
    demo.clock.now = TUE_5PM + timedelta(minutes=14, seconds=59)
    waiting = await post(customer, f"/bookings/{booking_id}/cancel", {"late_fee": "9900"})
    assert waiting.status_code == 422 and "15 minutes after the start" in html.unescape(await text(waiting))

    demo.clock.advance(seconds=1)  # 15 minutes after the start, not on the way
    page = visible_text(html.unescape(await text(await customer.get(f"/bookings/{booking_id}"))))
    assert "has not set off 15 minutes after the start. You can cancel free of charge" in page
    assert (await customer.get(f"/bookings/{booking_id}/reschedule/confirm?slot={slot_token(TUE_7PM + timedelta(days=1))}")).status_code == 422
    assert (await post(customer, f"/bookings/{booking_id}/cancel")).status_code == 303  # no fee asked
    row = await demo.db.fetch_one("SELECT status, late_fee_paise, no_show, receipt_number FROM bookings WHERE id = :id",
                                  {"id": booking_id})
    assert row == {"status": "cancelled", "late_fee_paise": 0, "no_show": 1, "receipt_number": None}
    admin = await user_id(demo, "admin@example.com")
    note = await demo.db.fetch_one("SELECT kind, message FROM notifications WHERE user_id = :id", {"id": admin})
    assert note["kind"] == "no_show" and "Ravi Kumar did not set off" in note["message"]
    [mail] = await mails(demo, "admin@example.com")
    assert mail["subject"] == f"No-show: booking #{booking_id}"


async def test_on_the_way_in_time_means_no_no_show(demo):
    ravi = await user_id(demo, "provider@example.com")
    booking_id = await book(demo, TUE_5PM)
    await timeline.mark_on_the_way(demo.db, ravi, booking_id, TUE_5PM + timedelta(minutes=10))
    customer = await logged_in(demo, "customer@example.com")
    demo.clock.now = TUE_5PM + timedelta(minutes=30)
    refused = await post(customer, f"/bookings/{booking_id}/cancel")
    assert refused.status_code == 422
    assert await demo.db.fetch_value("SELECT status FROM bookings WHERE id = :id", {"id": booking_id}) == "confirmed"


@pytest.mark.parametrize("fee", ["", "0", "00", "0.00"])
def test_late_fee_text_empty_is_the_default_and_zero_is_none(fee):
    from grihaseva.admin.catalogue import parse_late_fee
    assert parse_late_fee(fee) == (9900 if fee == "" else 0)
