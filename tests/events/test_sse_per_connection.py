"""What an open live stream holds, and that holding less changed nothing a reader sees: streams
share one tuple of response headers (hypercorn keeps a response's start message for as long as
it lasts), a reader whose response sets a cookie keeps its own, and one view's renders and
access checks may run at the same time although they share one copy of the request's contexts.
Both databases (the streams render from the database)."""

from __future__ import annotations

import asyncio

from quart import g, request

from grihaseva.sse import LiveView, StalledStreamGuard
from tests.events.test_sse_stalled import POST, Client, scope_for, subscribers
from tests.helpers import demo  # noqa: F401  (fixture)


class StartRecorder(Client):
    """A reading client that also keeps the response's start message."""

    def __init__(self):
        super().__init__(reads=True)
        self.start = None

    async def send(self, message):
        if message["type"] == "http.response.start":
            self.start = message
        await super().send(message)


async def until(condition, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    assert condition()


async def test_open_streams_share_one_tuple_of_response_headers(demo):  # noqa: F811
    app = demo
    post_id = await app.db.fetch_value("SELECT id FROM posts WHERE slug = :s", {"s": POST})
    readers = [StartRecorder() for _ in range(3)]
    tasks = [asyncio.create_task(app(scope_for(f"/blog/{POST}/live"), r.receive, r.send)) for r in readers]
    await until(lambda: all(r.bodies for r in readers))
    first, *others = [r.start for r in readers]
    assert all(other["headers"] is first["headers"] for other in others)
    assert isinstance(first["headers"], tuple)  # nothing downstream can change every stream's headers
    headers = dict(first["headers"])
    assert headers[b"content-type"].startswith(b"text/event-stream")
    assert headers[b"cache-control"] == b"no-cache"
    assert headers[b"content-security-policy"].startswith(b"default-src 'self'")  # the security headers stay
    assert headers[b"x-frame-options"] == b"DENY"
    assert subscribers(app, f"post:{post_id}") == 3

    page = StartRecorder()  # a page is not a stream: its headers are its own, as Quart made them
    page_scope = scope_for(f"/blog/{POST}")
    page_scope["headers"] = [(b"host", b"localhost"), (b"accept", b"text/html")]
    await asyncio.wait_for(app(page_scope, page.receive, page.send), 10)
    assert page.start["status"] == 200 and isinstance(page.start["headers"], list)

    for reader in readers:
        reader.gone.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 5)
    assert subscribers(app, f"post:{post_id}") == 0


def test_a_stream_that_sets_a_cookie_keeps_its_own_headers_and_the_shared_table_stays_small():
    guard = StalledStreamGuard(None, lambda: 30.0)
    plain = [(b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-cache")]
    assert guard._shared_headers(plain) is guard._shared_headers(list(plain))
    with_cookie = [*plain, (b"Set-Cookie", b"grihaseva_session=abc; HttpOnly")]
    own = guard._shared_headers(with_cookie)
    assert own == tuple(with_cookie) and own is not guard._shared_headers(list(with_cookie))
    for n in range(500):  # headers that differ every time (a proxy's request id, say) are not hoarded
        guard._shared_headers([*plain, (b"x-request-id", str(n).encode())])
    assert len(guard._headers) <= StalledStreamGuard.HEADER_LISTS


async def test_one_views_renders_and_access_checks_may_overlap(demo):  # noqa: F811
    """A view's renders and checks enter one copy of the request's contexts; a second one while
    the first is still inside (a shared render still running) gets a copy of its own, so either
    may finish first."""
    app = demo
    gates = {"first": asyncio.Event(), "second": asyncio.Event()}
    seen: list[tuple[str, str]] = []

    async def render(event):
        seen.append((request.path, g.marker))  # the view's request and `g` reach every render
        if event in gates:
            await gates[event].wait()
        return f"frame {event}"

    async def recheck():
        seen.append((request.path, g.marker))

    async with app.test_request_context(f"/blog/{POST}/live", headers={"Accept": "text/event-stream"}):
        g.marker = "this reader"
        view = LiveView(["post:1"], render, "reactions", recheck=recheck, share=None, heartbeat=None)
    first = asyncio.create_task(view.render("first"))
    await until(lambda: len(seen) == 1)
    second = asyncio.create_task(view.render("second"))
    await until(lambda: len(seen) == 2)
    assert await asyncio.wait_for(view.allowed(), 5) is True  # while both renders are inside
    gates["first"].set()  # the one that entered first leaves first
    assert await asyncio.wait_for(first, 5) == "frame first"
    gates["second"].set()
    assert await asyncio.wait_for(second, 5) == "frame second"
    assert await asyncio.wait_for(view.render("again"), 5) == "frame again"  # the shared copy is free again
    assert seen == [(f"/blog/{POST}/live", "this reader")] * 4
