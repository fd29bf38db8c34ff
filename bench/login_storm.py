"""A cheap page's latency alone and while 20 logins (bcrypt cost 12) run at once, over HTTP.

    .venv/bin/python bench/login_storm.py [--requests 300] [--workers 1]

`grihaseva serve` in production mode on MariaDB (SQLite when it is not reachable), one process
unless --workers says otherwise. First `/` is fetched alone (one request at a time: the floor),
then again while 20 clients log in over and over, each as its own account. Prints p50/p95/p99
of both and their ratio. Target: p99 during the storm within 2x of idle, and <= 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from _harness import Client, Server, database, header, make_users, mysql_available, open_db, stats, pct

from grihaseva.config import Settings

LOGINS = 20


async def prepare(url) -> None:
    from grihaseva.demo.seed import seed_demo

    db = await open_db(url)
    await seed_demo(db, Settings(database=url, secret_key="x" * 40, bcrypt_rounds=4))
    await make_users(db, LOGINS, "customer", rounds=12, prefix="storm")
    await db.close()


async def page_latencies(port: int, count: int) -> list[float]:
    client = await Client(port).connect()
    latencies = []
    for _ in range(count):
        began = time.perf_counter()
        status, _, _ = await client.request("GET", "/")
        latencies.append(time.perf_counter() - began)
        assert status == 200
        await asyncio.sleep(0.005)  # a page view now and then, not a flood
    await client.close()
    return latencies


async def storm(port: int, count: int) -> tuple[list[float], int]:
    stop = asyncio.Event()
    logins = 0

    async def log_in_again_and_again(n: int):
        nonlocal logins
        client = await Client(port).connect()
        _, _, body = await client.request("GET", "/login", headers={"X-Forwarded-For": f"10.0.0.{n + 1}"})
        token = body.split(b'name="csrf_token" value="', 1)[1].split(b'"', 1)[0].decode()
        visitor = dict(client.cookies)  # each login starts from the logged-out visitor (a login replaces the token)
        while not stop.is_set():
            client.cookies = dict(visitor)
            status, _, _ = await client.request("POST", "/login", {"csrf_token": token, "email": f"storm-customer{n}@example.com",
                                                                   "password": "bench-pass-123"},
                                                headers={"X-Forwarded-For": f"10.0.0.{n + 1}"})
            assert status == 303, status
            logins += 1
        await client.close()

    loggers = [asyncio.create_task(log_in_again_and_again(n)) for n in range(LOGINS)]
    await asyncio.sleep(1.0)  # every login is under way
    latencies = await page_latencies(port, count)
    stop.set()
    await asyncio.gather(*loggers)
    return latencies, logins


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    header(f"GET / alone and during {LOGINS} concurrent logins at bcrypt cost 12")
    dialect = "mysql" if mysql_available() is None else "sqlite"
    with database(dialect, "storm") as url:
        asyncio.run(prepare(url))
        # Behind one proxy hop, so each login client is its own address (the login throttle
        # allows 5 attempts in flight per address).
        with Server(url, workers=args.workers, rounds=12, env={"GRIHASEVA_PROXY_HOPS": "1"}) as server:
            asyncio.run(page_latencies(server.port, 30))  # warm up
            idle = asyncio.run(page_latencies(server.port, args.requests))
            started = time.perf_counter()
            busy, logins = asyncio.run(storm(server.port, args.requests))
            elapsed = time.perf_counter() - started
    print(f"{dialect} workers={args.workers}  idle:        {stats(idle)}")
    print(f"{dialect} workers={args.workers}  20 logins:   {stats(busy)}  ({logins} logins done, {logins / elapsed:.1f}/s)")
    print(f"p99 during the storm / p99 idle = {pct(busy, 99) / pct(idle, 99):.2f}  (target <= 2, and p99 <= 100 ms)")


if __name__ == "__main__":
    main()
