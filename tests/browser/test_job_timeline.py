"""After the booking, in Chromium at 360 px: the customer's open booking page shows "on the way" within a
second of the provider's tap, then the job through to a receipt whose QR code decodes to its UPI link,
and the provider marks it paid. Screenshots (JS on and off) go to /tmp/gs_h16-shots when SHOTS_DIR is set."""

from __future__ import annotations

import os
import re
import sqlite3
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.browser.conftest import log_in, wait_until_live
from tests.browser.test_booking_live import GRID_PATH, book_first_free, ravi_id

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
SHOTS = os.environ.get("SHOTS_DIR", "")


@pytest.fixture(scope="module")
def server(demo_servers):
    return demo_servers("job-timeline")[0]


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def starts_in_an_hour(server, booking_id: str) -> None:
    """Stands in for the clock moving on: the booking now starts in an hour (so the provider may set off)."""
    path = server.env["GRIHASEVA_DATABASE_URL"].removeprefix("sqlite:///")
    start = (datetime.now(timezone.utc) + timedelta(hours=1)).replace(tzinfo=None, microsecond=0)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE bookings SET starts_at = ?, ends_at = ? WHERE id = ?",
                     (start.isoformat(" "), (start + timedelta(hours=1)).isoformat(" "), int(booking_id)))


def decode_qr_on_page(page, selector: str) -> list[str]:
    """Draws the QR image as Chromium shows it onto a canvas and decodes its pixels with zxing-cpp."""
    import zxingcpp

    page.wait_for_function(f"() => document.querySelector('{selector}').complete")
    size, pixels = page.evaluate(f"""() => {{
        const img = document.querySelector('{selector}');
        const size = 480, c = document.createElement('canvas');
        c.width = c.height = size;
        const g = c.getContext('2d');
        g.fillStyle = '#fff'; g.fillRect(0, 0, size, size);
        g.drawImage(img, 0, 0, size, size);
        const rgba = g.getImageData(0, 0, size, size).data, grey = [];
        for (let i = 0; i < rgba.length; i += 4) grey.push(rgba[i + 1]);
        return [size, grey];
    }}""")
    image = memoryview(bytearray(pixels)).cast("B", shape=[size, size])
    return [result.text for result in zxingcpp.read_barcodes(image)]


def test_the_customer_follows_the_job_live_to_a_receipt_paid_by_upi(chromium, server):
    """The whole path at 360 px, both sides' pages open at once: each step taken on one side appears on the
    other's open page without a reload (booked -> on the way -> started -> completed -> paid)."""
    grid = GRID_PATH.format(ravi=ravi_id(server))
    customer = chromium.new_context(viewport=PHONE)
    provider = chromium.new_context(viewport=PHONE)
    try:
        pro = provider.new_page()
        log_in(pro, server.url, "provider@example.com", lands_on="/provider/dashboard")
        wait_until_live(pro)

        buyer = customer.new_page()
        log_in(buyer, server.url, "customer@example.com", lands_on="/bookings")
        _, booking_url = book_first_free(buyer, server.url, grid)
        booking_id = booking_url.rsplit("/", 1)[1]
        row = f'li.appointment[data-booking="{booking_id}"]'
        pro.wait_for_selector(row, timeout=2000)  # the new booking arrives on the open dashboard
        assert "Asha Menon" in pro.inner_text(row)

        starts_in_an_hour(server, booking_id)
        pro.reload()  # the clock moved on: "I'm on the way" is offered from 3 hours before the start
        wait_until_live(pro)
        buyer.goto(booking_url)
        wait_until_live(buyer)
        assert buyer.locator("h1").inner_text() == "Booking confirmed"
        shot(buyer, "booking-confirmed-360")
        listing = customer.new_page()  # the customer's booking list, open beside the booking page
        listing.goto(server.url + "/bookings")
        wait_until_live(listing)

        shot(pro, "dashboard-360")
        pro.click(f"{row} button.move-on-the-way")
        tapped = time.monotonic()
        buyer.wait_for_selector("#on-the-way", timeout=1000)  # within a second, no reload
        assert time.monotonic() - tapped < 1.5
        assert "Ravi Kumar is on the way" in buyer.locator("h1").inner_text()
        assert "+91 98450 11111" in buyer.inner_text("#on-the-way")
        assert buyer.evaluate("document.querySelector('.timeline .current').dataset.step") == "on_the_way"
        listing.wait_for_selector(f'li.booking[data-booking="{booking_id}"] .stage-on_the_way', timeout=1000)
        assert "On the way since" in listing.inner_text(f'li.booking[data-booking="{booking_id}"]')
        shot(buyer, "booking-on-the-way-360")
        assert buyer.evaluate("document.documentElement.scrollWidth") <= 360

        pro.wait_for_selector(f'{row}[data-stage="on_the_way"]')
        pro.click(f"{row} button.move-start")
        buyer.wait_for_selector("h1:text('Job in progress')", timeout=1000)
        listing.wait_for_selector(f'li.booking[data-booking="{booking_id}"] .stage-started', timeout=1000)
        pro.wait_for_selector(f'{row}[data-stage="started"]')
        pro.click(f"{row} form[action$='/complete'] button")
        buyer.wait_for_selector("#receipt-line", timeout=1000)
        assert "to pay" in buyer.inner_text("#receipt-line")
        shot(pro, "dashboard-completed-360")

        receipt = customer.new_page()  # the receipt in its own tab: the booking page stays open
        receipt.goto(server.url + buyer.get_attribute("#receipt-line + p a.button", "href"))
        number = receipt.inner_text("#receipt-number")
        assert re.fullmatch(r"GS-\d{4}-\d{6}", number)
        link = receipt.get_attribute("#upi-link", "href")
        assert link.startswith("upi://pay?pa=provider@") and f"tr={number}" in link
        assert decode_qr_on_page(receipt, "#upi-qr") == [link]
        assert receipt.evaluate("document.documentElement.scrollWidth") <= 360
        shot(receipt, "receipt-360")
        receipt.emulate_media(media="print")
        shot(receipt, "receipt-print-360")
        receipt.emulate_media(media="screen")

        pro.click(f"#mark-paid-{booking_id} summary")
        pro.check(f"#mark-paid-{booking_id} input[value=upi]")
        pro.fill(f"#reference-{booking_id}", "412345678901")
        shot(pro, "dashboard-mark-paid-360")
        pro.click(f"#mark-paid-{booking_id} button[type=submit]")
        paid = time.monotonic()
        buyer.wait_for_selector("#receipt-line .status:text('paid by UPI')", timeout=1000)  # live on the customer's page
        assert time.monotonic() - paid < 2
        pro.wait_for_selector(f"{row} .status:text('paid by UPI')")
        receipt.reload()
        assert "UPI, reference 412345678901" in receipt.inner_text("#paid")
    finally:
        customer.close()
        provider.close()


def test_with_javascript_off_the_timeline_and_receipt_still_work(chromium, server):
    grid = GRID_PATH.format(ravi=ravi_id(server))
    customer = chromium.new_context(viewport=PHONE, java_script_enabled=False)
    provider = chromium.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        buyer = customer.new_page()
        log_in(buyer, server.url, "customer@example.com", lands_on="/bookings")
        _, booking_url = book_first_free(buyer, server.url, grid, javascript=False)
        booking_id = booking_url.rsplit("/", 1)[1]
        starts_in_an_hour(server, booking_id)
        pro = provider.new_page()
        log_in(pro, server.url, "provider@example.com", lands_on="/provider/dashboard")
        row = f'li.appointment[data-booking="{booking_id}"]'
        pro.click(f"{row} button.move-on-the-way")
        pro.wait_for_url(re.compile(r".*/provider/dashboard$"))
        shot(pro, "dashboard-nojs-360")
        buyer.goto(booking_url)
        assert "Ravi Kumar is on the way" in buyer.locator("h1").inner_text()
        buyer.click("details.cancel-job summary")
        assert "Late fee: ₹99" in buyer.inner_text("details.cancel-job")  # shown before the yes
        shot(buyer, "booking-nojs-late-fee-360")
        pro.click(f"{row} button.move-start")
        pro.wait_for_url(re.compile(r".*/provider/dashboard$"))
        pro.click(f"{row} form[action$='/complete'] button")
        pro.wait_for_url(re.compile(r".*/provider/dashboard$"))
        buyer.goto(booking_url + "/receipt")
        assert buyer.locator("#upi-qr").is_visible()
        shot(buyer, "receipt-nojs-360")
        assert buyer.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        customer.close()
        provider.close()


def test_the_available_today_switch_greys_an_open_grid_live(chromium, server):
    from zoneinfo import ZoneInfo

    local = datetime.now(ZoneInfo("Asia/Kolkata"))
    if local.hour * 60 + local.minute > 22 * 60 + 30:
        pytest.skip("less than 90 minutes of the day left in Kolkata: no free time today to grey")
    ravi = ravi_id(server)
    path = server.env["GRIHASEVA_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:  # all day today, no notice: today has free times whatever the hour
        conn.execute("UPDATE providers SET min_notice_min = 0 WHERE user_id = ?", (ravi,))
        conn.execute("DELETE FROM working_hours WHERE provider_id = ? AND weekday = ?", (ravi, local.weekday()))
        conn.execute("INSERT INTO working_hours (provider_id, weekday, start_min, end_min) VALUES (?, ?, 0, 1440)",
                     (ravi, local.weekday()))
        # the jobs the tests above moved to start in an hour become last week's: in the evening
        # they (and the gap after each) took every time left today
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(timezone.utc).replace(tzinfo=None)
        conn.execute("UPDATE bookings SET starts_at = datetime(starts_at, '-7 days'), ends_at = datetime(ends_at, '-7 days') "
                     "WHERE provider_id = ? AND starts_at >= ?", (ravi, midnight.isoformat(" ")))
        # the event the hours editor publishes, so the server drops the week it cached for Ravi when
        # the earlier tests showed his grid (else his old hours show for up to GridCache's 30 s)
        conn.execute("INSERT INTO events (topic, kind, payload, created_at) VALUES (?, 'availability', ?, ?)",
                     (f"slots:{ravi}", f'{{"provider_id":{ravi}}}',
                      datetime.now(timezone.utc).replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")))
    watcher = chromium.new_context(viewport=PHONE)
    provider = chromium.new_context(viewport=PHONE)
    try:
        grid = watcher.new_page()
        today = "#day-times"
        deadline = time.monotonic() + 15
        while True:  # until the server's broadcaster has read the event (a poll: 0.2 s)
            grid.goto(server.url + f"/book/tap-leak-repair?provider={ravi}&day={local.date().isoformat()}")  # today
            free_before = grid.locator(f"{today} a.slot.free").count()
            if free_before > 0 or time.monotonic() > deadline:
                break
        wait_until_live(grid)
        assert free_before > 0, re.sub(r"\s+", " ", grid.inner_text("main"))[:1500]
        pro = provider.new_page()
        log_in(pro, server.url, "provider@example.com", lands_on="/provider/dashboard")
        pro.click("#available-today button")
        tapped = time.monotonic()
        grid.wait_for_function(f"() => document.querySelectorAll('{today} a.slot.free').length === 0", timeout=1000)
        assert time.monotonic() - tapped < 1.5
        assert grid.locator(f"{today} .slot.taken").count() >= free_before  # greyed in place, not removed
        assert grid.locator(".day-strip li:nth-child(2) .day-chip:not(.full)").count() == 1  # tomorrow untouched
        shot(grid, "grid-off-today-360")
        shot(pro, "dashboard-off-today-360")
        pro.click("#available-today button")
        grid.wait_for_function(f"() => document.querySelectorAll('{today} a.slot.free').length >= {free_before} - 1",
                               timeout=1000)
    finally:
        watcher.close()
        provider.close()
