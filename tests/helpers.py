"""Plain helpers shared by several test packages: the settable clock, the demo data on a fixed
clock, the demo accounts logged in, and a database the test can take away.  conftest.py files
import the `demo` fixture by name."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import sqlite3
import tempfile
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from grihaseva.config import DatabaseUrl
from grihaseva.demo.seed import seed_demo
from tests.conftest import MYSQL_URL, login

# Monday 23 Nov 2026, 08:00 in Kolkata.
DEMO_NOW = datetime(2026, 11, 23, 2, 30, tzinfo=timezone.utc)
DEMO_PASSWORD = "demo-pass-123"


class Clock:
    """The app's injectable clock (aware UTC datetimes), moved by tests instead of sleeping."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


async def seed_demo_app(app, settings, now: datetime = DEMO_NOW):
    """The app with the demo catalogue, providers, accounts and posts, on a Clock set to `now`."""
    await load_demo(app.db, settings)
    app.clock = Clock(now)
    return app


# ---------------------------------------------------------------- the demo data, seeded once a run


class _DemoTemplate:
    """A database of one backend that `seed_demo` filled once for the run; `copy_into` gives an
    empty database of the same backend the same rows, ids and counters, in one transaction (some
    tens of milliseconds, where seeding statement by statement took up to a second on MariaDB)."""

    def __init__(self, url: DatabaseUrl, plan: list[tuple[str, str]], counters: dict[str, int]):
        self.url, self.plan, self.counters = url, plan, counters  # plan: (table, column list) with rows

    @classmethod
    async def make(cls, target: DatabaseUrl, settings) -> "_DemoTemplate":
        from grihaseva.db import open_database
        from grihaseva.migrate import migrate

        if target.dialect == "sqlite":
            url = DatabaseUrl(dialect="sqlite", path=str(Path(tempfile.mkdtemp(prefix="grihaseva-demo-")) / "demo.db"))
        else:
            server = DatabaseUrl.parse(MYSQL_URL)  # beside the run's databases (a test's URL may be a relay's)
            url = replace(server, database=f"{server.database[:40]}_demo_{os.getpid()}_{secrets.token_hex(3)}")
            await asyncio.to_thread(_mysql_admin, url, f"CREATE DATABASE `{url.database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        _templates_made.append(url)
        db = open_database(url)
        await db.connect()
        try:
            await migrate(db)
            await seed_demo(db, settings)
            plan, counters = await _copy_plan(db)
        finally:
            await db.close()
        return cls(url, plan, counters)

    def copy_into(self, target: DatabaseUrl) -> bool:
        """Copies the rows into `target` if every table there is empty with its counter unmoved;
        False (nothing done) otherwise."""
        return (_copy_sqlite if target.dialect == "sqlite" else _copy_mysql)(self, target)


_templates: dict[tuple, _DemoTemplate] = {}
_templates_made: list[DatabaseUrl] = []


async def load_demo(db, settings) -> None:
    """`seed_demo(db, settings)` for a test's fresh database: the rows come from a template seeded
    once per run (per backend and bcrypt cost); a database that already has rows is seeded the
    ordinary way."""
    target = settings.database
    key = (target.dialect, settings.bcrypt_rounds)
    if key not in _templates:
        _templates[key] = await _DemoTemplate.make(target, settings)
    if not await asyncio.to_thread(_templates[key].copy_into, target):
        await seed_demo(db, settings)


def drop_demo_templates() -> None:
    """At the end of the run (tests/conftest.py): the template databases go."""
    for url in _templates_made:
        if url.dialect == "sqlite":
            shutil.rmtree(Path(url.path).parent, ignore_errors=True)
        else:
            _mysql_admin(url, f"DROP DATABASE IF EXISTS `{url.database}`")
    _templates_made.clear()
    _templates.clear()


async def _copy_plan(db) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """(table, its stored columns) for each table the seed filled, and the counters it left."""
    plan, counters = [], {}
    if db.dialect == "sqlite":
        tables = [r["name"] for r in await db.fetch_all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name != 'schema_migrations' ORDER BY name")]
        for table in tables:
            if await db.fetch_value(f"SELECT COUNT(*) AS n FROM {table}"):
                columns = [c["name"] for c in await db.fetch_all(f"PRAGMA table_xinfo({table})") if c["hidden"] == 0]
                plan.append((table, ", ".join(f'"{c}"' for c in columns)))
        for row in await db.fetch_all("SELECT name, seq FROM sqlite_sequence"):
            counters[row["name"]] = row["seq"]
        return plan, counters
    rows = await db.fetch_all(
        "SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE() "
        "AND table_name != 'schema_migrations' AND is_generated = 'NEVER' ORDER BY table_name, ordinal_position")
    columns: dict[str, list[str]] = {}
    for row in rows:
        columns.setdefault(row["t"], []).append(row["c"])
    for table, names in columns.items():
        if await db.fetch_value(f"SELECT COUNT(*) AS n FROM `{table}`"):
            plan.append((table, ", ".join(f"`{c}`" for c in names)))
    for row in await db.fetch_all("SELECT table_name AS t, auto_increment AS n FROM information_schema.tables "
                                  "WHERE table_schema = DATABASE() AND auto_increment IS NOT NULL"):
        counters[row["t"]] = row["n"]
    return plan, counters


def _mysql_admin(url: DatabaseUrl, statement: str) -> None:
    import pymysql

    conn = pymysql.connect(host=url.host, port=url.port, user=url.user, password=url.password, autocommit=True)
    try:
        with conn.cursor() as cursor:
            cursor.execute(statement)
    finally:
        conn.close()


def _copy_sqlite(template: _DemoTemplate, target: DatabaseUrl) -> bool:
    conn = sqlite3.connect(target.path, isolation_level=None, timeout=30)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'schema_migrations'")]
        if any(conn.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone() for t in tables) \
                or conn.execute("SELECT 1 FROM sqlite_sequence LIMIT 1").fetchone():
            return False
        conn.execute("ATTACH DATABASE ? AS template", (template.url.path,))
        conn.execute("BEGIN IMMEDIATE")
        for table, columns in template.plan:
            conn.execute(f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM template.{table}")
        conn.execute("DELETE FROM main.sqlite_sequence")
        conn.execute("INSERT INTO main.sqlite_sequence (name, seq) SELECT name, seq FROM template.sqlite_sequence")
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE template")
        return True
    finally:
        conn.close()


def _copy_mysql(template: _DemoTemplate, target: DatabaseUrl) -> bool:
    import pymysql

    conn = pymysql.connect(host=target.host, port=target.port, user=target.user, password=target.password,
                           database=target.database, autocommit=True)
    try:
        with conn.cursor() as cursor:
            try:  # MySQL 8 caches information_schema's counters; MariaDB reads them live
                cursor.execute("SET SESSION information_schema_stats_expiry = 0")
            except pymysql.err.Error:
                pass
            cursor.execute("SELECT table_name, auto_increment FROM information_schema.tables WHERE table_schema = %s "
                           "AND table_name != 'schema_migrations'", (target.database,))
            tables = cursor.fetchall()
            if any(counter and counter > 1 for _, counter in tables):
                return False
            cursor.execute("SELECT " + " OR ".join(f"EXISTS (SELECT 1 FROM `{t}`)" for t, _ in tables) + " AS filled")
            if cursor.fetchone()[0]:
                return False
            cursor.execute("SET FOREIGN_KEY_CHECKS = 0")
            cursor.execute("START TRANSACTION")
            for table, columns in template.plan:
                cursor.execute(f"INSERT INTO `{table}` ({columns}) SELECT {columns} FROM `{template.url.database}`.`{table}`")
            cursor.execute("COMMIT")
            cursor.execute("SET FOREIGN_KEY_CHECKS = 1")
            cursor.execute("SELECT table_name, auto_increment FROM information_schema.tables WHERE table_schema = %s "
                           "AND auto_increment IS NOT NULL", (target.database,))
            for table, counter in cursor.fetchall():  # as seed_demo left them (they follow the copied ids)
                if counter != template.counters.get(table, counter):
                    cursor.execute(f"ALTER TABLE `{table}` AUTO_INCREMENT = {int(template.counters[table])}")
        return True
    finally:
        conn.close()


@pytest.fixture
async def demo(app, settings):
    """The app with the demo catalogue, providers and accounts, and a fixed clock (DEMO_NOW)."""
    return await seed_demo_app(app, settings)


async def user_id(app, email: str) -> int:
    return (await app.db.fetch_one("select_user_by_email", {"email": email}))["id"]


async def service_id(app, slug: str) -> int:
    return (await app.db.fetch_one("select_service_by_slug", {"slug": slug}))["id"]


async def logged_in(app, email: str):
    """A test client logged in as the demo account `email` (every demo account has DEMO_PASSWORD)."""
    client = app.test_client()
    response = await login(client, email, DEMO_PASSWORD)
    assert response.status_code == 303, response.status_code
    return client


async def session_client(app, user_id: int):
    """A test client with a session for `user_id` made the way logging in makes one, without the
    login form's round trip (for tests that need many logged-in people, not the login itself)."""
    from grihaseva.auth.accounts import start_session

    client = app.test_client()
    token = await start_session(app.db, user_id, app.clock())
    client.set_cookie("localhost", "grihaseva_auth", app.extensions["QUART_AUTH"][0].dump_token(token, app))
    return client


class Forwarder:
    """A TCP relay between the app and MariaDB that the test can stop or freeze."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.server: asyncio.Server | None = None
        self.port = 0
        self.frozen = False
        self.writers: set[asyncio.StreamWriter] = set()

    async def start(self, port: int = 0) -> "Forwarder":
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", port)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def _serve(self, client_reader, client_writer) -> None:
        server_reader, server_writer = await asyncio.open_connection(*self.target)
        self.writers |= {client_writer, server_writer}
        await asyncio.gather(self._pipe(client_reader, server_writer), self._pipe(server_reader, client_writer),
                             return_exceptions=True)

    async def _pipe(self, reader, writer) -> None:
        try:
            while data := await reader.read(65536):
                while self.frozen:  # a hung server: connections stay open, nothing comes back
                    await asyncio.sleep(0.05)
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()

    async def stop(self) -> None:
        """Like a stopped database: no new connections, and the open ones are cut."""
        self.server.close()
        for writer in list(self.writers):
            writer.close()
        self.writers.clear()
        await self.server.wait_closed()

    async def restart(self) -> None:
        """The database is back, on the same port."""
        await self.start(port=self.port)


@asynccontextmanager
async def cuttable(url):
    """(url, forwarder): for MariaDB, `url` goes through a Forwarder that the test can stop and
    restart like the database itself; for SQLite (no network) forwarder is None and the test closes
    and reopens the database instead."""
    if url.dialect != "mysql":
        yield url, None
        return
    forwarder = await Forwarder(url.host, url.port).start()
    try:
        yield replace(url, host="127.0.0.1", port=forwarder.port), forwarder
    finally:
        if forwarder.server.is_serving():
            await forwarder.stop()

