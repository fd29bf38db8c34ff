"""A redis-server of the test's own on a free port, so a test may stop it mid-run.

Missing `redis-server` skips the test, and fails it in CI (CI=true), like MySQL and Chromium.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time

import pytest

from tests.helpers_server import free_port

IN_CI = os.environ.get("CI", "").lower() == "true"


class RedisServer:
    def __init__(self):
        binary = shutil.which("redis-server")
        if binary is None:
            message = "redis-server is not installed (apt-get install redis-server)"
            if IN_CI:
                pytest.fail(message, pytrace=False)
            pytest.skip(message)
        self.binary = binary
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    yield server
    server.stop()
