"""Commit to SSE frame latency in one process, and the bytes a phone needs to make the grid live.

    .venv/bin/python bench/live.py [--changes 60]

Over HTTP against `grihaseva serve` (production mode, one process, MariaDB or else SQLite):
a page of the slot grid is loaded and its stream opened from the event id the page carries;
then a customer books the watched provider's slots one by one. For each booking, the time from
the POST being sent to the frame arriving (an upper bound on commit -> frame, since the commit
is inside the POST) and from the POST's answer to the frame (a lower bound) are recorded, and
the commit itself as another connection sees it: a poller in this process counts the provider's
bookings in a loop on its own connection (a read each 0.3-1 ms), and the time from the count
changing to the frame arriving is commit -> frame, to within one poll.
A booking's frame is the booked day's part of the grid (`slots-day`: its chip and, when shown,
its times), see ARCHITECTURE.md. The floor: rendering the grid alone (an htmx GET of the grid
section, which is more than a part). Then the bytes: the
page (gzip) and what the stream sends in 3 s without a change.
Targets: p50 <= 20 ms, p99 <= 60 ms; the stream sends nothing until something changes.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import re
import time
from datetime import datetime, timedelta, timezone

from _harness import Client, Server, database, header, make_providers, make_users, mysql_available, open_db, pct, stats

from booking_http import DETAILS, bookable_hours
from grihaseva.booking import slots
from grihaseva.config import Settings

SLUG = "tap-leak-repair"


async def prepare(url) -> int:
    from grihaseva.demo.seed import seed_demo

    db = await open_db(url)
    await seed_demo(db, Settings(database=url, secret_key="x" * 40, bcrypt_rounds=4))
    [provider] = await make_providers(db, 1)
    await make_users(db, 1, "customer")
    await db.close()
    return provider


class CommitWatch:
    """Counts the provider's bookings in a loop on its own connection; `seen[n]` is when the
    count first reached n (the commit that made it so, as any other reader sees it)."""

    def __init__(self, db, provider: int):
        self.db, self.provider, self.seen, self.stop = db, provider, {}, False

    async def run(self) -> None:
        while not self.stop:
            n = await self.db.fetch_value("SELECT COUNT(*) FROM bookings WHERE provider_id = :p", {"p": self.provider})
            self.seen.setdefault(int(n), time.perf_counter())


async def measure(port: int, provider: int, changes: int, url):
    grid_path = f"/book/{SLUG}?provider={provider}"
    watcher = await Client(port).connect()
    _, _, page = await watcher.request("GET", grid_path)
    live = html.unescape(re.search(r'sse-connect="([^"]+)"', page.decode()).group(1))
    listener = await Client(port).connect()  # kept: a dropped client closes its connection
    stream = await listener.open_stream(live)
    buyer = await Client(port).connect()
    token = await buyer.log_in("bench-customer0@example.com")
    first = (datetime.now(timezone.utc) + timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    upper, lower, exact = [], [], []
    watch = CommitWatch(await open_db(url), provider)
    poller = asyncio.ensure_future(watch.run())
    await asyncio.sleep(0.1)
    for booked, start in enumerate(bookable_hours(first, changes), start=1):
        frame = asyncio.ensure_future(stream.frame())
        sent = time.perf_counter()
        status, _, body = await buyer.request("POST", f"/book/{SLUG}", {"csrf_token": token, "provider": str(provider),
                                                                   "slot": slots.slot_token(start), **DETAILS})
        answered = time.perf_counter()
        assert status == 303, (status, re.findall(rb"<p class=\"error[^>]*>([^<]+)", body))
        await frame
        arrived = time.perf_counter()
        upper.append(arrived - sent)
        lower.append(max(0.0, arrived - answered))
        committed = watch.seen.get(booked)
        if committed is not None:  # the poller's read may not have come round before the frame
            exact.append(max(0.0, arrived - committed))
        await asyncio.sleep(0.05)
    watch.stop = True
    await poller
    await watch.db.close()
    render = []
    for _ in range(changes):
        began = time.perf_counter()
        await watcher.request("GET", grid_path, headers={"HX-Request": "true"})
        render.append(time.perf_counter() - began)
    return upper, lower, exact, render


async def page_weight(port: int, provider: int) -> tuple[int, int]:
    client = await Client(port).connect()
    _, headers, page = await client.request("GET", f"/book/{SLUG}?provider={provider}", headers={"Accept-Encoding": "gzip"})
    import gzip

    live = html.unescape(re.search(r'sse-connect="([^"]+)"', gzip.decompress(page).decode()).group(1))
    listener = await Client(port).connect()
    stream = await listener.open_stream(live, headers={"Accept-Encoding": "gzip"})
    try:
        await asyncio.wait_for(stream.frame(), 3.0)
    except asyncio.TimeoutError:
        pass
    await listener.close()
    await client.close()
    return len(page), stream.bytes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--changes", type=int, default=60)
    args = parser.parse_args()
    header("commit -> SSE frame, one process; bytes to make the grid live")
    dialect = "mysql" if mysql_available() is None else "sqlite"
    with database(dialect, "live") as url:
        provider = asyncio.run(prepare(url))
        with Server(url) as server:
            asyncio.run(page_weight(server.port, provider))  # warm up
            page_bytes, stream_bytes = asyncio.run(page_weight(server.port, provider))
            upper, lower, exact, render = asyncio.run(measure(server.port, provider, args.changes, url))
    print(f"{dialect} POST sent -> frame (upper bound): {stats(upper)}")
    print(f"{dialect} POST answered -> frame (lower bound): {stats(lower)}")
    print(f"{dialect} commit seen by another connection -> frame: {stats(exact)} "
          f"({args.changes - len(exact)} frames came before the poller's next read)")
    print(f"{dialect} fragment render alone (htmx GET of the grid): {stats(render)}")
    print(f"{dialect} upper-bound p50 / render p50 = {pct(upper, 50) / pct(render, 50):.2f}")
    print(f"{dialect} lower-bound p50 / render p50 = {pct(lower, 50) / pct(render, 50):.2f}, "
          f"p99 / render p99 = {pct(lower, 99) / pct(render, 99):.2f}")
    print(f"{dialect} bytes to make the grid live: page {page_bytes:,} (gzip) + stream {stream_bytes:,} in 3 s without a change")


if __name__ == "__main__":
    main()
