"""The ceiling for bench/healthz.py: the smallest ASGI app, answering every request with "ok"."""


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain"),
                                                                         (b"content-length", b"3")]})
    await send({"type": "http.response.body", "body": b"ok\n"})
