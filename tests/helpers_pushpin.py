"""A Pushpin of the test's own (Debian's `pushpin` 1.36), with a zurl of its own, on free ports.

Its config is a copy of /etc/pushpin/pushpin.conf with its own run and log folders and a
`port_offset`, so several can run beside each other; its zurl's sockets live in the same
folder.  A missing `pushpin` skips the test, and fails it in CI (CI=true).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
DEFAULT_HTTP, DEFAULT_PUBLISH = 7999, 5561
_OFFSET_PORTS = (7999, 5560, 5561, 5562, 5563)


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def require_pushpin() -> None:
    if shutil.which("pushpin") is None or shutil.which("zurl") is None:
        message = "pushpin is not installed (apt-get install pushpin)"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


class Pushpin:
    def __init__(self, folder: Path, backends: list[int], message_rate: int = 2500):
        require_pushpin()
        self.folder = folder
        self.backends = backends
        self.message_rate = message_rate
        while True:
            offset = random.randrange(2000, 40000, 10)
            if all(_free(p + offset) for p in _OFFSET_PORTS):
                break
        self.offset = offset
        self.port = DEFAULT_HTTP + offset  # set as http_port: port_offset does not move it
        self.url = f"http://127.0.0.1:{self.port}"
        self.publish_url = f"http://127.0.0.1:{DEFAULT_PUBLISH + offset}"
        self.processes: list[subprocess.Popen] = []

    def _configs(self) -> Path:
        run, logs = self.folder / "run", self.folder / "log"
        run.mkdir(parents=True, exist_ok=True)
        logs.mkdir(parents=True, exist_ok=True)
        zurl = run / "zurl"
        conf = Path("/etc/pushpin/pushpin.conf").read_text()
        conf = re.sub(r"(?m)^rundir=.*$", f"rundir={run}", conf)
        conf = re.sub(r"(?m)^logdir=.*$", f"logdir={logs}", conf)
        conf = re.sub(r"(?m)^port_offset=.*$", f"port_offset={self.offset}", conf)  # the handler's ports
        conf = re.sub(r"(?m)^http_port=.*$", f"http_port=127.0.0.1:{self.port}", conf)
        conf = re.sub(r"(?m)^routesfile=.*$", f"routesfile={self.folder / 'routes'}", conf)
        conf = re.sub(r"(?m)^message_rate=.*$", f"message_rate={self.message_rate}", conf)
        conf = re.sub(r"(?m)^sig_key=.*$", "sig_key=grihaseva-test-pushpin", conf)
        conf = conf.replace("[proxy]\n", "[proxy]\n"
                            f"zurl_out_specs=ipc://{zurl}-in\n"
                            f"zurl_out_stream_specs=ipc://{zurl}-in-stream\n"
                            f"zurl_in_specs=ipc://{zurl}-out\n", 1)
        (self.folder / "pushpin.conf").write_text(conf)
        targets = ",".join(f"127.0.0.1:{port}" for port in self.backends)
        (self.folder / "routes").write_text(f"* {targets}\n")
        (self.folder / "zurl.conf").write_text(
            "[General]\ninstance_id=\n"
            f"in_spec=ipc://{zurl}-in\nin_stream_spec=ipc://{zurl}-in-stream\n"
            f"out_spec=ipc://{zurl}-out\nin_req_spec=ipc://{zurl}-req\n"
            "ipc_file_mode=600\ndefpolicy=allow\nallow=\ndeny=\nmax_open_requests=2000\n"
            "buffer_size=200000\ntimeout=600\nin_hwm=1000\nout_hwm=1000\n")
        return self.folder / "pushpin.conf"

    def start(self) -> "Pushpin":
        config = self._configs()
        log = open(self.folder / "pushpin.out", "w")
        self.processes.append(subprocess.Popen(["zurl", f"--config={self.folder / 'zurl.conf'}"],
                                               stdout=log, stderr=subprocess.STDOUT))
        self.processes.append(subprocess.Popen(["pushpin", f"--config={config}"], stdout=log,
                                               stderr=subprocess.STDOUT, start_new_session=True))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if not _free(self.port) and not _free(DEFAULT_PUBLISH + self.offset):
                return self
            time.sleep(0.1)
        raise RuntimeError(f"pushpin did not start: {(self.folder / 'pushpin.out').read_text()[-2000:]}")

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
        self.processes.clear()
