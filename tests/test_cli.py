"""The installed `grihaseva` command, run as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from grihaseva.app import create_app
from grihaseva.config import DatabaseUrl, Settings
from tests.conftest import login

GRIHASEVA = Path(sys.executable).parent / "grihaseva"
DEMO_PASSWORD = "demo-pass-123"
COUNTED_TABLES = ["users", "providers", "categories", "services", "provider_services", "working_hours", "sessions",
                  "bookings", "posts"]


def url_text(url: DatabaseUrl) -> str:
    if url.dialect == "sqlite":
        return f"sqlite:///{url.path}"
    return f"mysql://{quote(url.user)}:{quote(url.password)}@{url.host}:{url.port}/{url.database}"


@pytest.fixture
def run(tmp_path):
    """Run `grihaseva ARGS...` with a private var/ directory; returns the CompletedProcess."""

    def run(*args: str, database: str | None = None, stdin: str = "", **env: str) -> subprocess.CompletedProcess:
        environment = {key: value for key, value in os.environ.items() if not key.startswith("GRIHASEVA_")}
        environment.update({"GRIHASEVA_VAR_DIR": str(tmp_path / "var"), "GRIHASEVA_BCRYPT_ROUNDS": "4", **env})
        if database:
            environment["GRIHASEVA_DATABASE_URL"] = database
        return subprocess.run([str(GRIHASEVA), *args], input=stdin, env=environment, capture_output=True,
                              text=True, timeout=30, cwd=tmp_path)

    return run


def assert_one_line_failure(result: subprocess.CompletedProcess, starts: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("grihaseva: " + starts), lines[0]


async def row_counts(url: DatabaseUrl) -> dict[str, int]:
    from grihaseva.db import open_database

    db = open_database(url)
    await db.connect()
    try:
        return {table: await db.fetch_value(f"SELECT COUNT(*) AS n FROM {table}") for table in COUNTED_TABLES}
    finally:
        await db.close()


def test_migrate_applies_every_migration_once(run, tmp_path):
    first = run("migrate")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("applied ") and "001_accounts" in first.stdout
    assert (tmp_path / "var" / "grihaseva.db").exists()  # the default URL puts the database in var/
    assert (tmp_path / "var" / "secret_key").exists()
    again = run("migrate")
    assert again.returncode == 0
    assert again.stdout.strip() == "applied 0 migration(s); the schema is current"


async def test_seed_demo_twice_is_idempotent_and_the_demo_accounts_log_in(run, database_url, tmp_path):
    database = url_text(database_url)
    assert run("migrate", database=database).returncode == 0
    first = run("seed-demo", database=database)
    assert first.returncode == 0, first.stderr
    assert "account(s) created" in first.stdout
    counts = await row_counts(database_url)
    assert counts["users"] >= 9 and counts["categories"] == 4 and counts["working_hours"] > 0
    assert counts["posts"] >= 4
    assert counts["bookings"] == 13  # the demo plumber's completed jobs, for his earnings chart
    second = run("seed-demo", database=database)
    assert second.returncode == 0, second.stderr
    assert "(0 account(s) created)" in second.stdout
    assert await row_counts(database_url) == counts
    if_empty = run("seed-demo", "--if-empty", database=database)
    assert if_empty.stdout.strip() == "the database already has accounts; demo data left alone"

    app = create_app(Settings(database=database_url, secret_key="s" * 40, env="development", bcrypt_rounds=4,
                              var_dir=tmp_path / "app-var"))
    async with app.test_app():
        for email, home in (("customer@example.com", "/bookings"), ("provider@example.com", "/provider/dashboard"),
                            ("admin@example.com", "/admin")):
            response = await login(app.test_client(), email, DEMO_PASSWORD)
            assert response.status_code == 303, email
            assert response.headers["Location"] == home


async def test_create_admin_reads_the_password_from_stdin(run, tmp_path):
    assert run("migrate").returncode == 0
    result = run("create-admin", "Root@Example.com", "--name", "Site Admin", stdin="a-long-admin-pass\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("admin root@example.com created (id ")
    url = DatabaseUrl(dialect="sqlite", path=str(tmp_path / "var" / "grihaseva.db"))
    app = create_app(Settings(database=url, secret_key="s" * 40, env="development", bcrypt_rounds=4, var_dir=tmp_path / "v"))
    async with app.test_app():
        row = await app.db.fetch_one("SELECT role, name FROM users WHERE email = 'root@example.com'")
        assert row == {"role": "admin", "name": "Site Admin"}
        response = await login(app.test_client(), "root@example.com", "a-long-admin-pass")
        assert response.headers["Location"] == "/admin"


@pytest.mark.parametrize(("email", "password", "message"), [
    ("root@example.com", "short\n", "password: Use at least 8 characters."),
    ("root@example.com", "😀" * 19 + "\n", "password: Use at most 72 bytes"),
    ("not-an-email", "a-long-admin-pass\n", "Enter a valid email address"),
    ("root@example.com --name", "a-long-admin-pass\n", "--name: Enter your name."),
    ("root@example.com --name " + "x" * 101, "a-long-admin-pass\n", "--name: Use at most 100 characters"),
    ("root@example.com --phone 12", "a-long-admin-pass\n", "--phone: Enter a phone number of 7 to 15 digits"),
])
def test_create_admin_refuses_bad_input_in_one_line(run, tmp_path, email, password, message):
    assert run("migrate").returncode == 0
    email, *options = email.split(" ")
    if options[-1:] == ["--name"]:
        options.append("   ")
    assert_one_line_failure(run("create-admin", email, *options, stdin=password), message)
    import sqlite3

    with sqlite3.connect(tmp_path / "var" / "grihaseva.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 0


def test_create_admin_refuses_an_email_that_is_taken(run):
    assert run("migrate").returncode == 0
    assert run("create-admin", "root@example.com", stdin="a-long-admin-pass\n").returncode == 0
    assert_one_line_failure(run("create-admin", "ROOT@example.com", stdin="a-long-admin-pass\n"),
                            "An account with this email already exists.")


@pytest.mark.parametrize("command", [["migrate"], ["seed-demo"], ["create-admin", "root@example.com"], ["serve"]])
def test_an_unknown_database_scheme_is_one_line_and_exit_2(run, command):
    result = run(*command, database="postgres://db/grihaseva", stdin="a-long-admin-pass\n")
    assert_one_line_failure(result, "GRIHASEVA_DATABASE_URL: unknown scheme 'postgres'")


@pytest.mark.parametrize("command", [["migrate"], ["seed-demo"], ["serve", "--bind", "127.0.0.1:0"]])
def test_an_unreachable_mysql_is_one_line_and_exit_2(run, command):
    result = run(*command, database="mysql://root@127.0.0.1:1/grihaseva")
    assert_one_line_failure(result, "cannot connect to MySQL at 127.0.0.1:1/grihaseva")


def test_a_bad_setting_is_one_line_and_exit_2(run):
    assert_one_line_failure(run("migrate", GRIHASEVA_SMTP_PORT="lots"), "GRIHASEVA_SMTP_PORT: expected a whole number")


def test_serve_on_a_port_in_use_is_one_line_and_exit_2(run):
    import socket

    assert run("migrate").returncode == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--bind", f"127.0.0.1:{port}")
    assert_one_line_failure(result, f"cannot listen on 127.0.0.1:{port}")


@pytest.mark.parametrize("command", [["seed-demo"], ["create-admin", "root@example.com"], ["serve", "--bind", "127.0.0.1:0"]])
def test_commands_on_an_unmigrated_database_say_to_migrate_in_one_line(run, command):
    result = run(*command, stdin="a-long-admin-pass\n")
    assert_one_line_failure(result, "the database lacks ")
    assert result.stderr.rstrip().endswith("run `grihaseva migrate` first")


def test_an_sqlite_file_that_cannot_be_created_is_one_line(run, tmp_path):
    (tmp_path / "a-file").write_text("not a directory")
    result = run("migrate", database=f"sqlite:///{tmp_path}/a-file/grihaseva.db")
    assert_one_line_failure(result, f"cannot open SQLite database {tmp_path}/a-file/grihaseva.db")
