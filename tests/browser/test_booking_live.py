"""Live slot grids in Chromium: a booking anywhere greys the slot on every open page."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import log_in, wait_until_live

pytestmark = pytest.mark.browser

def _tomorrow_in_india() -> str:
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo
    return (datetime.now(ZoneInfo("Asia/Kolkata")).date() + timedelta(days=1)).isoformat()


# Tomorrow's times (the grid shows one day), so a slot booked there is still free to cancel (3-hour rule).
GRID_PATH = "/book/tap-leak-repair?provider={ravi}&day=" + _tomorrow_in_india()


@pytest.fixture(scope="module")
def servers(demo_servers):
    """Two app processes on one SQLite database, so a page can lose its server and reconnect."""
    first, second = demo_servers("booking-live", processes=2)
    return first, second


def ravi_id(server) -> int:
    import sqlite3

    path = server.env["GRIHASEVA_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT id FROM users WHERE email = 'provider@example.com'").fetchone()[0]


def book_first_free(page, base: str, grid: str, *, javascript: bool = True) -> tuple[str, str]:
    page.goto(base + grid)
    if javascript:
        wait_until_live(page)  # the grid is not swapped under the click below
    slot = page.locator("#day-times a.slot.free").first
    token = slot.get_attribute("data-slot")
    slot.click()
    page.wait_for_url(re.compile(r".*/confirm\?"))
    if page.locator("input[name=address_id][value=new]:checked, input[type=hidden][name=address_id]").count():
        for field, value in (("house", "12"), ("street", "MG Road"), ("area", "Indiranagar"), ("city", "Bengaluru"),
                             ("pin_code", "560038")):
            page.fill(f"#f-{field}", value)
    page.click("form[action^='/book/'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/bookings/\d+$"))
    assert "Booking confirmed" in page.content()
    return token, page.url


def open_grid(page, base: str, grid: str):
    """A watcher's page showing the slot grid, its live stream open."""
    page.goto(base + grid)
    page.wait_for_selector("#grid-section")
    wait_until_live(page)
    return page


def test_booking_greys_the_slot_on_another_page_and_cancel_frees_it(chromium, servers):
    first, _ = servers
    grid = GRID_PATH.format(ravi=ravi_id(first))
    customer = chromium.new_context(viewport={"width": 360, "height": 740})
    watcher = chromium.new_context(viewport={"width": 360, "height": 740})
    try:
        buyer = customer.new_page()
        log_in(buyer, first.url, "customer@example.com", lands_on="/bookings")
        view = open_grid(watcher.new_page(), first.url, grid)
        token, booking_url = book_first_free(buyer, first.url, grid)
        view.wait_for_selector(f'.slot.taken[data-slot="{token}"]', timeout=1000)
        # Only the booked day's part came (slots-day): its times and its chip, swapped by id.
        view.wait_for_selector("#day-times.just-changed", timeout=1000)
        day = view.locator("#day-times").get_attribute("data-day")
        assert view.locator(f"#chip-{day}.just-changed").count() == 1
        assert view.locator("#slot-grid.just-changed, .day-chip.just-changed").count() == 1  # the grid itself was not redrawn
        buyer.goto(booking_url)
        buyer.click("details.cancel-job summary")
        buyer.click("form[action$='/cancel'] button")
        buyer.wait_for_url(re.compile(r".*/bookings$"))
        view.wait_for_selector(f'a.slot.free[data-slot="{token}"]', timeout=1000)
    finally:
        customer.close()
        watcher.close()


def test_a_page_whose_connection_drops_shows_the_current_state_when_it_returns(chromium, servers):
    first, second = servers
    grid = GRID_PATH.format(ravi=ravi_id(first))
    customer = chromium.new_context()
    watcher = chromium.new_context()
    try:
        view = open_grid(watcher.new_page(), first.url, grid)
        first.stop()  # the watcher's stream is cut
        buyer = customer.new_page()
        log_in(buyer, second.url, "customer@example.com", lands_on="/bookings")
        token, _ = book_first_free(buyer, second.url, grid)
        first.start()  # same port: the page reconnects and receives the current grid first
        view.wait_for_selector(f'.slot.taken[data-slot="{token}"]', timeout=15000)
    finally:
        customer.close()
        watcher.close()


def test_a_booking_through_one_process_reaches_a_page_served_by_another(chromium, servers):
    first, second = servers
    grid = GRID_PATH.format(ravi=ravi_id(first))
    customer = chromium.new_context()
    watcher = chromium.new_context()
    try:
        view = open_grid(watcher.new_page(), first.url, grid)
        buyer = customer.new_page()
        log_in(buyer, second.url, "customer@example.com", lands_on="/bookings")
        token, _ = book_first_free(buyer, second.url, grid)
        view.wait_for_selector(f'.slot.taken[data-slot="{token}"]', timeout=1500)
    finally:
        customer.close()
        watcher.close()


def test_my_bookings_page_shows_a_new_booking_live(chromium, servers):
    first, _ = servers
    grid = GRID_PATH.format(ravi=ravi_id(first))
    context = chromium.new_context(viewport={"width": 360, "height": 740})
    try:
        mine = context.new_page()
        log_in(mine, first.url, "customer@example.com", lands_on="/bookings")
        mine.goto(first.url + "/bookings")
        wait_until_live(mine)
        before = mine.locator("#upcoming li.booking").count()
        other_tab = context.new_page()
        _, booking_url = book_first_free(other_tab, first.url, grid)
        booking_id = booking_url.rsplit("/", 1)[1]
        mine.wait_for_selector(f'#upcoming li[data-booking="{booking_id}"]', timeout=1000)
        assert mine.locator("#upcoming li.booking").count() == before + 1
        assert mine.evaluate("document.scrollingElement.scrollWidth") <= 360
    finally:
        context.close()
