"""At 360 px, the links that lead from a list to one item (a booking, a provider, a category) are
tap targets of at least 44 px, like every button."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in

PAGES = [
    (None, None, "/services/tap-leak-repair", "li.provider a[href^='/providers/']"),
    ("customer@example.com", "/bookings", "/bookings", "li.booking a[href^='/bookings/']:not(.button)"),
    ("admin@example.com", "/admin", "/admin/bookings", "a[href^='/bookings/']"),
    ("admin@example.com", "/admin", "/admin/catalogue", "a[href^='/admin/categories/']"),
]


@pytest.fixture(scope="module")
def server(demo_servers):
    [live] = demo_servers("list-tap-targets")
    return live


@pytest.mark.browser
@pytest.mark.parametrize(("email", "lands_on", "path", "links"), PAGES)
def test_list_links_are_tall_enough_to_tap(chromium, server, email, lands_on, path, links):
    context = chromium.new_context(viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        if email:
            log_in(page, server.url, email, lands_on=lands_on)
        page.goto(server.url + path)
        page.locator(links).first.wait_for(state="visible")  # laid out (a loaded machine can be slow to)
        heights = page.eval_on_selector_all(links, "els => els.map(e => e.getBoundingClientRect().height)")
        assert heights, f"no links matched {links} on {path}"
        assert min(heights) >= 44, heights
    finally:
        context.close()
