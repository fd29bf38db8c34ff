"""CSRF on every state-changing request, security headers on every kind of
response, and templates that need no inline script or style."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from werkzeug.exceptions import Conflict

from tests.conftest import TEST_CSRF, post, register, text, with_csrf

TEMPLATES = Path(__file__).resolve().parent.parent / "grihaseva" / "templates"
CSRF_MESSAGE = "This form has expired or did not come from GrihaSeva. Reload the page and try again."


def csrf_from(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


# ---------------------------------------------------------------- CSRF


async def test_a_post_without_a_csrf_token_is_400_with_a_message(app, client):
    await client.get("/login")  # a session exists, the form token is simply missing
    response = await client.post("/login", form={"email": "asha@example.com", "password": "correct-horse-1"})
    assert response.status_code == 400
    assert CSRF_MESSAGE in await text(response)


async def test_a_post_with_no_session_at_all_is_400(client):
    response = await client.post("/register", form={"csrf_token": "made-up", "name": "Asha"})
    assert response.status_code == 400
    assert CSRF_MESSAGE in await text(response)


async def test_a_post_with_the_wrong_csrf_token_is_400_and_writes_nothing(app, client):
    await with_csrf(client)
    response = await client.post("/register", form={
        "csrf_token": TEST_CSRF + "x", "name": "Asha Menon", "email": "asha@example.com", "phone": "+91 98450 12345",
        "gender": "female", "role": "customer", "password": "correct-horse-1", "password_confirm": "correct-horse-1",
    })
    assert response.status_code == 400
    assert CSRF_MESSAGE in await text(response)
    assert await app.db.fetch_value("SELECT COUNT(*) AS n FROM users") == 0


async def test_the_x_csrf_token_header_is_accepted_in_place_of_the_field(client):
    await with_csrf(client)
    response = await client.post("/login", form={"email": "", "password": ""}, headers={"X-CSRF-Token": TEST_CSRF})
    assert response.status_code == 422  # past the CSRF check, into the view's validation
    wrong = await client.post("/login", form={"email": "", "password": ""}, headers={"X-CSRF-Token": "nope"})
    assert wrong.status_code == 400


async def test_other_state_changing_methods_need_the_token_too(client):
    await client.get("/login")
    for method in ("PUT", "PATCH", "DELETE"):
        response = await client.open("/logout", method=method)
        assert (response.status_code, CSRF_MESSAGE in await text(response)) == (400, True), method


async def test_the_token_on_the_page_works_for_a_real_form_post(app, client):
    page = await text(await client.get("/register"))
    token = csrf_from(page)
    assert f'hx-headers=\'{{"X-CSRF-Token": "{token}"}}\'' in page  # what htmx sends
    response = await client.post("/register", form={
        "csrf_token": token, "name": "Asha Menon", "email": "asha@example.com", "phone": "+91 98450 12345",
        "gender": "female", "role": "customer", "password": "correct-horse-1", "password_confirm": "correct-horse-1",
    })
    assert response.status_code == 303


async def test_another_visitors_token_does_not_work(app, client):
    token = csrf_from(await text(await client.get("/login")))
    stranger = app.test_client()
    await stranger.get("/login")
    response = await stranger.post("/login", form={"csrf_token": token, "email": "", "password": ""})
    assert response.status_code == 400


async def test_logout_without_a_token_does_not_log_out(app, client):
    await register(client)
    response = await client.post("/logout")
    assert response.status_code == 400
    assert (await client.get("/account")).status_code == 200


# ---------------------------------------------------------------- form bodies


NOT_UTF8_BODIES = [
    (b"name=%FF%FE&email=a%40example.com", "application/x-www-form-urlencoded"),
    (b"name=\xff\xfe&email=a%40example.com", "application/x-www-form-urlencoded"),
    (b'--b\r\nContent-Disposition: form-data; name="name"\r\n\r\n\xff\xfe\r\n--b--\r\n', "multipart/form-data; boundary=b"),
]


async def test_a_form_that_is_not_utf8_is_refused_with_a_message(app, client):
    await with_csrf(client)
    for body, content_type in NOT_UTF8_BODIES:
        for token_in in ("header", "form"):
            headers = {"Content-Type": content_type}
            if token_in == "header":
                headers["X-CSRF-Token"] = TEST_CSRF
            elif content_type.startswith("multipart"):
                body = b'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n' + TEST_CSRF.encode() + b"\r\n" + body
            else:
                body = b"csrf_token=" + TEST_CSRF.encode() + b"&" + body
            response = await client.post("/register", data=body, headers=headers)
            shown = "The form contained characters that are not valid UTF-8 text." in await text(response)
            assert (response.status_code, shown) == (400, True), (body, token_in)
    assert await app.db.fetch_value("SELECT COUNT(*) AS n FROM users") == 0


async def test_a_form_with_a_nul_character_is_refused(client):
    response = await post(client, "/login", {"email": "asha@example.com\x00", "password": "x"})
    assert response.status_code == 400
    assert "The form contained a NUL character." in await text(response)


async def test_a_form_larger_than_the_limit_is_413_with_a_message(client):
    response = await post(client, "/register", {"name": "x" * (1024 * 1024)})
    assert response.status_code == 413
    assert "The form you sent was larger than we accept. Please shorten it and try again." in await text(response)


# ---------------------------------------------------------------- headers


def assert_security_headers(response) -> None:
    csp = response.headers["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")


async def test_security_headers_on_pages_redirects_static_files_and_errors(client):
    for path, status in [
        ("/", 200), ("/login", 200), ("/register", 200), ("/healthz", 200),
        ("/static/app.css", 200), ("/static/favicon.svg", 200),
        ("/no/such/page", 404), ("/account", 303), ("/static/missing.css", 404),
    ]:
        response = await client.get(path)
        assert response.status_code == status, path
        assert_security_headers(response)


async def test_security_headers_on_a_403_a_400_and_a_405(client):
    await register(client)
    assert_security_headers(forbidden := await client.get("/provider/dashboard"))
    assert forbidden.status_code == 403
    assert_security_headers(bad := await client.post("/logout"))
    assert bad.status_code == 400
    assert_security_headers(wrong_method := await post(client, "/"))
    assert wrong_method.status_code == 405


async def test_security_headers_and_a_friendly_page_on_a_500_and_a_raised_http_error(app, client):
    @app.get("/test-boom")
    async def boom():
        raise RuntimeError("database exploded: secret detail")

    @app.get("/test-conflict")
    async def conflict():
        raise Conflict("That slot was just taken.")

    crashed = await client.get("/test-boom")
    assert crashed.status_code == 500
    assert_security_headers(crashed)
    body = await text(crashed)
    assert "Something went wrong on our side" in body and "secret detail" not in body

    conflicted = await client.get("/test-conflict")
    assert conflicted.status_code == 409
    assert_security_headers(conflicted)
    assert "That slot was just taken." in await text(conflicted)


async def test_html_pages_are_not_cached_and_vary_on_htmx(client):
    response = await client.get("/login")
    assert response.headers["Cache-Control"] == "no-store"
    assert "HX-Request" in response.headers["Vary"]


# ---------------------------------------------------------------- templates


def all_templates() -> list[Path]:
    found = sorted(path for path in TEMPLATES.rglob("*.html"))
    assert len(found) > 10
    return found


INLINE = {
    "style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE | re.DOTALL),
    "<style> element": re.compile(r"<style\b", re.IGNORECASE),
    "event handler attribute": re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL),
    "hx-on attribute": re.compile(r"\shx-on[:-]", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "script without src": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE),
    "script with a body": re.compile(r"<script[^>]*>\s*[^<\s]", re.IGNORECASE),
}


@pytest.mark.parametrize("kind", INLINE)
def test_no_template_needs_inline_script_or_style(kind):
    offenders = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)[:80]!r}"
        for path in all_templates()
        for match in INLINE[kind].finditer(path.read_text())
    ]
    assert offenders == []


@pytest.mark.parametrize(("kind", "sample"), [
    ("style attribute", '<p class="x" style="color:red">'),
    ("event handler attribute", '<button type="submit"\n  onclick="go()">'),
    ("hx-on attribute", '<form hx-on::after-request="this.reset()">'),
    ("script without src", "<script>alert(1)</script>"),
    ("script with a body", '<script src="/a.js">alert(1)</script>'),
])
def test_the_template_scan_catches_what_it_looks_for(kind, sample):
    assert INLINE[kind].search(sample)
