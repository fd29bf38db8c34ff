"""A page served through Pushpin (GRIHASEVA_GRIP_URL) in Chromium: a slot booked through the
other app process greys on it, published by whichever process holds the lease."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in
from tests.browser.test_booking_live import GRID_PATH, book_first_free, open_grid
from tests.events.test_pushpin import site  # noqa: F401  (fixture: Pushpin + two processes on MariaDB)

pytestmark = [pytest.mark.browser, pytest.mark.mysql, pytest.mark.slow]


def test_a_slot_booked_through_one_process_greys_on_a_page_served_through_pushpin(chromium, site):  # noqa: F811
    grid = GRID_PATH.format(ravi=site.user_id("provider@example.com"))
    watcher = chromium.new_context(viewport={"width": 360, "height": 740})
    customer = chromium.new_context(viewport={"width": 360, "height": 740})
    try:
        view = open_grid(watcher.new_page(), site.pushpin.url, grid)  # page and stream through Pushpin
        buyer = customer.new_page()
        log_in(buyer, site.b.url, "customer@example.com", lands_on="/bookings")
        token, _ = book_first_free(buyer, site.b.url, grid)  # straight to process B
        view.wait_for_selector(f'.slot.taken[data-slot="{token}"]', timeout=3000)
        view.screenshot(path="/tmp/h14-shots/grid-through-pushpin-360.png", full_page=True)
    finally:
        watcher.close()
        customer.close()
