"""An SSE client that never reads is closed: once a send of its stream has waited for the write
buffer longer than SSE_WRITE_TIMEOUT_SECONDS (30 s; shortened here), the response is abandoned,
the stream's generator ends and its subscription is released. A client that reads stays. Both
databases (the stream renders from the database)."""

from __future__ import annotations

import asyncio

from grihaseva.blog import reactions
from tests.helpers import DEMO_NOW, demo, user_id  # noqa: F401  (demo is a fixture)

POST = "monsoon-home-care-checklist"


def scope_for(path: str) -> dict:
    return {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
            "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
            "root_path": "", "headers": [(b"host", b"localhost"), (b"accept", b"text/event-stream")],
            "client": ("127.0.0.1", 40000), "server": ("localhost", 80), "extensions": {}}


class Client:
    """The ASGI side of one connection; `reads=False`: after the first event its socket is full,
    so every later send waits for ever (as a never-reading client's does)."""

    def __init__(self, reads: bool):
        self.reads = reads
        self.bodies: list[bytes] = []
        self.gone = asyncio.Event()
        self.stuck = asyncio.Event()

    async def receive(self):
        if not hasattr(self, "_asked"):
            self._asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self.gone.wait()
        return {"type": "http.disconnect"}

    async def send(self, message):
        if message["type"] != "http.response.body":
            return
        if self.bodies and not self.reads:
            self.stuck.set()
            await asyncio.Event().wait()  # the write buffer never drains
        self.bodies.append(message.get("body", b""))


def subscribers(app, topic: str) -> int:
    return len(app.broadcaster._topics.get(topic, ()))


async def test_a_client_that_never_reads_is_closed_and_its_subscription_released(demo):
    app = demo
    app.config["SSE_WRITE_TIMEOUT_SECONDS"] = 0.5
    post_id = await app.db.fetch_value("SELECT id FROM posts WHERE slug = :s", {"s": POST})
    topic = f"post:{post_id}"
    reader = await user_id(app, "customer@example.com")
    stalled, healthy = Client(reads=False), Client(reads=True)
    tasks = [asyncio.create_task(app(scope_for(f"/blog/{POST}/live"), c.receive, c.send)) for c in (stalled, healthy)]
    for _ in range(100):
        if stalled.bodies and healthy.bodies:
            break
        await asyncio.sleep(0.02)
    assert stalled.bodies and healthy.bodies  # both got the snapshot
    assert subscribers(app, topic) == 2

    await reactions.toggle(app.db, post_id, reader, "helpful", DEMO_NOW)  # an event for both streams
    await asyncio.wait_for(stalled.stuck.wait(), 5)
    await asyncio.wait_for(tasks[0], 5)  # the stalled stream's response ended (0.5 s after it stuck)
    assert subscribers(app, topic) == 1  # its subscription is gone; the reading client's stays
    for _ in range(100):
        if len(healthy.bodies) >= 2:
            break
        await asyncio.sleep(0.02)
    assert len(healthy.bodies) >= 2 and b"reactions" in healthy.bodies[-1]
    await asyncio.sleep(1)
    assert not tasks[1].done()  # a client that reads is never closed for it

    healthy.gone.set()  # the reading client goes away: Quart ends its response as usual
    await asyncio.wait_for(tasks[1], 5)
    for _ in range(100):
        if subscribers(app, topic) == 0:
            break
        await asyncio.sleep(0.02)
    assert subscribers(app, topic) == 0
