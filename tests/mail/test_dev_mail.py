"""/dev/mail: the outbox as a page in development, absent in production."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from grihaseva.mail import MailSender
from tests.conftest import post, register, serving_app, text


@pytest.fixture
async def dev_app(settings, clock):
    """Development mode with no SMTP host: the embedded default of `make run`."""
    assert settings.development and settings.smtp_host == ""
    async with serving_app(settings, clock=clock, MAIL_SENDER_AUTOSTART=False) as application:
        yield application


async def test_dev_mail_lists_logged_mail_with_a_clickable_reset_link(dev_app):
    client = dev_app.test_client()
    await register(client, email="asha@example.com")
    await post(client, "/password/forgot", {"email": "asha@example.com"})
    assert await dev_app.mail_sender.run_once() == 1

    response = await client.get("/dev/mail")
    assert response.status_code == 200
    page = await text(response)
    assert "Reset your GrihaSeva password" in page
    assert "To asha@example.com" in page
    link = re.search(r'<a href="(http://127\.0\.0\.1:8000/password/reset/[^"]+)"', page)
    assert link, page
    assert (await client.get(link.group(1).removeprefix("http://127.0.0.1:8000"))).status_code == 200


async def test_dev_mail_shows_an_empty_outbox_with_a_hint(dev_app):
    response = await dev_app.test_client().get("/dev/mail")
    assert response.status_code == 200
    assert "No mail yet." in await text(response)


async def test_dev_mail_does_not_exist_in_production(settings):
    async with serving_app(replace(settings, env="production"), MAIL_SENDER_AUTOSTART=False) as application:
        response = await application.test_client().get("/dev/mail")
    assert response.status_code == 404


async def test_dev_mail_in_hindi_marks_an_english_mail_as_english(dev_app):
    client = dev_app.test_client()
    await register(client, email="asha@example.com")  # an English account: her mail is English
    await post(client, "/password/forgot", {"email": "asha@example.com"})
    assert await dev_app.mail_sender.run_once() == 1
    page = await text(await client.get("/dev/mail?lang=hi"))
    assert '<html lang="hi"' in page and "सिर्फ़ डेवलपमेंट के लिए" in page and "asha@example.com को" in page
    assert '<h2 lang="en">Reset your GrihaSeva password</h2>' in page
