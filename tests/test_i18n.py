"""Hindi and English: the catalogue is complete, the language is chosen the documented way,
numbers, money and dates follow it, and a Hindi page has no English left in its text."""

from __future__ import annotations

import gzip
import re
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from grihaseva import i18n
from grihaseva.booking.trust import initials
from tests.conftest import post, register, text, visible_text
from tests.helpers import demo, logged_in, seed_demo_app  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)s|%[sd]")
TAG = re.compile(r"</?[a-z]+")


def _extracted() -> dict:
    """Every message `make messages` extracts (same babel.cfg, same keywords)."""
    method_map, options_map = [], {}
    section = None
    for line in (ROOT / "babel.cfg").read_text().splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            method, _, pattern = line[1:-1].partition(":")
            method_map.append((pattern.strip(), method.strip()))
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}
    found = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords):
        found.setdefault(message, filename)
    return found


def _catalogue(code: str):
    with (ROOT / "grihaseva" / "translations" / code / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=code)


TRANSLATED = [code for code in i18n.LANGUAGES if code != i18n.DEFAULT_LOCALE]


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_in_templates_and_python_is_translated_with_the_same_placeholders(code):
    extracted = _extracted()
    assert len(extracted) > 400, "extraction found too little: is babel.cfg right?"
    catalogue = _catalogue(code)
    problems = []
    for message, filename in extracted.items():
        key = message[0] if isinstance(message, tuple) else message
        entry = catalogue.get(key)
        if entry is None or not entry.string or (isinstance(entry.string, tuple) and not all(entry.string)):
            problems.append(f"missing in {code}: {key!r} ({filename})")
            continue
        sources = message if isinstance(message, tuple) else (message,)
        translations = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        wanted = sorted(set(PLACEHOLDER.findall(" ".join(sources))))
        for translated in translations:
            if sorted(set(PLACEHOLDER.findall(translated))) != wanted:
                problems.append(f"placeholders differ: {key!r} -> {translated!r}")
            if sorted(TAG.findall(translated)) != sorted(TAG.findall(sources[0])):
                problems.append(f"markup differs: {key!r} -> {translated!r}")
            if key.strip() and translated == key and not PLACEHOLDER.fullmatch(key):
                problems.append(f"left in English: {key!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("code", TRANSLATED)
def test_catalogues_have_no_stale_or_fuzzy_entries(code):
    extracted = {m[0] if isinstance(m, tuple) else m for m in _extracted()}
    catalogue = _catalogue(code)
    stale = [m.id for m in catalogue if m.id and (m.id[0] if isinstance(m.id, tuple) else m.id) not in extracted]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert (stale, fuzzy) == ([], [])


def test_the_language_comes_from_the_parameter_the_cookie_or_accept_language_in_that_order():
    assert i18n.from_accept_language("hi-IN,hi;q=0.9,en;q=0.8") == "hi"
    assert i18n.from_accept_language("en-GB,en;q=0.9,hi;q=0.8") == "en"
    assert i18n.from_accept_language("fr, hi;q=0.5") == "hi"
    assert i18n.from_accept_language("hi;q=0, en;q=0.1") == "en"
    assert i18n.from_accept_language("de, fr") is None
    assert i18n.from_accept_language("hi;q=abc, en") == "en"
    assert i18n.normalize("HI_in") == "hi" and i18n.normalize("ta") is None and i18n.normalize(None) is None


def test_money_numbers_and_dates_follow_the_language():
    moment = datetime(2026, 11, 25, 13, 0, tzinfo=timezone.utc)  # 6:30 pm in Kolkata
    with i18n.use_locale("en"):
        assert i18n.rupees(12499950) == "₹1,24,999.50"
        assert i18n.rupees(249900) == "₹2,499"
        assert i18n.slot_label(moment, "Asia/Kolkata") == "Wed 25 Nov, 6:30 pm IST"
        assert i18n.duration(90) == "1 h 30 min"
        assert i18n.date_label(date(2026, 3, 5)) == "5 Mar 2026"
    with i18n.use_locale("hi"):
        assert i18n.rupees(12499950) == "₹1,24,999.50"
        assert i18n.number(1234567) == "12,34,567"
        assert i18n.slot_label(moment, "Asia/Kolkata") == "बुध 25 नव॰, शाम 6:30 IST"
        assert i18n.time_label(datetime(2026, 11, 25, 4, 30, tzinfo=timezone.utc), "Asia/Kolkata") == "सुबह 10:00"
        assert i18n.duration(90) == "1 घंटा 30 मिनट"
        assert i18n.duration(120) == "2 घंटे"
        assert i18n.long_day_label(date(2026, 11, 25)) == "बुधवार 25 नवंबर"
        assert i18n.weekday_names()[0] == "सोमवार"
    assert i18n.get_locale() == "en"  # use_locale puts the language back


def test_a_post_s_language_is_told_from_its_script():
    assert i18n.text_language("नल से पानी टपक रहा है? ये आसान उपाय आज़माएँ") == "hi"
    assert i18n.text_language("A leaking tap? Try these fixes (नल)") == "en"
    assert i18n.text_language("") == "en"


async def test_accept_language_hindi_gets_a_hindi_page_with_lang_on_html(client):
    page = await text(await client.get("/login", headers={"Accept-Language": "hi-IN,hi;q=0.9,en;q=0.5"}))
    assert '<html lang="hi" dir="ltr">' in page
    assert "पासवर्ड भूल गए?" in page
    english = await text(await client.get("/login", headers={"Accept-Language": "en-IN,en"}))
    assert '<html lang="en" dir="ltr">' in english and "Forgot your password?" in english


async def test_lang_parameter_wins_and_is_remembered_in_a_cookie(client):
    response = await client.get("/login?lang=hi", headers={"Accept-Language": "en"})
    assert '<html lang="hi"' in await text(response)
    assert "grihaseva_lang=hi" in response.headers.get("Set-Cookie", "")
    assert response.headers["Content-Language"] == "hi"
    assert "Accept-Language" in response.headers["Vary"] and "Cookie" in response.headers["Vary"]
    again = await client.get("/login", headers={"Accept-Language": "en"})
    assert '<html lang="hi"' in await text(again)  # the cookie beats Accept-Language


async def test_the_language_switch_works_as_a_plain_form_and_comes_back_to_the_page(client):
    page = await text(await client.get("/login?next=/bookings"))
    assert 'action="/language"' in page and 'lang="hi"' in page and "हिन्दी" in page
    assert 'name="next" value="/login"' in page  # the page's own address, without ?next= echoed
    response = await post(client, "/language", {"lang": "hi", "next": "/services"})
    assert response.status_code == 303 and response.headers["Location"] == "/services"
    assert "grihaseva_lang=hi" in response.headers["Set-Cookie"]
    assert "HttpOnly" in response.headers["Set-Cookie"]
    assert '<html lang="hi"' in await text(await client.get("/services"))
    assert (await post(client, "/language", {"lang": "ta", "next": "/"})).status_code == 400
    away = await post(client, "/language", {"lang": "en", "next": "https://evil.example/"})
    assert away.headers["Location"] == "/"


async def test_a_logged_in_switch_is_saved_in_the_profile_and_follows_the_user_to_another_device(app, client):
    await register(client)
    await post(client, "/language", {"lang": "hi", "next": "/account"})
    row = await app.db.fetch_one("select_user_by_email", {"email": "asha@example.com"})
    assert row["locale"] == "hi"
    other = app.test_client()  # no cookie, an English browser
    await post(other, "/login", {"email": "asha@example.com", "password": "correct-horse-1"})
    page = await text(await other.get("/account", headers={"Accept-Language": "en"}))
    assert '<html lang="hi"' in page and "आपका खाता" in page


async def test_the_language_chosen_at_sign_up_is_stored(app, client):
    page = await text(await client.get("/register?lang=hi"))
    assert 'name="locale" value="hi" checked' in page
    response = await post(client, "/register", {
        "name": "आशा मेनन", "email": "asha@example.com", "phone": "+91 98450 12345", "gender": "female",
        "role": "customer", "password": "correct-horse-1", "password_confirm": "correct-horse-1", "locale": "hi"})
    assert response.status_code == 303
    assert (await app.db.fetch_one("select_user_by_email", {"email": "asha@example.com"}))["locale"] == "hi"


async def test_validation_messages_and_flashes_are_in_hindi(client):
    await client.get("/register?lang=hi")
    response = await post(client, "/register", {"name": "", "email": "nope", "gender": "", "role": "customer",
                                                 "password": "x", "password_confirm": "y"})
    page = await text(response)
    assert response.status_code == 422
    assert "अपना नाम लिखें।" in page and "सही ईमेल पता लिखें" in page and "कृपया नीचे दी गई" in page
    missing = await client.get("/bookings/999999")
    assert missing.status_code in (303, 404)


# Words that may stay in Latin letters on a Hindi page: the brand, formats, abbreviations, and the
# demo catalogue's own names and addresses (content, not interface).
# "English" is the switch's button, named in its own language (and marked lang="en").
ALLOWED_LATIN = {"GrihaSeva", "IST", "UPI", "CSV", "Markdown", "HTML", "JavaScript", "English"}


def _latin_words(html: str) -> set[str]:
    body = html.split("<body", 1)[1].split(">", 1)[1]
    body = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"[\w.+-]+@[\w.-]+", " ", visible_text(body))  # addresses
    words = set(re.findall(r"[A-Za-z][A-Za-z'’-]+", body))
    return {w for w in words if w not in ALLOWED_LATIN}


async def test_main_pages_in_hindi_have_no_english_interface_text_left(demo):
    client = await logged_in(demo, "customer@example.com")
    await post(client, "/language", {"lang": "hi", "next": "/"})
    # names, addresses, posts and bios from the demo data: content, not interface (services and
    # categories have Hindi names, so their English words do not count as content here)
    content = {"BHK"}
    for row in await demo.db.fetch_all("SELECT name, email FROM users"):
        content |= set(re.findall(r"[A-Za-z][A-Za-z'’-]+", " ".join(row.values())))
        content.add(initials(row["name"]))  # a professional without a photo is shown by initials ("AD")
    for row in await demo.db.fetch_all("SELECT title, summary FROM posts"):
        content |= set(re.findall(r"[A-Za-z][A-Za-z'’-]+", " ".join(row.values())))
    for row in await demo.db.fetch_all("SELECT bio FROM providers"):
        content |= set(re.findall(r"[A-Za-z][A-Za-z'’-]+", row["bio"] or ""))
    slug = (await demo.db.fetch_one("SELECT slug FROM services ORDER BY id LIMIT 1"))["slug"]
    for path in ("/", "/services", f"/services/{slug}", f"/book/{slug}?provider=any", "/bookings", "/account",
                 "/blog"):
        response = await client.get(path)
        page = await text(response)
        assert response.status_code == 200 and '<html lang="hi"' in page, path
        assert len(gzip.compress(page.encode("utf-8"), 6)) <= 60 * 1024, f"{path} is over 60 KB compressed in Hindi"
        left = _latin_words(page) - content
        assert not left, f"{path}: English left: {sorted(left)}"


async def test_live_fragments_are_rendered_in_each_subscriber_s_language(demo):
    """Two devices of one customer watch /bookings, one in Hindi, one in English: the snapshot and
    every re-render after an event come in that stream's own language."""
    import asyncio

    from grihaseva.events import publish
    from tests.events.test_sse import open_stream

    hindi = await logged_in(demo, "customer@example.com")
    await post(hindi, "/language", {"lang": "hi", "next": "/bookings"})
    english = await logged_in(demo, "customer@example.com")
    uid = (await demo.db.fetch_one("select_user_by_email", {"email": "customer@example.com"}))["id"]
    await demo.db.execute("update_user_locale", {"id": uid, "locale": "hi"})  # the profile says Hindi…
    async with open_stream(hindi, "/bookings/live") as hi_stream, \
            open_stream(english, "/bookings/live?lang=en") as en_stream:  # …this device asks for English
        hi_first, en_first = await hi_stream.next(), await en_stream.next()
        assert "आने वाली बुकिंग" in hi_first.data and "Upcoming" not in hi_first.data
        assert "Upcoming" in en_first.data and "आने वाली बुकिंग" not in en_first.data
        async with demo.db.transaction() as tx:
            await publish(tx, f"user:{uid}", "booking", {"booking_id": 0}, demo.clock())
        hi_next, en_next = await asyncio.gather(hi_stream.next(timeout=5), en_stream.next(timeout=5))
        assert "आने वाली बुकिंग" in hi_next.data and "Upcoming" in en_next.data


def test_pages_use_the_phone_s_own_devanagari_font_and_download_none():
    """No web font on the critical path: no @font-face, no font file, and the stack names the fonts
    phones ship (Noto Sans Devanagari on Android) before the generic family."""
    css = (ROOT / "grihaseva" / "static" / "app.css").read_text()
    assert "@font-face" not in css and not re.search(r"\.(woff2?|ttf|otf)\b", css)
    stack = re.search(r"body\s*\{[^}]*font:[^;]*?(system-ui[^;]*);", css).group(1)
    families = [name.strip().strip('"') for name in stack.split(",")]
    assert families[0] == "system-ui" and families[-1] == "sans-serif"
    assert {"Noto Sans Devanagari", "Nirmala UI", "Kohinoor Devanagari"} <= set(families)
    static = ROOT / "grihaseva" / "static"
    assert not [p for p in static.rglob("*") if p.suffix in (".woff", ".woff2", ".ttf", ".otf")]


async def test_signing_up_from_a_booking_keeps_the_language_the_page_was_read_in(demo):
    """The short sign-up from a booking has no language choice: the account gets the page's."""
    from urllib.parse import quote

    ravi = (await demo.db.fetch_one("select_user_by_email", {"email": "provider@example.com"}))["id"]
    visitor = demo.test_client()
    await post(visitor, "/language", {"lang": "hi", "next": "/"})
    path = f"/book/tap-leak-repair/confirm?provider={ravi}&slot=2026-11-24T11:30Z"
    form = await text(await visitor.get("/register?next=" + quote(path, safe="")))
    assert 'name="locale"' not in form
    response = await post(visitor, "/register", {"name": "कविता राव", "phone": "+91 98860 00001",
                                                 "email": "kavita@example.com", "password": "correct-horse-1", "next": path})
    assert response.status_code == 303
    assert (await demo.db.fetch_one("select_user_by_email", {"email": "kavita@example.com"}))["locale"] == "hi"
