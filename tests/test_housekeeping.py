"""Housekeeping deletes exactly the rows nothing reads any more, on both databases."""

from __future__ import annotations

import asyncio
import os
import subprocess
from datetime import datetime, timedelta, timezone

from grihaseva.events import publish
from grihaseva.housekeeping import Housekeeper, run_once
from tests.test_cli import GRIHASEVA
from tests.test_db import user

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)


async def ids(db, table: str) -> list[int]:
    return [row["id"] for row in await db.fetch_all(f"SELECT id FROM {table} ORDER BY id")]


async def test_old_events_go_in_batches_and_recent_ones_and_the_newest_stay(db):
    old = []
    for n in range(25):  # two days old
        async with db.transaction() as tx:
            old.append(await publish(tx, f"slots:{n % 3}", "booked", {}, NOW - timedelta(days=2)))
    async with db.transaction() as tx:
        recent = await publish(tx, "slots:1", "booked", {}, NOW - timedelta(hours=23))
    done = await run_once(db, NOW, event_batch=4)
    assert done.events == 25
    assert await ids(db, "events") == [recent]


async def test_the_newest_event_stays_however_old(db):
    async with db.transaction() as tx:
        first = await publish(tx, "slots:1", "booked", {}, NOW - timedelta(days=9))
        newest = await publish(tx, "slots:1", "cancelled", {}, NOW - timedelta(days=8))
    assert (await run_once(db, NOW)).events == 1
    assert await ids(db, "events") == [newest] and first != newest
    assert (await run_once(db, NOW)).events == 0  # and a broadcaster starting now finds its position


async def test_expired_sessions_old_rate_hits_delivered_mail_and_old_cap_refusals_go(db):
    asha = (await db.execute("insert_user", user("asha@example.com"))).lastrowid
    for name, age in (("a" * 64, timedelta(days=15)), ("b" * 64, timedelta(days=13))):
        await db.execute("insert_session", {"id_hash": name, "user_id": asha, "now": NOW - age, "user_agent": ""})
    for age in (timedelta(days=3), timedelta(hours=1)):
        await db.execute("insert_rate_hit", {"bucket": "login_fail_client", "subject": "10.0.0.1", "now": NOW - age})
    mails = {}
    for status, age in (("sent", 31), ("failed", 31), ("sent", 29), ("queued", 40)):
        mail_id = (await db.execute("insert_mail", {
            "to_addr": "asha@example.com", "subject": "s", "text_body": "t", "html_body": "h",
            "attachments": None, "now": NOW - timedelta(days=age)})).lastrowid
        await db.execute("UPDATE mail_outbox SET status = :status WHERE id = :id", {"status": status, "id": mail_id})
        mails[(status, age)] = mail_id

    for age in (timedelta(days=91), timedelta(days=89)):
        await db.execute("INSERT INTO booking_limit_hits (customer_id, provider_id, cap, created_at) "
                         "VALUES (:customer_id, NULL, 'upcoming', :now)", {"customer_id": asha, "now": NOW - age})

    done = await run_once(db, NOW)
    assert (done.sessions, done.rate_hits, done.mail, done.limit_hits) == (1, 1, 2, 1)
    assert await db.fetch_value("SELECT COUNT(*) AS n FROM booking_limit_hits") == 1
    assert [r["id_hash"] for r in await db.fetch_all("SELECT id_hash FROM sessions")] == ["b" * 64]
    assert await db.fetch_value("SELECT COUNT(*) AS n FROM rate_hits") == 1
    assert await ids(db, "mail_outbox") == sorted([mails[("sent", 29)], mails[("queued", 40)]])  # never unsent mail


async def test_the_command_runs_one_round(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRIHASEVA_")}
    env.update(GRIHASEVA_VAR_DIR=str(tmp_path), GRIHASEVA_DATABASE_URL=f"sqlite:///{tmp_path}/app.db")
    subprocess.run([str(GRIHASEVA), "migrate"], env=env, check=True, capture_output=True, timeout=60)
    result = subprocess.run([str(GRIHASEVA), "housekeeping"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "deleted 0 events, 0 rate-limit hits, 0 expired sessions, 0 old mails, 0 old booking-cap refusals"


async def test_the_background_housekeeper_runs_rounds_until_stopped(db):
    async with db.transaction() as tx:
        await publish(tx, "slots:1", "booked", {}, NOW - timedelta(days=3))
        await publish(tx, "slots:1", "booked", {}, NOW)
    keeper = Housekeeper(db, clock=lambda: NOW, interval=0.05)
    keeper.start()
    try:
        for _ in range(100):
            if await db.fetch_value("SELECT COUNT(*) AS n FROM events") == 1:
                break
            await asyncio.sleep(0.02)
        assert await db.fetch_value("SELECT COUNT(*) AS n FROM events") == 1
    finally:
        await keeper.stop()
    assert keeper._task is None
