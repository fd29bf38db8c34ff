"""Stored notifications in the reader's language of the moment (migration 018): a row keeps its
message key and values beside the English text and is rendered through gettext when it is read,
so a notification written while its reader used English reads in Hindi once they switch. Rows
from before 018 (no key) show their stored text, marked as English. On both databases."""

from __future__ import annotations

import html
import json
from datetime import timedelta

from grihaseva.booking import domain, notifications, timeline
from grihaseva.i18n import use_locale
from grihaseva.provider import appointments
from tests.conftest import post, visible_text
from tests.conftest import text as raw_text
from tests.provider.conftest import MON_4PM, NOW, TUE_5PM, Who, book, logged_in, user_id


async def page_text(response) -> str:
    return visible_text(html.unescape(await raw_text(response)))


async def rows_of(app, email: str) -> list[dict]:
    return await app.db.fetch_all(
        "SELECT kind, message, message_key, message_params FROM notifications WHERE user_id = :id ORDER BY id",
        {"id": await user_id(app, email)})


async def test_a_notification_written_in_english_reads_in_hindi_after_the_switch(demo):
    await book(demo, TUE_5PM)
    [row] = await rows_of(demo, "provider@example.com")
    assert row["message"] == "New booking: Tap and leak repair, Tue 24 Nov, 5:00 pm IST"  # the English text, as before
    assert row["message_key"] == "booked"
    assert json.loads(row["message_params"])["service_hi"] == "नल और लीकेज की मरम्मत"
    client = await logged_in(demo, "provider@example.com")  # the provider reads English
    assert "New booking: Tap and leak repair, Tue 24 Nov, 5:00 pm IST" in await page_text(
        await client.get("/provider/notifications"))
    assert (await post(client, "/language", {"lang": "hi", "next": "/provider/notifications"})).status_code == 303
    body = html.unescape(await raw_text(await client.get("/provider/notifications")))
    assert "नई बुकिंग: नल और लीकेज की मरम्मत, मंगल 24 नव॰, शाम 5:00 IST" in visible_text(body)
    assert "New booking" not in body and "Tap and leak" not in body
    assert (await post(client, "/language", {"lang": "en"})).status_code == 303  # and back again
    assert "New booking: Tap and leak repair" in await page_text(await client.get("/provider/notifications"))


async def test_an_old_row_without_a_key_keeps_its_text_marked_english(demo):
    provider = await user_id(demo, "provider@example.com")
    await demo.db.execute("INSERT INTO notifications (user_id, kind, message, created_at) "
                          "VALUES (:user_id, 'booked', 'New booking: Fan installation, Mon 2 Nov, 9:00 am IST', :now)",
                          {"user_id": provider, "now": NOW})
    client = await logged_in(demo, "provider@example.com")
    body = html.unescape(await raw_text(await client.get("/provider/notifications?lang=hi")))
    assert '<span lang="en">New booking: Fan installation, Mon 2 Nov, 9:00 am IST</span>' in body
    unknown = {"message": "Something else", "message_key": "gone_since", "message_params": "{}"}
    assert notifications.text(unknown) == "Something else"  # a key this code no longer knows
    broken = {"message": "Kept", "message_key": "booked", "message_params": "not json"}
    assert notifications.text(broken) == "Kept"


async def test_every_kind_of_notification_reads_in_both_languages(demo):
    """booked, moved, cancelled (free and with the late fee), cancelled by the professional and by
    GrihaSeva, on the way, no-show: each row's English rendering is its stored text, and its Hindi
    one has the Hindi service name and Hindi time, with nothing English left but names."""
    customer = Who(await user_id(demo, "customer@example.com"))
    provider = await user_id(demo, "provider@example.com")
    admin = await user_id(demo, "admin@example.com")
    moved = await book(demo, TUE_5PM)
    service = await domain.active_service(demo.db, "tap-leak-repair")
    await domain.reschedule_booking(demo.db, customer, moved, TUE_5PM + timedelta(hours=2), NOW)
    await domain.cancel_booking(demo.db, customer, moved, NOW, "plans changed")
    late = await book(demo, MON_4PM)
    await domain.cancel_booking(demo.db, customer, late, MON_4PM - timedelta(hours=1), "late",
                                accepted_fee=service.late_fee_paise)
    by_provider = await book(demo, TUE_5PM)
    await appointments.cancel_job(demo.db, provider, by_provider, "बुखार है", NOW)
    by_admin = await book(demo, TUE_5PM)
    from grihaseva.admin import people
    await people.cancel_booking_as_admin(demo.db, admin, by_admin, "Provider unavailable", NOW)
    on_way = await book(demo, TUE_5PM)
    await timeline.mark_on_the_way(demo.db, provider, on_way, TUE_5PM - timedelta(hours=1))
    no_show = await book(demo, TUE_5PM + timedelta(hours=2))
    await domain.cancel_booking(demo.db, customer, no_show, TUE_5PM + timedelta(hours=2, minutes=20), "never came",
                                accepted_fee=0)

    rows = (await rows_of(demo, "provider@example.com") + await rows_of(demo, "customer@example.com")
            + await rows_of(demo, "admin@example.com"))
    keys = [row["message_key"] for row in rows]
    for key in ("booked", "moved", "cancelled", "cancelled_late_fee", "cancelled_by_provider",
                "cancelled_by_admin", "on_the_way", "no_show"):
        assert key in keys, (key, keys)
    for row in rows:
        with use_locale("en"):
            assert notifications.text(row) == row["message"], row
        with use_locale("hi"):
            hindi = notifications.text(row)
        assert "नल और लीकेज की मरम्मत" in hindi and "Tap" not in hindi, hindi
        words = set(hindi.replace(",", " ").replace(".", " ").replace(":", " ").split())
        english = {w for w in words if w.isascii() and w.isalpha()}
        assert english <= {"IST", "Ravi", "Kumar", "GrihaSeva"}, (row["message_key"], hindi)
    by_key = {row["message_key"]: row for row in rows}
    with use_locale("hi"):
        assert notifications.text(by_key["cancelled_late_fee"]).endswith("₹99 का देर का शुल्क आपको मिलना है।")
        assert "कारण: बुखार है" in notifications.text(by_key["cancelled_by_provider"])
        assert notifications.text(by_key["on_the_way"]) == "Ravi Kumar रास्ते में हैं: नल और लीकेज की मरम्मत"
    assert by_key["on_the_way"]["message"] == "Ravi Kumar is on the way: Tap and leak repair"
