"""Migrations: the same files for both dialects, applied in order and recorded,
and the two schemas they build compared table by table, column by column."""

from __future__ import annotations

import secrets
from dataclasses import replace

import pytest

from grihaseva.config import DatabaseUrl
from grihaseva.db import open_database
from grihaseva.migrate import MigrationError, migrate, migration_files
from grihaseva.sqlfiles import SQL_DIR

def expected_names() -> list[str]:
    return [path.stem for path in migration_files("sqlite")]


async def sqlite_schema(db) -> dict[str, list[tuple[str, bool]]]:
    """{table: [(column, nullable), ...]} in column order, generated columns included."""
    tables = await db.fetch_all(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    schema = {}
    for table in tables:
        columns = await db.fetch_all(f"PRAGMA table_xinfo({table['name']})")
        # an INTEGER PRIMARY KEY is the rowid: never NULL although PRAGMA says nullable
        schema[table["name"]] = [(c["name"], not c["notnull"] and not c["pk"]) for c in columns]
    return schema


async def mysql_schema(db) -> dict[str, list[tuple[str, bool]]]:
    rows = await db.fetch_all(
        "SELECT table_name AS t, column_name AS c, is_nullable AS n FROM information_schema.columns "
        "WHERE table_schema = DATABASE() ORDER BY table_name, ordinal_position")
    schema: dict[str, list[tuple[str, bool]]] = {}
    for row in rows:
        schema.setdefault(row["t"], []).append((row["c"], row["n"] == "YES"))
    return schema


@pytest.fixture
async def fresh_sqlite(tmp_path):
    db = open_database(DatabaseUrl(dialect="sqlite", path=str(tmp_path / "fresh.db")))
    await db.connect()
    yield db
    await db.close()


@pytest.fixture
async def fresh_mysql(mysql_database):
    """A new, empty MySQL database beside the run's own (migrate must build it from nothing)."""
    import pymysql

    url = replace(mysql_database, database=f"{mysql_database.database}_m{secrets.token_hex(2)}")
    admin = pymysql.connect(host=url.host, port=url.port, user=url.user, password=url.password, autocommit=True)
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{url.database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    db = open_database(url)
    await db.connect()
    yield db
    await db.close()
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{url.database}`")
    admin.close()


def test_both_dialects_have_the_same_migration_files():
    mysql = sorted(path.name for path in (SQL_DIR / "mysql").glob("*.sql"))
    sqlite = sorted(path.name for path in (SQL_DIR / "sqlite").glob("*.sql"))
    assert mysql == sqlite
    assert [path.name for path in migration_files("mysql")] == mysql  # every file is a well-named migration
    assert mysql[0].startswith("001_")


async def test_sqlite_migrations_are_applied_in_order_recorded_and_not_applied_twice(fresh_sqlite):
    assert await migrate(fresh_sqlite) == expected_names()
    recorded = await fresh_sqlite.fetch_all("SELECT name, applied_at FROM schema_migrations ORDER BY name")
    assert [row["name"] for row in recorded] == expected_names()
    assert all(row["applied_at"].tzinfo is not None for row in recorded)
    schema = await sqlite_schema(fresh_sqlite)
    assert await migrate(fresh_sqlite) == []
    assert await fresh_sqlite.fetch_value("SELECT COUNT(*) AS n FROM schema_migrations") == len(expected_names())
    assert await sqlite_schema(fresh_sqlite) == schema


async def test_mysql_and_sqlite_build_the_same_tables_and_columns(fresh_sqlite, fresh_mysql):
    assert await migrate(fresh_sqlite) == expected_names()
    assert await migrate(fresh_mysql) == expected_names()
    assert await migrate(fresh_mysql) == []
    assert [row["name"] for row in await fresh_mysql.fetch_all("SELECT name FROM schema_migrations ORDER BY name")] \
        == expected_names()

    lite, my = await sqlite_schema(fresh_sqlite), await mysql_schema(fresh_mysql)
    assert sorted(lite) == sorted(my)
    assert "users" in lite and "sessions" in lite and "schema_migrations" in lite
    for table in sorted(lite):
        assert [name for name, _ in lite[table]] == [name for name, _ in my[table]], f"columns of {table}"
    for table in sorted(lite):
        assert lite[table] == my[table], f"NULL / NOT NULL of the columns of {table}"


async def test_mysql_tables_are_innodb_utf8mb4(fresh_mysql):
    await migrate(fresh_mysql)
    rows = await fresh_mysql.fetch_all(
        "SELECT table_name AS t, engine AS e, table_collation AS c FROM information_schema.tables "
        "WHERE table_schema = DATABASE() AND table_name <> 'schema_migrations'")
    assert rows
    assert [row for row in rows if (row["e"], row["c"]) != ("InnoDB", "utf8mb4_unicode_ci")] == []


async def test_a_failing_sqlite_migration_is_rolled_back_not_recorded_and_named(fresh_sqlite, tmp_path):
    (tmp_path / "sqlite").mkdir()
    (tmp_path / "sqlite" / "001_good.sql").write_text("CREATE TABLE good (id INTEGER PRIMARY KEY);\n")
    (tmp_path / "sqlite" / "002_bad.sql").write_text(
        "CREATE TABLE half (id INTEGER PRIMARY KEY);\nCREATE TABLE broken (id INTEGER PRIMARY KEY,;\n")
    with pytest.raises(MigrationError) as raised:
        await migrate(fresh_sqlite, root=tmp_path)
    assert str(raised.value).startswith("migration 002_bad failed at statement 2:")
    assert "\n" not in str(raised.value)
    tables = {row["name"] for row in await fresh_sqlite.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "good" in tables and "half" not in tables
    assert [row["name"] for row in await fresh_sqlite.fetch_all("SELECT name FROM schema_migrations")] == ["001_good"]
