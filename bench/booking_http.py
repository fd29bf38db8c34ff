"""Booking POSTs over HTTP against `grihaseva serve` (production mode), beside the raw floor.

    .venv/bin/python bench/booking_http.py [--bookings 600] [--providers 40] [--dialects mysql,sqlite]

For each database, concurrency (8, 32) and worker count (1, 2): the floor first, a raw driver
loop of lock + overlap check + insert + commit at the same concurrency (aiomysql; aiosqlite with
BEGIN IMMEDIATE), then the app: logged-in customers POST /book/<slug> for many providers (one
customer per provider), each answer a 303. Prints bookings per second, the ratio to the floor,
latency, the server's CPU time per booking (its mail sent included), and checks afterwards that no two active bookings
of a provider overlap (the whole table). Target: >= 25 % of the floor, <= 4 ms CPU per booking.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import datetime, time as wall, timedelta, timezone

from _harness import (Client, Server, database, header, mysql_available, make_providers, make_users, open_db, stats)

from grihaseva.booking import slots
from grihaseva.config import Settings

SLUG = "tap-leak-repair"
DETAILS = {"address": "12 MG Road, Indiranagar, Bengaluru", "phone": "+91 99000 12345", "notes": ""}


def bookable_hours(first: datetime, count: int) -> list[datetime]:
    """Whole UTC hours from `first` that a round-the-clock Kolkata provider can take for 1 hour."""
    avail = slots.Availability(weekly={d: [(wall(0), wall(23, 59))] for d in range(7)}, tz="Asia/Kolkata",
                               buffer=timedelta(0), min_notice=timedelta(0), window=timedelta(days=30))
    hours, start = [], first
    while len(hours) < count:
        if slots.why_not_bookable(avail, [], timedelta(hours=1), start, first) is None:
            hours.append(start)
        start += timedelta(hours=1)
    return hours


async def floor(url, jobs, concurrency: int) -> tuple[float, float]:
    """The raw loop: lock the provider, check overlap, insert, commit; (bookings per second, CPU
    seconds of this process per booking: the driver's own cost of its four statements)."""
    queue = list(jobs)
    if url.dialect == "mysql":
        import aiomysql

        pool = await aiomysql.create_pool(host=url.host, port=url.port, user=url.user, password=url.password,
                                          db=url.database, minsize=concurrency, maxsize=concurrency, autocommit=False)

        async def one(provider, customer, start):
            async with pool.acquire() as conn, conn.cursor() as cursor:
                await cursor.execute("SELECT user_id FROM providers WHERE user_id = %s FOR UPDATE", (provider,))
                await cursor.execute("SELECT COUNT(*) FROM bookings WHERE provider_id = %s AND status <> 'cancelled' "
                                     "AND starts_at < %s AND ends_at > %s", (provider, start + timedelta(hours=1), start))
                (clash,) = await cursor.fetchone()
                if not clash:
                    await cursor.execute(
                        "INSERT INTO bookings (customer_id, provider_id, service_id, starts_at, ends_at, status, address, phone,"
                        " notes, price_paise, created_at, updated_at) VALUES (%s, %s, 1, %s, %s, 'confirmed', 'a', 'p', '', 1,"
                        " %s, %s)", (customer, provider, start, start + timedelta(hours=1), start, start))
                await conn.commit()
        close = pool.close
    else:
        import aiosqlite

        conn = await aiosqlite.connect(url.path, isolation_level=None)
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=NORMAL")
        lock = asyncio.Lock()

        async def one(provider, customer, start):
            async with lock:
                await conn.execute("BEGIN IMMEDIATE")
                cursor = await conn.execute("SELECT COUNT(*) FROM bookings WHERE provider_id = ? AND status <> 'cancelled' "
                                            "AND starts_at < ? AND ends_at > ?",
                                            (provider, str(start + timedelta(hours=1)), str(start)))
                (clash,) = await cursor.fetchone()
                if not clash:
                    await conn.execute(
                        "INSERT INTO bookings (customer_id, provider_id, service_id, starts_at, ends_at, status, address, phone,"
                        " notes, price_paise, created_at, updated_at) VALUES (?, ?, 1, ?, ?, 'confirmed', 'a', 'p', '', 1, ?, ?)",
                        (customer, provider, str(start), str(start + timedelta(hours=1)), str(start), str(start)))
                await conn.execute("COMMIT")

        async def close():
            await conn.close()

    async def worker():
        while queue:
            await one(*queue.pop())

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    result = close()
    if asyncio.iscoroutine(result):
        await result
    return len(jobs) / elapsed, cpu / len(jobs)


async def app_run(server: Server, sessions: dict, jobs, concurrency: int, url=None) -> tuple[float, list[float], float]:
    """(bookings per second, latencies, server CPU seconds per booking). With `url`, the CPU is read
    once the server's mail sender has sent the bookings' mail (it may lag behind a burst), so each
    booking's CPU includes its two mails."""
    queue = list(reversed(jobs))
    latencies: list[float] = []
    clients = [await Client(server.port).connect() for _ in range(concurrency)]

    async def worker(client: Client):
        while queue:
            provider, customer, start = queue.pop()
            cookies, token = sessions[customer]
            # A copy: the answer's session cookie carries the confirmation's flash, which the
            # browser's next page (the 303's target) takes out again; kept, every further POST
            # of the customer would carry all earlier flashes (dozens per run, unlike a browser).
            client.cookies = dict(cookies)
            began = time.perf_counter()
            status, headers, _ = await client.request("POST", f"/book/{SLUG}", {
                "csrf_token": token, "provider": str(provider), "slot": slots.slot_token(start), **DETAILS})
            latencies.append(time.perf_counter() - began)
            assert status == 303 and "/bookings/" in headers.get("location", ""), (status, headers)

    cpu = server.cpu_seconds()
    started = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in clients))
    elapsed = time.perf_counter() - started
    for client in clients:
        await client.close()
    if url is not None:
        await mail_drained(url)
    cpu = server.cpu_seconds() - cpu
    return len(jobs) / elapsed, latencies, cpu / len(jobs)


async def mail_drained(url, timeout: float = 120) -> None:
    """Returns once no mail is queued or being sent (polled from here, not through the server)."""
    db = await open_db(url)
    try:
        deadline = time.monotonic() + timeout
        while await db.fetch_value("SELECT COUNT(*) AS n FROM mail_outbox WHERE status IN ('queued', 'sending')"):
            if time.monotonic() > deadline:
                raise RuntimeError("the mail sender did not catch up")
            await asyncio.sleep(0.05)
    finally:
        await db.close()


async def prepare(url, providers: int):
    from grihaseva.demo.seed import seed_demo

    db = await open_db(url)
    await seed_demo(db, Settings(database=url, secret_key="x" * 40, bcrypt_rounds=4))
    provider_ids = await make_providers(db, providers)
    customer_ids = await make_users(db, providers, "customer")
    await db.close()
    return list(zip(provider_ids, customer_ids))


async def sessions_for(server: Server, customers) -> dict:
    sessions = {}
    client = await Client(server.port).connect()
    for n, customer in enumerate(customers):
        client.cookies = {}
        token = await client.log_in(f"bench-customer{n}@example.com")
        sessions[customer] = (dict(client.cookies), token)
    await client.close()
    return sessions


async def overlaps(url) -> int:
    db = await open_db(url)
    try:
        return len(await db.fetch_all("select_overlapping_active_pairs"))
    finally:
        await db.close()


def bench(dialect: str, bookings: int, providers: int) -> None:
    with database(dialect, "booking") as url:
        pairs = asyncio.run(prepare(url, providers))
        first = (datetime.now(timezone.utc) + timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
        per_provider = -(-bookings // providers)
        hours = bookable_hours(first, per_provider * 5)
        far = bookable_hours(first + timedelta(days=400), per_provider * 5)
        rounds = 0
        for workers in (1, 2):
            server = Server(url, workers=workers)
            server.start()
            try:
                sessions = asyncio.run(sessions_for(server, [c for _, c in pairs]))
                for concurrency in (8, 32):
                    span = slice(rounds * per_provider, (rounds + 1) * per_provider)
                    rounds += 1
                    jobs = [(p, c, start) for start in hours[span] for p, c in pairs][:bookings]
                    floor_jobs = [(p, c, start) for start in far[span] for p, c in pairs][:bookings]
                    floor_rate, floor_cpu = asyncio.run(floor(url, floor_jobs, concurrency))
                    asyncio.run(_delete_floor_rows(url, far[0]))
                    rate, latencies, cpu = asyncio.run(app_run(server, sessions, jobs, concurrency, url))
                    clashes = asyncio.run(overlaps(url))
                    print(f"{dialect:7} workers={workers} c={concurrency:<3} floor {floor_rate:6.0f}/s  app {rate:6.0f}/s"
                          f"  = {rate / floor_rate:5.1%} of floor  latency {stats(latencies)}"
                          f"  server CPU {cpu * 1000:5.2f} ms/booking (floor's own CPU {floor_cpu * 1000:4.2f} ms,"
                          f" {floor_cpu * 250:4.2f} ms a statement)  overlapping pairs: {clashes}", flush=True)
                    assert clashes == 0
                    if workers == 1:
                        bare_rate, bare_cpu = framework_floor(concurrency)
                        print(f"{dialect:7} bare Quart POST -> 303 (bench/_bare_quart.py), c={concurrency:<3} {bare_rate:6.0f}/s"
                              f"  CPU {bare_cpu * 1000:5.2f} ms/request: the framework's floor", flush=True)
            finally:
                server.stop()


def framework_floor(concurrency: int, requests: int = 600) -> tuple[float, float]:
    """(requests per second, CPU per request) of bench/_bare_quart.py: Quart and hypercorn alone."""
    from _harness import bare_hypercorn, tree_cpu_seconds

    with bare_hypercorn("bench._bare_quart:app") as (port, process):
        async def run() -> float:
            clients = [await Client(port).connect() for _ in range(concurrency)]
            left = [requests]

            async def worker(client):
                while left[0] > 0:
                    left[0] -= 1
                    status, _, _ = await client.request("POST", f"/book/{SLUG}", {"slot": "x", **DETAILS})
                    assert status == 303, status
            started = time.perf_counter()
            await asyncio.gather(*(worker(c) for c in clients))
            elapsed = time.perf_counter() - started
            for client in clients:
                await client.close()
            return requests / elapsed

        asyncio.run(run())  # warm up
        before = tree_cpu_seconds(process.pid)
        rate = asyncio.run(run())
        return rate, (tree_cpu_seconds(process.pid) - before) / requests


async def _delete_floor_rows(url, since: datetime) -> None:
    db = await open_db(url)
    try:
        await db.execute("DELETE FROM bookings WHERE starts_at >= :since", {"since": since})
    finally:
        await db.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bookings", type=int, default=600)
    parser.add_argument("--providers", type=int, default=40)
    parser.add_argument("--dialects", default="mysql,sqlite")
    args = parser.parse_args()
    header("booking POST over HTTP beside the raw driver floor")
    for dialect in args.dialects.split(","):
        if dialect == "mysql" and (why := mysql_available()):
            print(f"mysql: skipped ({why})")
            continue
        bench(dialect, args.bookings, args.providers)


if __name__ == "__main__":
    main()
