"""GrihaSeva in Hindi and English in Chromium at 360 px, with JavaScript on and off: the switch
works as a plain form, nothing overflows, and a Hindi page shows no English interface text.
Set GRIHASEVA_SHOTS=/some/dir to keep a screenshot of every page."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.browser.conftest import log_in

PAGES = [
    (None, "/"), (None, "/services"), (None, "/services/tap-leak-repair"),
    (None, "/book/tap-leak-repair?provider=any"), (None, "/login"), (None, "/register"),
    ("customer@example.com", "/bookings"), ("customer@example.com", "/account"),
    ("provider@example.com", "/provider/dashboard"), ("provider@example.com", "/provider/availability"),
]
HOMES = {"customer@example.com": "/bookings", "provider@example.com": "/provider/dashboard"}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")
# The brand, formats and abbreviations; "English" is the switch button, named in its own language.
ALLOWED = {"GrihaSeva", "IST", "UPI", "CSV", "Markdown", "HTML", "JavaScript", "English"}


@pytest.fixture(scope="module")
def server(demo_servers):
    [live] = demo_servers("language")
    return live


def _demo_content_words() -> set[str]:
    """Every Latin word in the demo data (service, category and people's names, bios, posts):
    content, which the catalogue does not translate."""
    from grihaseva.blog import demo_posts
    from grihaseva.demo import data

    words: set[str] = set()

    def walk(value):
        if isinstance(value, str):
            words.update(LATIN_WORD.findall(value))
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, (list, tuple, set)):
            for item in value:
                walk(item)

    for module in (data, demo_posts):
        for name in dir(module):
            if name.isupper():
                walk(getattr(module, name))
    return words


def _interface_english(page) -> set[str]:
    """Latin-letter words in the visible text outside content elements and outside lang="en"."""
    text = page.evaluate("""() => {
        const skip = '.service-name, .service p, .categories .small, h1, h2, .provider, .booking, .appointment,'
          + ' .next-job, .summary dd, .post-item, option, [lang="en"], .tel, .brand, .foot a, .service-terms,'
          + ' .price, #f-provider, select, input, textarea, code';
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        const out = [];
        while (walker.nextNode()) {
          const el = walker.currentNode.parentElement;
          if (!el || el.closest(skip) || !el.offsetParent && getComputedStyle(el).position !== 'fixed') continue;
          out.push(walker.currentNode.textContent);
        }
        return out.join(' ');
    }""")
    text = re.sub(r"[\w.+-]+@[\w.-]+", " ", text)
    return set(LATIN_WORD.findall(text)) - ALLOWED - CONTENT


CONTENT = _demo_content_words()


@pytest.mark.browser
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("lang", ["hi", "en"])
def test_main_pages_fit_360px_and_hindi_pages_have_no_english_interface_text(chromium, server, lang, javascript):
    shots = os.environ.get("GRIHASEVA_SHOTS")
    context = chromium.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=javascript,
                                   locale="hi-IN" if lang == "hi" else "en-IN")
    try:
        page = context.new_page()
        who = None
        for email, path in PAGES:
            if email != who:
                context.clear_cookies()
                if email:
                    log_in(page, server.url, email, lands_on=HOMES[email])
                who = email
            page.goto(server.url + path + ("&" if "?" in path else "?") + f"lang={lang}")
            assert page.url.split("?")[0] == server.url + path.split("?")[0], (path, page.url)  # not sent to /login
            assert page.get_attribute("html", "lang") == lang, path
            overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{path} ({lang}) is {overflow}px wider than the screen"
            if lang == "hi":
                left = _interface_english(page)
                assert not left, f"{path}: English interface text left: {sorted(left)}"
            if shots:
                Path(shots).mkdir(parents=True, exist_ok=True)
                name = (path.strip("/").split("?")[0].replace("/", "-") or "home")
                page.screenshot(path=f"{shots}/{name}-{lang}-{'js' if javascript else 'nojs'}.png", full_page=True)
    finally:
        context.close()


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
        page.goto(server.url + "/login")
        assert page.inner_text("h1") == "लॉग इन करें"
        page.click("form.lang-switch button[value=en]")
        assert page.get_attribute("html", "lang") == "en"
    finally:
        context.close()
