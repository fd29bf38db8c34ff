"""Shared fixtures.

Database tests run once per backend: SQLite always, and MariaDB/MySQL when
GRIHASEVA_TEST_MYSQL_URL is set (a fresh database is created for the run and
dropped afterwards).  In CI (CI=true) a missing MySQL URL, an unreachable
server or a missing Chromium is a failure, never a skip.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from dataclasses import replace
from functools import partial
from pathlib import Path

import pytest
from quart import Quart
from quart.testing.app import TestApp

from grihaseva.config import DatabaseUrl, Settings

IN_CI = os.environ.get("CI", "").lower() == "true"

# Quart's test app gives start-up and shut-down 6 s; the mail sender alone may take up to 10 s to
# let a batch in flight finish (MailSender.stop), which a loaded 2-core machine reaches.
Quart.test_app_class = partial(TestApp, startup_timeout=60, shutdown_timeout=60)
MYSQL_URL = os.environ.get("GRIHASEVA_TEST_MYSQL_URL", "")
TEST_CSRF = "test-csrf-token"


def _mysql_unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"MySQL tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"MySQL tests skipped: {reason}")


@contextmanager
def fresh_mysql_database(label: str = ""):
    """A new, empty MySQL database beside GRIHASEVA_TEST_MYSQL_URL's (its name plus `label`, the pid and a
    random suffix); yields its DatabaseUrl and drops it on exit.  Skips (fails in CI) without a server."""
    if not MYSQL_URL:
        _mysql_unavailable("GRIHASEVA_TEST_MYSQL_URL is not set (e.g. mysql://root@127.0.0.1:3306/grihaseva_test)")
    import pymysql

    base = DatabaseUrl.parse(MYSQL_URL)
    name = f"{base.database}{label}_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        conn = pymysql.connect(host=base.host, port=base.port, user=base.user, password=base.password, connect_timeout=3)
    except pymysql.err.Error as error:
        _mysql_unavailable(f"cannot connect to {base.host}:{base.port}: {error}")
    with conn.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    try:
        yield replace(base, database=name)
    finally:
        with conn.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        conn.close()


@pytest.fixture(scope="session")
def mysql_database():
    """A fresh MySQL database for this run, migrated once; yields its DatabaseUrl."""
    from grihaseva.db import open_database
    from grihaseva.migrate import migrate

    with fresh_mysql_database() as url:
        async def setup():
            db = open_database(url)
            await db.connect()
            try:
                await migrate(db)
            finally:
                await db.close()

        asyncio.run(setup())
        yield url


def _clear_mysql(url: DatabaseUrl) -> None:
    """Empties every table and sets each AUTO_INCREMENT back to 1, as a fresh database has.

    Only tables whose counter moved are truncated (TRUNCATE resets it, in about a fifth of the time
    of `ALTER TABLE ... AUTO_INCREMENT = 1`); the others get a DELETE, which costs next to nothing on
    an empty table.  Clearing every table with DELETE + ALTER took about a second per MariaDB test."""
    import pymysql

    conn = pymysql.connect(host=url.host, port=url.port, user=url.user, password=url.password, database=url.database, autocommit=True)
    try:
        with conn.cursor() as cursor:
            try:  # MySQL 8 caches information_schema's counters for a day; MariaDB reads them live
                cursor.execute("SET SESSION information_schema_stats_expiry = 0")
            except pymysql.err.Error:
                pass
            cursor.execute("SELECT table_name, auto_increment FROM information_schema.tables WHERE table_schema = %s",
                           (url.database,))
            tables = [(name, counter) for name, counter in cursor.fetchall() if name != "schema_migrations"]
            cursor.execute("SET FOREIGN_KEY_CHECKS = 0")
            for table, counter in tables:
                cursor.execute(f"TRUNCATE TABLE `{table}`" if counter and counter > 1 else f"DELETE FROM `{table}`")
            cursor.execute("SET FOREIGN_KEY_CHECKS = 1")
    finally:
        conn.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file migrated once for the run; each test gets a copy (running the migrations for
    every test cost more than the copy)."""
    from grihaseva.db import open_database
    from grihaseva.migrate import migrate

    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"

    async def setup():
        db = open_database(DatabaseUrl(dialect="sqlite", path=str(path)))
        await db.connect()
        try:
            await migrate(db)
        finally:
            await db.close()

    with ThreadPoolExecutor(1) as thread:  # its own loop, even beside Playwright's (browser tests run last)
        thread.submit(asyncio.run, setup()).result()
    assert not path.with_name(path.name + "-wal").exists(), "the template's WAL was not checkpointed on close"
    return path


@pytest.fixture(scope="session", autouse=True)
def _demo_templates():
    """The demo data templates (tests.helpers.load_demo) are made when first needed; here they go."""
    yield
    from tests.helpers import drop_demo_templates

    drop_demo_templates()


@pytest.fixture(params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def database_url(request, tmp_path) -> DatabaseUrl:
    """A migrated, empty database of each backend."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return DatabaseUrl(dialect="sqlite", path=str(path))
    url = request.getfixturevalue("mysql_database")
    _clear_mysql(url)
    return url


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings(
        database=database_url,
        secret_key="test-secret-key-" + "x" * 32,
        env="development",
        bcrypt_rounds=4,
        var_dir=tmp_path / "var",
    )


@pytest.fixture
async def db(settings):
    """The database layer alone, migrated (for domain tests)."""
    from grihaseva.db import open_database
    from grihaseva.migrate import migrate

    database = open_database(settings.database)
    await database.connect()
    await migrate(database)
    yield database
    await database.close()


@asynccontextmanager
async def serving_app(settings, *blueprints, clock=None, **config):
    """The app for `settings`, started and migrated; with extra (test-only) blueprints, app.config
    entries and a test clock when given."""
    from grihaseva.app import create_app
    from grihaseva.migrate import migrate

    application = create_app(settings)
    application.config.update(config)
    if clock is not None:
        application.clock = clock
    for blueprint in blueprints:
        application.register_blueprint(blueprint)
    async with application.test_app():
        await migrate(application.db)
        yield application


@pytest.fixture
async def app(settings):
    async with serving_app(settings) as application:
        yield application


@pytest.fixture
def client(app):
    return app.test_client()


async def with_csrf(client) -> None:
    async with client.session_transaction() as session:
        session["csrf_token"] = TEST_CSRF


async def post(client, path: str, data: dict | None = None, headers: dict | None = None, **kwargs):
    """POST a form the way a browser on our pages would (with the CSRF token)."""
    await with_csrf(client)
    form = {"csrf_token": TEST_CSRF, **(data or {})}
    return await client.post(path, form=form, headers=headers or {}, **kwargs)


async def register(client, email="asha@example.com", role="customer", gender="female", password="correct-horse-1", name="Asha Menon"):
    response = await post(client, "/register", {
        "name": name, "email": email, "phone": "+91 98450 12345", "gender": gender, "role": role,
        "password": password, "password_confirm": password,
    })
    assert response.status_code == 303, await response.get_data(as_text=True)
    return response


async def login(client, email, password="correct-horse-1"):
    return await post(client, "/login", {"email": email, "password": password})


async def text(response) -> str:
    return await response.get_data(as_text=True)


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# ---------------------------------------------------------------- browser tests


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


# Counts the fragments htmx's SSE extension has swapped in on this document, and the streams it
# has opened, so a test waits for the live stream (`tests.browser.conftest.wait_until_live`)
# instead of sleeping. A page rendered at the newest event gets no snapshot, only the opening.
LIVE_MESSAGE_COUNTER = """
window.__liveMessages = 0;
window.__liveOpened = 0;
document.addEventListener("htmx:sseMessage", () => { window.__liveMessages += 1; });
document.addEventListener("htmx:sseOpen", () => { window.__liveOpened += 1; });
"""


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        if IN_CI:
            pytest.fail("Chromium is not installed (apt-get install -y chromium)", pytrace=False)
        pytest.skip("browser tests skipped: Chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        new_context = browser.new_context

        def counting_context(**options):
            context = new_context(**options)
            context.add_init_script(LIVE_MESSAGE_COUNTER)
            return context

        browser.new_context = counting_context  # every test context counts live messages
        yield browser
        browser.close()


def pytest_collection_modifyitems(config, items):
    """Browser tests run last: Playwright's sync API keeps its own event loop alive for the
    session, and pytest-asyncio tests after it would find a loop already running.  Under
    pytest-xdist (`make test`: --dist loadfile --no-loadscope-reorder) files are handed out in
    this order, so on each worker every browser test comes after its last asyncio test too."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
