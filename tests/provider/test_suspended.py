"""A suspended provider sees their jobs read-only with a banner, and every change to availability
or jobs is refused (403, nothing written) until an admin reinstates them; both databases."""

from __future__ import annotations

from grihaseva.admin import people
from grihaseva.provider.standing import SUSPENDED_MESSAGE
from tests.conftest import post, text, visible_text
from tests.provider.conftest import MON_4PM, NOW, TUE_5PM, book, hours_fields, logged_in, post_hours, user_id

HOURS = dict(hours_fields({d: "09:00-14:00" for d in range(7)})) | {"buffer": "15", "notice": "120"}  # one range a day


async def snapshot(app) -> dict:
    return {table: await app.db.fetch_all(f"SELECT * FROM {table} ORDER BY 1")
            for table in ("working_hours", "time_off", "provider_services", "bookings", "events")}


async def test_a_suspended_provider_is_read_only_with_a_banner(demo):
    app = demo
    ravi = await user_id(app, "provider@example.com")
    admin = await user_id(app, "admin@example.com")
    started = await book(app, MON_4PM)  # a job under way by the time we look
    upcoming = await book(app, TUE_5PM, email="rahul@example.com")
    client = await logged_in(app, "provider@example.com")
    assert (await post(client, "/provider/availability/time-off",
                       {"off_from": "2026-11-25T00:00", "off_to": "2026-11-26T00:00", "off_reason": "wedding"})).status_code == 303
    time_off_id = await app.db.fetch_value("SELECT id FROM time_off")
    await people.suspend_provider(app.db, admin, ravi, "Complaints under review", NOW)
    app.clock.advance(hours=8, minutes=30)  # 16:30 IST: the Monday job has started: it could be completed, were he not suspended

    dashboard = await text(await client.get("/provider/dashboard"))
    assert 'id="suspended-banner"' in dashboard and "Your account is suspended." in dashboard
    assert f'data-booking="{started}"' in dashboard and f'data-booking="{upcoming}"' in dashboard  # still sees his jobs
    for control in ("/complete", "/cancel", "/on-the-way", "/start", "/available-today"):
        assert control not in dashboard, control  # but no controls to change them
    editor = await text(await client.get("/provider/availability"))
    assert 'id="suspended-banner"' in editor
    assert editor.count("disabled") >= 4 and '<button type="submit">Save hours</button>' not in editor

    before = await snapshot(app)
    refused = [
        ("/provider/availability/hours", HOURS),
        ("/provider/availability/time-off", {"off_from": "2026-11-27T00:00", "off_to": "2026-11-28T00:00", "off_reason": "trip"}),
        (f"/provider/availability/time-off/{time_off_id}/delete", {}),
        ("/provider/availability/services", {"service": str(await app.db.fetch_value("SELECT MIN(service_id) AS s FROM provider_services WHERE provider_id = :p", {"p": ravi}))}),
        (f"/provider/bookings/{started}/complete", {}),
        (f"/provider/bookings/{upcoming}/cancel", {"reason": "unwell"}),
        (f"/provider/bookings/{started}/on-the-way", {}),
        (f"/provider/bookings/{started}/start", {}),
        (f"/provider/bookings/{started}/paid", {"method": "cash"}),
        ("/provider/available-today", {"available": "0"}),
    ]
    for path, form in refused:
        response = await post(client, path, form)
        assert response.status_code == 403, path
        assert str(SUSPENDED_MESSAGE) in visible_text(await text(response)), path
    assert await snapshot(app) == before  # nothing written, no event published

    await people.verify_provider(app.db, admin, ravi, NOW)  # reinstated
    assert 'id="suspended-banner"' not in await text(await client.get("/provider/dashboard"))
    assert (await post(client, f"/provider/bookings/{started}/complete", {})).status_code == 303
    saved = await post_hours(client, {d: "09:00-14:00, 16:00-21:00" for d in range(7)}, {"buffer": "15", "notice": "120"})
    assert saved.status_code == 303, visible_text(await text(saved))[-1500:]
