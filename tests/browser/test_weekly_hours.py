"""The weekly hours editor in Chromium at 360 px: 12-hour pickers, add a time range and copy a day to
others, with htmx (only the card is swapped) and with JavaScript off (plain form posts), then saved."""

from __future__ import annotations

import sqlite3

import pytest

from tests.browser.conftest import log_in
from tests.browser.test_booking_live import ravi_id

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def server(demo_servers):
    return demo_servers("weekly-hours")[0]


def hours(server, weekday: int) -> list[tuple[int, int]]:
    path = server.env["GRIHASEVA_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT start_min, end_min FROM working_hours WHERE provider_id = ? AND weekday = ?"
                            " ORDER BY start_min", (ravi_id(server), weekday)).fetchall()


def save(page) -> None:
    """Save the hours and wait for this save's own message: the last save's message is taken away
    first, or the wait would end at once and the next step would act on the card htmx is about
    to replace."""
    page.evaluate("() => document.querySelectorAll('.flash').forEach(element => element.remove())")
    page.click("form.hours-form > button[type=submit]")
    page.wait_for_selector(".flash")


@pytest.mark.parametrize(("javascript", "day", "target"), [(True, 0, 5), (False, 1, 4)])
def test_add_a_range_copy_the_day_and_save(chromium, server, javascript, day, target):
    context = chromium.new_context(viewport=PHONE, java_script_enabled=javascript)
    try:
        page = context.new_page()
        log_in(page, server.url, "provider@example.com", lands_on="/provider/dashboard")
        page.goto(server.url + "/provider/availability")
        assert page.inner_text(f"#day-{day} .day-summary") == "10:00 am – 2:00 pm, 4:00 pm – 9:00 pm"
        if javascript:  # a mark on another card: htmx swaps only the weekly hours, so it stays
            page.evaluate("() => document.getElementById('areas').dataset.mark = 'kept'")
        page.click(f"#day-{day} button.add")
        page.wait_for_selector("#hours-draft")
        assert page.locator(f"#day-{day} .interval").count() == 3
        if javascript:
            assert page.evaluate("() => document.getElementById('areas').dataset.mark") == "kept"
        page.select_option(f"#day-{day} .interval >> nth=2 >> select[name=d{day}_to_h]", "11")  # 10 pm – 11 pm
        page.select_option(f"#day-{day} .interval >> nth=2 >> select[name=d{day}_to_p]", "pm")
        page.click(f"#copy-{day} summary")
        page.check(f"#copy-{day} input[value='{target}']")
        page.click(f"#copy-{day} button")
        page.wait_for_selector(f"#day-{target} .interval >> nth=2")
        assert page.inner_text(f"#day-{target} .day-summary") == "10:00 am – 2:00 pm, 4:00 pm – 9:00 pm, 10:00 pm – 11:00 pm"
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        save(page)
        expected = [(600, 840), (960, 1260), (1320, 1380)]
        assert hours(server, day) == expected and hours(server, target) == expected
        page.click(f"#day-{target} .interval >> nth=2 >> button.remove")
        page.wait_for_selector("#hours-draft")
        save(page)
        assert hours(server, target) == expected[:2]
        # a range past midnight is refused with its day's message, nothing saved
        page.select_option(f"#day-{day} .interval >> nth=2 >> select[name=d{day}_to_h]", "1")
        page.select_option(f"#day-{day} .interval >> nth=2 >> select[name=d{day}_to_p]", "am")
        page.click("form.hours-form > button[type=submit]")
        page.wait_for_selector(f"#e-day{day}")
        assert "runs past midnight" in page.inner_text(f"#e-day{day}")
        assert hours(server, day) == expected
    finally:
        context.close()
