"""Mail goes out in its recipient's language, through the real SMTP server (aiosmtpd)."""

from __future__ import annotations

from grihaseva.auth.accounts import create_user
from grihaseva.mail import MailSender
from tests.conftest import post, text
from tests.helpers_smtp import START, html_part, text_part


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
    clock.advance(seconds=5)
    sender = MailSender(app.db, app.settings, clock)
    while await sender.run_once():
        pass
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
    clock.advance(seconds=5)
    sender = MailSender(app.db, app.settings, clock)
    while await sender.run_once():
        pass
    [mail] = smtp.to("asha@example.com")
    assert mail["Subject"] == "आपका GrihaSeva पासवर्ड बदल गया है"
    assert "15 जनवरी 2030, दोपहर 2:30 IST" in text_part(mail)  # 09:00 UTC, as a Hindi reader writes it
