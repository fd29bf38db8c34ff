"""Behind a reverse proxy (GRIHASEVA_PROXY_HOPS) throttling keys on the visitor's address,
taken from X-Forwarded-For; without the setting the header is ignored, so it can't be forged."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.helpers_server import LiveServer


def _server(tmp_path_factory, hops: str) -> LiveServer:
    var = tmp_path_factory.mktemp(f"proxy{hops}")
    server = LiveServer({"GRIHASEVA_DATABASE_URL": f"sqlite:///{var}/p.db", "GRIHASEVA_VAR_DIR": str(var),
                         "GRIHASEVA_PROXY_HOPS": hops})
    server.run("migrate")
    return server.start()


@pytest.fixture(scope="module")
def behind_proxy(tmp_path_factory):
    server = _server(tmp_path_factory, "1")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def direct(tmp_path_factory):
    server = _server(tmp_path_factory, "0")
    yield server
    server.stop()


def failed_login(server: LiveServer, email: str, forwarded_for: str) -> int:
    """One wrong-password login from a fresh browser whose proxy says it is `forwarded_for`."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    headers = {"X-Forwarded-For": forwarded_for}
    page = opener.open(urllib.request.Request(server.url + "/login", headers=headers)).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": "wrong-password"}).encode()
    try:
        opener.open(urllib.request.Request(server.url + "/login", data=body, headers=headers))
    except urllib.error.HTTPError as error:
        return error.code
    return 200


def test_behind_a_proxy_each_visitor_has_their_own_login_throttle(behind_proxy):
    statuses = [failed_login(behind_proxy, f"a{n}@example.com", "203.0.113.7") for n in range(5)]
    assert statuses == [401] * 5
    assert failed_login(behind_proxy, "a5@example.com", "203.0.113.7") == 429
    assert failed_login(behind_proxy, "b0@example.com", "198.51.100.9") == 401


def test_without_a_proxy_the_forwarded_header_is_ignored(direct):
    for n in range(5):
        assert failed_login(direct, f"c{n}@example.com", f"192.0.2.{n}") == 401
    # Every request really came from 127.0.0.1, whatever the header claimed.
    assert failed_login(direct, "c5@example.com", "192.0.2.99") == 429
