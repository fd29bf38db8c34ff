"""The main pages at 360 px in Chromium: axe-core (from npm) finds no serious or critical violation,
nothing a finger taps is under 44 px, nothing is wider than the screen, every public page has a
meta description, and the chat entry covers no control (and is not there for professionals and admins)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grihaseva.blog.demo_posts import POSTS
from grihaseva.demo.data import DEMO_PIN
from tests.browser.conftest import log_in, wait_until_live
from tests.conftest import IN_CI

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
POST = POSTS[0]["slug"]
PHONE = {"viewport": {"width": 360, "height": 740}}

# (who is logged in, page)
PAGES = [
    (None, "/"),
    (None, "/services"),
    (None, f"/services/tap-leak-repair?pin={DEMO_PIN}"),
    (None, f"/book/tap-leak-repair?provider=any&pin={DEMO_PIN}"),
    (None, "/book/tap-leak-repair?pin=411001"),
    (None, "/login?next=/book/tap-leak-repair/confirm%3Fprovider%3Dany%26slot%3D2026-12-24T11:30Z"),
    (None, "/register"),
    (None, "/blog"),
    (None, "/blog/" + POST),
    ("customer@example.com", "CONFIRM"),
    ("customer@example.com", "/bookings"),
    ("customer@example.com", "/addresses"),
    ("customer@example.com", "/account"),
    ("rahul@example.com", "/book/facial-at-home"),
    ("provider@example.com", "/provider/dashboard"),
    ("provider@example.com", "/provider/availability"),
]
LANDS = {"customer@example.com": "/bookings", "rahul@example.com": "/bookings", "provider@example.com": "/provider/dashboard"}

# What a finger taps: buttons, button-like links, form controls, the day strip, the slots, the top bar.
TAPPABLE = ("button, .button, summary, select, input[type=text], input[type=email], input[type=tel], "
            "input[type=password], textarea, .slot, .day-chip, .strip-step, .nav a, .brand, label.radio, label.check, "
            ".tap-link")


@pytest.fixture(scope="module")
def server(demo_servers):
    [live] = demo_servers("a11y")
    return live


def axe_source() -> str:
    if not AXE.exists():
        if IN_CI:
            pytest.fail("node_modules/axe-core is missing: run npm ci (make test does)", pytrace=False)
        pytest.skip("axe-core is not installed (npm ci)")
    return AXE.read_text()


def open_page(chromium, server, who, path, **options):
    context = chromium.new_context(**PHONE, **options)
    page = context.new_page()
    if who:
        log_in(page, server.url, who, lands_on=LANDS[who])
    if path == "CONFIRM":  # the confirm step of the first free time
        page.goto(server.url + f"/book/tap-leak-repair?provider=any&pin={DEMO_PIN}")
        settled(page)
        page.locator("a.slot.free").first.click()
        page.wait_for_url("**/confirm?**")
    else:
        page.goto(server.url + path)
    settled(page)
    return context, page


def settled(page) -> None:
    """The page as a person sees it once it has loaded: its fonts in (they set the sizes measured
    here) and, on a live page, the stream open with its snapshot swapped in."""
    page.wait_for_function("() => document.readyState === 'complete' && document.fonts.status === 'loaded'")
    if page.locator("[sse-connect]").count():
        wait_until_live(page)


@pytest.mark.parametrize(("who", "path"), PAGES)
def test_main_pages_pass_axe_and_fit_a_phone(chromium, server, who, path):
    source = axe_source()
    # axe is injected as a script: this context alone bypasses the page's CSP to let it in.
    context, page = open_page(chromium, server, who, path, bypass_csp=True)
    try:
        page.add_script_tag(content=source)
        violations = page.evaluate("""async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            if (!result.passes.length) return ["axe checked nothing"];
            return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
        }""")
        assert violations == [], violations
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        small = page.evaluate("""(selector) => [...document.querySelectorAll(selector)]
            .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== "hidden")
            .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect()])
            .filter(([, r]) => r.width > 0 && (r.height < 44 || r.width < 44))
            .map(([html, r]) => html + " " + Math.round(r.width) + "x" + Math.round(r.height))""", TAPPABLE)
        assert small == [], small
        assert page.locator(TAPPABLE).count() > 3
        if who is None:
            description = page.locator("meta[name=description]").get_attribute("content")
            assert description and len(description) > 50
    finally:
        context.close()


def test_the_chat_icon_covers_no_control_and_is_only_for_customers_and_visitors(chromium, server):
    context, page = open_page(chromium, server, "customer@example.com", "/bookings")
    try:
        summary = page.locator("#chat-widget > summary").bounding_box()
        assert summary["width"] >= 44 and summary["height"] >= 44 and summary["width"] <= 60
        for y in range(0, 2000, 400):  # scrolled anywhere, no control sits under it
            page.evaluate("(y) => window.scrollTo(0, y)", y)
            covered = page.evaluate("""() => {
                const chat = document.querySelector("#chat-widget > summary").getBoundingClientRect();
                return [...document.querySelectorAll("a, button, input, select, textarea, summary")]
                    .filter(e => !e.closest("#chat-widget") && e.getClientRects().length)
                    .filter(e => { const r = e.getBoundingClientRect();
                        return r.left < chat.right && r.right > chat.left && r.top < chat.bottom && r.bottom > chat.top; })
                    .map(e => e.outerHTML.slice(0, 60)); }""")
            assert covered == [], covered
    finally:
        context.close()
    for who in ("provider@example.com",):
        context, page = open_page(chromium, server, who, LANDS[who])
        try:
            assert page.locator("#chat-widget").count() == 0
        finally:
            context.close()
