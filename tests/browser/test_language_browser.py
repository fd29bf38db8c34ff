"""GrihaSeva in Hindi and English in Chromium at 360 px, with JavaScript on and off: every main page
(visitor, customer, provider, admin, error) keeps its text inside its boxes, a Hindi page shows no
English words beyond an explicit allow list, and the language switch works as a plain form, at
sign-up too. One server; each language and JavaScript setting is one browser context that walks
every page. Set GRIHASEVA_SHOTS=/some/dir to keep a screenshot of every page."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import log_in
from tests.conftest import IN_CI
from tests.helpers import DEMO_PASSWORD

# (who is logged in, path); "{...}" is filled from a link found on an earlier page.
PAGES = [
    (None, "/"), (None, "/services"), (None, "/services/tap-leak-repair"), (None, "{provider}"),
    (None, "/book/tap-leak-repair?provider=any"), (None, "/login"), (None, "/register"),
    (None, "/password/forgot"), (None, "/password/reset/not-a-real-token"), (None, "/blog"), (None, "{post}"),
    (None, "{other_post}"), (None, "/chat"), (None, "/no-such-page"),
    ("customer@example.com", "/bookings"), ("customer@example.com", "{booking}"),
    ("customer@example.com", "/account"), ("customer@example.com", "/addresses"),
    ("provider@example.com", "/provider/dashboard"), ("provider@example.com", "/provider/availability"),
    ("provider@example.com", "/provider/notifications"),
    ("admin@example.com", "/admin"), ("admin@example.com", "/admin/catalogue"), ("admin@example.com", "{admin_service}"),
    ("admin@example.com", "/admin/providers"), ("admin@example.com", "{admin_provider}"),
    ("admin@example.com", "/admin/bookings"), ("admin@example.com", "/admin/customers"),
    ("admin@example.com", "/admin/posts"), ("admin@example.com", "/admin/faq"), ("admin@example.com", "/admin/audit"),
]
HOMES = {"customer@example.com": "/bookings", "provider@example.com": "/provider/dashboard", "admin@example.com": "/admin"}
# Where each "{...}" comes from: (the page, a link on it).
LINKS = {"provider": ("/services/tap-leak-repair", r"^/providers/\d+$"), "post": ("/blog", r"^/blog/[a-z0-9-]+$"),
         "booking": ("/bookings", r"^/bookings/\d+$"), "admin_service": ("/admin/catalogue", r"^/admin/services/\d+$"),
         "admin_provider": ("/admin/providers", r"^/admin/providers/\d+$")}
STATUS = {"/no-such-page": 404, "/password/reset/not-a-real-token": 400}

LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")
# Words a Hindi page may show in Latin letters: the brand, formats and abbreviations Hindi readers
# use as they are, the demo's people and places (names and addresses are not translated), and
# the chat's own typed examples. Anything else in Latin letters on a Hindi page fails the test,
# except text marked lang="en" (an English post, the "English" switch button) and e-mail addresses.
ALLOWED = {
    "GrihaSeva", "IST", "UPI", "CSV", "Markdown", "HTML", "JavaScript", "SMTP", "BHK", "AC", "MCB", "PIN", "OTP",
    "Asha", "Menon", "Ravi", "Kumar", "Imran", "Shaikh", "Suresh", "Naidu", "Anita", "Desai", "Priya", "Sharma",
    "Meena", "Iyer", "Joseph", "Fernandes", "Rahul", "Verma", "Admin",
    "MG", "Road", "Indiranagar", "Bengaluru", "Koramangala", "Whitefield", "Home",
    "RK", "IS", "SN", "AD", "PS", "MI", "JF",  # initials of professionals without a photo
    "knowledge", "md",  # the FAQ editor's file, knowledge.md
}
TEXT_OUTSIDE_ITS_BOX = """() => {
  const problems = [];
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width) problems.push('the page is ' + (document.documentElement.scrollWidth - width) + 'px wider than the screen');
  const inline = new Set(['inline', 'contents']);
  const range = document.createRange();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    let box = node.parentElement;
    if (!box || box.closest('script, style, noscript, template, .visually-hidden, option, select')) continue;
    // inside a closed disclosure (not its summary): not shown, though Chromium lays it out at the
    // closed width (content-visibility: hidden) and gives it boxes
    if (box.closest('details:not([open])') && !box.closest('summary')) continue;
    while (box.parentElement && inline.has(getComputedStyle(box).display)) box = box.parentElement;
    range.selectNodeContents(node);
    const rects = Array.from(range.getClientRects()).filter(r => r.width > 0 && r.height > 0);
    if (!rects.length) continue;  // not shown
    let scroller = null;  // text inside a strip that scrolls sideways on purpose is checked against its box only
    for (let e = box.parentElement; e && e !== document.body; e = e.parentElement) {
      const x = getComputedStyle(e).overflowX;
      if (x === 'auto' || x === 'scroll') { scroller = e; break; }
    }
    // its own box and every box around it, up to a strip that scrolls sideways on purpose
    const boxes = [];
    for (let e = box; e && e !== document.body && e !== scroller; e = e.parentElement) boxes.push(e);
    for (const r of rects) {
      if (r.right <= 0 || r.left >= width || r.bottom <= 0) continue;  // put off the screen on purpose (the skip link)
      const text = node.textContent.trim().slice(0, 40);
      const outside = boxes.find(e => { const b = e.getBoundingClientRect(); return r.right > b.right + 1 || r.left < b.left - 1; });
      if (outside) {
        const b = outside.getBoundingClientRect();
        const where = outside.tagName.toLowerCase() + (outside.className ? '.' + String(outside.className).trim().split(/\\s+/).join('.') : '');
        problems.push('"' + text + '" sticks out of ' + where + ' by ' + Math.round(Math.max(r.right - b.right, b.left - r.left)) + 'px');
      } else if (!scroller && (r.right > width + 1 || r.left < -1)) problems.push('"' + text + '" is off the screen');
    }
  }
  return problems;
}"""

VISIBLE_TEXT = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || el.closest('script, style, noscript, template, [lang="en"], option, code')) continue;
    range.selectNodeContents(node);
    if (!Array.from(range.getClientRects()).some(r => r.width > 0 && r.height > 0) && !el.closest('.visually-hidden')) continue;
    out.push(node.textContent);
  }
  for (const el of document.querySelectorAll('[placeholder], [aria-label], img[alt], [title]')) {
    if (el.closest('[lang="en"]')) continue;
    for (const name of ['placeholder', 'aria-label', 'alt', 'title']) if (el.getAttribute(name)) out.push(el.getAttribute(name));
  }
  return out.join(' ');
}"""


def _devanagari_font() -> bool:
    if not shutil.which("fc-list"):
        return False
    return bool(subprocess.run(["fc-list", ":lang=hi", "family"], capture_output=True, text=True).stdout.strip())


@pytest.fixture(scope="module")
def server(demo_servers):
    if not _devanagari_font():
        message = "no Devanagari font (apt-get install -y fonts-noto-core): Hindi would be measured as empty boxes"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    [live] = demo_servers("language")
    with ThreadPoolExecutor(1) as thread:  # its own event loop: Playwright's runs in this thread
        thread.submit(asyncio.run, _upcoming_jobs(live.env["GRIHASEVA_DATABASE_URL"])).result()
    return live


async def _upcoming_jobs(url: str) -> None:
    """The demo has only past jobs: two upcoming ones, one moved and cancelled, so the pages show a
    next job, a live timeline, a cancelled row and the provider's stored notifications."""
    from grihaseva.booking import domain
    from grihaseva.config import DatabaseUrl
    from grihaseva.db import open_database

    db = open_database(DatabaseUrl.parse(url))
    await db.connect()
    try:
        now = datetime.now(timezone.utc)
        customer = await db.fetch_one("select_user_by_email", {"email": "customer@example.com"})
        provider = (await db.fetch_one("select_user_by_email", {"email": "provider@example.com"}))["id"]
        booked = []
        for slug in ("drain-unblocking", "toilet-repair"):
            service = await domain.active_service(db, slug)
            start = await domain.next_free(db, service, provider, now + timedelta(days=1))
            booked.append(await domain.place_booking(
                db, domain.Customer(customer["id"], customer["gender"]), service, provider, start,
                {"address": "12 MG Road, Indiranagar, Bengaluru 560038", "phone": "+91 99000 12345", "notes": ""}, now))
        later = await domain.next_free(db, service, provider, start + timedelta(hours=3))
        who = SimpleNamespace(id=customer["id"], role="customer")
        await domain.reschedule_booking(db, who, booked[1], later, now)
        await domain.cancel_booking(db, who, booked[1], now, "Plans changed")
    finally:
        await db.close()


def english_words(page) -> set[str]:
    """Latin-letter words in the visible text (and placeholders, labels, titles) outside lang="en"."""
    text = re.sub(r"[\w.+-]+@[\w.-]+", " ", page.evaluate(VISIBLE_TEXT))  # e-mail addresses
    text = re.sub(r"(https?://|/)[\w./?=&%-]+", " ", text)  # addresses of pages
    return set(LATIN_WORD.findall(text)) - ALLOWED


def _link(page, pattern: str) -> str:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    found = [href.split("?")[0] for href in hrefs if re.match(pattern, href.split("?")[0])]
    assert found, f"no link like {pattern} on {page.url}"
    return found[0]


@pytest.mark.browser
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("lang", ["hi", "en"])
def test_every_main_page_fits_360px_and_hindi_pages_have_no_english_words(chromium, server, lang, javascript):
    shots = os.environ.get("GRIHASEVA_SHOTS")
    context = chromium.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=javascript,
                                   locale="hi-IN" if lang == "hi" else "en-IN")
    problems: list[str] = []
    try:
        page = context.new_page()
        found: dict[str, str] = {}
        who = "nobody"
        for email, path in PAGES:
            if email != who:
                context.clear_cookies()
                if email:
                    log_in(page, server.url, email, DEMO_PASSWORD, lands_on=HOMES[email])
                who = email
            if path == "{other_post}":
                path = found["other_post"]
            elif path.startswith("{"):
                source, pattern = LINKS[path.strip("{}")]
                if path.strip("{}") not in found:
                    page.goto(server.url + source)
                    found[path.strip("{}")] = _link(page, pattern)
                path = found[path.strip("{}")]
            response = page.goto(server.url + path + ("&" if "?" in path else "?") + f"lang={lang}")
            assert response.status == STATUS.get(path, 200), (path, response.status)
            assert unquote(page.url.split("?")[0]) == server.url + unquote(path.split("?")[0]), (path, page.url)  # not sent to /login
            assert page.get_attribute("html", "lang") == lang and page.get_attribute("html", "dir") == "ltr", path
            if path == "/blog":  # a post in the other language than the page, marked with its own lang
                other = "en" if lang == "hi" else "hi"
                assert page.locator(f'.post-item[lang="{other}"]').count() > 0, "no post marked in the other language"
                href = page.locator(f'.post-item[lang="{other}"] a').first.get_attribute("href")
                found["other_post"] = href.split("?")[0]
            if path == found.get("other_post"):
                assert page.locator(f'article[lang="{"en" if lang == "hi" else "hi"}"]').count() == 1, path
            problems += [f"{path} ({lang}): {p}" for p in page.evaluate(TEXT_OUTSIDE_ITS_BOX)]
            if lang == "hi":
                left = english_words(page)
                if left:
                    problems.append(f"{path}: English words left: {sorted(left)}")
            if shots:
                Path(shots).mkdir(parents=True, exist_ok=True)
                name = path.strip("/").split("?")[0].replace("/", "-") or "home"
                page.screenshot(path=f"{shots}/{name}-{lang}-{'js' if javascript else 'nojs'}.png", full_page=True)
    finally:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_the_switch_works_with_javascript_off_and_sticks(chromium, server):
    context = chromium.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False, locale="en-IN")
    try:
        page = context.new_page()
        page.goto(server.url + "/services")
        assert page.get_attribute("html", "lang") == "en"
        page.click("form.lang-switch button[value=hi]")
        page.wait_for_url(re.compile(r".*/services$"))
        assert page.get_attribute("html", "lang") == "hi"
        assert page.inner_text("h1") == "सेवाएँ"
        assert page.locator("a.service-name", has_text="नल और लीकेज की मरम्मत").count() == 1
        page.goto(server.url + "/login")
        assert page.inner_text("h1") == "लॉग इन करें"
        page.click("form.lang-switch button[value=en]")
        assert page.get_attribute("html", "lang") == "en"
    finally:
        context.close()


@pytest.mark.browser
def test_signing_up_in_hindi_with_javascript_off_keeps_hindi_for_the_account(chromium, server):
    """The switch on the sign-up page turns the form Hindi and preselects Hindi for the account; after
    signing up, a new device (English browser, no cookie) gets the account's Hindi."""
    context = chromium.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False, locale="en-IN")
    try:
        page = context.new_page()
        page.goto(server.url + "/register")
        page.click("form.lang-switch button[value=hi]")
        page.wait_for_url(re.compile(r".*/register$"))
        assert page.get_attribute("html", "lang") == "hi"
        assert page.is_checked("input[name=locale][value=hi]")
        page.fill("#f-name", "कविता राव")
        page.fill("#f-email", "kavita.hindi@example.com")
        page.fill("#f-phone", "+91 98450 00077")
        page.check("input[name=gender][value=female]")
        page.check("input[name=role][value=customer]")
        page.fill("#f-password", "correct-horse-7")
        page.fill("#f-password_confirm", "correct-horse-7")
        page.click("form[action='/register'] button[type=submit]")
        page.wait_for_load_state()
        assert page.get_attribute("html", "lang") == "hi"
    finally:
        context.close()
    other = chromium.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False, locale="en-IN")
    try:
        page = other.new_page()
        log_in(page, server.url, "kavita.hindi@example.com", "correct-horse-7")
        page.wait_for_load_state()
        page.goto(server.url + "/account")
        assert page.get_attribute("html", "lang") == "hi"
    finally:
        other.close()


@pytest.mark.browser
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_hindi_chat_log_has_no_english_words(chromium, server, javascript):
    """The chat log once there is a conversation: the stored replies (made and kept in the
    language the customer wrote in), their buttons and links, on the Hindi /chat page."""
    context = chromium.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=javascript,
                                   locale="hi-IN")
    try:
        page = context.new_page()
        log_in(page, server.url, "customer@example.com", DEMO_PASSWORD, lands_on="/bookings")
        page.goto(server.url + "/chat?lang=hi")
        for message in ["नमस्ते", "मुझे कल शाम प्लंबर चाहिए", "फेशियल कितने का है", "मेरी बुकिंग", "1"]:
            before = page.locator("#chat-log .msg.user").count()
            page.fill("#chat-input", message)
            page.click("form.chat-form button[type=submit]")
            try:
                page.wait_for_function(f"() => document.querySelectorAll('#chat-log .msg.user').length > {before}",
                                       timeout=15000)
            except PlaywrightTimeout:  # (seen once in CI, not reproduced): say what the page showed
                shown = page.evaluate("() => [...document.querySelectorAll('#chat-log .msg')].map(m => m.className"
                                      " + ': ' + m.innerText.slice(0, 60))")
                raise AssertionError(f"{message!r} not shown after {before} user messages; {page.url}: {shown}")
        assert page.locator("#chat-log .msg.bot").count() >= 5
        left = english_words(page)
        assert not left, f"English words left in the Hindi chat: {sorted(left)}"
        assert not page.evaluate(TEXT_OUTSIDE_ITS_BOX)
    finally:
        context.close()
