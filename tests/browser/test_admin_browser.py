"""The admin console and reviews in Chromium: an admin verifies a provider (and a suspension empties an open
grid live); a customer rates a completed job."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from tests.browser.conftest import log_in, wait_until_live

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(demo_servers):
    [live] = demo_servers("admin-browser")
    return live


def database(server) -> sqlite3.Connection:
    return sqlite3.connect(server.env["GRIHASEVA_DATABASE_URL"].removeprefix("sqlite:///"))


def user_id(server, email: str) -> int:
    with database(server) as conn:
        return conn.execute("SELECT id FROM users WHERE email = ?", (email,)).fetchone()[0]


def test_an_admin_verifies_a_provider_who_then_appears_in_the_catalogue(chromium, server):
    joseph = user_id(server, "joseph.handyman@example.com")
    with database(server) as conn:  # Joseph has just signed up: not verified yet
        conn.execute("UPDATE providers SET verified = 0 WHERE user_id = ?", (joseph,))
    context = chromium.new_context(viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        page.goto(server.url + "/services/fan-installation")
        assert "Joseph Fernandes" not in page.content()
        log_in(page, server.url, "admin@example.com", lands_on="/admin")
        page.click("text=Joseph Fernandes")
        page.wait_for_url(re.compile(rf".*/admin/providers/{joseph}$"))
        assert page.text_content("#provider-state") == "awaiting verification"
        page.click("#verify-provider")
        page.wait_for_selector("text=Provider verified")
        assert page.text_content("#provider-state") == "verified"
        page.goto(server.url + "/admin/audit")
        assert "provider.verify" in page.content() and "Verified Joseph Fernandes" in page.content()
        page.goto(server.url + "/services/fan-installation")
        assert "Joseph Fernandes" in page.content()
    finally:
        context.close()


def test_suspending_a_provider_empties_their_slots_on_an_open_grid(chromium, server):
    ravi = user_id(server, "provider@example.com")
    grid = f"/book/water-tank-cleaning?provider=any"  # only Ravi offers it
    admin = chromium.new_context()
    watcher = chromium.new_context(viewport={"width": 360, "height": 740})
    try:
        view = watcher.new_page()
        view.goto(server.url + grid)
        view.wait_for_selector("a.slot.free")
        wait_until_live(view)
        page = admin.new_page()
        log_in(page, server.url, "admin@example.com", lands_on="/admin")
        page.goto(server.url + f"/admin/providers/{ravi}")
        page.fill("#f-reason", "Testing a suspension")
        page.click("form[action$='/suspend'] button[type=submit]")
        page.wait_for_selector("text=Provider suspended")
        view.wait_for_selector("a.slot.free", state="detached", timeout=2000)
        page.click("#verify-provider")  # reinstate, for the other tests
        page.wait_for_selector("text=Provider verified")
    finally:
        admin.close()
        watcher.close()


def test_a_customer_rates_a_completed_job(chromium, server):
    ravi = user_id(server, "provider@example.com")
    asha = user_id(server, "customer@example.com")
    start = (datetime.now(timezone.utc) - timedelta(days=2)).replace(minute=0, second=0, microsecond=0, tzinfo=None)
    with database(server) as conn:  # a job done two days ago, marked completed by the provider
        service = conn.execute("SELECT id, price_paise FROM services WHERE slug = 'tap-leak-repair'").fetchone()
        cursor = conn.execute(
            "INSERT INTO bookings (customer_id, provider_id, service_id, starts_at, ends_at, status, address, phone, notes,"
            " price_paise, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'completed', '12 MG Road, Indiranagar', "
            "'+91 99000 12345', '', ?, ?, ?)",
            (asha, ravi, service[0], start.isoformat(sep=" "), (start + timedelta(hours=1)).isoformat(sep=" "),
             service[1], start.isoformat(sep=" "), start.isoformat(sep=" ")))
        booking = cursor.lastrowid
    context = chromium.new_context(viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        log_in(page, server.url, "customer@example.com", lands_on="/bookings")
        page.goto(server.url + f"/bookings/{booking}")
        page.click("text=Rate this job")
        page.wait_for_url(re.compile(rf".*/bookings/{booking}/review$"))
        page.check("input[name=rating][value='5']")
        page.fill("#f-body", "Quick <b>and</b> tidy work.")
        page.click("form[action$='/review'] button[type=submit]")
        page.wait_for_url(re.compile(rf".*/bookings/{booking}$"))  # the booking page, not the provider's
        assert page.is_visible("text=Thank you: your review is saved.")
        page.goto(server.url + f"/providers/{ravi}")
        from grihaseva.reviews.domain import RatingSummary
        with database(server) as conn:  # the demo's own reviews count too: the average of them all
            count, total = conn.execute("SELECT COUNT(*), SUM(rating) FROM reviews WHERE provider_id = ?", (ravi,)).fetchone()
        assert page.is_visible(f"text=★ {RatingSummary(count, total).label}")
        assert page.is_visible(f"text=({count} review{'s' if count != 1 else ''})")
        assert page.is_visible("text=Quick <b>and</b> tidy work.")  # shown as typed, not as markup
    finally:
        context.close()
