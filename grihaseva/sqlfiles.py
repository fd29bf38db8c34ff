"""Named SQL in files, in aiosql's format.

Each query in `sql/queries/*.sql` sits under a `-- name: select_user_by_email`
header, followed by comment lines as its docstring and the statement with
named parameters (`:email`).  A dialect may override a query of the same name
in `sql/queries/<dialect>/*.sql` (row locks and upserts differ).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"

_NAME = re.compile(r"^--\s*name:\s*([A-Za-z_][A-Za-z0-9_]*)\s*$", re.MULTILINE)
_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)")


def parse_queries(text: str) -> dict[str, str]:
    """Split one file into {name: statement}, dropping comments and trailing `;`."""
    queries: dict[str, str] = {}
    pieces = _NAME.split(text)
    for name, body in zip(pieces[1::2], pieces[2::2]):
        lines = [line for line in body.splitlines() if not line.lstrip().startswith("--")]
        statement = "\n".join(lines).strip().rstrip(";").strip()
        if name in queries:
            raise ValueError(f"query {name} is defined twice")
        queries[name] = statement
    return queries


def load_queries(dialect: str, root: Path = SQL_DIR) -> dict[str, str]:
    queries: dict[str, str] = {}
    for path in sorted((root / "queries").glob("*.sql")):
        for name, sql in parse_queries(path.read_text()).items():
            if name in queries:
                raise ValueError(f"query {name} is defined twice ({path.name})")
            queries[name] = sql
    for path in sorted((root / "queries" / dialect).glob("*.sql")):
        queries.update(parse_queries(path.read_text()))
    return queries


def expand_lists(sql: str, lists: dict, params: dict | None = None) -> tuple[str, dict]:
    """`IN (:ids)` -> `IN (:ids_0, :ids_1, ...)` with one bound parameter per value: the
    statement and its parameters.  Each list must hold at least one value."""
    params = dict(params or {})
    for name, values in lists.items():
        names = [f"{name}_{index}" for index in range(len(values))]
        sql = sql.replace(f"(:{name})", "(" + ", ".join(f":{n}" for n in names) + ")")
        params.update(zip(names, values))
    return sql, params


@lru_cache(maxsize=1024)  # statements made in code (multi-row inserts, IN lists) come back often
def to_pyformat(sql: str) -> str:
    """`:name` -> `%(name)s` for aiomysql, escaping literal percent signs."""
    return _PARAM.sub(r"%(\1)s", sql.replace("%", "%%"))


def split_statements(script: str) -> list[str]:
    """Split a migration script on `;` at the end of a line (our DDL has no `;` inside)."""
    statements, current = [], []
    for line in script.splitlines():
        if line.strip().startswith("--"):
            continue
        current.append(line)
        if line.rstrip().endswith(";"):
            statement = "\n".join(current).strip().rstrip(";").strip()
            if statement:
                statements.append(statement)
            current = []
    tail = "\n".join(current).strip()
    if tail:
        statements.append(tail)
    return statements
