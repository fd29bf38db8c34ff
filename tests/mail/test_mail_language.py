"""Mail goes out in its recipient's language, through the real SMTP server (aiosmtpd)."""

from __future__ import annotations

from grihaseva.auth.accounts import create_user
from grihaseva.mail import MailSender
from tests.conftest import post, text
from tests.helpers_smtp import START, html_part, text_part


async def _deliver(app, clock) -> None:
    """Run the mail sender until the outbox is empty, a little after the mail was written."""
    clock.advance(seconds=5)
    sender = MailSender(app.db, app.settings, clock)
    while await sender.run_once():
        pass


async def _user(app, email: str, locale: str) -> int:
    clean = {"email": email, "name": "आशा मेनन", "phone": "+91 90000 00000", "gender": "female",
             "password": "correct-horse-1", "locale": locale}
    return await create_user(app.db, clean, START, 4, role="customer")


async def test_a_password_reset_mail_to_a_hindi_reader_is_in_hindi_whatever_the_page_language(app, client, clock, smtp):
    await _user(app, "asha@example.com", "hi")
    await _user(app, "ravi@example.com", "en")
    for address in ("asha@example.com", "ravi@example.com"):  # asked for from an English page
        response = await post(client, "/password/forgot", {"email": address}, headers={"Accept-Language": "en"})
        assert response.status_code in (200, 303)
    await _deliver(app, clock)
    [hindi] = smtp.to("asha@example.com")
    assert hindi["Subject"] == "अपना GrihaSeva पासवर्ड नया करें"
    body = text_part(hindi)
    assert "नमस्ते आशा मेनन," in body and "30 मिनट के अंदर खोलें" in body
    assert "Someone" not in body and "Hello" not in body
    assert '<html lang="hi">' in html_part(hindi) and "नया पासवर्ड चुनें" in html_part(hindi)
    [english] = smtp.to("ravi@example.com")
    assert english["Subject"] == "Reset your GrihaSeva password"
    assert "Hello" in text_part(english) and '<html lang="en">' in html_part(english)


async def test_the_password_changed_mail_follows_the_profile_after_a_switch(app, client, clock, smtp):
    await _user(app, "asha@example.com", "en")
    await post(client, "/login", {"email": "asha@example.com", "password": "correct-horse-1"})
    await post(client, "/language", {"lang": "hi", "next": "/account"})
    response = await post(client, "/account/password", {"current_password": "correct-horse-1",
                                                        "new_password": "another-horse-2",
                                                        "new_password_confirm": "another-horse-2"})
    assert response.status_code == 303, await text(response)
    await _deliver(app, clock)
    [mail] = smtp.to("asha@example.com")
    assert mail["Subject"] == "आपका GrihaSeva पासवर्ड बदल गया है"
    assert "15 जनवरी 2030, दोपहर 2:30 IST" in text_part(mail)  # 09:00 UTC, as a Hindi reader writes it


async def test_a_booking_mail_names_the_service_in_each_recipient_s_language(app, clock, smtp):
    """A Hindi customer books Ravi, who reads English: through the real SMTP server, her mail names
    the service, the day and the time in Hindi; his, the same booking in English."""
    from datetime import timedelta

    from grihaseva.booking.slots import slot_token
    from tests.helpers import load_demo, logged_in, user_id

    await load_demo(app.db, app.settings)
    customer = await logged_in(app, "customer@example.com")
    await post(customer, "/language", {"lang": "hi", "next": "/bookings"})
    start = clock.now.replace(hour=11, minute=30) + timedelta(days=1)  # Wed 16 Jan 2030, 5:00 pm in Kolkata
    response = await post(customer, "/book/tap-leak-repair", {
        "provider": str(await user_id(app, "provider@example.com")), "slot": slot_token(start),
        "address": "12 MG Road, Indiranagar, Bengaluru", "phone": "+91 99000 12345", "notes": ""})
    assert response.status_code == 303, await text(response)
    await _deliver(app, clock)
    [hindi] = smtp.to("customer@example.com")
    assert hindi["Subject"] == "बुकिंग पक्की: नल और लीकेज की मरम्मत, बुध 16 जन॰, शाम 5:00 IST"
    assert "नल और लीकेज की मरम्मत" in text_part(hindi) and "₹349" in text_part(hindi)
    assert "Tap and leak repair" not in text_part(hindi) + html_part(hindi)
    [english] = smtp.to("provider@example.com")
    assert english["Subject"].startswith("Booking confirmed: Tap and leak repair, Wed 16 Jan, 5:00 pm IST")
    # The calendar file: one event (the same UID and SEQUENCE), in each recipient's language.
    hindi_event, english_event = _event(hindi), _event(english)
    assert str(hindi_event["SUMMARY"]) == "GrihaSeva बुकिंग: नल और लीकेज की मरम्मत"
    assert str(hindi_event["DESCRIPTION"]).splitlines() == ["ग्राहक: Asha Menon", "फ़ोन: +91 99000 12345",
                                                            "प्रोफ़ेशनल: Ravi Kumar"]
    assert str(english_event["SUMMARY"]) == "GrihaSeva: Tap and leak repair"
    assert str(english_event["DESCRIPTION"]).splitlines() == ["Customer: Asha Menon", "Phone: +91 99000 12345",
                                                              "Professional: Ravi Kumar"]
    assert hindi_event["UID"] == english_event["UID"] and hindi_event["SEQUENCE"] == english_event["SEQUENCE"]

    booking_id = int(str(hindi_event["UID"]).split("-")[1].split("@")[0])
    response = await post(customer, f"/bookings/{booking_id}/cancel", {"reason": "योजना बदल गई"})
    assert response.status_code == 303, await text(response)
    await _deliver(app, clock)
    cancel = _event(smtp.to("customer@example.com")[-1], "CANCEL")
    assert str(cancel["SUMMARY"]) == "GrihaSeva बुकिंग: नल और लीकेज की मरम्मत" and str(cancel["STATUS"]) == "CANCELLED"
    assert str(_event(smtp.to("provider@example.com")[-1], "CANCEL")["SUMMARY"]) == "GrihaSeva: Tap and leak repair"


def _event(message, method: str = "REQUEST"):
    """The one VEVENT of a mail's .ics attachment, as a calendar app reads it."""
    from icalendar import Calendar

    [attachment] = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(attachment.get_content())
    assert str(calendar["METHOD"]) == method
    [event] = calendar.walk("VEVENT")
    return event


def test_hindi_subjects_keep_every_space_when_folded_for_smtp():
    """Python 3.11's folder can put a space between two encoded words, where readers drop it
    ("नलऔर"); `build_message` folds non-ASCII subjects so that every one comes back whole."""
    from datetime import datetime, timezone
    from email import policy
    from email.parser import BytesParser

    from aiosmtplib.email import flatten_message

    from grihaseva.mail import build_message

    base = "बुकिंग पक्की: नल और लीकेज की मरम्मत, बुध 16 जन॰, शाम 5:00 IST"
    for extra in range(40):
        subject = base + " और" * extra
        mail = {"id": 1, "to_addr": "asha@example.com", "subject": subject, "text_body": "नमस्ते\n",
                "html_body": "<p>नमस्ते</p>", "attachments": None, "created_at": datetime(2030, 1, 15, tzinfo=timezone.utc)}
        raw = flatten_message(build_message(mail, "GrihaSeva <no-reply@grihaseva.example>"))
        head = raw.split(b"\r\n\r\n")[0]
        assert max(len(line) for line in head.split(b"\r\n")) <= 78
        assert BytesParser(policy=policy.default).parsebytes(raw)["Subject"] == subject, head.decode()
