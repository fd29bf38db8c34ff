"""Password reset in Chromium against a real server, reading the link from a real SMTP server."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from tests.browser.conftest import register_customer
from tests.conftest import fresh_mysql_database
from tests.helpers_server import LiveServer
from tests.helpers_smtp import RESET_LINK, SmtpInbox, text_part

pytestmark = pytest.mark.browser

OLD_PASSWORD = "correct-horse-1"
NEW_PASSWORD = "brand-new-pass-2"


@pytest.fixture(params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def database_env(request, tmp_path):
    """A database URL for the server process, which migrates it itself.

    Not the shared `database_url` fixture: its MySQL setup calls asyncio.run, which
    cannot run once Playwright's sync API owns the thread's event loop.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'browser.db'}"
        return
    with fresh_mysql_database("_reset") as url:
        credentials = quote(url.user) + (f":{quote(url.password)}" if url.password else "")
        yield f"mysql://{credentials}@{url.host}:{url.port}/{url.database}"


@pytest.fixture
def server_and_inbox(database_env, tmp_path):
    inbox = SmtpInbox().start()
    server = LiveServer({
        "GRIHASEVA_DATABASE_URL": database_env,
        "GRIHASEVA_VAR_DIR": str(tmp_path / "var"),
        "GRIHASEVA_SMTP_HOST": "127.0.0.1",
        "GRIHASEVA_SMTP_PORT": str(inbox.port),
    })
    try:
        server.run("migrate")
        server.start()
        yield server, inbox
    finally:
        server.stop()
        inbox.stop()


def register(page, base: str) -> None:
    register_customer(page, base, "asha@example.com", OLD_PASSWORD, name="Asha Menon", phone="+91 98450 12345")
    page.wait_for_url(re.compile(r".*/bookings$"))


def test_forgotten_password_is_reset_through_the_mailed_link(server_and_inbox, chromium):
    server, inbox = server_and_inbox
    other_device = chromium.new_context(viewport={"width": 360, "height": 740})
    phone = chromium.new_context(viewport={"width": 360, "height": 740})
    try:
        logged_in = other_device.new_page()
        register(logged_in, server.url)

        page = phone.new_page()
        page.goto(server.url + "/login")
        page.click("a[href='/password/forgot']")
        page.wait_for_url(re.compile(r".*/password/forgot$"))
        page.fill("#f-email", "asha@example.com")
        page.click("form[action='/password/forgot'] button[type=submit]")
        page.wait_for_selector("#reset-sent")

        [mail] = inbox.wait_for(1)
        assert mail["Subject"] == "Reset your GrihaSeva password"
        link = RESET_LINK.search(text_part(mail)).group(0)
        assert link.startswith(server.url + "/password/reset/")

        page.goto(link)
        page.fill("#f-new_password", NEW_PASSWORD)
        page.fill("#f-new_password_confirm", NEW_PASSWORD)
        page.click("form[action^='/password/reset/'] button[type=submit]")
        page.wait_for_url(re.compile(r".*/login$"))
        assert "Your password is changed" in page.inner_text(".flashes")

        page.fill("#f-email", "asha@example.com")
        page.fill("#f-password", NEW_PASSWORD)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url(re.compile(r".*/bookings$"))

        logged_in.goto(server.url + "/account")
        logged_in.wait_for_url(re.compile(r".*/login\?next=%2Faccount$"))

        page.goto(link)
        assert "This link is not valid" in page.inner_text("#reset-link-problem")
        assert [m["Subject"] for m in inbox.wait_for(2)][1] == "Your GrihaSeva password was changed"
    finally:
        other_device.close()
        phone.close()
