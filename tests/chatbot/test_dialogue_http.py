"""Conversations through HTTP, on both databases, written as the customer's turns and the facts
that must hold after them (issue 18): a booking row, a cancelled or moved row, a support request,
an answer in the chat and in the mail."""

from __future__ import annotations

import asyncio
import html
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from grihaseva.booking import addresses, domain, timeline
from grihaseva.mail import MailSender
from tests.chatbot.conftest import NOW, PASSWORD, buttons, say, user_id
from tests.conftest import login, post, serving_app, text, visible_text
from tests.helpers import Clock, seed_demo_app
from tests.helpers_smtp import smtp, text_part  # noqa: F401  (smtp is a fixture)

# Tue 24 Nov 2026 in Kolkata: 17:00 is 11:30 UTC.
TUESDAY_5PM = datetime(2026, 11, 24, 11, 30, tzinfo=timezone.utc)
HOME = {"label": "Home", "house": "12", "street": "MG Road", "area": "Indiranagar", "city": "Bengaluru",
        "pin_code": "560038", "landmark": ""}


async def logged_in(app, email="customer@example.com"):
    client = app.test_client()
    response = await login(client, email, PASSWORD)
    assert response.status_code == 303
    return client


async def said(client, message: str, **headers) -> str:
    """One turn: the reply's visible text (HTML unescaped)."""
    response = await say(client, message) if not headers else await _say_with(client, message, headers)
    assert response.status_code == 200, (message, response.status_code)
    return html.unescape(await text(response))


async def _say_with(client, message, headers):
    from tests.conftest import TEST_CSRF, with_csrf

    await with_csrf(client)
    return await client.post("/chat/message", form={"csrf_token": TEST_CSRF, "message": message},
                             headers={"HX-Request": "true", **headers})


async def save_home(app, email="customer@example.com") -> int:
    uid = await user_id(app, email)
    return await addresses.save_address(app.db, uid, addresses.Address(None, **HOME), NOW, used=True)


async def place(app, slug: str, provider_email: str, start: datetime, email="customer@example.com") -> int:
    service = await domain.active_service(app.db, slug)
    customer = await user_id(app, email)
    gender = "female" if email == "customer@example.com" else "male"
    return await domain.place_booking(app.db, domain.Customer(customer, gender), service,
                                      await user_id(app, provider_email), start,
                                      {"address": "12 MG Road, Indiranagar, Bengaluru 560038",
                                       "phone": "+91 99000 12345"}, NOW)


# ---------------------------------------------------------------- booking


@pytest.mark.parametrize("yes", ["yes", "haan same address"])
async def test_a_full_request_with_a_saved_address_books_in_three_turns(demo, yes):
    home = await save_home(demo)
    client = await logged_in(demo)
    first = await said(client, "I need a plumber tomorrow at 5 pm")
    offered = buttons(first)[:3]
    # Only professionals serving the saved address's PIN code (560038): Ravi, not Imran.
    assert offered and all(label.endswith("with Ravi Kumar") for label in offered), offered
    assert "Tue 24 Nov, 5:00 pm IST with Ravi Kumar" in offered
    second = await said(client, "Tue 24 Nov, 5:00 pm IST with Ravi Kumar")
    assert "Shall I book it at your saved address, Home?" in second  # not asked for the address
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM bookings") == 0
    third = await said(client, yes)
    assert "Booked!" in third
    row = await demo.db.fetch_one("SELECT provider_id, starts_at, address, address_id, status FROM bookings")
    assert row["provider_id"] == await user_id(demo, "provider@example.com")
    assert row["starts_at"] == TUESDAY_5PM and row["status"] == "confirmed" and row["address_id"] == home
    assert row["address"] == "12, MG Road, Indiranagar, Bengaluru 560038"


async def test_a_switch_of_service_keeps_the_day_and_the_time(demo):
    client = await logged_in(demo)
    await said(client, "I need a plumber tomorrow at 5 pm")
    page = await said(client, "actually AC service")
    offered = buttons(page)[:3]
    assert offered == ["Tue 24 Nov, 4:30 pm IST with Suresh Naidu", "Tue 24 Nov, 5:00 pm IST with Suresh Naidu",
                       "Tue 24 Nov, 5:30 pm IST with Suresh Naidu"]


async def test_a_clash_with_the_customers_own_booking_is_caught_when_times_are_offered(demo):
    await place(demo, "tap-leak-repair", "provider@example.com", TUESDAY_5PM)
    client = await logged_in(demo)
    page = await said(client, "I need a plumber tomorrow at 5 pm")
    assert "You already have Tap and leak repair booked on Tue 24 Nov, 5:00 pm IST" in page
    offered = buttons(page)[:3]
    assert offered and not any(label.startswith(("Tue 24 Nov, 5:00 pm", "Tue 24 Nov, 5:30 pm",
                                                 "Tue 24 Nov, 4:30 pm")) for label in offered), offered
    # The customer never reaches the address step with a time the booking would refuse.
    second = await said(client, "1")
    assert "Please check your booking" in second or "Where should" in second


async def test_no_free_times_is_never_a_dead_end(demo):
    await demo.db.execute("UPDATE working_hours SET start_min = 540, end_min = 720")  # mornings only
    client = await logged_in(demo)
    page = await said(client, "I need a plumber tomorrow evening")
    assert "The nearest free times for Tap and leak repair at any time of day" in page
    assert len(buttons(page)) >= 3 and "Another day" in buttons(page)


# ---------------------------------------------------------------- a woman professional


async def test_a_lady_electrician_is_filtered_and_none_is_said(demo):
    client = await logged_in(demo)
    page = await said(client, "can you send a lady electrician tomorrow")
    assert "none of our women professionals does" in page
    assert not any(" with " in label for label in buttons(page))  # no man offered without a word
    assert "Any professional is fine" in buttons(page)
    page = await said(client, "Any professional is fine")
    assert any(label.endswith(("with Suresh Naidu", "with Joseph Fernandes")) for label in buttons(page))


async def test_a_lady_cleaner_offers_only_women(demo):
    client = await logged_in(demo)
    page = await said(client, "lady cleaner for bathroom cleaning tomorrow")
    offered = buttons(page)[:3]
    assert offered and all(label.endswith("with Anita Desai") for label in offered)  # not Joseph
    assert "women professionals only, as you asked" in page


# ---------------------------------------------------------------- actions on a booking


async def test_cancel_my_booking_cancels_after_a_confirm(demo):
    booking = await place(demo, "tap-leak-repair", "provider@example.com", TUESDAY_5PM)
    client = await logged_in(demo)
    page = await said(client, "cancel my booking")
    assert "Cancel Tap and leak repair on Tue 24 Nov, 5:00 pm IST with Ravi Kumar?" in page
    assert "Cancelling is free until 3 hours before the start" in page
    assert await booking_status(demo, booking) == "confirmed"  # nothing before the yes
    page = await said(client, "Yes, cancel it")
    assert "is cancelled" in page
    row = await demo.db.fetch_one("SELECT status, cancelled_by, late_fee_paise, cancel_reason FROM bookings WHERE id = :id", {"id": booking})
    assert (row["status"], row["cancelled_by"], row["late_fee_paise"]) == ("cancelled", "customer", 0)
    assert row["cancel_reason"] == "Cancelled in chat"


async def test_a_cancel_in_a_hindi_chat_gives_the_reason_in_hindi(demo):
    booking = await place(demo, "tap-leak-repair", "provider@example.com", TUESDAY_5PM)
    client = await logged_in(demo)
    await said(client, "मेरी बुकिंग रद्द करो")
    await said(client, "हाँ")
    row = await demo.db.fetch_one("SELECT status, cancel_reason FROM bookings WHERE id = :id", {"id": booking})
    assert row["status"] == "cancelled"
    assert row["cancel_reason"] == "चैट में रद्द की गई"  # her booking page shows it, not English words


async def test_a_late_cancel_states_the_fee_and_charges_it(demo):
    booking = await place(demo, "tap-leak-repair", "provider@example.com", TUESDAY_5PM)
    demo.clock.now = TUESDAY_5PM - timedelta(hours=1)
    client = await logged_in(demo)
    page = await said(client, "cancel my booking")
    assert "late fee of ₹99" in page
    await said(client, "Yes, cancel it")
    row = await demo.db.fetch_one("SELECT status, late_fee_paise FROM bookings WHERE id = :id", {"id": booking})
    assert (row["status"], row["late_fee_paise"]) == ("cancelled", 9900)


async def test_no_to_a_cancel_changes_nothing_and_a_later_yes_does_not_cancel(demo):
    booking = await place(demo, "tap-leak-repair", "provider@example.com", TUESDAY_5PM)
    client = await logged_in(demo)
    await said(client, "cancel my booking")
    await said(client, "how much is a facial")  # something else in between
    await said(client, "yes")
    assert await booking_status(demo, booking) == "confirmed"


async def test_move_my_facial_to_sunday_evening_moves_it(demo):
    friday = datetime(2026, 11, 27, 5, 30, tzinfo=timezone.utc)  # Fri 11:00 in Kolkata
    booking = await place(demo, "facial-at-home", "priya.beauty@example.com", friday)
    client = await logged_in(demo)
    page = await said(client, "move my facial to Sunday evening")
    offered = buttons(page)
    assert offered and all(label.startswith("Sun 29 Nov") and label.endswith("with Priya Sharma") for label in offered)
    page = await said(client, "1")
    assert "Move Facial at home from Fri 27 Nov, 11:00 am IST to " in page and "Moving is free" in page
    await said(client, "Yes, move it")
    row = await demo.db.fetch_one("SELECT starts_at, status FROM bookings WHERE id = :id", {"id": booking})
    local = row["starts_at"].astimezone(timeline_zone())
    assert row["status"] == "confirmed" and local.date().isoformat() == "2026-11-29" and local.hour >= 16


async def test_when_is_my_plumber_coming_tells_the_real_status_and_a_follow_up_asks_about_the_facial(demo):
    plumbing = await place(demo, "tap-leak-repair", "provider@example.com", TUESDAY_5PM)
    await place(demo, "facial-at-home", "priya.beauty@example.com", datetime(2026, 11, 27, 5, 30, tzinfo=timezone.utc))
    client = await logged_in(demo)
    page = await said(client, "when is my plumber coming")
    assert "Tap and leak repair with Ravi Kumar is confirmed for Tue 24 Nov, 5:00 pm IST" in page
    page = await said(client, "and the facial?")
    assert "Facial at home with Priya Sharma is confirmed for Fri 27 Nov, 11:00 am IST" in page
    demo.clock.now = TUESDAY_5PM - timedelta(minutes=30)
    await timeline.mark_on_the_way(demo.db, await user_id(demo, "provider@example.com"), plumbing, demo.clock.now)
    page = await said(client, "is the plumber on the way")
    assert "Ravi Kumar is on the way for Tap and leak repair" in page and "+91 98450 11111" in page


async def test_book_again_offers_the_same_professional(demo):
    past = NOW - timedelta(days=3)
    service = await domain.active_service(demo.db, "bathroom-cleaning")
    await demo.db.execute(
        "INSERT INTO bookings (customer_id, provider_id, service_id, starts_at, ends_at, status, address, phone, notes, "
        "price_paise, created_at, updated_at) VALUES (:c, :p, :s, :start, :end, 'completed', :a, '+91 99000 12345', '', "
        ":price, :start, :start)",
        {"c": await user_id(demo, "customer@example.com"), "p": await user_id(demo, "joseph.handyman@example.com"),
         "s": service.id, "start": past, "end": past + service.duration, "a": "12 MG Road, Indiranagar, Bengaluru",
         "price": service.price_paise})
    client = await logged_in(demo)
    page = await said(client, "book the same cleaner again tomorrow morning")
    assert "Booking Bathroom cleaning with Joseph Fernandes again." in page
    assert buttons(page) and all(label.endswith("with Joseph Fernandes") for label in buttons(page)[:3])


# ---------------------------------------------------------------- a person


@pytest.fixture
async def mail_demo(settings, smtp):  # noqa: F811
    """The demo app sending to a real SMTP server (aiosmtpd), its sender run by hand."""
    async with serving_app(replace(settings, smtp_host="127.0.0.1", smtp_port=smtp.port), clock=Clock(NOW),
                           MAIL_SENDER_AUTOSTART=False) as application:
        yield await seed_demo_app(application, settings)


async def test_a_complaint_opens_a_support_request_and_the_answer_reaches_the_chat_live_and_the_mail(mail_demo, smtp):  # noqa: F811
    app = mail_demo
    booking = await place(app, "tap-leak-repair", "provider@example.com", TUESDAY_5PM)
    client = await logged_in(app)
    page = await said(client, "talk to someone, the plumber never came")
    row = await app.db.fetch_one("SELECT id, customer_id, booking_id, kind, message, contact, status, conversation_id "
                                 "FROM support_requests")
    assert row["customer_id"] == await user_id(app, "customer@example.com")
    assert (row["booking_id"], row["message"], row["contact"], row["status"]) == (
        booking, "talk to someone, the plumber never came", "customer@example.com", "open")
    assert f"request #{row['id']}" in page and "customer@example.com" in page

    admin = await logged_in(app, "admin@example.com")
    queue = await text(await admin.get("/admin/support"))
    assert "talk to someone, the plumber never came" in queue and f'action="/admin/support/{row["id"]}/answer"' in queue
    assert 'sse-connect="/admin/support/live' in queue

    newest = await app.db.fetch_value("SELECT COALESCE(MAX(id), 0) AS n FROM events")
    async with client.request(f"/chat/live?after={newest}", headers={"Accept": "text/event-stream"}) as stream:
        await stream.send_complete()
        answered = await post(admin, f"/admin/support/{row['id']}/answer",
                              {"answer": "We are sorry. Ravi will call you in 10 minutes."})
        assert answered.status_code == 303
        frames = ""
        while "Ravi will call you" not in frames:
            frames += (await asyncio.wait_for(stream.receive(), 5)).decode()
        await stream.disconnect()
    assert frames.startswith("retry:") or "event: chat" in frames
    assert f"An answer from GrihaSeva support (request #{row['id']})" in frames

    page = html.unescape(await text(await client.get("/chat")))
    assert "We are sorry. Ravi will call you in 10 minutes." in page
    assert await app.db.fetch_value("SELECT status FROM support_requests") == "answered"

    app.clock.advance(seconds=5)
    sender = MailSender(app.db, app.settings, app.clock)
    while await sender.run_once():
        pass
    mails = [m for m in smtp.to("customer@example.com") if "support" in m["Subject"]]
    assert len(mails) == 1 and mails[0]["Subject"] == f"GrihaSeva support: an answer to your request #{row['id']}"
    assert "We are sorry. Ravi will call you in 10 minutes." in text_part(mails[0])


async def test_a_visitor_asking_for_a_person_leaves_a_contact(demo):
    client = demo.test_client()
    page = await said(client, "I want to talk to a person")
    assert "Please type your email address or phone number" in page
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM support_requests") == 0
    page = await said(client, "not telling")
    assert "Please type an email address or a phone number" in page
    page = await said(client, "meera@example.com")
    row = await demo.db.fetch_one("SELECT customer_id, contact, message, kind FROM support_requests")
    assert row == {"customer_id": None, "contact": "meera@example.com", "message": "I want to talk to a person",
                   "kind": "human"}


async def test_bad_answers_from_the_admin_are_refused_with_a_message(demo):
    client = await logged_in(demo)
    await said(client, "talk to someone, the plumber never came")
    request_id = await demo.db.fetch_value("SELECT id FROM support_requests")
    admin = await logged_in(demo, "admin@example.com")
    empty = await post(admin, f"/admin/support/{request_id}/answer", {"answer": "   "})
    assert empty.status_code == 422 and "Write an answer first." in await text(empty)
    long = await post(admin, f"/admin/support/{request_id}/answer", {"answer": "x" * 2001})
    assert long.status_code == 422 and "under 2,000 characters" in await text(long)
    assert (await post(admin, "/admin/support/999999/answer", {"answer": "Hello"})).status_code == 404
    assert (await post(admin, f"/admin/support/{request_id}/answer", {"answer": "Sorry!"})).status_code == 303
    again = await post(admin, f"/admin/support/{request_id}/answer", {"answer": "Sorry again"})
    assert again.status_code == 409 and "already been answered" in await text(again)
    assert await demo.db.fetch_value("SELECT answer FROM support_requests") == "Sorry!"
    customer_try = await post(client, f"/admin/support/{request_id}/answer", {"answer": "I answer myself"})
    assert customer_try.status_code == 403
    assert (await client.get("/admin/support/live", headers={"Accept": "text/event-stream"})).status_code == 403


# ---------------------------------------------------------------- language


async def test_a_message_in_devanagari_is_answered_in_hindi(demo):
    client = await logged_in(demo)
    page = visible_text(await said(client, "मुझे कल शाम प्लंबर चाहिए"))
    assert "Free times" not in page and "Sorry" not in page
    assert "मंगल 24 नव॰" in page  # the offered times in Hindi


async def test_romanised_hindi_gets_the_chosen_interface_language(demo):
    page = await said(demo.test_client(), "kal shaam plumber chahiye", **{"Accept-Language": "hi"})
    assert "खाली समय" in page or "मंगल 24 नव॰" in page
    english = await said(demo.test_client(), "kal shaam plumber chahiye")
    assert "Free times for Tap and leak repair" in english


async def test_hindi_replies_name_the_catalogue_in_hindi_and_its_buttons_are_understood(demo):
    """The service and category names in a Hindi reply are the catalogue's Hindi names (migration
    015); the buttons post those names back and the bot takes them as the service or category."""
    client = await logged_in(demo)
    page = await said(client, "मुझे कल शाम प्लंबर चाहिए")
    assert "नल और लीकेज की मरम्मत" in visible_text(page) and "Tap and leak repair" not in page
    assert "बंद नाली खोलना" in buttons(page)  # another plumbing job, in Hindi
    page = await said(client, "बंद नाली खोलना")
    assert "बंद नाली खोलना" in visible_text(page) and "मंगल 24 नव॰" in page  # the drain job, still tomorrow evening
    page = await said(client, "फेशियल कितने का है")
    assert "घर पर फ़ेशियल" in visible_text(page) and "Facial" not in visible_text(page)
    visitor = demo.test_client()  # a new conversation, nothing remembered
    page = await said(visitor, "मुझे बुकिंग करनी है")  # no service named: the categories, in Hindi
    assert buttons(page) == ["सफ़ाई", "प्लंबिंग", "बिजली का काम", "घर पर ब्यूटी सेवा"]
    page = await said(visitor, "प्लंबिंग")
    assert "आपको कौन-सी सेवा चाहिए?" not in page and "नल और लीकेज की मरम्मत" in visible_text(page)


def timeline_zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Kolkata")


async def booking_status(app, booking_id: int) -> str:
    return await app.db.fetch_value("SELECT status FROM bookings WHERE id = :id", {"id": booking_id})


async def test_a_complaint_in_hindi_gets_its_answer_mail_in_hindi(mail_demo, smtp):  # noqa: F811
    app = mail_demo
    await place(app, "tap-leak-repair", "provider@example.com", TUESDAY_5PM)
    client = await logged_in(app)
    page = visible_text(await said(client, "प्लंबर नहीं आया, मुझे शिकायत करनी है"))
    assert "सहायता टीम" in page and "Sorry" not in page
    request_id, locale = (await app.db.fetch_one("SELECT id, locale FROM support_requests")).values()
    assert locale == "hi"
    admin = await logged_in(app, "admin@example.com")
    assert (await post(admin, f"/admin/support/{request_id}/answer", {"answer": "माफ़ कीजिए, रवि 10 मिनट में फ़ोन करेंगे।"})).status_code == 303
    assert f"GrihaSeva सहायता टीम का जवाब (अनुरोध #{request_id})" in html.unescape(await text(await client.get("/chat")))
    app.clock.advance(seconds=5)
    sender = MailSender(app.db, app.settings, app.clock)
    while await sender.run_once():
        pass
    [mail] = [m for m in smtp.to("customer@example.com") if "सहायता" in m["Subject"]]
    assert mail["Subject"] == f"GrihaSeva सहायता: आपके अनुरोध #{request_id} का जवाब"
    body = text_part(mail)
    assert "नमस्ते Asha," in body and "हमारा जवाब:" in body and "रवि 10 मिनट में फ़ोन करेंगे" in body
    assert "Hello" not in body


async def test_faq_answers_come_in_hindi_until_the_admin_edits_the_english_file(demo, settings):
    from grihaseva.chatbot import faq

    page = visible_text(await said(demo.test_client(), "पासवर्ड भूल गया"))
    assert "अपना ईमेल लिखें और हम नया पासवर्ड बनाने का लिंक भेज देंगे" in page
    edited = faq.edited_path(settings.var_dir)
    edited.parent.mkdir(parents=True, exist_ok=True)
    edited.write_text(faq.Path(faq.KNOWLEDGE_PATH).read_text(encoding="utf-8").replace(
        "we send you a link", "we mail you a link"), encoding="utf-8")
    page = await said(demo.test_client(), "पासवर्ड भूल गया")
    assert "we mail you a link" in page and 'lang="en"' in page  # the newer English answer, marked as English
