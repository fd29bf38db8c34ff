"""The only module that touches database connections.

One small interface over two backends: aiomysql (production) and aiosqlite
(the embedded default).  `fetch_one`, `fetch_all` and `execute` take the name
of a query from `sql/queries/` (or, for migrations and tests, a statement) and
a dict of named parameters.  `transaction()` yields an object with the same
three methods and always ends in commit or rollback.

Instants cross this boundary as aware UTC datetimes and are stored as naive
UTC DATETIME values, so both dialects store and compare them the same way.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import re
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Mapping, Sequence, TypeVar

from .config import DatabaseUrl
from .sqlfiles import expand_lists, load_queries, to_pyformat

T = TypeVar("T")

UTC = timezone.utc
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

Params = Mapping[str, Any] | None


class DatabaseUnavailable(Exception):
    """The database cannot be reached; the message is one line for a person."""


class IntegrityError(Exception):
    """A constraint (unique key, foreign key) refused the change."""


@dataclass(frozen=True)
class Result:
    rowcount: int
    lastrowid: int | None


def _to_db(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime passed to the database; use aware UTC")
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, bool):
        return int(value)
    return value


def _params(params: Params) -> dict[str, Any]:
    return {key: _to_db(value) for key, value in (params or {}).items()}


def _from_db_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: (value.replace(tzinfo=UTC) if isinstance(value, datetime) and value.tzinfo is None else value)
        for key, value in row.items()
    }


class _Executor:
    """fetch_one / fetch_all / execute over a raw `_run` supplied by a backend."""

    async def _run(self, sql: str, params: dict[str, Any], want: str) -> Any:
        raise NotImplementedError

    def _sql(self, query: str) -> str:
        raise NotImplementedError

    async def fetch_one(self, query: str, params: Params = None) -> dict[str, Any] | None:
        return await self._run(self._sql(query), _params(params), "one")

    async def fetch_all(self, query: str, params: Params = None) -> list[dict[str, Any]]:
        return await self._run(self._sql(query), _params(params), "all")

    async def fetch_value(self, query: str, params: Params = None) -> Any:
        row = await self.fetch_one(query, params)
        return None if row is None else next(iter(row.values()))

    async def execute(self, query: str, params: Params = None) -> Result:
        return await self._run(self._sql(query), _params(params), "result")


class Database(_Executor):
    dialect: str

    def __init__(self, queries: dict[str, str], source: dict[str, str] | None = None):
        self.queries = queries
        self.source_queries = queries if source is None else source  # as written, `:name` placeholders
        # Called with the transaction object after each successful commit; the event
        # broadcaster uses it to wake at once after a local commit that wrote events.
        self.commit_listeners: list = []

    def _committed(self, tx) -> None:
        for listener in self.commit_listeners:
            listener(tx)

    def _sql(self, query: str) -> str:
        sql = self.queries.get(query)
        if sql is not None:
            return sql
        if _IDENTIFIER.match(query):
            raise KeyError(f"no query named {query!r} in sql/queries")
        return self._raw_sql(query)

    def _raw_sql(self, sql: str) -> str:
        """A statement given as text, as the driver takes it."""
        return sql

    def expand(self, query: str, lists: dict[str, Sequence[Any]], params: Params = None) -> tuple[str, dict[str, Any]]:
        """A named query whose `IN (:name)` takes a list: (sql, params) with one bound parameter
        per value (`IN (:ids_0, :ids_1, ...)`).  Each list must hold at least one value."""
        try:
            sql = self.source_queries[query]
        except KeyError:
            raise KeyError(f"no query named {query!r} in sql/queries") from None
        return expand_lists(sql, lists, params)

    async def connect(self) -> None: ...
    async def close(self) -> None: ...

    def transaction(self):  # -> AsyncContextManager[_Executor]
        raise NotImplementedError

    async def ping_shared(self, timeout: float = 1.5) -> bool:
        """`ping`, with callers that arrive while one is under way sharing its answer: a load
        balancer's checks (or a flood of them) cost one round trip at a time, not one each."""
        task = getattr(self, "_ping_task", None)
        if task is None or task.done():
            task = self._ping_task = asyncio.ensure_future(self.ping(timeout))
        return await asyncio.shield(task)

    async def ping(self, timeout: float = 1.5) -> bool:
        try:
            await asyncio.wait_for(self.fetch_value("SELECT 1 AS ok"), timeout)
            return True
        except Exception:  # any failure means "not reachable" for a health check
            return False


# ---------------------------------------------------------------- SQLite


def _register_sqlite_types() -> None:
    sqlite3.register_converter("DATETIME", lambda raw: datetime.fromisoformat(raw.decode()).replace(tzinfo=UTC))
    sqlite3.register_converter("DATE", lambda raw: date.fromisoformat(raw.decode()))


_register_sqlite_types()


class _SqliteTx(_Executor):
    def __init__(self, db: "SqliteDatabase", conn):
        self.db, self.conn = db, conn

    def _sql(self, query: str) -> str:
        return self.db._sql(query)

    async def _run(self, sql, params, want):
        return await self.db._run_on(self.conn, sql, params, want)


async def _run_to_completion(operation: Awaitable[T]) -> T:
    """Await `operation`; if the caller is cancelled meanwhile, let it finish first (its result
    dropped), then re-raise the cancellation, so the connection goes back to the pool clean."""
    task = asyncio.ensure_future(operation)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        if not task.done():
            await asyncio.wait([task])
        if not task.cancelled():
            task.exception()  # retrieved: an error of an abandoned statement is not logged as unhandled
        raise


# SQLite errors that mean the file cannot be used right now (not a bad statement).
_SQLITE_UNAVAILABLE = ("unable to open database", "disk I/O error", "database is locked")


def _sqlite_statement(conn, sql: str, params: dict[str, Any], want: str) -> Any:
    """In the aiosqlite connection's thread: run one statement and read what `want` asks for."""
    cursor = conn._conn.execute(sql, params)
    try:
        if want == "one":
            row = cursor.fetchone()
            return None if row is None else dict(row)
        if want == "all":
            return [dict(row) for row in cursor.fetchall()]
        return Result(cursor.rowcount, cursor.lastrowid)
    finally:
        cursor.close()


class _WriterQueue:
    """The processes writing one SQLite file take turns through an exclusive `flock` of
    `<file>-writer.lock`, held from before BEGIN IMMEDIATE until after COMMIT or ROLLBACK.

    SQLite's own lock is still what keeps writes apart (and the only one for anything that does not
    come through here, such as the sqlite3 shell); this is about waiting.  A writer that finds SQLite's
    lock held sleeps in the busy handler, up to 100 ms a try, while the holder's process hands the lock
    from one of its own writers to the next at once: under load with `--workers 2` one process's
    bookings waited seconds (a p99 of 1-3 s against 0.2-0.4 s with one worker).  A kernel lock wakes
    the waiter the moment it is free.

    One turn per process at a time (the database's asyncio write lock is taken first), so one thread
    is enough to wait in; the loop never blocks: the lock is first tried without waiting, and only
    when another process holds it is the wait handed to that thread."""

    def __init__(self, path: str):
        self.path = path + "-writer.lock"
        self._fd: int | None = None
        self._thread: ThreadPoolExecutor | None = None  # started at the first wait
        self._in_thread = 0  # waits (and hand-backs) still queued on the thread

    def open(self) -> None:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)

    def close(self) -> None:
        if self._thread is not None:
            self._thread.shutdown(wait=False)  # what is queued still runs; the thread then ends
            self._thread = None
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    async def acquire(self) -> None:
        fd = self._fd
        if fd is None:
            return
        if not self._in_thread:  # (else a wait abandoned below may already hold this fd's lock)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                pass
        loop = asyncio.get_running_loop()
        if self._thread is None:
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="sqlite-writer-queue")
        self._in_thread += 1
        waited = loop.run_in_executor(self._thread, fcntl.flock, fd, fcntl.LOCK_EX)
        waited.add_done_callback(self._thread_done)
        try:
            await asyncio.shield(waited)
        except asyncio.CancelledError:
            # The wait goes on in the thread: hand the lock back there, right after it is taken,
            # before any later turn of this process can queue.
            self._in_thread += 1
            loop.run_in_executor(self._thread, fcntl.flock, fd, fcntl.LOCK_UN).add_done_callback(self._thread_done)
            raise

    def _thread_done(self, future) -> None:
        self._in_thread -= 1
        if not future.cancelled():
            future.exception()  # retrieved (a closed fd at shutdown is not worth a log line)

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)


class SqliteDatabase(Database):
    """aiosqlite in WAL mode; write transactions are BEGIN IMMEDIATE, one at a time per process,
    and the processes on one file take turns through a lock file (`_WriterQueue`)."""

    dialect = "sqlite"

    def __init__(self, path: str, queries: dict[str, str], pool_size: int = 4):
        super().__init__(queries)
        self.path = path
        self.pool_size = pool_size
        self._pool: asyncio.Queue | None = None
        self._all: list = []
        self._write_lock = asyncio.Lock()
        self._writers = _WriterQueue(path) if path and path != ":memory:" and not path.startswith("file:") else None

    async def connect(self) -> None:
        import aiosqlite

        if self._pool is not None:
            return
        self._pool = asyncio.Queue()
        self._write_lock = asyncio.Lock()
        try:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            if self._writers is not None:
                self._writers.open()
            for _ in range(self.pool_size):
                conn = await aiosqlite.connect(
                    self.path, isolation_level=None, detect_types=sqlite3.PARSE_DECLTYPES, timeout=30
                )
                conn.row_factory = sqlite3.Row
                await conn.execute("PRAGMA journal_mode=WAL")
                await conn.execute("PRAGMA busy_timeout=30000")
                await conn.execute("PRAGMA foreign_keys=ON")
                await conn.execute("PRAGMA synchronous=NORMAL")
                self._all.append(conn)
                self._pool.put_nowait(conn)
        except (sqlite3.Error, OSError) as error:
            await self.close()
            raise DatabaseUnavailable(f"cannot open SQLite database {self.path}: {error}") from None

    async def close(self) -> None:
        for conn in self._all:
            await conn.close()
        self._all, self._pool = [], None
        if self._writers is not None:
            self._writers.close()

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[Any]:
        if self._pool is None:
            raise DatabaseUnavailable("the database is not connected")
        conn = await self._pool.get()
        try:
            yield conn
        finally:
            self._pool.put_nowait(conn)

    async def _run_on(self, conn, sql, params, want):
        # One trip to the connection's thread per statement (execute, fetch and close together),
        # not three: each trip is a thread wake-up and a loop wake-up (a tenth of a booking's CPU).
        # `_execute` is aiosqlite's own queue (pinned version, see pyproject.toml).
        try:
            return await conn._execute(_sqlite_statement, conn, sql, params, want)
        except sqlite3.IntegrityError as error:
            raise IntegrityError(str(error)) from error
        except sqlite3.OperationalError as error:
            if any(sign in str(error) for sign in _SQLITE_UNAVAILABLE):
                raise DatabaseUnavailable(f"SQLite database {self.path}: {error}") from error
            raise

    async def _run(self, sql, params, want):
        async with self._connection() as conn:
            # A caller cancelled mid-statement (an SSE client going away) would leave the statement
            # un-reset, its read snapshot open on a pooled connection: the next write through that
            # connection then fails at once with "database is locked" (SQLITE_BUSY_SNAPSHOT).
            return await _run_to_completion(self._run_on(conn, sql, params, want))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_SqliteTx]:
        async with self._write_lock, self._connection() as conn, self._turn():
            await conn.execute("BEGIN IMMEDIATE")
            tx_obj = _SqliteTx(self, conn)
            try:
                yield tx_obj
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            else:
                try:
                    await conn.execute("COMMIT")
                except sqlite3.Error as error:  # e.g. a deferred constraint: never pool a connection mid-transaction
                    if conn.in_transaction:
                        await conn.execute("ROLLBACK")
                    if isinstance(error, sqlite3.IntegrityError):
                        raise IntegrityError(str(error)) from error
                    raise
        self._committed(tx_obj)

    @asynccontextmanager
    async def _turn(self) -> AsyncIterator[None]:
        """This process's turn among the processes writing the file (see `_WriterQueue`)."""
        if self._writers is None:  # (":memory:": one process)
            yield
            return
        await self._writers.acquire()
        try:
            yield
        finally:
            self._writers.release()

    async def executescript(self, statements: list[str]) -> None:
        async with self.transaction() as tx:
            for statement in statements:
                await tx.execute(statement)


# ---------------------------------------------------------------- MySQL / MariaDB


class _MysqlTx(_Executor):
    def __init__(self, db: "MysqlDatabase", conn):
        self.db, self.conn = db, conn

    def _sql(self, query: str) -> str:
        return self.db._sql(query)

    async def _run(self, sql, params, want):
        return await self.db._run_on(self.conn, sql, params, want)


class MysqlDatabase(Database):
    """An aiomysql pool in autocommit mode.  `transaction()` sends BEGIN and ends in commit or
    rollback; any other statement is its own transaction."""

    dialect = "mysql"

    def __init__(self, url: DatabaseUrl, queries: dict[str, str], minsize: int = 1, maxsize: int = 20):
        super().__init__({name: to_pyformat(sql) for name, sql in queries.items()}, source=queries)
        self.url = url
        self.minsize, self.maxsize = minsize, maxsize
        self.pool = None

    def _raw_sql(self, sql: str) -> str:
        return to_pyformat(sql)

    async def connect(self) -> None:
        import aiomysql
        import pymysql

        if self.pool is not None:
            return
        try:
            self.pool = await asyncio.wait_for(
                aiomysql.create_pool(
                    host=self.url.host, port=self.url.port, user=self.url.user, password=self.url.password,
                    db=self.url.database, minsize=self.minsize, maxsize=self.maxsize, autocommit=True,
                    charset="utf8mb4", connect_timeout=2, pool_recycle=3600,
                    init_command="SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
                ),
                timeout=5,
            )
        except (pymysql.err.Error, OSError, asyncio.TimeoutError) as error:
            detail = error.args[1] if isinstance(error, pymysql.err.Error) and len(error.args) > 1 else error
            raise DatabaseUnavailable(
                f"cannot connect to MySQL at {self.url.host}:{self.url.port}/{self.url.database}: {detail}"
            ) from None

    async def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            await self.pool.wait_closed()
            self.pool = None

    async def _run_on(self, conn, sql, params, want):
        import aiomysql
        import pymysql

        async with conn.cursor(aiomysql.DictCursor) as cursor:
            try:
                await cursor.execute(sql, params)
            except pymysql.err.IntegrityError as error:
                raise IntegrityError(str(error)) from error
            except (pymysql.err.OperationalError, pymysql.err.InterfaceError) as error:
                if _mysql_server_gone(error):
                    raise DatabaseUnavailable(f"lost the connection to MySQL: {error}") from error
                raise
            if want == "one":
                row = await cursor.fetchone()
                return None if row is None else _from_db_row(row)
            if want == "all":
                return [_from_db_row(row) for row in await cursor.fetchall()]
            return Result(cursor.rowcount, cursor.lastrowid)

    @asynccontextmanager
    async def _acquire(self) -> AsyncIterator[Any]:
        import pymysql

        if self.pool is None:
            raise DatabaseUnavailable("the database is not connected")
        try:
            conn = await self.pool.acquire()  # a new connection to a stopped server fails within connect_timeout
        except (pymysql.err.Error, OSError, asyncio.TimeoutError) as error:
            raise DatabaseUnavailable(f"cannot reach MySQL at {self.url.host}:{self.url.port}: {error}") from error
        try:
            yield conn
        finally:
            self.pool.release(conn)

    async def _run(self, sql, params, want):
        # Connections are in autocommit mode: a statement outside a transaction commits itself,
        # with no COMMIT round trip after every plain read.
        async with self._acquire() as conn:
            try:
                return await self._run_on(conn, sql, params, want)
            except BaseException:
                await _rollback_quietly(conn)
                raise

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_MysqlTx]:
        import pymysql

        async with self._acquire() as conn:
            tx_obj = _MysqlTx(self, conn)
            try:
                try:
                    await conn.begin()
                except (pymysql.err.OperationalError, pymysql.err.InterfaceError) as error:
                    if _mysql_server_gone(error):
                        raise DatabaseUnavailable(f"lost the connection to MySQL: {error}") from error
                    raise
                yield tx_obj
            except BaseException:
                await _rollback_quietly(conn)
                raise
            else:
                try:
                    await conn.commit()
                except (pymysql.err.OperationalError, pymysql.err.InterfaceError) as error:
                    await _rollback_quietly(conn)
                    if _mysql_server_gone(error):
                        # Whether the commit reached the server is unknown: callers that must
                        # know (the mail sender's done-mark) re-check before acting again.
                        raise DatabaseUnavailable(f"lost the connection to MySQL at commit: {error}") from error
                    raise
        self._committed(tx_obj)


# Client errors that mean the server is gone or unreachable (not a bad statement): 2003 can't
# connect, 2006 server has gone away, 2013 lost connection during query, 2055 lost connection
# (aiomysql), 0 / InterfaceError a connection already closed under us.
_SERVER_GONE = {0, 2003, 2006, 2013, 2055}


def _mysql_server_gone(error: Exception) -> bool:
    import pymysql

    if isinstance(error, pymysql.err.InterfaceError):
        return True
    code = error.args[0] if error.args and isinstance(error.args[0], int) else None
    return code in _SERVER_GONE


async def _rollback_quietly(conn) -> None:
    try:
        await conn.rollback()
    except Exception:  # the connection is gone; the pool drops it on release
        conn.close()


def open_database(url: DatabaseUrl, **kwargs) -> Database:
    queries_sqlite_or_mysql = load_queries(url.dialect)
    if url.dialect == "sqlite":
        return SqliteDatabase(url.path, queries_sqlite_or_mysql, **kwargs)
    return MysqlDatabase(url, queries_sqlite_or_mysql, **kwargs)
