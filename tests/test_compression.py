"""Text responses are gzipped for clients that accept it; streams are not."""

from __future__ import annotations

import gzip

from tests.conftest import text


async def test_pages_are_gzipped_when_the_client_accepts_it(client):
    response = await client.get("/login", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    body = gzip.decompress(await response.get_data())
    assert b"<h1>Log in</h1>" in body


async def test_pages_are_plain_without_accept_encoding(client):
    response = await client.get("/login")
    assert "Content-Encoding" not in response.headers
    assert "<h1>Log in</h1>" in await text(response)


async def test_static_css_is_gzipped(client):
    response = await client.get("/static/app.css", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert b".slot" in gzip.decompress(await response.get_data())


async def test_tiny_and_error_responses_are_left_alone(client):
    health = await client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in health.headers and (await text(health)).startswith("database: ok\n")
    missing = await client.get("/no-such-page", headers={"Accept-Encoding": "gzip"})
    assert missing.status_code == 404 and "Content-Encoding" not in missing.headers
