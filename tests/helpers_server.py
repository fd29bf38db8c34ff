"""Runs a real `grihaseva serve` process on a free port for browser and multi-process tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed_classifiers(var_dir: Path) -> None:
    """Put this test run's fitted chatbot classifiers in a server's var dir, so that its start-up
    loads them (about 2 s) instead of fitting them (5-8 s of CPU beside the test); the test process
    prepares them once (grihaseva/chatbot/nlu/learned.py)."""
    from grihaseva.chatbot.nlu import learned

    key = learned.cache_key()
    target = learned.cache_path(var_dir, key)
    if not target.exists() and (fitted := learned.preparation().prepare(learned.var_dir_from_env())):
        learned.save_cached(target, key, fitted)


class LiveServer:
    def __init__(self, env: dict[str, str], port: int | None = None, workers: int = 1):
        self.port = port or free_port()
        self.workers = workers
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "GRIHASEVA_ENV": "development", "GRIHASEVA_BCRYPT_ROUNDS": "4",
                    "GRIHASEVA_BASE_URL": self.url, **env}
        self.process: subprocess.Popen | None = None

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(BIN / "grihaseva"), *args], env=self.env, capture_output=True, text=True, timeout=120, check=True)

    def start(self) -> "LiveServer":
        seed_classifiers(Path(self.env["GRIHASEVA_VAR_DIR"]))
        self.log = open(Path(self.env["GRIHASEVA_VAR_DIR"]) / f"server-{self.port}.log", "w")
        self.process = subprocess.Popen(
            [str(BIN / "grihaseva"), "serve", "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers)],
            env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {Path(self.log.name).read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not start in 30 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if getattr(self, "log", None):
            self.log.close()
