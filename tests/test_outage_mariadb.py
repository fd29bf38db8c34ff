"""A real MariaDB outage: a server of the test's own (its own port and data directory, never the
shared one) is stopped under a running `grihaseva serve`, then started again. Every request made
meanwhile is a 503 with Retry-After (none is a 500), /healthz names the database, an SSE
reconnect is refused with 503, and afterwards every booking has its events, notification and
mails: nothing half-written, nothing lost."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pymysql
import pytest

from tests.conftest import IN_CI
from tests.helpers import DEMO_PASSWORD
from tests.helpers_server import LiveServer, free_port

pytestmark = pytest.mark.mysql

MARIADBD = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
INSTALL_DB = shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db"


class OwnMariaDB:
    """mariadbd on a data directory and port of its own, started and stopped by the test."""

    def __init__(self, datadir: Path, port: int):
        self.datadir, self.port = datadir, port
        self.process: subprocess.Popen | None = None

    def install(self) -> None:
        subprocess.run([INSTALL_DB, "--no-defaults", f"--datadir={self.datadir / 'data'}", "--user=root",
                        "--auth-root-authentication-method=normal", "--skip-test-db"],
                       check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self.log = open(self.datadir / "server.log", "a")
        self.process = subprocess.Popen([
            MARIADBD, "--no-defaults", f"--datadir={self.datadir / 'data'}", f"--port={self.port}",
            "--bind-address=127.0.0.1", f"--socket={self.datadir / 'mysqld.sock'}",
            f"--pid-file={self.datadir / 'mysqld.pid'}", "--user=root", "--innodb-buffer-pool-size=32M",
            "--skip-log-bin", "--innodb-log-file-size=16M"], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                pymysql.connect(host="127.0.0.1", port=self.port, user="root", connect_timeout=1).close()
                return
            except pymysql.err.OperationalError:
                if self.process.poll() is not None:
                    raise RuntimeError((self.datadir / "server.log").read_text()[-2000:])
                time.sleep(0.2)
        raise RuntimeError("own MariaDB did not start in 60 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(60)
        self.log.close()


@pytest.fixture(scope="module")
def own_mariadb(tmp_path_factory):
    if not (Path(MARIADBD).exists() and Path(INSTALL_DB).exists()):
        if IN_CI:
            pytest.fail("mariadbd and mariadb-install-db are needed for the outage test", pytrace=False)
        pytest.skip("mariadbd is not installed")
    base = os.environ.get("GRIHASEVA_TEST_OUTAGE_DIR")
    datadir = Path(base) if base else tmp_path_factory.mktemp("own-mariadb")
    shutil.rmtree(datadir / "data", ignore_errors=True)
    datadir.mkdir(parents=True, exist_ok=True)
    server = OwnMariaDB(datadir, int(os.environ.get("GRIHASEVA_TEST_OUTAGE_PORT") or free_port()))
    server.install()
    server.start()
    conn = pymysql.connect(host="127.0.0.1", port=server.port, user="root", autocommit=True)
    with conn.cursor() as cursor:
        cursor.execute("CREATE DATABASE grihaseva CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    conn.close()
    yield server
    server.stop()
    if not base:
        shutil.rmtree(datadir, ignore_errors=True)


class Browser:
    """Enough of a browser for forms: cookies, the page's CSRF token, no redirects followed."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  self._NoRedirect)
        self.token = ""

    def request(self, path: str, form: dict | None = None, headers: dict | None = None, timeout: float = 10):
        data = None
        if form is not None:
            data = urllib.parse.urlencode({"csrf_token": self.token, **form}).encode()
        req = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(req, timeout=timeout) as response:
                return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read().decode()

    def get(self, path: str, **kwargs):
        status, headers, body = self.request(path, **kwargs)
        found = re.search(r'name="csrf_token" value="([^"]+)"', body)
        if found:
            self.token = found.group(1)
        return status, headers, body


TABLES = ("bookings", "events", "mail_outbox", "notifications")


def counts(port: int) -> dict[str, int]:
    conn = pymysql.connect(host="127.0.0.1", port=port, user="root", database="grihaseva")
    try:
        with conn.cursor() as cursor:
            result = {}
            for table in TABLES:
                cursor.execute(f"SELECT COUNT(*) FROM {table}")
                result[table] = cursor.fetchone()[0]
            return result
    finally:
        conn.close()


def delta(after: dict, before: dict) -> dict:
    return {table: after[table] - before[table] for table in TABLES}


def book_a_free_slot(browser: Browser, which: int) -> tuple[int, dict]:
    """Books the grid's first (0) or last (-1) free slot: far apart, so never the same time twice."""
    status, _, grid = browser.get("/book/tap-leak-repair")
    assert status == 200
    slots = re.findall(r'href="(/book/tap-leak-repair/confirm\?provider=any(?:&amp;|&)slot=[^"]+)"', grid)
    slot = slots[which].replace("&amp;", "&")
    status, _, _ = browser.get(slot)
    assert status == 200
    token = urllib.parse.parse_qs(urllib.parse.urlsplit(slot).query)["slot"][0]
    return browser.request("/book/tap-leak-repair", form={
        "provider": "any", "slot": token, "address": "12 MG Road, Indiranagar, Bengaluru",
        "phone": "+91 99000 12345", "notes": ""})[:2]


def test_a_stopped_database_is_503_with_retry_after_and_nothing_is_half_written(own_mariadb, tmp_path):
    env = {"GRIHASEVA_DATABASE_URL": f"mysql://root@127.0.0.1:{own_mariadb.port}/grihaseva",
           "GRIHASEVA_VAR_DIR": str(tmp_path)}
    server = LiveServer(env)
    server.run("migrate")
    server.run("seed-demo")
    server.start()
    try:
        customer = Browser(server.url)
        customer.get("/login")
        assert customer.request("/login", form={"email": "customer@example.com", "password": DEMO_PASSWORD})[0] == 303
        seeded = counts(own_mariadb.port)
        assert book_a_free_slot(customer, 0)[0] == 303
        before = counts(own_mariadb.port)
        one_booking = delta(before, seeded)
        assert one_booking["bookings"] == 1 and one_booking["notifications"] == 1
        assert one_booking["mail_outbox"] == 2 and one_booking["events"] >= 3  # customer and provider; slots, provider, user
        customer.get("/book/tap-leak-repair")  # a fresh page, as a person about to book would have

        own_mariadb.stop()
        statuses, missing_retry = [], []
        visitor = Browser(server.url)
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:  # a burst of every kind of request while it is down
            for path, kwargs in (("/services", {}), ("/", {}),
                                 ("/services/tap-leak-repair", {"headers": {"HX-Request": "true"}}),
                                 ("/bookings", {}),
                                 ("/book/tap-leak-repair/live", {"headers": {"Accept": "text/event-stream"}})):
                client = customer if path == "/bookings" else visitor
                status, headers, body = client.request(path, **kwargs)
                statuses.append(status)
                if status == 503 and headers.get("retry-after") != "10":
                    missing_retry.append(path)
            status, headers, _ = customer.request("/chat/message", form={"message": "hi"}, headers={"HX-Request": "true"})
            statuses.append(status)
        assert set(statuses) == {503}, sorted(set(statuses))
        assert missing_retry == []
        status, _, page = visitor.request("/services")
        assert "GrihaSeva is briefly unavailable" in page
        status, _, health = visitor.request("/healthz")
        assert status == 503 and health.startswith("database: unreachable\n")

        own_mariadb.start()
        deadline = time.monotonic() + 15
        while visitor.request("/services")[0] != 200:
            assert time.monotonic() < deadline, "the app did not recover within 15 s of the database"
            time.sleep(0.2)
        assert counts(own_mariadb.port) == before  # nothing written by the refused requests
        assert customer.get("/bookings")[0] == 200  # the session survived the outage
        assert book_a_free_slot(customer, -1)[0] == 303
        assert delta(counts(own_mariadb.port), before) == one_booking  # a whole booking, as before the outage
        deadline = time.monotonic() + 5
        while (status := visitor.request("/healthz")[0]) != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert status == 200
    finally:
        server.stop()
