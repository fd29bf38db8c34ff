"""Booking throughput through the real domain function (lock provider, re-check, insert,
notification, outbox events, commit), on SQLite and, when reachable, on MariaDB.

    .venv/bin/python bench/booking.py [--bookings 2000] [--workers 16]

Prints bookings per second per backend. The floor to compare with is DESIGN.md's raw
aiomysql loop (lock + overlap check + insert + commit): about 2,400-2,600 per second here.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grihaseva.auth.accounts import create_user  # noqa: E402
from grihaseva.booking import domain  # noqa: E402
from grihaseva.config import DatabaseUrl, Settings  # noqa: E402
from grihaseva.db import open_database  # noqa: E402
from grihaseva.migrate import migrate  # noqa: E402
from grihaseva.demo.seed import seed_demo  # noqa: E402

NOW = datetime(2026, 11, 23, 0, 0, tzinfo=timezone.utc)
MYSQL = os.environ.get("GRIHASEVA_BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306/grihaseva_bench")


async def prepare(url: DatabaseUrl, providers: int):
    db = open_database(url) if url.dialect == "sqlite" else open_database(url, maxsize=40)
    await db.connect()
    await migrate(db)
    db.booking_caps = domain.BookingCaps(upcoming=1000, per_provider=1000, new_account=1000)  # checked, never reached
    settings = Settings(database=url, secret_key="x" * 40, bcrypt_rounds=4)
    await seed_demo(db, settings)
    service = await domain.active_service(db, "tap-leak-repair")
    ids = []
    for n in range(providers):
        uid = await create_user(db, {"email": f"bench{n}@example.com", "name": f"Bench {n}", "phone": "+91 90000 00000",
                                     "gender": "male", "password": "bench-pass-1", "bio": ""}, NOW, 4, role="provider")
        await db.execute("UPDATE providers SET verified = 1, buffer_min = 0, min_notice_min = 0 WHERE user_id = :id", {"id": uid})
        await db.execute("insert_provider_service", {"provider_id": uid, "service_id": service.id})
        for weekday in range(7):
            await db.execute("insert_working_hours", {"provider_id": uid, "weekday": weekday, "start_min": 0, "end_min": 1440})
        ids.append(uid)
    # One customer per provider: a customer may not hold one service twice at overlapping times.
    customers = {}
    for uid in ids:
        customers[uid] = domain.Customer(await create_user(db, {
            "email": f"bench-customer{uid}@example.com", "name": "Bench Customer", "phone": "+91 90000 00001",
            "gender": "female", "password": "bench-pass-1"}, NOW, 4, role="customer"), "female")
    return db, service, ids, customers


async def run(url: DatabaseUrl, bookings: int, workers: int) -> float:
    providers = max(1, bookings // 300)
    db, service, provider_ids, customers = await prepare(url, providers)
    # Distinct hourly slots per provider: 17 a day (05:30-21:30 in Kolkata), within the 30-day window.
    def start_of(k: int) -> datetime:
        return NOW + timedelta(days=1 + k // 17, hours=k % 17)

    jobs = [(provider_ids[n % providers], start_of(n // providers)) for n in range(bookings)]
    queue: asyncio.Queue = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    details = {"address": "12 MG Road, Bengaluru 560001", "phone": "+91 99000 12345", "notes": ""}

    async def worker():
        while not queue.empty():
            provider_id, start = queue.get_nowait()
            await domain.place_booking(db, customers[provider_id], service, provider_id, start, details, NOW)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    elapsed = time.perf_counter() - started
    count = await db.fetch_value("SELECT COUNT(*) AS n FROM bookings")
    overlaps = await db.fetch_all("select_overlapping_active_pairs")
    await db.close()
    assert count == bookings and not overlaps, (count, len(overlaps))
    return bookings / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bookings", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rate = asyncio.run(run(DatabaseUrl(dialect="sqlite", path=f"{tmp}/bench.db"), args.bookings, args.workers))
        print(f"sqlite:  {rate:7.0f} bookings/s ({args.bookings} bookings, {args.workers} concurrent workers)")
    try:
        import pymysql

        base = DatabaseUrl.parse(MYSQL)
        name = f"{base.database}_{secrets.token_hex(3)}"
        conn = pymysql.connect(host=base.host, port=base.port, user=base.user, password=base.password, autocommit=True)
    except Exception as error:  # noqa: BLE001 - the bench runs without MariaDB too
        print(f"mariadb: skipped ({error})")
        return
    with conn.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}`")
    try:
        rate = asyncio.run(run(replace(base, database=name), args.bookings, args.workers))
        print(f"mariadb: {rate:7.0f} bookings/s ({args.bookings} bookings, {args.workers} concurrent workers)")
    finally:
        with conn.cursor() as cursor:
            cursor.execute(f"DROP DATABASE `{name}`")


if __name__ == "__main__":
    main()
