"""A customer's first booking at 360 px in Chromium (issue 15): the chosen time kept through log in
and sign up, the saved address preselected, a PIN code outside every area, the day strip with
JavaScript on and off, the women-only notice, and nothing wider than the screen."""

from __future__ import annotations

import re

import pytest

from grihaseva.demo.data import DEMO_PIN, OUTSIDE_PIN
from tests.browser.conftest import log_in, wait_until_live

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}}
GRID = f"/book/tap-leak-repair?provider=any&pin={DEMO_PIN}"


@pytest.fixture(scope="module")
def server(demo_servers):
    [live] = demo_servers("first-booking")
    return live


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url


def pick_a_time(page, base: str, day_index: int = 1) -> tuple[str, str]:
    """Opens the grid, picks a later day in the strip and its first free time; returns (token, label)."""
    page.goto(base + GRID)
    wait_until_live(page)
    seen = page.evaluate("[window.__liveMessages, window.__liveOpened]")
    page.locator(".day-strip .day-chip").nth(day_index).click()
    page.wait_for_url(re.compile(r".*day=\d{4}-\d\d-\d\d"))
    # The new day's stream is open (from the page's event id: no snapshot) or has sent its snapshot.
    page.wait_for_function("(seen) => window.__liveMessages > seen[0] || window.__liveOpened > seen[1]", arg=seen)
    slot = page.locator("a.slot.free").first
    token, label = slot.get_attribute("data-slot"), slot.inner_text()
    fits(page)
    slot.click()
    return token, label


def fill_new_address(page, save: bool) -> None:
    page.fill("#f-house", "Flat 4B, Lotus Apartments")
    page.fill("#f-street", "12th Main Road")
    page.fill("#f-area", "Indiranagar")
    page.fill("#f-city", "Bengaluru")
    assert page.input_value("#f-pin_code") == DEMO_PIN  # carried from the grid
    if save:
        page.check("input[name=save]")


def confirm(page) -> None:
    page.click("form.confirm-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/bookings/\d+$"))
    assert "Booking confirmed" in page.content()


def test_the_time_survives_log_in_and_the_saved_address_is_preselected_next_time(chromium, server):
    context = chromium.new_context(**PHONE)
    try:
        page = context.new_page()
        token, label = pick_a_time(page, server.url)
        page.wait_for_url(re.compile(r".*/login\?next="))
        assert "Log in to book" in page.content() and label in page.locator("#intent").inner_text()
        fits(page)
        page.fill("#f-email", "customer@example.com")
        page.fill("#f-password", "demo-pass-123")
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url(re.compile(rf".*/confirm\?.*slot={re.escape(token)}"))
        assert label in page.locator("#when").inner_text()
        fits(page)
        fill_new_address(page, save=True)
        confirm(page)
        # Next time: the address is there, ticked, and nothing is retyped.
        pick_a_time(page, server.url, day_index=2)
        page.wait_for_url(re.compile(r".*/confirm\?"))
        checked = page.locator("input[name=address_id]:checked")
        assert checked.get_attribute("value") != "new"
        assert page.locator("#f-house").is_hidden()  # the new-address fields fold away
        confirm(page)
    finally:
        context.close()


def test_the_time_survives_a_short_sign_up(chromium, server):
    context = chromium.new_context(**PHONE)
    try:
        page = context.new_page()
        token, label = pick_a_time(page, server.url, day_index=3)
        page.wait_for_url(re.compile(r".*/login\?next="))
        page.click("#register-link")
        page.wait_for_url(re.compile(r".*/register\?next="))
        assert "Sign up to book" in page.content() and label in page.locator("#intent").inner_text()
        assert page.locator("input[name=role], input[name=gender], #f-password_confirm").count() == 0
        fits(page)
        page.fill("#f-name", "Kavya Rao")
        page.fill("#f-phone", "+91 98450 00042")
        page.fill("#f-email", "kavya.first@example.com")
        page.fill("#f-password", "correct-horse-1")
        page.click("form[action='/register'] button[type=submit]")
        page.wait_for_url(re.compile(rf".*/confirm\?.*slot={re.escape(token)}"))
        assert label in page.locator("#when").inner_text()
        assert page.input_value("#f-phone") == "+91 98450 00042"
        fill_new_address(page, save=False)
        confirm(page)
    finally:
        context.close()


def test_a_pin_code_outside_every_area_is_told_before_any_time(chromium, server):
    context = chromium.new_context(**PHONE)
    try:
        page = context.new_page()
        page.goto(server.url + "/book/tap-leak-repair")
        page.fill("#f-pin", OUTSIDE_PIN)
        page.click("form.pin-pick button[type=submit]")
        page.wait_for_selector("#outside-area")
        assert f"PIN code {OUTSIDE_PIN}" in page.locator("#outside-message").inner_text()
        assert page.locator(".slot").count() == 0
        fits(page)
        page.fill("#f-email", "neha@example.com")
        page.click("form[action$='/later'] button[type=submit]")
        page.wait_for_url(re.compile(r".*/services/tap-leak-repair$"))
        assert f"serves PIN code {OUTSIDE_PIN}" in page.content()
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_day_strip_shows_one_day_at_a_time(chromium, server, javascript):
    context = chromium.new_context(**PHONE, java_script_enabled=javascript)
    try:
        page = context.new_page()
        page.goto(server.url + GRID)
        if javascript:
            wait_until_live(page)
        chips = page.locator(".day-strip .day-chip")
        assert chips.count() == 14
        assert "Times shown in India time" in page.content()
        first_day = page.locator("#day-times").get_attribute("data-day")
        chips.nth(4).click()
        page.wait_for_url(re.compile(r".*day=\d{4}-\d\d-\d\d"))
        page.wait_for_function("(day) => document.querySelector('#day-times').dataset.day !== day", arg=first_day)
        chosen = page.url.split("day=")[1][:10]
        assert page.locator("#day-times").get_attribute("data-day") == chosen
        assert page.locator(".day-chip[aria-current=date]").get_attribute("href").endswith(chosen)
        parts = page.locator("#day-times h4.part").all_inner_texts()
        assert parts and set(parts) <= {"Morning", "Afternoon", "Evening"}
        box = page.locator(".day-strip").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
        fits(page)
    finally:
        context.close()


def test_a_male_customer_is_told_about_women_only_before_the_grid(chromium, server):
    context = chromium.new_context(**PHONE)
    try:
        page = context.new_page()
        log_in(page, server.url, "rahul@example.com", lands_on="/bookings")
        page.goto(server.url + "/services/facial-at-home")
        assert "Your profile does not say female" in page.locator("#women-only").inner_text()
        assert page.locator("a[href^='/book/facial-at-home']").count() == 0
        page.goto(server.url + "/book/facial-at-home?provider=any")
        assert page.locator("#women-only").is_visible() and page.locator(".slot").count() == 0
        assert page.locator("#women-only a[href^='/services/']").count() >= 3  # what he can book instead
        fits(page)
    finally:
        context.close()
