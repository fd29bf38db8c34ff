"""A provider's dashboard in Chromium at 360 px: bookings arrive live, cancels are marked, a dropped
connection heals, and the page with its CSS and JS stays within the 60 KB compressed budget."""

from __future__ import annotations

import gzip
import re
from datetime import date, timedelta

import pytest

from tests.browser.conftest import log_in, wait_until_live
from tests.browser.test_booking_live import GRID_PATH, book_first_free, ravi_id

pytestmark = pytest.mark.browser

BUDGET = 60 * 1024
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def servers(demo_servers):
    """Two app processes on one SQLite database, so the dashboard can lose its server and reconnect."""
    first, second = demo_servers("provider-live", processes=2)
    return first, second


def open_dashboard(page, base: str) -> None:
    log_in(page, base, "provider@example.com", lands_on="/provider/dashboard")
    page.wait_for_selector("#appointment-rows")
    wait_until_live(page)
    page.evaluate("window.stillTheSamePage = true")  # gone if anything reloads the page


def booking_id(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_bookings_arrive_live_cancels_are_marked_and_a_dropped_connection_heals(chromium, servers):
    first, second = servers
    grid = GRID_PATH.format(ravi=ravi_id(first))
    provider = chromium.new_context(viewport=PHONE)
    customer = chromium.new_context(viewport=PHONE)
    try:
        dashboard = provider.new_page()
        open_dashboard(dashboard, first.url)
        buyer = customer.new_page()
        log_in(buyer, first.url, "customer@example.com", lands_on="/bookings")

        _, booking_url = book_first_free(buyer, first.url, grid)
        row = f'li.appointment[data-booking="{booking_id(booking_url)}"]'
        dashboard.wait_for_selector(f"{row}.fresh-new", timeout=1000)
        assert "Tap and leak repair" in dashboard.inner_text(row)
        assert "Asha Menon" in dashboard.inner_text(row)

        buyer.goto(booking_url)
        wait_until_live(buyer)  # the booking page is live too: its first snapshot is not swapped under the tap
        buyer.click("details.cancel-job summary")
        buyer.click("form[action$='/cancel'] button")
        buyer.wait_for_url(re.compile(r".*/bookings$"))
        dashboard.wait_for_selector(f'{row}[data-status="cancelled"]', timeout=1000)
        assert "Cancelled by the customer" in dashboard.inner_text(row)

        first.stop()  # the dashboard's stream is cut
        # The customer's session cookie is valid on both processes (same host, same database).
        _, offline_url = book_first_free(buyer, second.url, grid)
        first.start()  # same port: the page reconnects and gets the current rows first
        dashboard.wait_for_selector(f'li.appointment[data-booking="{booking_id(offline_url)}"]', timeout=15000)
        assert dashboard.evaluate("window.stillTheSamePage") is True
    finally:
        provider.close()
        customer.close()


def test_a_cancel_reason_being_typed_survives_a_live_update(chromium, servers):
    first, _ = servers
    grid = GRID_PATH.format(ravi=ravi_id(first))
    provider = chromium.new_context(viewport=PHONE)
    customer = chromium.new_context(viewport=PHONE)
    try:
        buyer = customer.new_page()
        log_in(buyer, first.url, "customer@example.com", lands_on="/bookings")
        _, first_url = book_first_free(buyer, first.url, grid)
        dashboard = provider.new_page()
        open_dashboard(dashboard, first.url)
        job = booking_id(first_url)
        dashboard.click(f"#cancel-job-{job} summary")
        dashboard.fill(f"#reason-{job}", "My scooter broke down")

        _, second_url = book_first_free(buyer, first.url, grid)  # the rows are redrawn live
        dashboard.wait_for_selector(f'li.appointment[data-booking="{booking_id(second_url)}"]', timeout=1000)
        assert dashboard.evaluate(f"document.getElementById('cancel-job-{job}').open") is True
        assert dashboard.input_value(f"#reason-{job}") == "My scooter broke down"
        dashboard.click(f"#cancel-job-{job} button[type=submit]")
        dashboard.wait_for_selector(f'li.appointment[data-booking="{job}"][data-status="cancelled"]')
        assert "My scooter broke down" in dashboard.inner_text(f'li.appointment[data-booking="{job}"]')
    finally:
        provider.close()
        customer.close()


def test_provider_pages_fit_a_phone_and_the_budget(chromium, servers):
    first, _ = servers
    context = chromium.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        open_dashboard(page, first.url)
        for path in ("/provider/dashboard", "/provider/availability", "/provider/earnings", "/provider/calendar",
                     "/provider/notifications"):
            bodies = []

            def keep(response):
                if response.request.resource_type in ("document", "stylesheet", "script"):
                    bodies.append(response)

            page.on("response", keep)
            page.goto(first.url + path)
            page.wait_for_load_state("load")
            page.remove_listener("response", keep)
            compressed = sum(len(gzip.compress(response.body())) for response in bodies)
            assert {r.request.resource_type for r in bodies} >= {"document", "stylesheet", "script"}, path
            assert compressed <= BUDGET, f"{path}: {compressed} bytes compressed"
            # nothing wider than the phone, and every control is a 44 px target (a checkbox's target is its label)
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
            small = page.evaluate("""() => [...document.querySelectorAll(
                'main button, main .button, main summary, main select, main label.radio, .provider-tabs a, ' +
                'main input:not([type=hidden]):not([type=checkbox]):not([type=radio])')]
                .filter(e => e.offsetParent !== null)
                .filter(e => e.getBoundingClientRect().height < 44)
                .map(e => e.outerHTML.slice(0, 80))""")
            assert small == [], f"{path}: {small}"
        page.goto(first.url + "/provider/earnings")
        page.fill("#f-rate", "500")
        page.fill("#f-hours", "40")
        page.fill("#f-days", "5")
        page.wait_for_selector("#projected-week:text('₹20,000')", timeout=2000)  # updated as typed, without submitting
        assert page.inner_text("#projected-day") == "₹4,000"
        assert page.evaluate("document.querySelector('#f-rate').form.getAttribute('method')") == "post"
    finally:
        context.close()


def test_with_javascript_off_the_provider_can_still_edit_and_cancel(chromium, servers):
    first, _ = servers
    context = chromium.new_context(viewport=PHONE, java_script_enabled=False)
    customer = chromium.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        buyer = customer.new_page()
        log_in(buyer, first.url, "customer@example.com", lands_on="/bookings")
        _, booking_url = book_first_free(buyer, first.url, GRID_PATH.format(ravi=ravi_id(first)),
                                         javascript=False)
        booking = booking_id(booking_url)

        page = context.new_page()
        page.goto(first.url + "/login")
        page.fill("#f-email", "provider@example.com")
        page.fill("#f-password", "demo-pass-123")
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url(re.compile(r".*/provider/dashboard$"))
        page.goto(first.url + "/provider/availability")
        off = date.today() + timedelta(days=45)  # time off must start within the booking window plus a year
        page.fill("#f-off_from", f"{off.isoformat()}T09:00")
        page.fill("#f-off_to", f"{(off + timedelta(days=1)).isoformat()}T09:00")
        page.click("form[action='/provider/availability/time-off'] button[type=submit]")
        page.wait_for_url(re.compile(r".*/provider/availability$"))
        assert "Time off added." in page.inner_text("main")
        assert f"{off.strftime('%a')} {off.day} {off.strftime('%b')}" in page.inner_text("#time-off")

        page.goto(first.url + "/provider/dashboard")
        row = page.locator(f'li.appointment[data-booking="{booking}"]')
        row.locator("summary").click()
        row.locator("textarea").fill("Van broke down")
        row.locator("button.danger").click()
        page.wait_for_url(re.compile(r".*/provider/dashboard$"))
        assert page.locator(f'li.appointment[data-booking="{booking}"]').get_attribute("data-status") == "cancelled"
        buyer.goto(first.url + "/bookings")
        assert "Cancelled by the professional: Van broke down" in buyer.inner_text("#past")
    finally:
        context.close()
        customer.close()
