"""A test-only live view: GET /test-live/<n> streams a counter fragment for topic
`test:<n>` through `sse_stream`; POST /test-live/<n> publishes an event in a transaction.
Also a parser for the messages of an event stream."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from quart import Blueprint, g, request

from grihaseva import web
from grihaseva.events import publish
from grihaseva.sse import sse_stream

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=timezone.utc)


def live_counter_blueprint() -> Blueprint:
    blueprint = Blueprint("live_counter_test", __name__)

    async def counter(n: int) -> str:
        count = await web.db().fetch_value("SELECT COUNT(*) AS n FROM events WHERE topic = :topic", {"topic": f"test:{n}"})
        viewer = g.user.email if g.get("user") else "nobody"  # the view's g and request reach the render
        return f'<p class="counter">\n  {count} changes\n  seen by {viewer} via {request.path}\n</p>'

    @blueprint.get("/test-live/<int:n>")
    async def live(n: int):
        return await sse_stream([f"test:{n}"], lambda _event: counter(n), "counter")

    @blueprint.post("/test-live/<int:n>")
    async def change(n: int):
        async with web.db().transaction() as tx:
            event_id = await publish(tx, f"test:{n}", "changed", {"n": n}, web.now())
        return {"id": event_id}

    return blueprint


def fragment(count: int, viewer: str = "nobody", n: int = 1) -> str:
    return f'<p class="counter">\n  {count} changes\n  seen by {viewer} via /test-live/{n}\n</p>'


@dataclass
class Message:
    raw: str
    event: str | None = None
    id: int | None = None
    data: str | None = None
    comments: list[str] = field(default_factory=list)


def parse(raw: str) -> Message:
    message, data = Message(raw), []
    for line in raw.split("\n"):
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "":
            message.comments.append(value)
        elif name == "event":
            message.event = value
        elif name == "id":
            message.id = int(value)
        elif name == "data":
            data.append(value)
    message.data = "\n".join(data) if data else None
    return message
