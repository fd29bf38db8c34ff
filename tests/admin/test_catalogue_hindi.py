"""The catalogue in Hindi: services and categories carry Hindi names (migration 015), which an admin
edits beside the English ones; a reader sees their language's name, and the English one (marked
lang="en") while the Hindi one is empty. The admin console itself speaks Hindi too."""

from __future__ import annotations

import re

import pytest

from grihaseva.demo.seed import seed_demo
from tests.admin.conftest import audit_rows, logged_in, service_id, text
from tests.conftest import post
from tests.test_i18n import ALLOWED_LATIN, _latin_words


async def _category(app, slug: str) -> dict:
    return await app.db.fetch_one("select_category_by_slug", {"slug": slug})


async def _hindi(client) -> None:
    await post(client, "/language", {"lang": "hi", "next": "/"})


async def test_the_demo_catalogue_reads_in_hindi_and_in_english(demo):
    hindi = demo.test_client()
    await _hindi(hindi)
    page = await text(await hindi.get("/services"))
    assert "नल और लीकेज की मरम्मत" in page and "प्लंबिंग" in page and "टपकते नल, पाइप और जोड़ ठीक किए जाते हैं।" in page
    assert "Tap and leak repair" not in page and "Plumbing" not in page
    service = await text(await hindi.get("/services/tap-leak-repair"))
    assert "<h1>नल और लीकेज की मरम्मत</h1>" in service and "जाँच, वॉशर या कार्ट्रिज बदलना" in service
    home = await text(await hindi.get("/"))
    assert "घर पर ब्यूटी सेवा" in home and "Beauty at home" not in home
    english = await text(await demo.test_client().get("/services"))
    assert "Tap and leak repair" in english and "नल और लीकेज" not in english


async def test_admin_edits_both_names_and_an_empty_hindi_name_falls_back_to_english_marked_lang_en(demo):
    admin = await logged_in(demo, "admin@example.com")
    service = await demo.db.fetch_one("admin_select_service", {"id": await service_id(demo, "drain-unblocking")})
    form = {"category_id": str(service["category_id"]), "name": "Drain unblocking", "name_hi": "  नाली   खोलना ",
            "summary": service["summary"], "summary_hi": "", "included": service["included"], "included_hi": "",
            "price_rupees": "449", "duration_min": "60", "late_fee_rupees": "99"}
    editor = await text(await admin.get(f"/admin/services/{service['id']}"))
    assert 'name="name_hi"' in editor and 'lang="hi"' in editor and "बंद नाली खोलना" in editor
    assert (await post(admin, f"/admin/services/{service['id']}", form)).status_code == 303
    after = await demo.db.fetch_one("admin_select_service", {"id": service["id"]})
    assert (after["name"], after["name_hi"], after["summary_hi"]) == ("Drain unblocking", "नाली खोलना", "")
    assert "name_hi: बंद नाली खोलना -> नाली खोलना" in (await audit_rows(demo))[-1]["detail"]
    reader = demo.test_client()
    await _hindi(reader)
    page = await text(await reader.get("/services/drain-unblocking"))
    assert "<h1>नाली खोलना</h1>" in page
    assert service["summary"] in page  # no Hindi summary yet: the English one, rather than nothing

    plumbing = await _category(demo, "plumbing")
    cleared = {"name": "Plumbing", "name_hi": "", "description": plumbing["description"], "description_hi": ""}
    assert (await post(admin, f"/admin/categories/{plumbing['id']}", cleared)).status_code == 303
    listing = await text(await reader.get("/services"))
    assert re.search(r'<h2 lang="en">Plumbing', listing) or '<h2>Plumbing' in listing
    assert (await _category(demo, "plumbing"))["name_hi"] == ""
    assert 'class="service-name" href="/services/drain-unblocking">नाली खोलना</a>' in listing
    console = await text(await admin.get("/admin/catalogue?lang=hi"))
    assert "अनुवाद नहीं हुआ" not in console.split('id="service-' + str(service["id"]))[1].split("</li>")[0]


async def test_a_new_service_can_be_added_with_its_hindi_texts(demo):
    admin = await logged_in(demo, "admin@example.com")
    cleaning = (await _category(demo, "cleaning"))["id"]
    response = await post(admin, "/admin/services", {
        "category_id": str(cleaning), "name": "Balcony cleaning", "name_hi": "बालकनी की सफ़ाई", "price_rupees": "399",
        "duration_min": "60", "summary": "Balcony swept and washed", "summary_hi": "बालकनी झाड़कर धोई जाती है",
        "included": "Floor, railing, glass", "included_hi": "फ़र्श, रेलिंग, शीशा"})
    assert response.status_code == 303
    row = await demo.db.fetch_one("select_service_by_slug", {"slug": "balcony-cleaning"})
    assert (row["name_hi"], row["summary_hi"], row["included_hi"]) == ("बालकनी की सफ़ाई", "बालकनी झाड़कर धोई जाती है",
                                                                      "फ़र्श, रेलिंग, शीशा")


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name_hi", "न", "हिन्दी नाम 2 से 120 अक्षरों का रखें, या ख़ाली छोड़ दें।"),
    ("name_hi", "न" * 121, "हिन्दी नाम 2 से 120 अक्षरों का रखें, या ख़ाली छोड़ दें।"),
    ("summary_hi", "स" * 301, "यहाँ ज़्यादा से ज़्यादा 300 अक्षर लिखें।"),
    ("included_hi", "स" * 501, "यहाँ ज़्यादा से ज़्यादा 500 अक्षर लिखें।"),
    ("late_fee_rupees", "-5", "देर का शुल्क शून्य से कम नहीं हो सकता"),
    ("late_fee_rupees", "lots", "देर का शुल्क रुपयों में लिखें, जैसे 99 या 149.50 (कोई शुल्क नहीं तो 0)।"),
    ("late_fee_rupees", "99999", "देर का शुल्क ज़्यादा से ज़्यादा ₹10,000 हो सकता है।"),
    ("late_fee_rupees", "9" * 40, "देर का शुल्क ज़्यादा से ज़्यादा ₹10,000 हो सकता है।"),
])
async def test_bad_hindi_texts_get_a_message_in_the_admin_s_language_and_nothing_is_saved(demo, field, value, message):
    admin = await logged_in(demo, "admin@example.com")
    await _hindi(admin)
    service = await demo.db.fetch_one("admin_select_service", {"id": await service_id(demo, "tap-leak-repair")})
    form = {"category_id": str(service["category_id"]), "name": service["name"], "name_hi": service["name_hi"],
            "summary": service["summary"], "included": service["included"], "price_rupees": "349",
            "duration_min": "60", "late_fee_rupees": "99", field: value}
    response = await post(admin, f"/admin/services/{service['id']}", form)
    assert response.status_code == 422
    assert message in await text(response)
    assert await demo.db.fetch_one("admin_select_service", {"id": service["id"]}) == service
    assert await audit_rows(demo) == []


async def test_seeding_again_gives_an_old_catalogue_its_hindi_names_but_keeps_an_admin_s_wording(demo, settings):
    await demo.db.execute("UPDATE services SET name_hi = '' WHERE slug = 'ac-service'")
    await demo.db.execute("UPDATE services SET name_hi = 'एयर कंडीशनर' WHERE slug = 'fan-installation'")
    await demo.db.execute("UPDATE categories SET name_hi = '', description_hi = '' WHERE slug = 'electrical'")
    await seed_demo(demo.db, settings)
    assert (await demo.db.fetch_one("select_service_by_slug", {"slug": "ac-service"}))["name_hi"] == "एसी सर्विस"
    assert (await demo.db.fetch_one("select_service_by_slug", {"slug": "fan-installation"}))["name_hi"] == "एयर कंडीशनर"
    assert (await _category(demo, "electrical"))["name_hi"] == "बिजली का काम"


async def test_every_admin_page_in_hindi_has_no_english_interface_text(demo):
    admin = await logged_in(demo, "admin@example.com")
    await _hindi(admin)
    ravi = (await demo.db.fetch_one("select_user_by_email", {"email": "provider@example.com"}))["id"]
    # something in the audit log and a flash: a service edited (its detail stays as written, lang="en")
    tap = await service_id(demo, "tap-leak-repair")
    await post(admin, f"/admin/services/{tap}/deactivate")
    content = set(ALLOWED_LATIN) | {"knowledge", "md", "services", "BHK", "Rica"}
    for row in await demo.db.fetch_all("SELECT name, email, phone FROM users"):
        content |= set(re.findall(r"[A-Za-z][A-Za-z'’-]+", " ".join(str(v) for v in row.values())))
    for row in await demo.db.fetch_all("SELECT slug FROM services UNION SELECT slug FROM categories"):
        content |= set(re.findall(r"[A-Za-z][A-Za-z'’-]+", row["slug"]))
    for path in ("/admin", "/admin/catalogue", f"/admin/services/{tap}", "/admin/providers", f"/admin/providers/{ravi}",
                 "/admin/bookings", "/admin/bookings?from=nope", "/admin/customers", "/admin/posts", "/admin/audit"):
        response = await admin.get(path)
        page = await text(response)
        assert response.status_code in (200, 422) and '<html lang="hi"' in page, path
        # code, the FAQ's own text and rows stored in English (lang="en") are content, not interface
        page = re.sub(r"<(code|textarea)\b.*?</\1>", " ", page, flags=re.S)
        page = re.sub(r'<(\w+)[^>]* lang="en"[^>]*>.*?</\1>', " ", page, flags=re.S)
        left = _latin_words(page) - content
        assert not left, f"{path}: English left: {sorted(left)}"
