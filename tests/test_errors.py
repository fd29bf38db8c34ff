"""Error pages keep the headers their HTTP exception carries: Retry-After on 429, Allow on 405,
WWW-Authenticate on 401, and any header of a response an exception was raised with."""

from __future__ import annotations

from quart import Blueprint, Response
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import HTTPException, TooManyRequests, Unauthorized

from tests.blog.conftest import LEAK_SLUG, blog, logged_in  # noqa: F401  (blog is a fixture)
from tests.conftest import post, serving_app, text

raising = Blueprint("raising", __name__)


@raising.get("/test/slow-down")
async def slow_down():
    raise TooManyRequests("You are going too fast. Please wait a minute and try again.", retry_after=42)


@raising.get("/test/who-are-you")
async def who_are_you():
    raise Unauthorized("Please sign in to the test area.", www_authenticate=WWWAuthenticate("basic", {"realm": "test"}))


@raising.get("/test/with-response")
async def with_response():
    error = HTTPException("This page has moved elsewhere for a while.")
    error.code = 409
    error.response = Response("", status=409, headers={"X-Reason": "moved", "Content-Type": "text/plain"})
    raise error


async def test_a_plain_form_reaction_over_the_limit_gets_retry_after(blog):  # noqa: F811
    client = await logged_in(blog, "customer@example.com")
    for _ in range(30):
        assert (await post(client, f"/blog/{LEAK_SLUG}/react", {"emoji": "helpful"})).status_code == 303
    refused = await post(client, f"/blog/{LEAK_SLUG}/react", {"emoji": "helpful"})
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "61"
    assert refused.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "You are reacting very quickly. Please wait 1 minute and try again." in await text(refused)


async def test_a_wrong_method_keeps_its_allow_header(blog):  # noqa: F811
    response = await blog.test_client().get(f"/blog/{LEAK_SLUG}/publish")
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["Allow"].split(",")} == {"OPTIONS", "POST"}


async def test_raised_exceptions_keep_their_headers_on_the_friendly_page(settings):
    async with serving_app(settings, raising) as app:
        client = app.test_client()
        slow = await client.get("/test/slow-down")
        assert (slow.status_code, slow.headers["Retry-After"]) == (429, "42")
        assert "You are going too fast." in await text(slow)
        who = await client.get("/test/who-are-you")
        assert who.status_code == 401 and who.headers["WWW-Authenticate"].startswith("Basic realm=")
        assert "Please sign in to the test area." in await text(who)
        moved = await client.get("/test/with-response")
        assert moved.status_code == 409 and moved.headers["X-Reason"] == "moved"
        assert moved.headers["Content-Type"] == "text/html; charset=utf-8"  # the page's own type wins
        assert "This page has moved elsewhere for a while." in await text(moved)
