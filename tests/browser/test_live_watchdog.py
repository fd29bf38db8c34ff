"""A live grid whose connection dies without closing (a TCP proxy that stops forwarding but keeps
the socket open, as a mobile network does) says "Reconnecting…", reconnects when no heartbeat has
come for two heartbeats and 5 s, and shows what changed meanwhile, highlighted."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from grihaseva.demo.data import DEMO_PIN
from tests.browser.conftest import wait_until_live
from tests.helpers_server import LiveServer, free_port

pytestmark = pytest.mark.browser

LIVE_REQUEST = re.compile(rb"^GET [^ ]*/live[? ]", re.MULTILINE)  # a stream, not /static/live.js
HEARTBEAT = 1  # seconds: the page's watchdog then waits 2 * 1 + 5 = 7 s (35 s with the default 15)


class FreezingProxy:
    """Forwards TCP to `upstream`; `freeze()` stops forwarding on the live-stream connections open
    now, without closing them. Connections made later are forwarded as usual."""

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.streams: list[threading.Event] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        frozen = threading.Event()
        threading.Thread(target=self._pipe, args=(upstream, client, frozen), daemon=True).start()
        self._pipe(client, upstream, frozen, watch=True)

    def _pipe(self, source, target, frozen, watch=False):
        try:
            while True:
                data = source.recv(65536)
                if not data:  # one side closed (the server ends idle keep-alive connections): pass it on
                    target.shutdown(socket.SHUT_WR)
                    break
                if watch and LIVE_REQUEST.search(data):  # a keep-alive connection may carry a stream later
                    with self.lock:
                        self.streams.append(frozen)
                if frozen.is_set():
                    while True:  # forward nothing, close nothing: the socket stays open and silent
                        time.sleep(3600)
                target.sendall(data)
        except OSError:
            pass

    def freeze(self) -> int:
        with self.lock:
            for flag in self.streams:
                flag.set()
            return len(self.streams)

    def close(self):
        self.listener.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    var = tmp_path_factory.mktemp("watchdog")
    live = LiveServer({"GRIHASEVA_DATABASE_URL": f"sqlite:///{var}/demo.db", "GRIHASEVA_VAR_DIR": str(var),
                       "GRIHASEVA_SSE_HEARTBEAT_SECONDS": str(HEARTBEAT)}, port=free_port())
    live.run("migrate")
    live.run("seed-demo")
    live.start()
    yield live
    live.stop()


async def book_directly(server, token: str) -> None:
    from grihaseva.booking import domain
    from grihaseva.booking.slots import parse_slot
    from grihaseva.clock import utcnow
    from grihaseva.config import DatabaseUrl
    from grihaseva.db import open_database

    db = open_database(DatabaseUrl.parse(server.env["GRIHASEVA_DATABASE_URL"]))
    await db.connect()
    try:
        service = await domain.active_service(db, "tap-leak-repair")
        asha = await db.fetch_one("select_user_by_email", {"email": "customer@example.com"})
        start = parse_slot(token)
        provider = await domain.pick_provider(db, service, start, utcnow(), DEMO_PIN)
        await domain.place_booking(db, domain.Customer(asha["id"], asha["gender"]), service, provider, start,
                               {"address": "Flat 2, 5th Cross, Indiranagar, Bengaluru 560038", "phone": "+91 99000 12345",
                                "pin": DEMO_PIN}, utcnow())
    finally:
        await db.close()


def status(page) -> str:
    return page.locator("#grid-section [data-live-status]").get_attribute("data-state") or ""


def test_a_silently_dead_connection_is_noticed_and_the_page_catches_up(chromium, server):
    proxy = FreezingProxy(server.port)
    watcher = chromium.new_context(viewport={"width": 360, "height": 740})
    try:
        page = watcher.new_page()
        page.goto(f"http://127.0.0.1:{proxy.port}/book/tap-leak-repair?provider=any&pin={DEMO_PIN}")
        wait_until_live(page)
        assert page.locator("body").get_attribute("data-live-watchdog") == str(2 * HEARTBEAT + 5)
        page.wait_for_function("() => document.querySelector('[data-live-status]').dataset.state === 'live'")
        assert page.locator("[data-live-status]").inner_text() == "Live"
        slot = page.locator("a.slot.free").nth(2)
        token = slot.get_attribute("data-slot")
        assert proxy.freeze() >= 1
        frozen_at = time.monotonic()

        # Meanwhile someone books that time: straight in the database, which the server tails.
        with ThreadPoolExecutor(1) as pool:  # Playwright's sync API owns this thread's event loop
            pool.submit(asyncio.run, book_directly(server, token)).result()
        time.sleep(1.5)
        assert page.locator(f'a.slot.free[data-slot="{token}"]').count() == 1  # the frozen page has not heard

        page.wait_for_function("() => document.querySelector('[data-live-status]').dataset.state === 'reconnecting'",
                               timeout=10_000)
        assert time.monotonic() - frozen_at >= 2 * HEARTBEAT + 5 - 1  # not before the watchdog's time
        page.wait_for_selector(f'.slot.taken[data-slot="{token}"]', timeout=10_000)
        page.wait_for_function("() => document.querySelector('[data-live-status]').dataset.state === 'live'")
        assert page.locator("#slot-grid.just-changed").count() == 1  # what changed is highlighted
    finally:
        watcher.close()
        proxy.close()
