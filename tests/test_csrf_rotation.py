"""The CSRF token is renewed at log in, log out and a password change, and a request that a
browser marks as cross-site (Sec-Fetch-Site, Origin) is refused with a clear 403; both databases."""

from __future__ import annotations

import re

import pytest

from tests.conftest import login, register, text

CROSS_SITE = "This request came from another website, so GrihaSeva did not act on it."
EXPIRED = "This form has expired or did not come from GrihaSeva."
PASSWORD = "correct-horse-1"


def page_token(page: str) -> str:
    """The token a page hands to htmx (hx-headers) and to its forms; both must be the same."""
    header = re.search(r'"X-CSRF-Token": "([^"]+)"', page).group(1)
    fields = set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
    assert fields <= {header}, (header, fields)
    return header


async def form_post(client, path: str, token: str, data: dict | None = None, headers: dict | None = None):
    return await client.post(path, form={"csrf_token": token, **(data or {})}, headers=headers or {})


async def account_with_password(app, email="asha@example.com"):
    client = app.test_client()
    await register(client, email=email)
    await client.post("/logout", form={"csrf_token": page_token(await text(await client.get("/account")))})
    return client


async def test_the_token_from_before_login_is_refused_after_login(app):
    client = await account_with_password(app)
    planted = page_token(await text(await client.get("/login")))
    response = await form_post(client, "/login", planted, {"email": "asha@example.com", "password": PASSWORD})
    assert response.status_code == 303
    # the token seen (or planted) before login no longer works, in the form field or the header
    old_field = await form_post(client, "/account/profile", planted, {"name": "Mallory", "phone": "+91 98450 00000"})
    assert old_field.status_code == 400 and EXPIRED in await text(old_field)
    old_header = await client.post("/account/profile", form={"name": "Mallory", "phone": "+91 98450 00000"},
                                   headers={"X-CSRF-Token": planted})
    assert old_header.status_code == 400
    assert (await app.db.fetch_value("SELECT name FROM users WHERE email = 'asha@example.com'")) == "Asha Menon"
    # the page after login carries the new token, and it works
    fresh = page_token(await text(await client.get("/account")))
    assert fresh != planted
    saved = await form_post(client, "/account/profile", fresh, {"name": "Asha M", "phone": "+91 98450 12345"})
    assert saved.status_code == 303


async def test_the_token_changes_at_logout_and_at_a_password_change(app):
    client = app.test_client()
    await register(client)
    before = page_token(await text(await client.get("/account")))
    changed = await form_post(client, "/account/password", before, {
        "current_password": PASSWORD, "new_password": "battery-staple-2", "new_password_confirm": "battery-staple-2"})
    assert changed.status_code == 303
    after_change = page_token(await text(await client.get("/account")))
    assert after_change != before
    assert (await form_post(client, "/logout", before)).status_code == 400  # the old one is dead
    assert (await form_post(client, "/logout", after_change)).status_code == 303
    after_logout = page_token(await text(await client.get("/login")))
    assert after_logout != after_change
    assert (await form_post(client, "/login", after_change, {"email": "asha@example.com", "password": "x"})).status_code == 400


async def test_a_stale_header_with_a_fresh_form_field_still_works(app):
    """The chat widget is kept across boosted navigation: its form field may be older than the
    page's header, or the header older than a freshly rendered field; either fresh token passes."""
    client = app.test_client()
    stale = page_token(await text(await client.get("/login")))
    await register(client)
    fresh = page_token(await text(await client.get("/account")))
    response = await client.post("/account/profile", form={"csrf_token": fresh, "name": "Asha M", "phone": "+91 98450 12345"},
                                 headers={"X-CSRF-Token": stale})
    assert response.status_code == 303


@pytest.mark.parametrize(("headers", "status"), [
    ({"Sec-Fetch-Site": "cross-site"}, 403),
    ({"Sec-Fetch-Site": "same-site"}, 403),  # a sibling subdomain is another site for us
    ({"Sec-Fetch-Site": "none"}, 403),
    ({"Origin": "https://evil.example"}, 403),
    ({"Origin": "null"}, 403),
    ({"Origin": "http://127.0.0.1:8000.evil.example"}, 403),
    ({"Sec-Fetch-Site": "same-origin"}, 422),
    ({"Origin": "http://127.0.0.1:8000"}, 422),  # GRIHASEVA_BASE_URL's origin (the test settings' default)
    ({"Sec-Fetch-Site": "same-origin", "Origin": "https://evil.example"}, 422),  # Sec-Fetch-Site wins
    ({}, 422),  # neither: left to the token
])
async def test_origin_and_sec_fetch_site_are_checked_on_every_state_changing_request(app, headers, status):
    client = app.test_client()
    token = page_token(await text(await client.get("/login")))
    response = await form_post(client, "/login", token, {"email": "", "password": ""}, headers)
    assert response.status_code == status
    if status == 403:
        assert CROSS_SITE in await text(response)


async def test_a_cross_site_request_with_a_valid_token_changes_nothing(app):
    client = app.test_client()
    await register(client)
    token = page_token(await text(await client.get("/account")))
    for method in ("POST", "PUT", "DELETE"):
        response = await client.open("/account/logout-everywhere", method=method, form={"csrf_token": token},
                                     headers={"Sec-Fetch-Site": "cross-site"})
        assert response.status_code == 403, method
    assert (await client.get("/account")).status_code == 200  # still logged in
    assert await app.db.fetch_value("SELECT COUNT(*) AS n FROM sessions") == 1
