"""Running the catalogue from the console: every change is audited; a deactivated service takes no bookings."""

from __future__ import annotations

import pytest

from grihaseva.admin.catalogue import parse_rupees
from tests.admin.conftest import NOW, audit_rows, logged_in, service_id, text, user_id
from tests.conftest import post

NEW_SERVICE = {"category_id": "", "name": "Sofa shampoo", "price_rupees": "1,299.50", "duration_min": "90",
               "summary": "Deep clean of a three-seater", "included": "Vacuum, shampoo, dry"}


async def category_id(app, slug: str) -> int:
    return (await app.db.fetch_one("select_category_by_slug", {"slug": slug}))["id"]


async def test_admin_creates_a_service_priced_in_rupees_and_stored_in_paise(demo):
    admin = await logged_in(demo, "admin@example.com")
    cleaning = await category_id(demo, "cleaning")
    response = await post(admin, "/admin/services", {**NEW_SERVICE, "category_id": str(cleaning)})
    assert response.status_code == 303
    row = await demo.db.fetch_one("select_service_by_slug", {"slug": "sofa-shampoo"})
    assert (row["price_paise"], row["duration_min"], row["is_active"], bool(row["women_only"])) == (129950, 90, 1, False)
    page = await text(await demo.test_client().get("/services/sofa-shampoo"))
    assert "Sofa shampoo" in page and "₹1,299.50" in page
    [audit] = await audit_rows(demo)
    assert audit["admin_id"] == await user_id(demo, "admin@example.com")
    assert (audit["action"], audit["subject_type"], audit["subject_id"]) == ("service.create", "service", row["id"])
    assert "Sofa shampoo" in audit["detail"] and "₹1,299.50" in audit["detail"]
    assert audit["created_at"] == NOW


async def test_editing_price_duration_and_women_only_is_audited_with_before_and_after(demo):
    admin = await logged_in(demo, "admin@example.com")
    service = await demo.db.fetch_one("admin_select_service", {"id": await service_id(demo, "tap-leak-repair")})
    form = {"category_id": str(service["category_id"]), "name": service["name"], "summary": service["summary"],
            "included": service["included"], "price_rupees": "549", "duration_min": "75", "women_only": "1"}
    response = await post(admin, f"/admin/services/{service['id']}", form)
    assert response.status_code == 303
    after = await demo.db.fetch_one("admin_select_service", {"id": service["id"]})
    assert (after["price_paise"], after["duration_min"], after["women_only"]) == (54900, 75, 1)
    [audit] = await audit_rows(demo)
    assert audit["action"] == "service.update" and audit["subject_id"] == service["id"]
    assert "price_paise: ₹" in audit["detail"] and "-> ₹549" in audit["detail"]
    assert f"duration_min: {service['duration_min']} -> 75" in audit["detail"]
    assert "women_only: False -> True" in audit["detail"]


async def test_deactivated_service_keeps_history_takes_no_bookings_and_can_come_back(demo):
    admin = await logged_in(demo, "admin@example.com")
    tap = await service_id(demo, "tap-leak-repair")
    assert (await post(admin, f"/admin/services/{tap}/deactivate")).status_code == 303
    assert (await demo.test_client().get("/services/tap-leak-repair")).status_code == 404
    assert "Tap and leak repair" not in await text(await demo.test_client().get("/services"))
    customer = await logged_in(demo, "customer@example.com")
    refused = await post(customer, "/book/tap-leak-repair", {"provider": "any", "slot": "2026-11-24T11:30Z",
                                                             "address": "12 MG Road, Indiranagar", "phone": "+91 99000 12345"})
    assert refused.status_code == 404
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM services WHERE id = :id", {"id": tap}) == 1
    assert "deactivated" in await text(await admin.get("/admin/catalogue"))
    assert (await post(admin, f"/admin/services/{tap}/reactivate")).status_code == 303
    assert (await demo.test_client().get("/services/tap-leak-repair")).status_code == 200
    assert [(r["action"], r["subject_id"]) for r in await audit_rows(demo)] == [("service.deactivate", tap), ("service.reactivate", tap)]


async def test_a_women_only_category_makes_its_services_women_only(demo):
    admin = await logged_in(demo, "admin@example.com")
    cleaning = await category_id(demo, "cleaning")
    category = await demo.db.fetch_one("admin_select_category", {"id": cleaning})
    response = await post(admin, f"/admin/categories/{cleaning}", {
        "name": category["name"], "description": category["description"], "women_only": "1"})
    assert response.status_code == 303
    flags = await demo.db.fetch_all("SELECT women_only FROM services WHERE category_id = :c", {"c": cleaning})
    assert flags and all(row["women_only"] == 1 for row in flags)
    [audit] = await audit_rows(demo)
    assert "made women-only: " in audit["detail"] and "Home deep cleaning" in audit["detail"]
    # A man can no longer book them, and a new service in the category is women-only even unticked.
    rahul = await logged_in(demo, "rahul@example.com")
    assert (await rahul.get("/book/home-deep-cleaning/confirm?provider=any&slot=2026-11-25T04:30Z")).status_code == 403
    await post(admin, "/admin/services", {**NEW_SERVICE, "category_id": str(cleaning)})
    row = await demo.db.fetch_one("select_service_by_slug", {"slug": "sofa-shampoo"})
    assert row["women_only"] == 1


async def test_a_name_without_latin_letters_asks_for_an_address_name(demo):
    admin = await logged_in(demo, "admin@example.com")
    response = await post(admin, "/admin/categories", {"name": "पूजा सेवा", "description": ""})
    assert response.status_code == 422
    assert "The name has no English letters or digits to make the address name from" in await text(response)
    named = await post(admin, "/admin/categories", {"name": "पूजा सेवा", "description": "", "slug": "pooja-seva"})
    assert named.status_code == 303


async def test_a_long_name_makes_an_address_name_cut_at_a_word(demo):
    from grihaseva.admin.catalogue import slugify

    assert slugify("Deep cleaning of a three bedroom flat with balcony and kitchen chimney", limit=30) == "deep-cleaning-of-a-three"
    admin = await logged_in(demo, "admin@example.com")
    name = "Complete home sanitisation with eco friendly chemicals for families with small children and pets"
    assert (await post(admin, "/admin/categories", {"name": name, "description": ""})).status_code == 303


async def test_deactivating_twice_writes_one_audit_row(demo):
    admin = await logged_in(demo, "admin@example.com")
    tap = await service_id(demo, "tap-leak-repair")
    assert (await post(admin, f"/admin/services/{tap}/deactivate")).status_code == 303
    again = await post(admin, f"/admin/services/{tap}/deactivate", follow_redirects=True)
    assert "That service was already deactivated." in await text(again)
    assert [r["action"] for r in await audit_rows(demo)] == ["service.deactivate"]


async def test_admin_creates_and_renames_a_category(demo):
    admin = await logged_in(demo, "admin@example.com")
    response = await post(admin, "/admin/categories", {"name": "Pest control", "description": "Cockroaches and termites"})
    assert response.status_code == 303
    row = await demo.db.fetch_one("select_category_by_slug", {"slug": "pest-control"})
    assert row["name"] == "Pest control"
    assert "Pest control" in await text(await demo.test_client().get("/services"))
    response = await post(admin, f"/admin/categories/{row['id']}", {"name": "Pest control & hygiene", "description": ""})
    assert response.status_code == 303
    assert (await demo.db.fetch_one("admin_select_category", {"id": row["id"]}))["name"] == "Pest control & hygiene"
    assert [r["action"] for r in await audit_rows(demo)] == ["category.create", "category.update"]
    assert "name: Pest control -> Pest control & hygiene" in (await audit_rows(demo))[1]["detail"]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("price_rupees", "five hundred", "Enter the price in rupees"),
    ("price_rupees", "-10", "Enter the price in rupees"),
    ("price_rupees", "499.999", "at most two decimal places"),
    ("price_rupees", "99999999", "Prices are at most"),
    ("duration_min", "0", "from 5 to 720"),
    ("duration_min", "721", "from 5 to 720"),
    ("name", "", "2 to 120 characters"),
    ("category_id", "999", "Choose a category"),
])
async def test_bad_service_input_is_a_422_with_the_message_and_nothing_saved(demo, field, value, message):
    admin = await logged_in(demo, "admin@example.com")
    form = {**NEW_SERVICE, "category_id": str(await category_id(demo, "cleaning")), field: value}
    response = await post(admin, "/admin/services", form)
    assert response.status_code == 422
    assert message in await text(response)
    assert await demo.db.fetch_one("select_service_by_slug", {"slug": "sofa-shampoo"}) is None
    assert await audit_rows(demo) == []


async def test_a_duplicate_service_address_is_a_422(demo):
    admin = await logged_in(demo, "admin@example.com")
    form = {**NEW_SERVICE, "name": "Tap leak repair", "category_id": str(await category_id(demo, "plumbing"))}
    response = await post(admin, "/admin/services", form)
    assert response.status_code == 422
    assert "already exists" in await text(response)
    assert await audit_rows(demo) == []


async def test_editing_a_missing_service_is_404(demo):
    admin = await logged_in(demo, "admin@example.com")
    assert (await admin.get("/admin/services/99999")).status_code == 404
    assert (await post(admin, "/admin/services/99999/deactivate")).status_code == 404


@pytest.mark.parametrize(("typed", "paise"), [
    ("499", 49900), ("499.5", 49950), ("1,24,999.50", 12499950), ("₹ 1,499", 149900), ("₹499", 49900),
    ("1,00,000", 10000000), ("100,000", 10000000), (" 0.50 ", 50)])
def test_rupees_typed_by_an_admin_become_exact_paise(typed, paise):
    assert parse_rupees(typed) == paise


@pytest.mark.parametrize(("typed", "message"), [
    ("1e3", "Enter the price in rupees"), ("1e-2", "Enter the price in rupees"), ("1_000", "Enter the price in rupees"),
    ("1,0,0", "Enter the price in rupees"), ("4,99", "Enter the price in rupees"), ("+5", "Enter the price in rupees"),
    ("-5", "Enter the price in rupees"), ("NaN", "Enter the price in rupees"), ("", "Enter the price in rupees"),
    ("0", "Enter a price above ₹0."), ("₹ 0.00", "Enter a price above ₹0."), ("499.505", "at most two decimal places"),
])
def test_prices_in_other_shapes_are_refused_with_a_message(typed, message):
    with pytest.raises(ValueError, match=message.replace("₹", ".")):
        parse_rupees(typed)


async def test_an_open_grid_follows_a_services_new_price_and_duration_and_its_deactivation(demo):
    import re

    from tests.events.test_sse import open_stream

    tap = await service_id(demo, "tap-leak-repair")
    service = await demo.db.fetch_one("admin_select_service", {"id": tap})
    admin = await logged_in(demo, "admin@example.com")
    form = {"category_id": str(service["category_id"]), "name": service["name"], "summary": service["summary"],
            "included": service["included"], "price_rupees": "549", "duration_min": "180"}
    watcher = demo.test_client()
    async with open_stream(watcher, "/book/tap-leak-repair/live?provider=any&day=2026-11-24") as stream:
        before = await stream.next()
        assert "₹549" not in before.data
        assert (await post(admin, f"/admin/services/{tap}", form)).status_code == 303
        after = await stream.next()
        assert "₹549 · 3 h" in after.data
        # A three-hour job fits fewer start times into the same working hours.
        slots = lambda html: set(re.findall(r'class="slot free" data-slot="([^"]+)"', html))  # noqa: E731
        assert slots(after.data) and slots(after.data) < slots(before.data)
        assert (await post(admin, f"/admin/services/{tap}/deactivate")).status_code == 303
        closed = await stream.next()
        assert "is no longer taking bookings" in closed.data and "data-slot" not in closed.data
