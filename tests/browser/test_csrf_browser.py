"""A CSRF token renewed at log in and log out reaches htmx in Chromium: the boosted login
replaces what is inside <body>, and the chat widget (kept across pages) and a live page's
htmx posts go on working with the new token, the old one being dead."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import wait_until_live
from tests.helpers import DEMO_PASSWORD

pytestmark = pytest.mark.browser

POST = "/blog/monsoon-home-care-checklist"


@pytest.fixture(scope="module")
def server(demo_servers):
    [live] = demo_servers("csrf-rotation")
    return live


def htmx_token(page) -> str:
    return page.evaluate("JSON.parse(document.querySelector('[hx-headers]').getAttribute('hx-headers'))['X-CSRF-Token']")


def chat(page, message: str, answer: str = "") -> None:
    """Sends a message in the widget and waits for the bot's reply (a new bot message) to be swapped in."""
    before = page.locator("#chat-log .msg.bot").count()
    page.fill("#chat-input", message)
    page.press("#chat-input", "Enter")
    page.wait_for_function("n => document.querySelectorAll('#chat-log .msg.bot').length > n", arg=before, timeout=10000)
    if answer:
        page.wait_for_selector(f"#chat-log .msg.bot >> text={answer}", timeout=5000)


def test_a_renewed_token_reaches_htmx_and_the_chat_widget_across_login_and_logout(chromium, server):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})  # the open widget beside the page
    try:
        page = context.new_page()
        refused = []
        page.on("response", lambda r: refused.append((r.status, r.url)) if r.status in (400, 403) else None)
        page.goto(server.url + "/login?next=" + POST)
        page.evaluate("window.notReloaded = true")
        before = htmx_token(page)
        page.click("#chat-widget > summary")
        page.wait_for_selector("#chat-log .msg.bot >> text=Namaste!")
        chat(page, "how do I reset my password?", "enter your email and we send you a link")

        page.fill("#f-email", "customer@example.com")
        page.fill("#f-password", DEMO_PASSWORD)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url(server.url + POST)
        page.wait_for_selector("#reactions button[value=helpful]")
        assert page.evaluate("window.notReloaded === true")  # a boosted swap, not a page load
        after_login = htmx_token(page)
        assert after_login != before
        assert page.locator("#chat-widget").evaluate("el => el.open")  # kept across the login

        # the kept widget posts with the page's new token
        chat(page, "what are your charges?")
        assert page.locator("#chat-log .msg.user").count() == 2
        # and so does a live page's htmx form (a reaction)
        wait_until_live(page)
        page.click("#reactions button[value=helpful]")
        page.wait_for_selector("#reactions button[value=helpful][aria-pressed=true]", timeout=3000)

        # the old token is refused outright
        status = page.evaluate("""async (token) => {
            const body = new URLSearchParams({csrf_token: token, emoji: 'love', on: '1'});
            const r = await fetch('/blog/monsoon-home-care-checklist/react', {method: 'POST', body,
                headers: {'X-CSRF-Token': token, 'HX-Request': 'true'}});
            return r.status; }""", before)
        assert status == 400
        refused.clear()

        page.click("nav form[action='/logout'] button")
        page.wait_for_url(re.compile(r".*/login$"))
        assert page.evaluate("window.notReloaded === true")
        assert htmx_token(page) not in (before, after_login)
        chat(page, "hello")
        assert page.locator("#chat-log .msg.user").count() == 3
        assert refused == [], refused
        page.screenshot(path="/tmp/gs_h19-shots/csrf-after-logout.png", full_page=True)
    finally:
        context.close()
