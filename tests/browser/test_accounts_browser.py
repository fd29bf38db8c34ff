"""Accounts in Chromium against a real `grihaseva serve` with the demo data:
register, log out, log in, each role's home, at a phone's 360 px too."""

from __future__ import annotations

import re
import secrets

import pytest

from tests.browser.conftest import DEMO_PASSWORD, log_in, register_customer

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def server(demo_servers):
    [live] = demo_servers("accounts-browser")
    return live


class Page:
    """A fresh browser context's page that records console errors and uncaught exceptions."""

    def __init__(self, chromium, viewport: dict, javascript: bool = True):
        self.context = chromium.new_context(viewport=viewport, java_script_enabled=javascript)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_page(chromium):
    pages = []

    def open_page(viewport: dict = DESKTOP, javascript: bool = True) -> Page:
        pages.append(Page(chromium, viewport, javascript))
        return pages[-1]

    yield open_page
    for page in pages:
        page.close()


def assert_fits_a_phone(page) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    heights = page.eval_on_selector_all(
        "nav.nav a, nav.nav button", "items => items.map(item => item.getBoundingClientRect().height)")
    assert heights and min(heights) >= 44, heights


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone-360"])
def test_register_log_out_log_in_and_land_on_the_customer_home(server, open_page, viewport):
    tab = open_page(viewport)
    page, base = tab.page, server.url
    email, password = f"kavya.{secrets.token_hex(3)}@example.com", "kavya-pass-123"

    register_customer(page, base, email, password)
    page.wait_for_url(re.compile(r".*/bookings$"))
    assert "Welcome to GrihaSeva, Kavya!" in page.inner_text("main")
    if viewport is PHONE:
        assert_fits_a_phone(page)

    page.click("nav.nav button:has-text('Log out')")
    page.wait_for_url(re.compile(r".*/login$"))
    assert "You are logged out." in page.inner_text("main")
    assert page.locator("nav.nav >> text=Log in").count() == 1
    if viewport is PHONE:
        assert_fits_a_phone(page)

    log_in(page, base, email, password)
    page.wait_for_url(re.compile(r".*/bookings$"))
    assert page.locator("nav.nav a[href='/account']").count() == 1
    if viewport is PHONE:
        page.goto(base + "/account")
        assert_fits_a_phone(page)
        page.goto(base + "/register")
        assert_fits_a_phone(page)
    assert tab.errors == []


def test_a_wrong_password_shows_the_generic_message_in_place(server, open_page):
    tab = open_page(PHONE)
    log_in(tab.page, server.url, "customer@example.com", "not-the-password")
    tab.page.wait_for_selector("#login-error")
    assert tab.page.inner_text("#login-error") == "That email and password do not match an account."
    assert tab.page.input_value("#f-email") == "customer@example.com"
    assert [e for e in tab.errors if "401" not in e] == []  # the browser logs the 401 itself; nothing else


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone-360"])
def test_a_provider_lands_on_the_dashboard(server, open_page, viewport):
    tab = open_page(viewport)
    log_in(tab.page, server.url, "provider@example.com")
    tab.page.wait_for_url(re.compile(r".*/provider/dashboard$"))
    assert tab.page.locator("nav.nav a[href='/provider/dashboard']").count() == 1
    if viewport is PHONE:
        assert_fits_a_phone(tab.page)
    assert tab.errors == []


def test_a_customer_opening_the_provider_dashboard_sees_the_friendly_403(server, open_page):
    tab = open_page(PHONE)
    log_in(tab.page, server.url, "customer@example.com")
    tab.page.wait_for_url(re.compile(r".*/bookings$"))
    response = tab.page.goto(server.url + "/provider/dashboard")
    assert response.status == 403
    main = tab.page.inner_text("main")
    assert "This page is not for your account" in main
    assert "This page is for providers. You are logged in as a customer." in main
    assert_fits_a_phone(tab.page)
    assert [e for e in tab.errors if "403" not in e] == []


def test_a_visitor_is_sent_to_log_in_and_back_to_the_page(server, open_page):
    tab = open_page(DESKTOP)
    tab.page.goto(server.url + "/account")
    tab.page.wait_for_url(re.compile(r".*/login\?next=%2Faccount$"))
    tab.page.fill("#f-email", "customer@example.com")
    tab.page.fill("#f-password", DEMO_PASSWORD)
    tab.page.click("form[action='/login'] button[type=submit]")
    tab.page.wait_for_url(re.compile(r".*/account$"))
    assert "Your account" in tab.page.inner_text("h1")
    assert tab.errors == []


def test_register_and_log_in_work_with_javascript_off(server, open_page):
    tab = open_page(PHONE, javascript=False)
    email = f"nojs.{secrets.token_hex(3)}@example.com"
    register_customer(tab.page, server.url, email, "kavya-pass-123")
    tab.page.wait_for_url(re.compile(r".*/bookings$"))
    tab.page.click("nav.nav button:has-text('Log out')")
    tab.page.wait_for_url(re.compile(r".*/login$"))
    log_in(tab.page, server.url, email, "kavya-pass-123")
    tab.page.wait_for_url(re.compile(r".*/bookings$"))
    assert tab.page.locator("nav.nav a[href='/account']").count() == 1
