"""Every absolute URL comes from GRIHASEVA_BASE_URL, never from request headers: a sweep of
every page each role can reach, and of every mail the app writes, with a forged `Host` (and
`X-Forwarded-Host`) finds the forged name nowhere; both databases."""

from __future__ import annotations

import re
from html import unescape

from tests.conftest import TEST_CSRF, text, with_csrf
from tests.helpers import DEMO_PASSWORD, demo, logged_in  # noqa: F401  (demo is a fixture)
from tests.provider.conftest import MON_4PM, TUE_5PM, book

FORGED = "evil.example"
HEADERS = {"Host": FORGED, "X-Forwarded-Host": FORGED, "X-Forwarded-Proto": "https", "X-Forwarded-Server": FORGED}
START_PAGES = {
    None: ["/", "/services", "/blog", "/login", "/register", "/password/forgot", "/chat"],
    "customer@example.com": ["/bookings", "/account", "/chat"],
    "provider@example.com": ["/provider/dashboard", "/provider/availability", "/provider/earnings",
                             "/provider/calendar", "/provider/notifications", "/provider/reviews", "/blog/new"],
    "admin@example.com": ["/admin", "/admin/catalogue", "/admin/providers", "/admin/customers", "/admin/bookings",
                          "/admin/audit", "/admin/faq", "/admin/posts", "/blog/new"],
}
MAX_PAGES_PER_ROLE = 60
_HREF = re.compile(r'(?:href|action|hx-get|sse-connect)="([^"]+)"')


def _links(page: str) -> list[str]:
    found = []
    for raw in _HREF.findall(page):
        link = unescape(raw).split("#")[0]
        if link.startswith("/") and not link.startswith(("//", "/static/")) and not link.endswith("/live"):
            found.append(link)
    return found


async def crawl(client, start: list[str]) -> dict[str, str]:
    """GET each page and every local link found on it (breadth first, up to a limit)."""
    seen: dict[str, str] = {}
    queue = list(start)
    while queue and len(seen) < MAX_PAGES_PER_ROLE:
        path = queue.pop(0)
        if path in seen or "/live" in path.split("?")[0]:
            continue
        response = await client.get(path, headers=HEADERS)
        body = await response.get_data(as_text=True) if response.mimetype != "application/octet-stream" else ""
        seen[path] = " ".join(f"{k}: {v}" for k, v in response.headers.items()) + "\n" + body
        # a week grid links to the next week, and so on: do not follow query strings of one page forever
        queue.extend(link for link in _links(body) if link not in seen and link.count("?") <= 1)
    return seen


async def test_a_forged_host_is_in_no_page_and_no_mail(demo):
    app = demo
    await book(app, MON_4PM)  # a booking, its mails and .ics, and pages that show it
    await book(app, TUE_5PM, email="rahul@example.com")
    clients = {None: app.test_client()}
    for email in ("customer@example.com", "provider@example.com", "admin@example.com"):
        clients[email] = await logged_in(app, email)

    pages: dict[str, str] = {}
    for who, start in START_PAGES.items():
        crawled = await crawl(clients[who], start)
        assert len(crawled) >= len(start)
        pages.update({f"{who} {path}": body for path, body in crawled.items()})
    assert len(pages) > 60, len(pages)
    for who, path in (("provider@example.com", "/provider/dashboard"), ("admin@example.com", "/admin"),
                      ("customer@example.com", "/bookings")):
        assert 'action="/logout"' in pages[f"{who} {path}"], (who, path)  # the sweep ran logged in

    # pages made by POSTs: the calendar link (shown once), a redirect after a form
    provider = clients["provider@example.com"]
    await with_csrf(provider)
    made = await provider.post("/provider/calendar/new", form={"csrf_token": TEST_CSRF, "confirm": "new"}, headers=HEADERS)
    made_page = await text(made)
    assert "/provider/calendar/" in made_page and ".ics" in made_page
    assert "http://127.0.0.1:8000/provider/calendar/" in made_page  # GRIHASEVA_BASE_URL (the test default)
    pages["calendar link"] = made_page
    visitor = app.test_client()
    await with_csrf(visitor)
    for path, form in (("/password/forgot", {"email": "customer@example.com"}),
                       ("/login", {"email": "customer@example.com", "password": DEMO_PASSWORD})):
        response = await visitor.post(path, form={"csrf_token": TEST_CSRF, **form}, headers=HEADERS)
        pages[f"POST {path}"] = " ".join(f"{k}: {v}" for k, v in response.headers.items()) + await text(response)
    customer = clients["customer@example.com"]
    await with_csrf(customer)
    changed = await customer.post("/account/password", headers=HEADERS, form={
        "csrf_token": TEST_CSRF, "current_password": DEMO_PASSWORD,
        "new_password": "another-pass-456", "new_password_confirm": "another-pass-456"})
    assert changed.status_code == 303
    pages["POST /account/password"] = " ".join(f"{k}: {v}" for k, v in changed.headers.items())

    leaked = [name for name, body in pages.items() if FORGED in body.lower()]
    assert leaked == []

    mails = await app.db.fetch_all("SELECT id, subject, text_body, html_body, attachments FROM mail_outbox")
    templates_seen = {m["subject"] for m in mails}
    assert any("reset" in s.lower() for s in templates_seen), templates_seen
    assert any("changed" in s.lower() for s in templates_seen), templates_seen
    assert len(mails) >= 6
    for mail in mails:
        everything = " ".join(str(mail[k] or "") for k in ("subject", "text_body", "html_body", "attachments"))
        assert FORGED not in everything.lower(), mail["subject"]
    reset = next(m for m in mails if "reset" in m["subject"].lower())
    assert "http://127.0.0.1:8000/password/reset/" in reset["text_body"]
