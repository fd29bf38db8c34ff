"""Not a benchmark: serves the grid bench's data and hits the busy grid for py-spy (`_*.py` is skipped by make bench).

    .venv/bin/python bench/_profile_grid.py [mysql|sqlite] SECONDS
"""
import asyncio, os, subprocess, sys, time

from _harness import BIN, Client, Server, database
from grid import SLUG, prepare


async def hammer(port, path, seconds):
    client = await Client(port).connect()
    stop = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < stop:
        status, _, _ = await client.request("GET", path, headers={"Accept-Encoding": "gzip"})
        assert status == 200, status
        n += 1
    await client.close()
    return n


def main():
    dialect, seconds = sys.argv[1], float(sys.argv[2])
    out = sys.argv[3] if len(sys.argv) > 3 else "/tmp/grid-profile.txt"
    with database(dialect, "gridprof") as url:
        busy, _ = asyncio.run(prepare(url))
        with Server(url) as server:
            path = f"/book/{SLUG}?provider={busy}"
            asyncio.run(hammer(server.port, path, 2))
            spy = subprocess.Popen([str(BIN / "py-spy"), "record", "-p", str(server.process.pid), "-d", str(int(seconds)),
                                    "-r", "250", "-f", "raw", "-o", out, "--nonblocking"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            n = asyncio.run(hammer(server.port, path, seconds))
            spy.wait()
            print(f"{n / seconds:.0f} grids/s")


if __name__ == "__main__":
    main()
