"""The database layer's one interface, on SQLite and on MySQL/MariaDB."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from grihaseva.config import DatabaseUrl
from grihaseva.db import DatabaseUnavailable, IntegrityError, Result, open_database
from grihaseva.migrate import migrate

UTC = timezone.utc
IST = timezone(timedelta(hours=5, minutes=30))
NOW = datetime(2026, 11, 23, 9, 30, 15, tzinfo=UTC)


def user(email: str, **extra) -> dict:
    return {"email": email, "name": "Asha Menon", "phone": "+91 98450 12345", "gender": "female", "role": "customer",
            "password_hash": "$2b$04$" + "x" * 53, "now": NOW, **extra}


async def users(db) -> list[str]:
    return [row["email"] for row in await db.fetch_all("SELECT email FROM users ORDER BY id")]


async def test_execute_fetch_one_fetch_all_and_fetch_value(db):
    first = await db.execute("insert_user", user("asha@example.com"))
    second = await db.execute("insert_user", user("ravi@example.com"))
    assert isinstance(first, Result) and first.rowcount == 1
    assert second.lastrowid == first.lastrowid + 1
    row = await db.fetch_one("select_user_by_email", {"email": "ravi@example.com"})
    assert (row["id"], row["email"], row["role"], row["is_active"]) == (second.lastrowid, "ravi@example.com", "customer", 1)
    assert await db.fetch_one("select_user_by_email", {"email": "nobody@example.com"}) is None
    assert await users(db) == ["asha@example.com", "ravi@example.com"]
    assert await db.fetch_all("SELECT id FROM users WHERE role = 'admin'") == []
    assert await db.fetch_value("SELECT COUNT(*) AS n FROM users") == 2
    assert await db.fetch_value("SELECT id FROM users WHERE email = :e", {"e": "nobody@example.com"}) is None
    updated = await db.execute("UPDATE users SET name = :name WHERE role = 'customer'", {"name": "Someone"})
    assert updated.rowcount == 2


async def test_percent_signs_and_colons_in_raw_sql_are_literal(db):
    await db.execute("insert_user", user("asha@example.com", name="100% : real"))
    assert await db.fetch_value("SELECT COUNT(*) AS n FROM users WHERE email LIKE '%@example.com'") == 1
    assert await db.fetch_value("SELECT name FROM users WHERE name LIKE :p", {"p": "100%"}) == "100% : real"


async def test_an_unknown_query_name_is_a_clear_error(db):
    with pytest.raises(KeyError, match="no query named 'select_unicorns' in sql/queries"):
        await db.fetch_all("select_unicorns")


async def test_a_transaction_commits_everything_at_the_end(db):
    async with db.transaction() as tx:
        result = await tx.execute("insert_user", user("asha@example.com"))
        await tx.execute("insert_session", {"id_hash": "a" * 64, "user_id": result.lastrowid, "now": NOW, "user_agent": ""})
        assert await tx.fetch_value("SELECT COUNT(*) AS n FROM sessions") == 1  # its own writes are visible
    assert await users(db) == ["asha@example.com"]
    assert await db.fetch_value("SELECT COUNT(*) AS n FROM sessions") == 1


async def test_a_transaction_rolls_back_everything_on_an_exception(db):
    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with db.transaction() as tx:
            result = await tx.execute("insert_user", user("asha@example.com"))
            await tx.execute("insert_session", {"id_hash": "a" * 64, "user_id": result.lastrowid, "now": NOW, "user_agent": ""})
            raise Boom()
    assert await users(db) == []
    assert await db.fetch_value("SELECT COUNT(*) AS n FROM sessions") == 0
    # the connection went back clean: the next transaction works and commits
    async with db.transaction() as tx:
        await tx.execute("insert_user", user("ravi@example.com"))
    assert await users(db) == ["ravi@example.com"]


async def test_a_cancelled_transaction_is_rolled_back(db):
    started = asyncio.Event()

    async def slow_signup():
        async with db.transaction() as tx:
            await tx.execute("insert_user", user("asha@example.com"))
            started.set()
            await asyncio.sleep(10)

    task = asyncio.create_task(slow_signup())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await users(db) == []
    async with db.transaction() as tx:  # the write lock and the connection were released
        await tx.execute("insert_user", user("ravi@example.com"))
    assert await users(db) == ["ravi@example.com"]


async def test_the_unique_email_raises_integrity_error(db):
    await db.execute("insert_user", user("asha@example.com"))
    with pytest.raises(IntegrityError):
        await db.execute("insert_user", user("asha@example.com"))
    assert await users(db) == ["asha@example.com"]


async def test_emails_compare_byte_for_byte_so_a_lookalike_is_another_address(db):
    """The code lower-cases addresses; the database must not fold accents (MySQL's unicode_ci
    would make these one account, and log the lookalike in with the real password)."""
    await db.execute("insert_user", user("asha@example.com"))
    await db.execute("insert_user", user("asha@exämple.com"))
    found = await db.fetch_one("select_user_by_email", {"email": "asha@exämple.com"})
    assert found["email"] == "asha@exämple.com"
    searched = await db.fetch_all("admin_select_customers", {"q": "%exämple%", "limit": 10})
    assert [row["email"] for row in searched] == ["asha@exämple.com"]


async def test_an_integrity_error_inside_a_transaction_undoes_the_whole_transaction(db):
    await db.execute("insert_user", user("asha@example.com"))
    with pytest.raises(IntegrityError):
        async with db.transaction() as tx:
            await tx.execute("insert_user", user("ravi@example.com"))
            await tx.execute("insert_user", user("asha@example.com"))
    assert await users(db) == ["asha@example.com"]


async def test_a_foreign_key_violation_is_an_integrity_error(db):
    with pytest.raises(IntegrityError):
        await db.execute("insert_session", {"id_hash": "b" * 64, "user_id": 999, "now": NOW, "user_agent": ""})


async def test_datetimes_round_trip_as_aware_utc(db):
    in_kolkata = datetime(2026, 11, 23, 15, 0, 15, tzinfo=IST)  # 09:30:15 UTC
    await db.execute("insert_user", user("asha@example.com", now=in_kolkata))
    row = await db.fetch_one("select_user_by_email", {"email": "asha@example.com"})
    assert row["created_at"] == NOW
    assert row["created_at"].tzinfo is not None and row["created_at"].utcoffset() == timedelta(0)
    assert row["created_at"].hour == 9  # stored as UTC, not as the wall clock it came in
    async with db.transaction() as tx:
        assert (await tx.fetch_one("select_user_by_id", {"id": row["id"]}))["password_changed_at"] == NOW


async def test_instants_compare_correctly_in_sql(db):
    await db.execute("insert_user", user("asha@example.com", now=NOW))
    later = await db.fetch_value("SELECT COUNT(*) AS n FROM users WHERE created_at > :t", {"t": NOW - timedelta(seconds=1)})
    earlier = await db.fetch_value("SELECT COUNT(*) AS n FROM users WHERE created_at > :t",
                                   {"t": (NOW + timedelta(hours=1)).astimezone(IST)})
    assert (later, earlier) == (1, 0)


async def test_a_naive_datetime_is_refused(db):
    with pytest.raises(ValueError, match="naive datetime"):
        await db.execute("insert_user", user("asha@example.com", now=datetime(2026, 11, 23, 9, 0)))


async def test_booleans_are_stored_as_integers(db):
    await db.execute("insert_user", user("asha@example.com"))
    await db.execute("UPDATE users SET is_active = :active", {"active": False})
    assert await db.fetch_value("SELECT is_active FROM users") == 0


async def test_commit_listeners_hear_commits_not_rollbacks(db):
    heard = []
    db.commit_listeners.append(heard.append)
    async with db.transaction() as tx:
        await tx.execute("insert_user", user("asha@example.com"))
    with pytest.raises(RuntimeError):
        async with db.transaction() as failed:
            raise RuntimeError("no")
    assert heard == [tx] and failed not in heard


async def test_many_concurrent_transactions_all_commit(db):
    await db.execute("insert_user", user("asha@example.com"))

    async def bump(n: int) -> None:
        async with db.transaction() as tx:
            name = await tx.fetch_value("SELECT name FROM users WHERE email = 'asha@example.com'")
            await asyncio.sleep(0)  # let the others run between the read and the write
            await tx.execute("UPDATE users SET name = :name WHERE email = 'asha@example.com'", {"name": name + "+"})
            await tx.execute("insert_rate_hit", {"bucket": "test", "subject": str(n), "now": NOW})

    await asyncio.gather(*(bump(n) for n in range(20)))
    assert await db.fetch_value("SELECT COUNT(*) AS n FROM rate_hits") == 20
    if db.dialect == "sqlite":  # serialised writers: no lost update
        assert await db.fetch_value("SELECT name FROM users") == "Asha Menon" + "+" * 20


async def test_sqlite_writers_in_two_processes_wait_instead_of_database_is_locked(tmp_path):
    url = DatabaseUrl(dialect="sqlite", path=str(tmp_path / "shared.db"))
    db, other = open_database(url), open_database(url)  # as if two app processes shared the file
    await db.connect()
    await migrate(db)
    await other.connect()
    try:
        async def write(database, n: int) -> None:
            async with database.transaction() as tx:
                await tx.execute("insert_rate_hit", {"bucket": "test", "subject": f"tx{n}", "now": NOW})
                await asyncio.sleep(0.002)  # hold the write lock for a moment
                await tx.execute("insert_rate_hit", {"bucket": "test", "subject": f"tx{n}", "now": NOW})

        async def write_alone(database, n: int) -> None:
            await database.execute("insert_rate_hit", {"bucket": "test", "subject": f"one{n}", "now": NOW})

        work = [write(db if n % 2 else other, n) for n in range(20)]
        work += [write_alone(other if n % 2 else db, n) for n in range(20)]
        work += [db.fetch_all("SELECT id FROM rate_hits") for _ in range(10)]
        await asyncio.gather(*work)
        assert await db.fetch_value("SELECT COUNT(*) AS n FROM rate_hits") == 60
        assert await db.fetch_value("PRAGMA journal_mode") == "wal"
    finally:
        await other.close()
        await db.close()


async def _until(condition, what: str) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"not within 5 s: {what}")


async def test_sqlite_writers_of_two_processes_take_turns_through_the_lock_file(tmp_path):
    """A writer whose turn another process holds waits on the lock file in a thread (not in SQLite's
    busy handler, which sleeps up to 100 ms a try), the loop running meanwhile, and starts when the
    other commits."""
    import fcntl
    import os

    url = DatabaseUrl(dialect="sqlite", path=str(tmp_path / "shared.db"))
    db, other = open_database(url), open_database(url)  # two open files: as two processes would be
    await db.connect()
    await migrate(db)
    await other.connect()
    assert (tmp_path / "shared.db-writer.lock").exists()
    order: list[str] = []
    release = asyncio.Event()
    try:
        async def first() -> None:
            async with db.transaction() as tx:
                await tx.execute("insert_rate_hit", {"bucket": "test", "subject": "first", "now": NOW})
                order.append("first holds")
                await release.wait()
                order.append("first commits")

        async def second() -> None:
            async with other.transaction() as tx:
                order.append("second begins")
                await tx.execute("insert_rate_hit", {"bucket": "test", "subject": "second", "now": NOW})

        holder = asyncio.create_task(first())
        await _until(lambda: order == ["first holds"], "the first transaction began")
        waiter = asyncio.create_task(second())
        await _until(lambda: other._writers._in_thread == 1, "the second writer waits on the lock file")
        ticks = 0
        for _ in range(5):  # the loop is not blocked by the wait
            await asyncio.sleep(0.01)
            ticks += 1
        assert ticks == 5 and order == ["first holds"] and not waiter.done()
        release.set()
        await asyncio.wait_for(asyncio.gather(holder, waiter), 5)
        assert order == ["first holds", "first commits", "second begins"]
        assert other._writers._in_thread == 0
        assert await db.fetch_value("SELECT COUNT(*) AS n FROM rate_hits") == 2
        probe = os.open(tmp_path / "shared.db-writer.lock", os.O_RDWR)
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)  # handed back: free for any process
        finally:
            os.close(probe)
    finally:
        await other.close()
        await db.close()


async def test_a_writer_cancelled_while_waiting_for_its_turn_leaves_the_lock_free(tmp_path):
    url = DatabaseUrl(dialect="sqlite", path=str(tmp_path / "shared.db"))
    db, other = open_database(url), open_database(url)
    await db.connect()
    await migrate(db)
    await other.connect()
    release = asyncio.Event()
    started = asyncio.Event()
    try:
        async def hold() -> None:
            async with db.transaction() as tx:
                await tx.execute("insert_rate_hit", {"bucket": "test", "subject": "held", "now": NOW})
                started.set()
                await release.wait()

        async def write(database, subject: str) -> None:
            async with database.transaction() as tx:
                await tx.execute("insert_rate_hit", {"bucket": "test", "subject": subject, "now": NOW})

        holder = asyncio.create_task(hold())
        await started.wait()
        gone = asyncio.create_task(write(other, "never"))
        await _until(lambda: other._writers._in_thread == 1, "the writer waits on the lock file")
        gone.cancel()  # a client that went away while its booking waited
        with pytest.raises(asyncio.CancelledError):
            await gone
        release.set()
        await holder
        # Both files write again, each in turn, several times: the abandoned wait took the lock
        # and gave it back, and holds nothing now.
        await asyncio.wait_for(asyncio.gather(*(write(other if n % 2 else db, f"after{n}") for n in range(6))), 10)
        await _until(lambda: other._writers._in_thread == 0, "the thread is done")
        subjects = {row["subject"] for row in await db.fetch_all("SELECT subject FROM rate_hits")}
        assert subjects == {"held"} | {f"after{n}" for n in range(6)}
    finally:
        await other.close()
        await db.close()


async def test_a_failed_sqlite_commit_rolls_back_and_leaves_the_connection_usable(tmp_path):
    database = open_database(DatabaseUrl(dialect="sqlite", path=str(tmp_path / "deferred.db")), pool_size=1)
    await database.connect()
    try:
        await migrate(database)
        # a deferred foreign key is checked at COMMIT, so the commit itself fails
        await database.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL "
                               "REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED)")
        with pytest.raises(IntegrityError):
            async with database.transaction() as tx:
                await tx.execute("INSERT INTO notes (user_id) VALUES (999)")
        assert await database.fetch_value("SELECT COUNT(*) AS n FROM notes") == 0
        async with database.transaction() as tx:  # the one pooled connection is not stuck in a transaction
            await tx.execute("insert_user", user("asha@example.com"))
        assert await users(database) == ["asha@example.com"]
    finally:
        await database.close()


async def test_a_closed_database_says_it_is_unavailable(settings):
    database = open_database(settings.database)
    with pytest.raises(DatabaseUnavailable, match="not connected"):
        await database.fetch_value("SELECT 1 AS ok")
    await database.connect()
    assert await database.ping()
    await database.close()
    assert not await database.ping()


async def test_a_read_cancelled_mid_statement_leaves_no_snapshot_behind(settings):
    """An SSE client that goes away cancels its render mid-query; the connection it used must
    come back clean, or a later write on it fails at once with "database is locked"."""
    kwargs = {"pool_size": 1} if settings.database.dialect == "sqlite" else {"maxsize": 1}
    db, other = open_database(settings.database, **kwargs), open_database(settings.database)
    await db.connect()
    await other.connect()
    try:
        await migrate(db)
        for n in range(50):
            await db.execute("insert_user", user(f"reader{n}@example.com"))
        for _ in range(20):
            reading = asyncio.ensure_future(db.fetch_all("SELECT * FROM users ORDER BY id"))
            await asyncio.sleep(0)  # the statement is on its way
            reading.cancel()
            with pytest.raises(asyncio.CancelledError):
                await reading
            await other.execute("insert_user", user(f"writer{_}@example.com"))  # the database moves on
            await db.execute("UPDATE users SET name = 'Asha M' WHERE email = 'reader0@example.com'")
        assert await db.fetch_value("SELECT COUNT(*) AS n FROM users") == 70
    finally:
        await db.close()
        await other.close()
