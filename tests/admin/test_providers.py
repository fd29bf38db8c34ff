"""Verifying and suspending providers: a suspended provider leaves the catalogue and the live grids at once,
and their future bookings can be cancelled with notice to the customer."""

from __future__ import annotations

import json
from datetime import timedelta

from grihaseva.booking.slots import slot_token
from tests.admin.conftest import NOW, audit_rows, logged_in, make_booking, text, user_id
from tests.conftest import post, register
from tests.events.test_sse import open_stream

# Tuesday 24 Nov 2026, 19:30 in Kolkata: only Ravi (16:00-21:00) works then, Imran stops at 19:00.
TUE_7_30PM = NOW.replace(day=24, hour=14, minute=0)
GRID = "/book/tap-leak-repair?provider=any&day=2026-11-24"


async def test_suspended_provider_leaves_the_service_page_and_the_grid(demo):
    ravi = await user_id(demo, "provider@example.com")
    visitor = demo.test_client()
    assert "Ravi Kumar" in await text(await visitor.get("/services/tap-leak-repair"))
    assert f'data-slot="{slot_token(TUE_7_30PM)}"' in await text(await visitor.get(GRID))
    admin = await logged_in(demo, "admin@example.com")
    response = await post(admin, f"/admin/providers/{ravi}/suspend", {"reason": "Customer complaints about no-shows"})
    assert response.status_code == 303 and response.headers["Location"] == f"/admin/providers/{ravi}"
    service_page = await text(await visitor.get("/services/tap-leak-repair"))
    assert "Ravi Kumar" not in service_page and "Imran Shaikh" in service_page
    grid = await text(await visitor.get(GRID))
    assert f'data-slot="{slot_token(TUE_7_30PM)}"' not in grid and "Ravi Kumar" not in grid
    assert (await visitor.get(f"/book/tap-leak-repair?provider={ravi}")).status_code == 404
    assert (await visitor.get(f"/providers/{ravi}")).status_code == 404
    event = await demo.db.fetch_one("SELECT topic, kind, payload FROM events WHERE topic = :t", {"t": f"slots:{ravi}"})
    assert (event["kind"], json.loads(event["payload"])) == ("provider_suspended", {"provider_id": ravi})
    [audit] = await audit_rows(demo)
    assert (audit["action"], audit["subject_id"]) == ("provider.suspend", ravi)
    assert "Customer complaints about no-shows" in audit["detail"]
    state = await demo.db.fetch_one("admin_select_provider", {"id": ravi})
    assert (state["verified"], state["suspended_at"]) == (0, NOW)


async def test_an_open_grid_loses_the_suspended_provider_live(demo):
    ravi = await user_id(demo, "provider@example.com")
    admin = await logged_in(demo, "admin@example.com")
    watcher = demo.test_client()
    async with open_stream(watcher, "/book/tap-leak-repair/live?provider=any&day=2026-11-24") as stream:
        snapshot = await stream.next()
        assert f'data-slot="{slot_token(TUE_7_30PM)}"' in snapshot.data
        await post(admin, f"/admin/providers/{ravi}/suspend", {"reason": "Identity documents expired"})
        update = await stream.next()
    event_id = await demo.db.fetch_value("SELECT id FROM events WHERE topic = :t", {"t": f"slots:{ravi}"})
    assert (update.event, update.id) == ("slots", event_id)
    assert f'data-slot="{slot_token(TUE_7_30PM)}"' not in update.data


async def test_suspended_provider_takes_no_new_bookings(demo):
    ravi = await user_id(demo, "provider@example.com")
    admin = await logged_in(demo, "admin@example.com")
    await post(admin, f"/admin/providers/{ravi}/suspend", {"reason": "Under investigation"})
    customer = await logged_in(demo, "customer@example.com")
    details = {"address": "12 MG Road, Indiranagar, Bengaluru", "phone": "+91 99000 12345"}
    refused = await post(customer, "/book/tap-leak-repair", {"provider": str(ravi), "slot": slot_token(TUE_7_30PM), **details})
    assert refused.status_code == 404
    any_provider = await post(customer, "/book/tap-leak-repair", {"provider": "any", "slot": slot_token(TUE_7_30PM), **details})
    assert any_provider.status_code == 409  # nobody else works at 19:30
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM bookings") == 0


async def test_future_bookings_are_listed_and_cancelled_with_mail_to_the_customer(demo):
    ravi = await user_id(demo, "provider@example.com")
    customer = await user_id(demo, "customer@example.com")
    future = await make_booking(demo, "customer@example.com", "provider@example.com", "tap-leak-repair", TUE_7_30PM)
    await make_booking(demo, "customer@example.com", "provider@example.com", "tap-leak-repair", NOW - timedelta(days=2),
                       status="completed")
    admin = await logged_in(demo, "admin@example.com")
    await post(admin, f"/admin/providers/{ravi}/suspend", {"reason": "No-shows"})
    page = await text(await admin.get(f"/admin/providers/{ravi}"))
    assert f'id="booking-{future}"' in page and "Asha Menon" in page and "suspended" in page
    assert page.count('action="/admin/bookings/') == 1  # the past, completed job is not listed
    response = await post(admin, f"/admin/bookings/{future}/cancel",
                          {"reason": "Your professional is no longer with GrihaSeva.", "back": f"/admin/providers/{ravi}"})
    assert response.status_code == 303 and response.headers["Location"] == f"/admin/providers/{ravi}"
    row = await demo.db.fetch_one("SELECT status, cancelled_by, cancel_reason, cancelled_at FROM bookings WHERE id = :id", {"id": future})
    assert row == {"status": "cancelled", "cancelled_by": "admin", "cancel_reason": "Your professional is no longer with GrihaSeva.",
                   "cancelled_at": NOW}
    topics = {r["topic"] for r in await demo.db.fetch_all("SELECT topic FROM events WHERE kind = 'cancelled'")}
    assert topics == {f"slots:{ravi}:2026-11-24", f"provider:{ravi}", f"user:{customer}"}
    from grihaseva.mail import rendered

    mails = [rendered(m) for m in await demo.db.fetch_all(
        "SELECT to_addr, subject, text_body, html_body, attachments, template, facts FROM mail_outbox"
        " WHERE template = 'booking_cancelled' ORDER BY to_addr")]
    assert [m["to_addr"] for m in mails] == ["customer@example.com", "provider@example.com"]
    assert mails[0]["subject"] == "Booking cancelled: Tap and leak repair, Tue 24 Nov, 7:30 pm IST"
    assert "by GrihaSeva" in mails[0]["text_body"]
    assert "Your professional is no longer with GrihaSeva." in mails[0]["text_body"]
    assert "METHOD:CANCEL" in mails[0]["attachments"]
    assert [r["action"] for r in await audit_rows(demo)] == ["provider.suspend", "booking.cancel"]
    again = await post(admin, f"/admin/bookings/{future}/cancel", {"reason": "twice"})
    assert again.status_code == 409 and "already cancelled" in await text(again)
    assert 'action="/admin/bookings/' not in await text(await admin.get(f"/admin/providers/{ravi}"))


async def test_admin_verifies_a_new_provider_who_then_appears_in_the_catalogue(demo):
    client = demo.test_client()
    await register(client, email="newplumber@example.com", role="provider", gender="male", name="Karan Patil")
    karan = await user_id(demo, "newplumber@example.com")
    await demo.db.execute("insert_provider_service", {"provider_id": karan,
                                                      "service_id": (await demo.db.fetch_one("select_service_by_slug", {"slug": "tap-leak-repair"}))["id"]})
    await demo.db.execute("insert_working_hours", {"provider_id": karan, "weekday": 1, "start_min": 9 * 60, "end_min": 17 * 60})
    assert "Karan Patil" not in await text(await demo.test_client().get("/services/tap-leak-repair"))
    admin = await logged_in(demo, "admin@example.com")
    listing = await text(await admin.get("/admin/providers"))
    assert "Karan Patil" in listing and "awaiting verification" in listing
    assert "Karan Patil" in await text(await admin.get("/admin"))
    assert (await post(admin, f"/admin/providers/{karan}/verify")).status_code == 303
    assert "Karan Patil" in await text(await demo.test_client().get("/services/tap-leak-repair"))
    [audit] = await audit_rows(demo)
    assert (audit["action"], audit["subject_id"]) == ("provider.verify", karan)
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM events WHERE topic = :t", {"t": f"slots:{karan}"}) == 1
    again = await post(admin, f"/admin/providers/{karan}/verify")
    assert again.status_code == 409 and "already verified" in await text(again)


async def test_reinstating_a_suspended_provider_is_audited_as_such(demo):
    ravi = await user_id(demo, "provider@example.com")
    admin = await logged_in(demo, "admin@example.com")
    await post(admin, f"/admin/providers/{ravi}/suspend", {"reason": "Paperwork"})
    assert (await post(admin, f"/admin/providers/{ravi}/suspend", {"reason": "Paperwork"})).status_code == 409
    assert (await post(admin, f"/admin/providers/{ravi}/verify")).status_code == 303
    assert "Ravi Kumar" in await text(await demo.test_client().get("/services/tap-leak-repair"))
    assert [r["action"] for r in await audit_rows(demo)] == ["provider.suspend", "provider.reinstate"]


async def test_suspending_needs_a_reason_and_an_existing_provider(demo):
    ravi = await user_id(demo, "provider@example.com")
    admin = await logged_in(demo, "admin@example.com")
    no_reason = await post(admin, f"/admin/providers/{ravi}/suspend", {"reason": " "})
    assert no_reason.status_code == 422 and "why the provider is suspended" in await text(no_reason)
    assert (await post(admin, "/admin/providers/99999/suspend", {"reason": "Gone"})).status_code == 404
    assert (await admin.get("/admin/providers/99999")).status_code == 404
    assert await audit_rows(demo) == []
