"""`/healthz` requests per second beside a bare hypercorn ASGI app, both over keep-alive HTTP.

    .venv/bin/python bench/healthz.py [--seconds 8] [--connections 16]

The ceiling: hypercorn serving bench/_bare_app.py (one process, no access log). Then
`grihaseva serve` (production mode, one process, MariaDB or else SQLite, its access log to a
file as usual) answering /healthz, both running throughout and loaded in alternate half-second
turns, so that both meet the same load from the rest of a shared machine. Target: >= 60 % of
the bare app.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

TURN = 0.5  # seconds of load on one server before the other's turn

from _harness import Client, Server, bare_hypercorn, database, header, mysql_available


async def load(port: int, path: str, seconds: float, connections: int) -> float:
    done = 0
    stop = time.perf_counter() + seconds

    async def one():
        nonlocal done
        client = await Client(port).connect()
        while time.perf_counter() < stop:
            status, _, _ = await client.request("GET", path)
            assert status == 200, status
            done += 1
        await client.close()

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(connections)))
    return done / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8, help=f"for each of the two, in turns of {TURN} s")
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    header("/healthz beside a bare hypercorn app")
    dialect = "mysql" if mysql_available() is None else "sqlite"
    with database(dialect, "healthz") as url:
        server = Server(url)
        server.run("migrate")
        with server, bare_hypercorn("bench._bare_app:app") as (bare_port, _):
            asyncio.run(load(bare_port, "/", 1, args.connections))
            asyncio.run(load(server.port, "/healthz", 1, args.connections))
            # Short alternate turns, so both meet the same load from the rest of the machine.
            ceilings, rates = [], []
            for _ in range(max(1, int(args.seconds / TURN))):
                ceilings.append(asyncio.run(load(bare_port, "/", TURN, args.connections)))
                rates.append(asyncio.run(load(server.port, "/healthz", TURN, args.connections)))
    ceiling, rate = statistics.mean(ceilings), statistics.mean(rates)
    turns = sorted(r / c for r, c in zip(rates, ceilings))
    print(f"bare hypercorn app: {ceiling:6.0f} requests/s ({args.connections} connections, {len(ceilings)} turns of {TURN} s)")
    print(f"{dialect} /healthz:     {rate:6.0f} requests/s = {rate / ceiling:.0%} of bare hypercorn (target >= 60 %);"
          f" turn by turn {turns[0]:.0%}-{turns[-1]:.0%}, median {statistics.median(turns):.0%}")

if __name__ == "__main__":
    main()
