"""Not a benchmark: /healthz under load for py-spy (`_*.py` is skipped by make bench).

    .venv/bin/python bench/_profile_healthz.py SECONDS OUT
"""
import asyncio, subprocess, sys

from _harness import BIN, Server, database, mysql_available
from healthz import load


def main():
    seconds, out = float(sys.argv[1]), sys.argv[2]
    dialect = "mysql" if mysql_available() is None else "sqlite"
    with database(dialect, "hzprof") as url:
        server = Server(url)
        server.run("migrate")
        with server:
            spy = subprocess.Popen([str(BIN / "py-spy"), "record", "-p", str(server.process.pid), "-d", str(int(seconds)),
                                    "-r", "250", "-f", "raw", "-o", out, "--nonblocking"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            rate = asyncio.run(load(server.port, "/healthz", seconds, 16))
            spy.wait()
            print(f"{rate:.0f} requests/s")


if __name__ == "__main__":
    main()
