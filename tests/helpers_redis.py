"""Redis for the tests, behind a relay of the test's own that the test can cut mid-run.

The machine's Redis (`GRIHASEVA_TEST_REDIS_URL`, default `redis://127.0.0.1:6379/0`) is used when
it answers; else a `redis-server` of the test's own on a free port.  Either way the app talks to
a TCP relay on a free port (`url`), and `stop()` cuts it: no new connections, the open ones
closed, which is Redis going down as far as the app can tell, without stopping a Redis that
others share.  Each relay has a channel name of its own (`channel`), because pub/sub channels
are global to a Redis server, whatever its database number.  Neither Redis nor `redis-server`:
the test is skipped, and fails in CI (CI=true), like MySQL and Chromium.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import threading
import time
from urllib.parse import urlsplit

import pytest

from tests.helpers_server import free_port

IN_CI = os.environ.get("CI", "").lower() == "true"
SHARED_URL = os.environ.get("GRIHASEVA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class _Relay:
    """A threaded TCP relay to (host, port) that can be cut."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()

    def cut(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with self._lock:
            sockets, self._open = self._open, set()
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()


class RedisServer:
    def __init__(self, relay: bool = True):
        """`relay=False` (benchmarks, which never cut Redis): the app talks to Redis itself, with no
        hop through this process (a relay thread waits for a core on a loaded machine)."""
        self.use_relay = relay
        shared = urlsplit(SHARED_URL)
        self.upstream: tuple[str, int] | None = None
        self.binary: str | None = None
        if _answers(shared.hostname or "127.0.0.1", shared.port or 6379):
            self.upstream = (shared.hostname or "127.0.0.1", shared.port or 6379)
        else:
            self.binary = shutil.which("redis-server")
            if self.binary is None:
                message = f"no Redis answers at {SHARED_URL} and redis-server is not installed (apt-get install redis-server)"
                if IN_CI:
                    pytest.fail(message, pytrace=False)
                pytest.skip(message)
        self.process: subprocess.Popen | None = None
        self.relay: _Relay | None = None
        self.channel = f"gs_test:{secrets.token_hex(6)}"  # GRIHASEVA_REDIS_CHANNEL for this test alone
        self.url = ""

    def start(self) -> "RedisServer":
        if self.upstream is None:  # no shared Redis: one of our own
            port = free_port()
            self.process = subprocess.Popen(
                [self.binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--daemonize", "no", "--loglevel", "warning"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + 10
            while not _answers("127.0.0.1", port):
                if time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start")
                time.sleep(0.05)
            self.upstream = ("127.0.0.1", port)
        if not self.use_relay:
            self.port = self.upstream[1]
            self.url = f"redis://{self.upstream[0]}:{self.port}/0"
            return self
        self.relay = _Relay(self.upstream)
        self.relay.start()
        self.port = self.relay.port
        self.url = f"redis://127.0.0.1:{self.port}/0"
        return self

    def stop(self) -> None:
        """Redis goes away for the app: the relay is cut (and a server of our own stopped)."""
        if self.relay is not None:
            self.relay.cut()
            self.relay = None
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    yield server
    server.stop()
