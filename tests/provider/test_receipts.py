"""Receipts and payment: numbers unique and sequential per year (also under 20 concurrent completions),
the upi://pay link's parameters encoded and parsed back, the receipt page and mail, marking paid once,
earnings split paid and unpaid, and the provider's UPI id validated."""

from __future__ import annotations

import asyncio
import html
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from grihaseva.booking import receipts
from grihaseva.provider import appointments
from tests.conftest import post, text, visible_text
from tests.provider.conftest import MON_4PM, NOW, book, logged_in, mails, service_id, user_id


async def past_bookings(app, count: int, provider: str = "provider@example.com") -> list[int]:
    """`count` confirmed jobs of the provider that started in the past hours (no booking rule applies
    to the past, so they are written as the demo history is)."""
    provider_id = await user_id(app, provider)
    customer = await app.db.fetch_one("select_user_by_email", {"email": "customer@example.com"})
    tap = await service_id(app, "tap-leak-repair")
    ids = []
    for n in range(count):
        start = NOW - timedelta(days=1, hours=2 * n)
        result = await app.db.execute("insert_booking", {
            "customer_id": customer["id"], "provider_id": provider_id, "service_id": tap, "starts_at": start,
            "ends_at": start + timedelta(hours=1), "address": "12 MG Road, Indiranagar, Bengaluru",
            "phone": customer["phone"], "notes": "", "price_paise": 34900, "now": start - timedelta(days=2)})
        ids.append(int(result.lastrowid))
    return ids


async def test_receipt_numbers_are_unique_and_sequential_under_20_concurrent_completions(demo):
    ravi = await user_id(demo, "provider@example.com")
    ids = await past_bookings(demo, 20)
    numbers = await asyncio.gather(*(appointments.complete_job(demo.db, ravi, i, NOW) for i in ids))
    assert sorted(numbers) == [f"GS-2026-{n:06d}" for n in range(1, 21)]
    stored = await demo.db.fetch_all("SELECT id, receipt_number FROM bookings WHERE receipt_number IS NOT NULL")
    assert {row["id"]: row["receipt_number"] for row in stored} == dict(zip(ids, numbers))
    assert await demo.db.fetch_value("SELECT last_number FROM receipt_counters WHERE year = 2026") == 20


async def test_numbers_start_again_in_a_new_year_of_the_providers_zone(demo):
    ravi = await user_id(demo, "provider@example.com")
    first, second = await past_bookings(demo, 2)
    assert await appointments.complete_job(demo.db, ravi, first, NOW) == "GS-2026-000001"
    new_year_in_india = datetime(2026, 12, 31, 19, 0, tzinfo=timezone.utc)  # 1 Jan 2027, 00:30 IST
    assert await appointments.complete_job(demo.db, ravi, second, new_year_in_india) == "GS-2027-000001"


def test_the_upi_link_percent_encodes_every_parameter_and_parses_back():
    name, note = "Ravi & Sons = #1 रवि", "GrihaSeva GS-2026-000007 ?&"
    link = receipts.upi_link("ravi.kumar@okaxis", name, 49950, "GS-2026-000007", note)
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc) == ("upi", "pay")
    assert " " not in link and "#" not in link and "रवि" not in link
    assert parts.query.count("&") == 5 and parts.query.count("=") == 6  # the values' own & and = are encoded
    assert parse_qs(parts.query, strict_parsing=True) == {
        "pa": ["ravi.kumar@okaxis"], "pn": [name], "am": ["499.50"], "cu": ["INR"], "tn": [note],
        "tr": ["GS-2026-000007"]}
    assert "am=499.50" in link and "pa=ravi.kumar@okaxis" in link


def test_the_qr_code_is_an_svg_of_the_link():
    svg = receipts.qr_svg("upi://pay?pa=a@b&am=1.00").decode()
    assert svg.startswith("<svg") and "<path" in svg and "<script" not in svg and "style=" not in svg


async def test_completing_sends_the_receipt_and_the_page_offers_upi(demo):
    ravi = await user_id(demo, "provider@example.com")
    booking_id = await book(demo, MON_4PM)
    await appointments.complete_job(demo.db, ravi, booking_id, MON_4PM + timedelta(minutes=50))
    demo.clock.now = MON_4PM + timedelta(hours=1)
    [mail] = [m for m in await mails(demo, "customer@example.com") if m["subject"].startswith("Receipt")]
    assert mail["subject"] == "Receipt GS-2026-000001: Tap and leak repair"
    for expected in ("Ravi Kumar", "Total: ₹349", "upi://pay?pa=provider@okdemo", "tr=GS-2026-000001"):
        assert expected in mail["text_body"]

    customer = await logged_in(demo, "customer@example.com")
    page = html.unescape(await text(await customer.get(f"/bookings/{booking_id}/receipt")))
    words = visible_text(page)
    for expected in ("GS-2026-000001", "Tap and leak repair", "Ravi Kumar", "Mon 23 Nov, 4:00 pm IST", "Total ₹349"):
        assert expected in words
    link = receipts.upi_link("provider@okdemo", "Ravi Kumar", 34900, "GS-2026-000001", "GrihaSeva GS-2026-000001")
    assert f'href="{link}"' in page
    qr = await customer.get(f"/bookings/{booking_id}/receipt/upi-qr.svg")
    assert qr.status_code == 200 and qr.headers["Content-Type"].startswith("image/svg+xml")
    stranger = await logged_in(demo, "rahul@example.com")
    assert (await stranger.get(f"/bookings/{booking_id}/receipt")).status_code == 404
    assert (await stranger.get(f"/bookings/{booking_id}/receipt/upi-qr.svg")).status_code == 404
    provider = await logged_in(demo, "provider@example.com")
    assert (await provider.get(f"/bookings/{booking_id}/receipt")).status_code == 200


async def test_no_receipt_before_completion_and_cash_only_without_a_upi_id(demo):
    booking_id = await book(demo, MON_4PM)
    customer = await logged_in(demo, "customer@example.com")
    assert (await customer.get(f"/bookings/{booking_id}/receipt")).status_code == 404
    ravi = await user_id(demo, "provider@example.com")
    await demo.db.execute("update_upi_id", {"provider_id": ravi, "upi_id": None})
    await appointments.complete_job(demo.db, ravi, booking_id, MON_4PM)
    page = visible_text(await text(await customer.get(f"/bookings/{booking_id}/receipt")))
    assert "in cash (no UPI id on their profile yet)" in page
    assert (await customer.get(f"/bookings/{booking_id}/receipt/upi-qr.svg")).status_code == 404


async def test_marking_paid_once_and_earnings_split_paid_and_unpaid(demo):
    ravi = await user_id(demo, "provider@example.com")
    cash_job, upi_job = await past_bookings(demo, 2)
    provider = await logged_in(demo, "provider@example.com")
    early = await post(provider, f"/provider/bookings/{cash_job}/paid", {"method": "cash"})
    assert early.status_code == 409 and "mark the job completed first" in await text(early)
    for job in (cash_job, upi_job):
        await appointments.complete_job(demo.db, ravi, job, NOW)

    for form, message in (({"method": "cheque"}, "cash or UPI"), ({"method": "upi"}, "UPI reference"),
                          ({"method": "upi", "reference": "12#4"}, "UPI reference"), ({}, "cash or UPI")):
        refused = await post(provider, f"/provider/bookings/{upi_job}/paid", form)
        assert refused.status_code == 422 and message in await text(refused), form
    assert (await post(provider, f"/provider/bookings/{cash_job}/paid", {"method": "cash"})).status_code == 303
    twice = await post(provider, f"/provider/bookings/{cash_job}/paid", {"method": "cash"})
    assert twice.status_code == 409 and "already marked paid" in await text(twice)
    page = visible_text(html.unescape(await text(await provider.get("/provider/earnings"))))
    assert "Paid this month ₹349" in page and "Not paid yet ₹349" in page

    ok = await post(provider, f"/provider/bookings/{upi_job}/paid", {"method": "upi", "reference": " 4123 4567 8901 "})
    assert ok.status_code == 303
    row = await demo.db.fetch_one("SELECT paid_method, paid_reference FROM bookings WHERE id = :id", {"id": upi_job})
    assert row == {"paid_method": "upi", "paid_reference": "412345678901"}
    page = visible_text(html.unescape(await text(await provider.get("/provider/earnings"))))
    assert "Paid this month ₹698" in page and "Not paid yet ₹0" in page
    assert 'class="bar-paid"' in await text(await provider.get("/provider/earnings"))


@pytest.mark.parametrize("typed, message", [
    ("", "Enter your UPI id"),
    ("ravi.kumar", "it needs an @"),
    ("ravi kumar@okaxis", "That is not a UPI id"),
    ("@okaxis", "That is not a UPI id"),
    ("ravi@", "That is not a UPI id"),
    ("ravi@ok@axis", "That is not a UPI id"),
    ("r" * 70 + "@okaxis", "That is not a UPI id"),
])
async def test_a_bad_upi_id_gets_a_message_and_changes_nothing(demo, typed, message):
    provider = await logged_in(demo, "provider@example.com")
    refused = await post(provider, "/provider/upi", {"upi_id": typed})
    assert refused.status_code == 422
    body = html.unescape(await text(refused))
    assert message in body and f'value="{typed}"' in body
    ravi = await user_id(demo, "provider@example.com")
    assert await demo.db.fetch_value("SELECT upi_id FROM providers WHERE user_id = :id", {"id": ravi}) == "provider@okdemo"


async def test_a_upi_id_is_saved_lower_cased_and_can_be_removed(demo):
    provider = await logged_in(demo, "provider@example.com")
    ravi = await user_id(demo, "provider@example.com")
    assert (await post(provider, "/provider/upi", {"upi_id": " Ravi.Kumar-1@OKAXIS "})).status_code == 303
    assert await demo.db.fetch_value("SELECT upi_id FROM providers WHERE user_id = :id", {"id": ravi}) == "ravi.kumar-1@okaxis"
    assert (await post(provider, "/provider/upi", {"upi_id": "", "remove": "yes"})).status_code == 303
    assert await demo.db.fetch_value("SELECT upi_id FROM providers WHERE user_id = :id", {"id": ravi}) is None


async def test_the_on_the_way_and_receipt_mails_are_in_the_customers_language(demo):
    from grihaseva.booking import timeline
    from grihaseva.i18n import use_locale

    ravi = await user_id(demo, "provider@example.com")
    await demo.db.execute("UPDATE users SET locale = 'hi' WHERE email = 'customer@example.com'")
    booking_id = await book(demo, MON_4PM)
    with use_locale("en"):  # the provider's request is in English
        await timeline.mark_on_the_way(demo.db, ravi, booking_id, MON_4PM - timedelta(minutes=30))
        await appointments.complete_job(demo.db, ravi, booking_id, MON_4PM + timedelta(minutes=50))
    on_the_way, receipt = [m for m in await mails(demo, "customer@example.com") if m["template"] != "booking_confirmed"]
    assert on_the_way["subject"] == "Ravi Kumar रास्ते में हैं: नल और लीकेज की मरम्मत"  # the service's Hindi name too
    assert "सोम 23 नव॰, शाम 4:00 IST" in on_the_way["text_body"]  # the time as she reads it
    assert receipt["subject"] == "रसीद GS-2026-000001: नल और लीकेज की मरम्मत"
    assert "कुल: ₹349" in receipt["text_body"] and "कब: सोम 23 नव॰, शाम 4:00 IST" in receipt["text_body"]


async def test_the_receipt_page_and_the_dashboard_name_the_service_in_the_readers_language(demo):
    ravi = await user_id(demo, "provider@example.com")
    booking_id = await book(demo, MON_4PM)
    provider = await logged_in(demo, "provider@example.com")
    assert "नल और लीकेज की मरम्मत" in visible_text(await text(await provider.get("/provider/dashboard?lang=hi")))
    assert "Tap and leak repair" in visible_text(await text(await provider.get("/provider/dashboard?lang=en")))
    await appointments.complete_job(demo.db, ravi, booking_id, MON_4PM + timedelta(minutes=50))
    demo.clock.now = MON_4PM + timedelta(hours=1)
    customer = await logged_in(demo, "customer@example.com")
    hindi = visible_text(html.unescape(await text(await customer.get(f"/bookings/{booking_id}/receipt?lang=hi"))))
    assert "नल और लीकेज की मरम्मत" in hindi and "Tap and leak repair" not in hindi
    english = visible_text(html.unescape(await text(await customer.get(f"/bookings/{booking_id}/receipt?lang=en"))))
    assert "Tap and leak repair" in english and "नल और लीकेज" not in english
