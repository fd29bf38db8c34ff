"""Talking to real `grihaseva serve` processes the way a browser does: a logged-in opener with
its CSRF token, a reaction toggle, and a raw SSE reader (used by the multi-process tests)."""

from __future__ import annotations

import asyncio
import http.cookiejar
import re
import urllib.parse
import urllib.request

from tests.events.live_counter import parse
from tests.helpers import DEMO_PASSWORD

POST_SLUG = "fix-a-leaking-tap-in-20-minutes"  # a published demo post


class Browser:
    """Cookies and the CSRF token of one person's browser."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.token = ""

    def cookie_header(self) -> dict[str, str]:
        """This browser's cookies, for a raw stream opened elsewhere on the same host."""
        return {"Cookie": "; ".join(f"{c.name}={c.value}" for c in self.jar)}

    def _keep_token(self, page: str) -> None:
        """The session's current token, from the page's `hx-headers` wrapper or a form field: it
        is renewed at log in and log out (issue 19), so every page answered may carry a new one."""
        found = (re.search(r'hx-headers=\'\{"X-CSRF-Token": "([^"]+)"\}\'', page)
                 or re.search(r'name="csrf_token" value="([^"]+)"', page))
        if found:
            self.token = found.group(1)

    def get(self, path: str) -> str:
        page = self.opener.open(self.base + path, timeout=10).read().decode()
        self._keep_token(page)
        return page

    def post(self, path: str, form: dict, headers: dict | None = None) -> int:
        body = urllib.parse.urlencode({"csrf_token": self.token, **form}).encode()
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        with self.opener.open(request, timeout=10) as response:
            self._keep_token(response.read().decode())  # a redirect's page (after log in) has the new token
            return response.status

    def log_in(self, email: str, password: str = DEMO_PASSWORD) -> "Browser":
        self.get("/login")
        self.post("/login", {"email": email, "password": password})
        return self

    def react(self, emoji: str, on: bool | None = None, slug: str = POST_SLUG) -> None:
        """Press (`on`), release (not `on`) or, with None, flip one reaction, as htmx does (the
        answer is the new bar, not a redirect); the CSRF token comes from an earlier page."""
        if not self.token:
            self.get(f"/blog/{slug}")
        self.post(f"/blog/{slug}/react", {"emoji": emoji, **({} if on is None else {"on": "1" if on else "0"})},
                  {"HX-Request": "true", "X-CSRF-Token": self.token})


def count_of(fragment: str, emoji: str) -> int:
    return int(re.search(rf'id="rc-{emoji}">(\d+)<', fragment).group(1))


class SseReader:
    """A raw HTTP/1.1 EventSource: headers, then de-chunked messages."""

    def __init__(self, reader, writer):
        self.reader, self.writer, self.buffer = reader, writer, b""
        self.received = b""  # every byte of the body so far (tests look for what must not be there)

    @classmethod
    async def open(cls, port: int, path: str, headers: dict[str, str] | None = None) -> "SseReader":
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n{extra}\r\n".encode())
        stream = cls(reader, writer)
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        status, *lines = head.decode().split("\r\n")
        stream.status = int(status.split()[1])
        stream.headers = {k.lower(): v for k, _, v in (line.partition(": ") for line in lines if line)}
        stream.chunked = stream.headers.get("transfer-encoding", "") == "chunked"
        return stream

    async def _more(self) -> bytes:
        if not self.chunked:
            data = await self.reader.read(65536)
            if not data:
                raise EOFError("the stream ended")
            self.received += data
            return data
        size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
        data = await self.reader.readexactly(size + 2)
        if size == 0:
            raise EOFError("the stream ended")
        self.received += data[:-2]
        return data[:-2]

    async def next(self, timeout: float = 5.0):
        """The next message that is not only a comment (heartbeats are skipped)."""
        while True:
            while b"\n\n" not in self.buffer:
                self.buffer += await asyncio.wait_for(self._more(), timeout)
            raw, self.buffer = self.buffer.split(b"\n\n", 1)
            message = parse(raw.decode())
            if message.data is not None or message.event is not None:
                return message

    async def close(self) -> None:
        self.writer.close()
        try:
            await self.writer.wait_closed()
        except OSError:
            pass
