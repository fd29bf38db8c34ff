"""Every /admin route is for admins only: customers and providers get 403, visitors go to the login page."""

from __future__ import annotations

import re

import pytest

from tests.admin.conftest import logged_in
from tests.conftest import post


def admin_routes(app) -> list[tuple[str, str]]:
    """(method, concrete path) for every rule under /admin, with 1 for each path variable."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?[^<>]+>", "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, path))
    return routes


async def request(client, method: str, path: str):
    if method == "GET":
        return await client.get(path)
    return await post(client, path, {"reason": "testing access"})


async def test_the_console_has_the_routes_this_test_relies_on(demo):
    paths = {path for _, path in admin_routes(demo)}
    assert {"/admin", "/admin/catalogue", "/admin/services/1", "/admin/providers/1/suspend", "/admin/customers/1/deactivate",
            "/admin/bookings", "/admin/audit", "/admin/faq", "/admin/posts"} <= paths
    assert len(admin_routes(demo)) >= 20


@pytest.mark.parametrize("email", ["customer@example.com", "provider@example.com"])
async def test_customers_and_providers_get_403_on_every_admin_route(demo, email):
    client = await logged_in(demo, email)
    for method, path in admin_routes(demo):
        response = await request(client, method, path)
        assert response.status_code == 403, (method, path, response.status_code)
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM audit_log") == 0


async def test_visitors_are_sent_to_login_from_every_admin_route(demo):
    client = demo.test_client()
    for method, path in admin_routes(demo):
        response = await request(client, method, path)
        assert response.status_code == 303, (method, path, response.status_code)
        assert response.headers["Location"].startswith("/login?next="), (method, path)


async def test_an_admin_can_open_every_admin_page(demo):
    client = await logged_in(demo, "admin@example.com")
    for method, path in admin_routes(demo):
        if method == "GET" and "1" not in path.split("/")[-1]:
            headers = {"Accept": "text/event-stream"} if path.endswith("/live") else {}  # a live stream opens too
            if headers:
                async with client.request(path, headers=headers) as stream:
                    await stream.send_complete()
                    chunk = await stream.receive()
                    assert chunk.startswith((b"event:", b"retry:")), (path, chunk[:80])
                    await stream.disconnect()
                continue
            response = await client.get(path)
            assert response.status_code == 200, (path, response.status_code)
