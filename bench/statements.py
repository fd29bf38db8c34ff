"""Statements sent to MariaDB per booking, counted with its own Com_* status counters.

    .venv/bin/python bench/statements.py [--bookings 200]

The app runs in this process (Quart's test client: the whole request path, session lookup and
CSRF included, without hypercorn, which sends no SQL) on a pool of a fixed 4 connections, whose
SESSION status counters are read before and after; the floor is the raw loop of lock + overlap
check + insert + commit, counted the same way. Target: <= 12 per booking POST.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from datetime import datetime, timedelta, timezone

from _harness import PASSWORD, database, header, make_providers, make_users, mysql_available, open_db, page_token

from booking_http import DETAILS, SLUG, bookable_hours
from grihaseva.booking import slots
from grihaseva.config import Settings

POOL = 4
SKIP = {"Com_show_status"}  # the counting itself


async def session_counters(db) -> dict[str, int]:
    """Com_* of every pooled connection, summed (all POOL held at once, so each is read once)."""
    conns = [await db.pool.acquire() for _ in range(POOL)]
    totals: dict[str, int] = {}
    try:
        for conn in conns:
            async with conn.cursor() as cursor:
                await cursor.execute("SHOW SESSION STATUS LIKE 'Com\\_%%'")
                for name, value in await cursor.fetchall():
                    totals[name] = totals.get(name, 0) + int(value)
    finally:
        for conn in conns:
            db.pool.release(conn)
    return totals


def delta(before: dict, after: dict) -> dict[str, int]:
    return {k: after[k] - before.get(k, 0) for k in after if k not in SKIP and after[k] != before.get(k, 0)}


async def run(url, bookings: int) -> None:
    from grihaseva.app import create_app
    from grihaseva.demo.seed import seed_demo

    settings = Settings(database=url, secret_key="s" * 40, bcrypt_rounds=4, env="development",  # plain-HTTP cookies
                        booking_cap_upcoming=1000, booking_cap_per_provider=1000, booking_cap_new_account=1000)
    db = await open_db(url)
    await seed_demo(db, settings)
    providers = await make_providers(db, 20)
    customers = await make_users(db, 20, "customer")
    await db.close()

    app = create_app(settings)
    logging.getLogger("grihaseva.mail").setLevel(logging.WARNING)  # no SMTP host: each mail would be printed
    app.db.minsize = app.db.maxsize = POOL
    app.config["MAIL_SENDER_AUTOSTART"] = False  # the sender's statements are not the booking's
    app.config["HOUSEKEEPING_AUTOSTART"] = False
    async with app.test_app():
        await app.broadcaster.stop()  # the event tailer's reads are not the booking's
        clients = []
        for n in range(len(customers)):
            client = app.test_client()
            page = await (await client.get("/login")).get_data(as_text=True)
            token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            response = await client.post("/login", form={"csrf_token": token, "email": f"bench-customer{n}@example.com",
                                                         "password": PASSWORD})
            assert response.status_code == 303
            page = await (await client.get("/account")).get_data()
            clients.append((client, page_token(page)))  # a login replaces the token
        first = (datetime.now(timezone.utc) + timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
        hours = bookable_hours(first, -(-bookings // len(providers)))
        jobs = [(n, start) for start in hours for n in range(len(providers))][:bookings]
        before = await session_counters(app.db)
        for n, start in jobs:
            client, token = clients[n]
            response = await client.post(f"/book/{SLUG}", form={"csrf_token": token, "provider": str(providers[n]),
                                                               "slot": slots.slot_token(start), **DETAILS})
            assert response.status_code == 303 and "/bookings/" in response.headers["Location"], response.status_code
        after = await session_counters(app.db)
        sent = delta(before, after)
        total = sum(sent.values())
        print(f"app booking POST: {total / len(jobs):5.2f} statements per booking  ("
              + ", ".join(f"{k[4:]} {v / len(jobs):.2f}" for k, v in sorted(sent.items()))
              + f"; {len(jobs)} bookings)")
        # The same again, each booking's two mails then delivered (to the log) by the sender, one
        # round per booking: the most the mail adds, since under load a round takes several bookings'.
        later = bookable_hours(hours[-1] + timedelta(hours=1), 10)
        more = [(n, start) for start in later for n in range(len(providers))][:100]
        while await app.mail_sender.run_once():  # the first bookings' mail, delivered uncounted
            pass
        before = await session_counters(app.db)
        for n, start in more:
            client, token = clients[n]
            response = await client.post(f"/book/{SLUG}", form={"csrf_token": token, "provider": str(providers[n]),
                                                               "slot": slots.slot_token(start), **DETAILS})
            assert response.status_code == 303, response.status_code
            assert await app.mail_sender.run_once() == 2
        sent = delta(before, await session_counters(app.db))
        print(f"app booking POST and its mail: {sum(sent.values()) / len(more):5.2f} statements per booking  ("
              + ", ".join(f"{k[4:]} {v / len(more):.2f}" for k, v in sorted(sent.items())) + f"; {len(more)} bookings)")

    # The floor, counted the same way on one connection.
    far = bookable_hours(first + timedelta(days=400), 10)
    rate_jobs = [(providers[n], customers[n], start) for start in far for n in range(len(providers))][:200]
    counted = await _counted_floor(url, rate_jobs)
    print(f"floor (raw lock + overlap check + insert + commit): {counted:5.2f} statements per booking")


async def _counted_floor(url, jobs) -> float:
    import aiomysql

    conn = await aiomysql.connect(host=url.host, port=url.port, user=url.user, password=url.password,
                                  db=url.database, autocommit=False)

    async def counters():
        async with conn.cursor() as cursor:
            await cursor.execute("SHOW SESSION STATUS LIKE 'Com\\_%%'")
            return {name: int(value) for name, value in await cursor.fetchall()}

    before = await counters()
    for provider, customer, start in jobs:
        async with conn.cursor() as cursor:
            await cursor.execute("SELECT user_id FROM providers WHERE user_id = %s FOR UPDATE", (provider,))
            await cursor.execute("SELECT COUNT(*) FROM bookings WHERE provider_id = %s AND status <> 'cancelled' "
                                 "AND starts_at < %s AND ends_at > %s", (provider, start + timedelta(hours=1), start))
            await cursor.execute(
                "INSERT INTO bookings (customer_id, provider_id, service_id, starts_at, ends_at, status, address, phone,"
                " notes, price_paise, created_at, updated_at) VALUES (%s, %s, 1, %s, %s, 'confirmed', 'a', 'p', '', 1,"
                " %s, %s)", (customer, provider, start, start + timedelta(hours=1), start, start))
        await conn.commit()
    after = await counters()
    conn.close()
    return sum(delta(before, after).values()) / len(jobs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bookings", type=int, default=200)
    args = parser.parse_args()
    header("statements per booking (MariaDB Com_* session counters)")
    if why := mysql_available():
        print(f"mysql: skipped ({why})")
        return
    with database("mysql", "statements") as url:
        asyncio.run(run(url, args.bookings))


if __name__ == "__main__":
    main()
