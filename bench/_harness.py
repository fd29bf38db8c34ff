"""What the HTTP benchmarks share (not a benchmark itself: `make bench` skips files named _*.py).

- `Server`: a real `grihaseva serve` in production mode on a free port, its CPU time read from /proc.
- `Client`: a keep-alive HTTP/1.1 connection over asyncio streams (cookies kept, nothing else):
  the load generator must cost little, since it shares the machine's two cores with the server.
- `database(label)`: a fresh MariaDB database (GRIHASEVA_BENCH_MYSQL_URL names the base) or SQLite file.
- `stats`, `loadavg`, `header`: figures printed the same way by every benchmark.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
MYSQL = os.environ.get("GRIHASEVA_BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306/grihaseva_bench")
PASSWORD = "bench-pass-123"
# A benchmark's customers book far more than a real one may hold (the caps are still checked).
CAPS_OFF = {"GRIHASEVA_BOOKING_CAP_UPCOMING": "1000", "GRIHASEVA_BOOKING_CAP_PER_PROVIDER": "1000",
            "GRIHASEVA_BOOKING_CAP_NEW_ACCOUNT": "1000"}
# The chatbot's fitted classifiers, shared by every benchmark server (each server has a var dir of
# its own, and would otherwise fit them at its start: seconds of CPU while the run is measured).
CHATBOT_CACHE = Path(tempfile.gettempdir()) / "grihaseva-bench-chatbot"
# The line each worker logs once its classifiers are loaded, fitted or given up (rules only).
CHATBOT_READY = re.compile(r"chatbot: (loaded the kept|fitted the) classifiers|understanding by rules only")


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__().replace("'", "")


def header(title: str) -> None:
    print(f"# {title}  ({time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}, load average {' '.join(Path('/proc/loadavg').read_text().split()[:3])})")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def stats(values_s: list[float]) -> str:
    ms = [v * 1000 for v in values_s]
    return f"p50 {pct(ms, 50):6.1f} ms  p95 {pct(ms, 95):6.1f} ms  p99 {pct(ms, 99):6.1f} ms  (n={len(ms)})"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------- databases


@contextmanager
def database(dialect: str, label: str):
    """Yields a DatabaseUrl of a fresh, empty database, dropped (or deleted) afterwards."""
    from grihaseva.config import DatabaseUrl

    if dialect == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield DatabaseUrl(dialect="sqlite", path=f"{tmp}/bench.db")
        return
    import pymysql

    base = DatabaseUrl.parse(MYSQL)
    name = f"{base.database}_{label}_{secrets.token_hex(3)}"
    conn = pymysql.connect(host=base.host, port=base.port, user=base.user, password=base.password, autocommit=True)
    with conn.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    try:
        yield replace(base, database=name)
    finally:
        with conn.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        conn.close()


def url_text(url) -> str:
    if url.dialect == "sqlite":
        return f"sqlite:///{url.path}"
    credentials = url.user + (f":{url.password}" if url.password else "")
    return f"mysql://{credentials}@{url.host}:{url.port}/{url.database}"


def mysql_available() -> str | None:
    """None when MariaDB answers, else why not."""
    try:
        import pymysql

        from grihaseva.config import DatabaseUrl

        base = DatabaseUrl.parse(MYSQL)
        pymysql.connect(host=base.host, port=base.port, user=base.user, password=base.password, connect_timeout=2).close()
        return None
    except Exception as error:  # noqa: BLE001 - the benchmarks run on SQLite alone then
        return str(error)


# ---------------------------------------------------------------- the server


class Server:
    """`grihaseva serve` in production mode (its access log to a file, as `make run` would log)."""

    def __init__(self, url, workers: int = 1, rounds: int = 4, var: str | None = None, env: dict | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.var = var or tempfile.mkdtemp(prefix="grihaseva-bench-")
        self.workers = workers
        CHATBOT_CACHE.mkdir(exist_ok=True)
        if not (Path(self.var) / "chatbot").exists():
            (Path(self.var) / "chatbot").symlink_to(CHATBOT_CACHE, target_is_directory=True)
        self.env = {**os.environ, "GRIHASEVA_ENV": "production", "GRIHASEVA_SECRET_KEY": "b" * 48,
                    "GRIHASEVA_DATABASE_URL": url_text(url), "GRIHASEVA_VAR_DIR": self.var,
                    "GRIHASEVA_BASE_URL": self.base, "GRIHASEVA_BCRYPT_ROUNDS": str(rounds),
                    **CAPS_OFF, **(env or {})}
        self.process: subprocess.Popen | None = None

    def run(self, *args: str) -> None:
        subprocess.run([str(BIN / "grihaseva"), *args], env=self.env, check=True, capture_output=True, cwd=ROOT)

    def start(self) -> "Server":
        self.log = open(Path(self.var) / "server.log", "w")
        self.process = subprocess.Popen(
            [str(BIN / "grihaseva"), "serve", "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers)],
            env=self.env, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(Path(self.log.name).read_text()[-2000:])
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=1) as response:
                    if response.status == 200 and self._running() >= self.workers and self._ready() >= self.workers:
                        return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not start in 60 s")

    def _running(self) -> int:
        return len(set(re.findall(r"\[(\d+)\] \[INFO\] Running on", Path(self.log.name).read_text())))

    def _ready(self) -> int:
        """Workers whose chatbot classifiers are ready: their start-up thread no longer competes
        with what the benchmark measures."""
        return len(CHATBOT_READY.findall(Path(self.log.name).read_text()))

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server and its worker processes so far."""
        return tree_cpu_seconds(self.process.pid)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@contextmanager
def bare_hypercorn(app: str):
    """(port, process) of plain hypercorn serving `app` (e.g. "bench._bare_app:app"), no access
    log, while the block runs: the ceilings the app is compared with."""
    import urllib.error

    port = free_port()
    process = subprocess.Popen([str(BIN / "hypercorn"), "--bind", f"127.0.0.1:{port}", app],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).read()
                break
            except urllib.error.HTTPError:
                break  # answering, if not this path
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield port, process
    finally:
        process.terminate()
        process.wait(10)


def tree_cpu_seconds(root: int) -> float:
    """User + system CPU time so far of process `root` and all its descendants (hypercorn's workers)."""
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                todo.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                pass
    ticks, total = os.sysconf("SC_CLK_TCK"), 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


# ---------------------------------------------------------------- the client


class Client:
    """One keep-alive connection; `request` returns (status, headers, body) and keeps cookies."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.reader = self.writer = None
        self.used = time.monotonic()

    async def connect(self) -> "Client":
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        return self

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    async def request(self, method: str, path: str, form: dict | None = None,
                      headers: dict | None = None) -> tuple[int, dict[str, str], bytes]:
        if self.writer is not None and time.monotonic() - self.used > 4:  # hypercorn's keep-alive is 5 s
            await self.close()
        if self.writer is None:
            await self.connect()
        self.used = time.monotonic()
        body = b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        if form is not None:
            from urllib.parse import urlencode

            body = urlencode(form).encode()
            lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        status, response_headers = await self._head()
        data = await self._body(response_headers)
        self.used = time.monotonic()
        if response_headers.get("connection", "").lower() == "close":
            await self.close()
        return status, response_headers, data

    async def _head(self) -> tuple[int, dict[str, str]]:
        raw = await self.reader.readuntil(b"\r\n\r\n")
        first, *rest = raw.decode("latin-1").split("\r\n")
        headers: dict[str, str] = {}
        for line in rest:
            if ":" in line:
                name, _, value = line.partition(":")
                name, value = name.strip().lower(), value.strip()
                if name == "set-cookie":
                    cookie = value.split(";", 1)[0]
                    key, _, val = cookie.partition("=")
                    if val:
                        self.cookies[key] = val
                    else:
                        self.cookies.pop(key, None)
                headers[name] = value
        return int(first.split()[1]), headers

    async def _body(self, headers: dict[str, str]) -> bytes:
        if "content-length" in headers:
            return await self.reader.readexactly(int(headers["content-length"]))
        if headers.get("transfer-encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    return data
                data += chunk[:-2]
        return b""

    async def open_stream(self, path: str, headers: dict | None = None) -> "Stream":
        """An SSE request on this connection; read its frames with the returned Stream."""
        if self.writer is None:
            await self.connect()
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", "Accept: text/event-stream"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        status, response_headers = await self._head()
        assert status == 200, status
        return Stream(self.reader, response_headers)

    async def csrf(self, path: str = "/login") -> str:
        """The session's token, from a page's `.page` wrapper (hx-headers) or a form field."""
        _, _, body = await self.request("GET", path)
        return page_token(body)

    async def log_in(self, email: str, password: str = PASSWORD) -> str:
        """Logs in; returns the CSRF token of the new session (a login replaces the token)."""
        token = await self.csrf("/login")
        status, _, _ = await self.request("POST", "/login", {"csrf_token": token, "email": email, "password": password})
        assert status == 303, status
        return await self.csrf("/account")


def page_token(body: bytes) -> str:
    """The CSRF token a page carries (a form's field, or the htmx headers of the page wrapper)."""
    found = re.search(rb'name="csrf_token" value="([^"]+)"', body) or re.search(rb'"X-CSRF-Token": "([^"]+)"', body)
    return found.group(1).decode()


class Stream:
    """The frames of a chunked text/event-stream response, with the bytes received."""

    def __init__(self, reader, headers):
        self.reader, self.headers = reader, headers
        self.buffer = b""
        self.bytes = 0

    async def frame(self) -> bytes:
        """The next block that carries data (comments and a lone retry field skipped)."""
        while True:
            while b"\n\n" not in self.buffer:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                self.bytes += len(chunk) - 2
                if size == 0:
                    raise EOFError
                self.buffer += chunk[:-2]
            block, self.buffer = self.buffer.split(b"\n\n", 1)
            if b"\ndata:" in b"\n" + block:
                return block


async def make_users(db, count: int, role: str, rounds: int = 4, prefix: str = "bench") -> list[int]:
    """Accounts with PASSWORD (one hash shared: hashing each at cost 12 would take minutes)."""
    from grihaseva.auth.accounts import create_user
    from grihaseva.auth.passwords import hash_password

    now = __import__("grihaseva.clock", fromlist=["utcnow"]).utcnow()
    ids = []
    for n in range(count):
        ids.append(await create_user(db, {"email": f"{prefix}-{role}{n}@example.com", "name": f"Bench {role.title()} {n}",
                                          "phone": "+91 90000 00000", "gender": "female", "password": PASSWORD,
                                          "bio": ""}, now, 4, role=role))
    if rounds != 4:
        hashed = await hash_password(PASSWORD, rounds)
        for uid in ids:
            await db.execute("UPDATE users SET password_hash = :h WHERE id = :id", {"h": hashed, "id": uid})
    return ids


async def open_db(url, **kwargs):
    from grihaseva.db import open_database
    from grihaseva.migrate import migrate

    db = open_database(url, **kwargs)
    await db.connect()
    await migrate(db)
    return db


async def make_providers(db, count: int, service_slug: str = "tap-leak-repair") -> list[int]:
    """Verified providers working round the clock with no buffer or notice, offering the service."""
    from grihaseva.booking import domain

    service = await domain.active_service(db, service_slug)
    ids = await make_users(db, count, "provider", prefix="bench")
    for uid in ids:
        await db.execute("UPDATE providers SET verified = 1, buffer_min = 0, min_notice_min = 0 WHERE user_id = :id", {"id": uid})
        await db.execute("insert_provider_service", {"provider_id": uid, "service_id": service.id})
        for weekday in range(7):
            await db.execute("insert_working_hours", {"provider_id": uid, "weekday": weekday, "start_min": 0, "end_min": 1440})
    return ids
