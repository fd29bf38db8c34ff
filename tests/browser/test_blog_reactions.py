"""Live reactions in Chromium: one reader reacts, another reader's bar changes within a second."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import log_in, wait_until_live

pytestmark = pytest.mark.browser

POST = "/blog/monsoon-home-care-checklist"


@pytest.fixture(scope="module")
def server(demo_servers):
    [live] = demo_servers("blog-live")
    return live


def log_in_and_open(page, base: str, email: str) -> None:
    log_in(page, base, email, next=POST, lands_on=POST)
    page.wait_for_selector("#reactions button[value=helpful]")
    wait_until_live(page)


def helpful(page):
    return page.locator("#reactions button[value=helpful]")


def count(page, name: str) -> str:
    return page.locator(f"#reactions button[value={name}] .count").inner_text()


def test_a_reaction_shows_on_another_readers_page_within_a_second_and_goes_back(chromium, server):
    asha = chromium.new_context(viewport={"width": 360, "height": 740})
    rahul = chromium.new_context(viewport={"width": 360, "height": 740})
    try:
        reader, watcher = asha.new_page(), rahul.new_page()
        log_in_and_open(reader, server.url, "customer@example.com")
        log_in_and_open(watcher, server.url, "rahul@example.com")
        assert count(watcher, "helpful") == "0"

        helpful(reader).click()
        # the reacting reader's own bar updates from the response, highlighted for her alone
        reader.wait_for_selector("#reactions button[value=helpful][aria-pressed=true]", timeout=1000)
        assert count(reader, "helpful") == "1"
        watcher.wait_for_function(
            "() => document.querySelector('#reactions button[value=helpful] .count').textContent.trim() === '1'",
            timeout=1000)
        assert helpful(watcher).get_attribute("aria-pressed") == "false"
        assert "top" in helpful(watcher).get_attribute("class")

        helpful(reader).click()  # un-react
        reader.wait_for_selector("#reactions button[value=helpful][aria-pressed=false]", timeout=1000)
        watcher.wait_for_function(
            "() => document.querySelector('#reactions button[value=helpful] .count').textContent.trim() === '0'",
            timeout=1000)
        assert "top" not in helpful(watcher).get_attribute("class")
    finally:
        asha.close()
        rahul.close()


def test_a_visitor_sees_the_bar_and_clicking_asks_them_to_log_in_then_returns(chromium, server):
    visitor = chromium.new_context()
    try:
        page = visitor.new_page()
        page.goto(server.url + POST)
        helpful(page).click()
        page.wait_for_url(re.compile(r".*/login\?next="))
        page.fill("#f-email", "customer@example.com")
        page.fill("#f-password", "demo-pass-123")
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url(re.compile(rf".*{POST}$"))
        page.wait_for_selector("#reactions button[value=helpful]")
    finally:
        visitor.close()
