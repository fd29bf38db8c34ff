"""The week grid of a provider with 5,000 bookings beside the grid of a provider with none.

    .venv/bin/python bench/grid.py [--requests 200] [--dialects mysql,sqlite]

Over HTTP against `grihaseva serve` (production mode, one process). Two providers offer the
service; one has 5,000 bookings (a year of history, and this week's slots half taken), the
other none. Each grid is fetched `--requests` times one after another: most answers come
from the schedule cache, so a second round is made with a change for the provider before
every request (an event from another process, which the broadcaster reads within its poll),
to show the cost of a grid computed afresh. Target: p95 <= 15 ms for the busy grid.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import datetime, timedelta, timezone

from _harness import Client, Server, database, header, make_providers, make_users, mysql_available, open_db, pct, stats

from grihaseva.config import Settings

SLUG = "tap-leak-repair"
BOOKINGS = 5000


async def prepare(url) -> tuple[int, int]:
    from grihaseva.booking import domain
    from grihaseva.demo.seed import seed_demo

    db = await open_db(url)
    await seed_demo(db, Settings(database=url, secret_key="x" * 40, bcrypt_rounds=4))
    busy, idle = await make_providers(db, 2)
    [customer] = await make_users(db, 1, "customer")
    service = await domain.active_service(db, SLUG)
    now = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    first = now - timedelta(hours=BOOKINGS - 80)  # the last 80 are this week's and next, every other hour
    rows = []
    for n in range(BOOKINGS):
        start = first + timedelta(hours=n) if n < BOOKINGS - 80 else now + timedelta(hours=2 * (n - BOOKINGS + 80) + 3)
        rows.append({"customer_id": customer, "provider_id": busy, "service_id": service.id, "starts_at": start,
                     "ends_at": start + timedelta(hours=1), "price_paise": 34900, "now": now,
                     "address": "12 MG Road, Bengaluru", "phone": "+91 99000 12345", "notes": ""})
    for start in range(0, len(rows), 500):
        async with db.transaction() as tx:
            for row in rows[start:start + 500]:
                await tx.execute("insert_booking", row)
    await db.close()
    return busy, idle


async def latencies(port: int, path: str, count: int, url=None, provider: int | None = None) -> list[float]:
    """`count` GETs of `path`; with `url`, an event for `provider` is committed from this
    process (another one than the server's) before each, and the server given time to read it."""
    from grihaseva.events import publish

    db = await open_db(url) if url is not None else None
    client = await Client(port).connect()
    measured = []
    try:
        for _ in range(count):
            if db is not None:
                async with db.transaction() as tx:
                    await publish(tx, f"slots:{provider}", "availability", {"provider_id": provider}, datetime.now(timezone.utc))
                await asyncio.sleep(0.3)  # the server's broadcaster polls every 0.2 s
            began = time.perf_counter()
            status, _, body = await client.request("GET", path)
            measured.append(time.perf_counter() - began)
            assert status == 200 and b'class="slot' in body, status
    finally:
        await client.close()
        if db is not None:
            await db.close()
    return measured


def bench(dialect: str, requests: int) -> None:
    with database(dialect, "grid") as url:
        busy, idle = asyncio.run(prepare(url))
        with Server(url) as server:
            paths = {who: f"/book/{SLUG}?provider={pid}" for who, pid in (("5,000 bookings", busy), ("no bookings", idle))}
            for path in paths.values():
                asyncio.run(latencies(server.port, path, 20))  # warm up
            results = {who: asyncio.run(latencies(server.port, path, requests)) for who, path in paths.items()}
            fresh = {who: asyncio.run(latencies(server.port, path, max(20, requests // 5), url, pid))
                     for (who, path), pid in zip(paths.items(), (busy, idle))}
    for who in paths:
        print(f"{dialect:7} grid, provider with {who:15} {stats(results[who])}")
    for who in paths:
        print(f"{dialect:7} grid, provider with {who:15} computed afresh after a change: {stats(fresh[who])}")
    busy_p95, idle_p50 = pct(results["5,000 bookings"], 95), pct(results["no bookings"], 50)
    print(f"{dialect:7} busy p95 / empty p50 = {busy_p95 / idle_p50:.2f}; busy p95 {busy_p95 * 1000:.1f} ms (target <= 15 ms)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--dialects", default="mysql,sqlite")
    args = parser.parse_args()
    header("week grid of a provider with 5,000 bookings")
    for dialect in args.dialects.split(","):
        if dialect == "mysql" and (why := mysql_available()):
            print(f"mysql: skipped ({why})")
            continue
        bench(dialect, args.requests)


if __name__ == "__main__":
    main()
