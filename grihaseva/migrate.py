"""Applies `sql/<dialect>/NNN_name.sql` in order, recording each in `schema_migrations`."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

from .db import Database
from .sqlfiles import SQL_DIR, split_statements

_MIGRATION = re.compile(r"^\d{3}_[a-z0-9_]+\.sql$")


class MigrationError(Exception):
    """A migration statement failed; the message names the file and statement, in one line."""


def migration_files(dialect: str, root: Path = SQL_DIR) -> list[Path]:
    files = sorted(p for p in (root / dialect).glob("*.sql") if _MIGRATION.match(p.name))
    return files


_TABLE_EXISTS = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
    "mysql": "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'schema_migrations'",
}


async def applied_migrations(db: Database) -> set[str]:
    if not await db.fetch_one(_TABLE_EXISTS[db.dialect]):
        await db.execute(
            "CREATE TABLE schema_migrations (name VARCHAR(200) NOT NULL PRIMARY KEY, applied_at DATETIME NOT NULL)"
        )
    rows = await db.fetch_all("SELECT name FROM schema_migrations")
    return {row["name"] for row in rows}


async def pending_migrations(db: Database, root: Path = SQL_DIR) -> list[str]:
    """Names of the migrations not applied yet (without creating anything)."""
    names = [path.stem for path in migration_files(db.dialect, root)]
    if not await db.fetch_one(_TABLE_EXISTS[db.dialect]):
        return names
    done = {row["name"] for row in await db.fetch_all("SELECT name FROM schema_migrations")}
    return [name for name in names if name not in done]


async def migrate(db: Database, root: Path = SQL_DIR) -> list[str]:
    """Apply what is missing; returns the names applied now."""
    done = await applied_migrations(db)
    applied = []
    for path in migration_files(db.dialect, root):
        name = path.stem
        if name in done:
            continue
        statements = split_statements(path.read_text())
        # SQLite applies a migration atomically; MySQL commits each DDL statement
        # implicitly, so a failed MySQL migration is reported with its statement.
        async with db.transaction() as tx:
            for number, statement in enumerate(statements, 1):
                try:
                    await tx.execute(statement)
                except Exception as error:
                    detail = " ".join(str(error).split())
                    raise MigrationError(f"migration {name} failed at statement {number}: {detail}") from error
            await tx.execute(
                "INSERT INTO schema_migrations (name, applied_at) VALUES (:name, :now)",
                {"name": name, "now": datetime.now(timezone.utc)},
            )
        applied.append(name)
    return applied
