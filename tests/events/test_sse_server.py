"""SSE through a real hypercorn server in this process, read with a raw socket: chunked
HTTP/1.1 as a browser receives it, a closed connection noticed, and shutdown."""

from __future__ import annotations

import asyncio
import time

import pytest
from hypercorn.asyncio import serve
from hypercorn.config import Config

from grihaseva.db import open_database
from grihaseva.events import publish
from grihaseva.migrate import migrate
from tests.events.live_counter import NOW, fragment, live_counter_blueprint, parse
from tests.helpers_server import free_port


class RawStream:
    """A raw HTTP/1.1 client for one SSE response: headers, then de-chunked messages."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer
        self.buffer = b""
        self.headers: dict[str, str] = {}

    @classmethod
    async def open(cls, port: int, path: str) -> "RawStream":
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                     "Accept-Encoding: gzip, deflate, br\r\n\r\n".encode())  # as a browser sends it
        stream = cls(reader, writer)
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        status, *lines = head.decode().split("\r\n")
        assert status == "HTTP/1.1 200 ", status
        stream.headers = {k.lower(): v for k, _, v in (line.partition(": ") for line in lines if line)}
        return stream

    async def _chunk(self) -> bytes:
        size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
        data = await self.reader.readexactly(size + 2)
        if size == 0:
            raise EOFError("the stream ended")
        return data[:-2]

    async def next(self, timeout: float = 2.0):
        while b"\n\n" not in self.buffer:
            self.buffer += await asyncio.wait_for(self._chunk(), timeout)
        raw, self.buffer = self.buffer.split(b"\n\n", 1)
        return parse(raw.decode())

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


class Server:
    def __init__(self, app, port: int):
        self.app, self.port = app, port
        self.shutdown = asyncio.Event()
        self.stop_broadcaster_first = False

    async def trigger(self) -> None:
        """hypercorn's shutdown trigger; optionally ends SSE streams before hypercorn drains."""
        await self.shutdown.wait()
        if self.stop_broadcaster_first:
            await self.app.broadcaster.stop()


@pytest.fixture
async def server(settings):
    """The app served by hypercorn on a free port."""
    from grihaseva.app import create_app

    database = open_database(settings.database)
    await database.connect()
    await migrate(database)
    await database.close()

    app = create_app(settings)
    app.register_blueprint(live_counter_blueprint())
    config = Config()
    port = free_port()
    config.bind = [f"127.0.0.1:{port}"]
    config.graceful_timeout = 1.0
    config.accesslog = config.errorlog = None
    running = Server(app, port)
    task = asyncio.create_task(serve(app, config, shutdown_trigger=running.trigger))
    deadline = time.monotonic() + 10
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            break
        except OSError:
            assert time.monotonic() < deadline, "hypercorn did not start"
            await asyncio.sleep(0.02)
    try:
        yield running
    finally:
        running.shutdown.set()
        await asyncio.wait_for(task, 10)


async def wait_until(condition, timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def commit_change(app, n: int = 1) -> int:
    async with app.db.transaction() as tx:
        return await publish(tx, f"test:{n}", "changed", {}, NOW)


async def test_real_server_streams_events_and_releases_a_closed_connection(server):
    app = server.app
    stream = await RawStream.open(server.port, "/test-live/1")
    try:
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert stream.headers["transfer-encoding"] == "chunked"
        assert "content-encoding" not in stream.headers  # compressing would buffer the stream
        assert (await stream.next()).data == fragment(0)

        event_id = await commit_change(app)
        update = await stream.next(timeout=1.0)
        assert (update.event, update.id, update.data) == ("counter", event_id, fragment(1))
        assert app.broadcaster.subscriber_count == 1
    finally:
        await stream.close()
    await wait_until(lambda: app.broadcaster.subscriber_count == 0)


async def test_real_server_shutdown_cuts_open_streams_after_the_graceful_timeout(server):
    """hypercorn drains connections before after_serving runs, so by default an open
    stream lasts until `graceful_timeout` (1 s here, 3 s by default) and is then cut."""
    stream = await RawStream.open(server.port, "/test-live/1")
    try:
        await stream.next()
        started = time.monotonic()
        server.shutdown.set()
        with pytest.raises((asyncio.IncompleteReadError, ConnectionError, EOFError)):
            while True:
                await stream.next(timeout=5.0)
        assert 0.9 < time.monotonic() - started < 3.0
    finally:
        await stream.close()
    await wait_until(lambda: server.app.broadcaster.subscriber_count == 0)


async def test_stopping_the_broadcaster_at_the_shutdown_signal_ends_streams_at_once(server):
    server.stop_broadcaster_first = True
    stream = await RawStream.open(server.port, "/test-live/1")
    try:
        await stream.next()
        started = time.monotonic()
        server.shutdown.set()
        with pytest.raises(EOFError):  # the terminating chunk: a clean end, not a cut connection
            await stream.next(timeout=5.0)
        assert time.monotonic() - started < 0.5
    finally:
        await stream.close()
    assert server.app.broadcaster.subscriber_count == 0
