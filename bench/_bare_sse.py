"""The framework's floor for bench/fanout.py: the smallest Quart app holding an event stream open,
served by hypercorn like the app: one 1.4 KB frame, then a heartbeat
every 15 s, nothing else per connection (no session, database, subscription or guard)."""

import asyncio

from quart import Quart, Response

app = Quart(__name__)
FRAME = b"event: reactions\nid: 1\nretry: 1000\ndata: " + b"x" * 1400 + b"\n\n"


@app.get("/stream")
async def stream():
    async def frames():
        yield FRAME
        while True:
            await asyncio.sleep(15)
            yield b": ping\n\n"

    response = Response(frames(), mimetype="text/event-stream")
    response.timeout = None
    return response


@app.get("/healthz")
async def healthz():
    return "ok\n"
