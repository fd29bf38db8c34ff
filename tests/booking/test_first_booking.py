"""A customer's first booking (issue 15) through the HTTP app: the chosen time kept through log in and
sign up, saved addresses, service areas by PIN code, women-only said before the grid, the day strip."""

from __future__ import annotations

import html
import re
from urllib.parse import quote

from grihaseva.booking.slots import slot_token
from grihaseva.demo.data import DEMO_PASSWORD, DEMO_PIN, OUTSIDE_PIN
from tests.booking.conftest import NOW, logged_in, user_id
from tests.conftest import post
from tests.conftest import text as raw_text

TUE_5PM = NOW.replace(day=24, hour=11, minute=30)  # Tuesday 24 Nov, 17:00 in Kolkata
WED_5PM = NOW.replace(day=25, hour=11, minute=30)
NEW_ADDRESS = {"address_id": "new", "house": "Flat 4B, Lotus Apartments", "street": "12th Main Road", "area": "Indiranagar",
               "city": "Bengaluru", "pin_code": DEMO_PIN, "landmark": "Opposite the metro", "label": "Home",
               "phone": "+91 99000 12345", "notes": ""}


async def text(response) -> str:
    return html.unescape(await raw_text(response))


def confirm_path(provider, start, pin=None) -> str:
    return f"/book/tap-leak-repair/confirm?provider={provider}&slot={slot_token(start)}" + (f"&pin={pin}" if pin else "")


# ---------------------------------------------------------------- 1. intent through log in and sign up


async def test_log_in_names_the_booking_and_returns_to_its_confirm_step(demo):
    ravi = await user_id(demo, "provider@example.com")
    visitor = demo.test_client()
    path = confirm_path(ravi, TUE_5PM)
    bounce = await visitor.get(path)
    assert bounce.status_code == 303
    login_page = await text(await visitor.get(bounce.headers["Location"]))
    assert "Log in to book" in login_page and "Tap and leak repair" in login_page
    assert "Tue 24 Nov, 5:00 pm" in login_page and "with Ravi Kumar" in login_page
    link = re.search(r'href="(/register\?next=[^"]+)" id="register-link"', login_page).group(1)
    assert "Tue 24 Nov, 5:00 pm" in await text(await visitor.get(link))  # sign-up keeps the intent too
    response = await post(visitor, "/login", {"email": "customer@example.com", "password": DEMO_PASSWORD, "next": path})
    assert response.headers["Location"] == path
    assert 'id="when">Tue 24 Nov, 5:00 pm' in await text(await visitor.get(path))


async def test_sign_up_from_a_booking_asks_only_what_it_needs_and_lands_on_the_confirm_step(demo):
    ravi = await user_id(demo, "provider@example.com")
    visitor = demo.test_client()
    path = confirm_path(ravi, TUE_5PM, DEMO_PIN)
    form = await text(await visitor.get("/register?next=" + quote(path, safe="")))
    assert "Sign up to book" in form and "Tue 24 Nov, 5:00 pm" in form
    assert 'name="role"' not in form and 'name="password_confirm"' not in form and 'name="gender"' not in form
    response = await post(visitor, "/register", {"name": "Kavya Rao", "phone": "+91 98860 00001", "email": "kavya@example.com",
                                                 "password": "correct-horse-1", "next": path})
    assert response.status_code == 303 and response.headers["Location"] == path
    page = await text(await visitor.get(path))
    assert "Confirm your booking" in page and 'value="+91 98860 00001"' in page  # her phone, already filled
    assert f'value="{DEMO_PIN}"' in page  # the PIN code she gave the grid
    row = await demo.db.fetch_one("select_user_by_email", {"email": "kavya@example.com"})
    assert (row["role"], row["gender"]) == ("customer", "other")


async def test_sign_up_for_a_women_only_booking_asks_gender(demo):
    priya = await user_id(demo, "priya.beauty@example.com")
    path = f"/book/facial-at-home/confirm?provider={priya}&slot={slot_token(TUE_5PM)}"
    form = await text(await demo.test_client().get("/register?next=" + quote(path, safe="")))
    assert 'name="gender"' in form and 'name="role"' not in form


async def test_a_time_taken_while_she_signed_up_shows_the_fresh_grid_with_the_reason(demo):
    ravi = await user_id(demo, "provider@example.com")
    path = confirm_path(ravi, TUE_5PM)
    rahul = await logged_in(demo, "rahul@example.com")
    assert (await post(rahul, "/book/tap-leak-repair", {"provider": str(ravi), "slot": slot_token(TUE_5PM), **NEW_ADDRESS})).status_code == 303
    visitor = demo.test_client()
    response = await post(visitor, "/register", {"name": "Kavya Rao", "phone": "+91 98860 00001", "email": "kavya@example.com",
                                                 "password": "correct-horse-1", "next": path})
    page = await visitor.get(response.headers["Location"])
    assert page.status_code == 409
    body = await text(page)
    assert "just taken" in body and f'class="slot taken" data-slot="{slot_token(TUE_5PM)}"' in body


async def test_a_next_that_is_not_a_booking_shows_the_plain_pages(demo):
    page = await text(await demo.test_client().get("/register?next=/blog"))
    assert "Create an account" in page and 'name="role"' in page
    assert "You are booking" not in await text(await demo.test_client().get("/login?next=/book/x/confirm?slot=nonsense"))


# ---------------------------------------------------------------- 2. saved addresses


async def test_a_new_address_saved_with_one_tick_is_preselected_next_time(demo):
    ravi = await user_id(demo, "provider@example.com")
    client = await logged_in(demo, "customer@example.com")
    first = await text(await client.get(confirm_path(ravi, TUE_5PM)))
    assert 'name="address_id" value="new"' in first and 'name="save"' in first
    response = await post(client, "/book/tap-leak-repair", {"provider": str(ravi), "slot": slot_token(TUE_5PM), **NEW_ADDRESS, "save": "1"})
    assert response.status_code == 303
    booking = await demo.db.fetch_one("SELECT address, address_id FROM bookings ORDER BY id DESC LIMIT 1")
    assert booking["address"] == "Flat 4B, Lotus Apartments, 12th Main Road, Indiranagar, near Opposite the metro, Bengaluru 560038"
    saved = await demo.db.fetch_all("SELECT id, label, pin_code FROM addresses")
    assert [(r["label"], r["pin_code"]) for r in saved] == [("Home", DEMO_PIN)] and booking["address_id"] == saved[0]["id"]
    second = await text(await client.get(confirm_path(ravi, WED_5PM)))
    assert re.search(rf'name="address_id" value="{saved[0]["id"]}" checked', second)
    response = await post(client, "/book/tap-leak-repair", {"provider": str(ravi), "slot": slot_token(WED_5PM),
                                                            "address_id": str(saved[0]["id"]), "phone": "+91 99000 12345"})
    assert response.status_code == 303
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM addresses") == 1  # used again, not copied


async def test_the_last_used_address_comes_first(demo):
    ravi = await user_id(demo, "provider@example.com")
    client = await logged_in(demo, "customer@example.com")
    for label, start in (("Home", TUE_5PM), ("Office", WED_5PM)):
        assert (await post(client, "/book/tap-leak-repair", {"provider": str(ravi), "slot": slot_token(start),
                                                             **NEW_ADDRESS, "label": label, "save": "1"})).status_code == 303
    office = await demo.db.fetch_value("SELECT id AS n FROM addresses WHERE label = 'Office'")
    page = await text(await client.get(confirm_path(ravi, NOW.replace(day=26, hour=11, minute=30))))
    assert re.search(rf'value="{office}" checked', page) and page.index("Office") < page.index("Home")


async def test_bad_addresses_get_a_clear_message_and_nothing_is_written(demo):
    ravi = await user_id(demo, "provider@example.com")
    client = await logged_in(demo, "customer@example.com")
    cases = [({"pin_code": "56003"}, "6-digit PIN code"), ({"pin_code": "0560038"}, "6-digit PIN code"),
             ({"street": "x" * 5000}, "at most 80 characters"), ({"house": ""}, "Enter the flat / house"),
             ({"house": "\u200b\u200b"}, "Enter the flat / house"), ({"address_id": "99999"}, "saved addresses")]
    for change, message in cases:
        response = await post(client, "/book/tap-leak-repair", {"provider": str(ravi), "slot": slot_token(TUE_5PM),
                                                                **NEW_ADDRESS, "save": "1", **change})
        assert response.status_code == 422, change
        assert message in await text(response), change
    response = await post(client, "/addresses", {**NEW_ADDRESS, "landmark": "y" * 5000})
    assert response.status_code == 422 and "at most 50 characters" in await text(response)
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM bookings") == 0
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM addresses") == 0


async def test_the_address_book_adds_lists_and_deletes_only_ones_own(demo):
    client = await logged_in(demo, "customer@example.com")
    assert (await post(client, "/addresses", NEW_ADDRESS)).status_code == 303
    page = await text(await client.get("/addresses"))
    assert "Lotus Apartments" in page
    address = await demo.db.fetch_value("SELECT id AS n FROM addresses")
    other = await logged_in(demo, "rahul@example.com")
    assert (await post(other, f"/addresses/{address}/delete")).status_code == 404
    assert (await post(client, f"/addresses/{address}/delete")).status_code == 303
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM addresses") == 0


# ---------------------------------------------------------------- 3. service areas


async def test_a_pin_code_narrows_the_grid_and_the_service_page_to_who_serves_it(demo):
    visitor = demo.test_client()
    everyone = await text(await visitor.get("/services/tap-leak-repair"))
    assert "Ravi Kumar" in everyone and "Imran Shaikh" in everyone
    indiranagar = await text(await visitor.get(f"/services/tap-leak-repair?pin={DEMO_PIN}"))  # Ravi only
    assert "Ravi Kumar" in indiranagar and "Imran Shaikh" not in indiranagar
    grid = await text(await visitor.get(f"/book/tap-leak-repair?provider=any&pin={DEMO_PIN}&day=2026-11-24"))
    assert ">Imran Shaikh" not in grid and f"pin={DEMO_PIN}&slot=" in grid


async def test_outside_every_area_is_told_before_any_time_and_can_leave_the_pin_code(demo):
    visitor = demo.test_client()
    page = await text(await visitor.get(f"/book/tap-leak-repair?provider=any&pin={OUTSIDE_PIN}"))
    assert f"at PIN code {OUTSIDE_PIN} yet" in page and "data-slot" not in page
    response = await post(visitor, "/book/tap-leak-repair/later", {"pin": OUTSIDE_PIN, "email": "neha@example.com"})
    assert response.status_code == 303
    rows = await demo.db.fetch_all("SELECT pin_code, email FROM area_requests")
    assert [(r["pin_code"], r["email"]) for r in rows] == [(OUTSIDE_PIN, "neha@example.com")]
    bad = await post(visitor, "/book/tap-leak-repair/later", {"pin": "4110", "email": "neha@example.com"})
    assert bad.status_code == 422 and "6-digit PIN code" in await text(bad)
    assert "6-digit PIN code" in await text(await visitor.get("/book/tap-leak-repair?pin=12345"))


async def test_a_booking_at_a_pin_code_the_professional_does_not_serve_is_refused_on_the_form(demo):
    imran = await user_id(demo, "imran.plumber@example.com")  # not in 560038
    client = await logged_in(demo, "customer@example.com")
    response = await post(client, "/book/tap-leak-repair", {"provider": str(imran), "slot": slot_token(TUE_5PM), **NEW_ADDRESS})
    assert response.status_code == 422 and f"does not work at PIN code {DEMO_PIN}" in await text(response)
    response = await post(client, "/book/tap-leak-repair", {"provider": "any", "slot": slot_token(TUE_5PM),
                                                            **NEW_ADDRESS, "pin_code": OUTSIDE_PIN})
    assert response.status_code == 422 and f"at PIN code {OUTSIDE_PIN} yet" in await text(response)
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM bookings") == 0
    ravi = await user_id(demo, "provider@example.com")
    response = await post(client, "/book/tap-leak-repair", {"provider": "any", "slot": slot_token(TUE_5PM), **NEW_ADDRESS})
    assert response.status_code == 303
    assert await demo.db.fetch_value("SELECT provider_id AS n FROM bookings") == ravi


async def test_the_customers_last_pin_code_filters_without_asking_again(demo):
    client = await logged_in(demo, "customer@example.com")
    assert (await post(client, "/addresses", {**NEW_ADDRESS, "pin_code": OUTSIDE_PIN})).status_code == 303
    page = await text(await client.get("/book/tap-leak-repair"))
    assert f"at PIN code {OUTSIDE_PIN} yet" in page and "data-slot" not in page


# ---------------------------------------------------------------- 5. women-only before the grid


async def test_a_male_customer_is_told_before_the_grid_and_offered_other_services(demo):
    rahul = await logged_in(demo, "rahul@example.com")
    response = await rahul.get("/book/facial-at-home?provider=any")
    assert response.status_code == 403
    page = await text(response)
    assert "for women customers" in page and "data-slot" not in page and 'href="/services/tap-leak-repair"' in page
    service = await text(await rahul.get("/services/facial-at-home"))
    assert "See free times" not in service and "for women customers" in service


# ---------------------------------------------------------------- 4. day strip


async def test_the_day_strip_shows_fourteen_days_and_one_days_times_grouped(demo):
    ravi = await user_id(demo, "provider@example.com")
    page = await text(await demo.test_client().get(f"/book/tap-leak-repair?provider={ravi}&day=2026-11-24"))
    chips = re.findall(r'class="day-chip[^"]*"[^>]*? href="[^"]*day=(\d{4}-\d\d-\d\d)"', page)
    assert chips[0] == "2026-11-23" and len(chips) == 14
    assert re.search(r'day=2026-11-24"[^>]*aria-current="date"', page)
    assert set(re.findall(r'data-part="(\w+)"', page)) == {"morning", "afternoon", "evening"}
    assert 'data-slot="2026-11-25T' not in page  # only the day chosen
    later = await text(await demo.test_client().get(f"/book/tap-leak-repair?provider={ravi}&day=2026-12-08"))
    assert re.findall(r'class="day-chip[^"]*"[^>]*? href="[^"]*day=(\d{4}-\d\d-\d\d)"', later)[0] == "2026-12-07"
    assert "Earlier days" in later


async def test_a_provider_edits_their_pin_codes_and_the_admin_sees_them(demo):
    imran = await user_id(demo, "imran.plumber@example.com")
    provider = await logged_in(demo, "imran.plumber@example.com")
    assert "560068" in await text(await provider.get("/provider/availability"))
    bad = await post(provider, "/provider/availability/areas", {"areas": "560038, 56003"})
    assert bad.status_code == 422 and "Not a PIN code: 56003" in await text(bad)
    huge = await post(provider, "/provider/availability/areas", {"areas": "5" * 5000})
    assert huge.status_code == 422
    assert (await post(provider, "/provider/availability/areas", {"areas": f"{DEMO_PIN}\n560068, 560068"})).status_code == 303
    rows = await demo.db.fetch_all("select_provider_areas", {"provider_id": imran})
    assert [r["pin_code"] for r in rows] == ["560038", "560068"]
    visitor = demo.test_client()
    assert "Imran Shaikh" in await text(await visitor.get(f"/services/tap-leak-repair?pin={DEMO_PIN}"))
    admin = await logged_in(demo, "admin@example.com")
    assert "560038, 560068" in await text(await admin.get(f"/admin/providers/{imran}"))


# ---------------------------------------------------------------- 9. book again


async def test_book_again_offers_the_same_professional_and_preselects_the_same_address(demo):
    ravi = await user_id(demo, "provider@example.com")
    client = await logged_in(demo, "customer@example.com")
    for label, start in (("Home", TUE_5PM), ("Office", WED_5PM)):
        await post(client, "/book/tap-leak-repair", {"provider": str(ravi), "slot": slot_token(start), **NEW_ADDRESS,
                                                     "label": label, "save": "1"})
    home_booking = await demo.db.fetch_one("SELECT id, address_id FROM bookings WHERE starts_at = :s", {"s": TUE_5PM})
    await demo.db.execute("UPDATE bookings SET status = 'completed' WHERE id = :id", {"id": home_booking["id"]})
    listing = await text(await client.get("/bookings"))
    again = f"/book/tap-leak-repair?provider={ravi}&again={home_booking['id']}"
    assert f'href="{again}"' in listing.replace("&amp;", "&")
    grid = await text(await client.get(again))
    assert re.search(rf'href="/book/tap-leak-repair/confirm\?provider={ravi}&pin={DEMO_PIN}&again={home_booking["id"]}&slot=', grid)
    link = re.search(r'href="(/book/tap-leak-repair/confirm\?[^"]+)"', grid).group(1)
    page = await text(await client.get(link))
    assert re.search(rf'value="{home_booking["address_id"]}" checked', page)  # Home, though Office was used last
    other = await logged_in(demo, "rahul@example.com")  # someone else's booking id preselects nothing of hers
    assert "Lotus" not in await text(await other.get(link))
