"""Live fan-out: N readers of one post's reaction stream, one reaction toggled over HTTP.

    .venv/bin/python bench/fanout.py [--readers 200 1000 2000] [--rounds 5]
    .venv/bin/python bench/fanout.py --across [--events 75]       # a change on A, read on B
    .venv/bin/python bench/fanout.py --pushpin 5000               # through nginx + Pushpin

Fan-out: one `grihaseva serve` process (SQLite, demo data), N raw EventSource connections from
this process; for each round the time from sending the toggle to each reader's frame, and the
server's RSS growth per open stream (VmRSS from /proc/<pid>/status). Beside it, the framework's
floor measured the same way in the same run: N streams of bench/_bare_sse.py (hypercorn and Quart
alone), and the ratio of the two.

Across (`--across`): two processes on MariaDB (GRIHASEVA_BENCH_MYSQL_URL), a reaction toggled
through A, the reader on B; with Redis wake-ups (the machine's Redis, on a channel of the
bench's own; see tests/helpers_redis.py) and with the poll only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("GRIHASEVA_BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306/grihaseva_bench")

from tests.helpers_live import POST_SLUG, Browser  # noqa: E402
from tests.helpers_server import LiveServer, free_port  # noqa: E402

ID = re.compile(rb"\nid: (\d+)\n")
ACCOUNTS = ["customer@example.com", "rahul@example.com", "admin@example.com"]


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


class Reader:
    """One EventSource: remembers the newest id seen and when each id first arrived.

    Like a browser's EventSource, a stream that ends is opened again after the `retry` the app
    sends (1 s) with `Last-Event-ID`; each such end is kept in `ends` (seconds after that
    stream opened, bytes it brought, the last of them), so a bench can say how many there were.
    The bytes are read by an asyncio Protocol, not a StreamReader and a task woken per read:
    thousands of readers in this one process share its core with the servers measured."""

    RETRY_SECONDS = 1.0

    def __init__(self):
        self.newest = 0
        self.arrived: dict[int, float] = {}
        self.ready = asyncio.Event()
        self.task: asyncio.Task | None = None
        self.transport: asyncio.Transport | None = None
        self.status = ""
        self.ends: list[tuple[float, int, bytes]] = []  # (seconds open, bytes received, the last of them)
        self.local_port = 0  # of the current connection, to find it in nginx's and Pushpin's logs

    @property
    def ended(self) -> bool:
        return bool(self.ends)

    async def run(self, port: int, path: str) -> None:
        loop = asyncio.get_running_loop()
        while True:
            stream = _Stream(self, path)
            await loop.create_connection(lambda: stream, "127.0.0.1", port)
            await stream.closed
            self.ends.append((time.monotonic() - stream.opened_at, stream.received, stream.last[-300:]))
            self.ready.set()
            await asyncio.sleep(self.RETRY_SECONDS)

    def seen(self, event_id: int, now: float) -> None:
        if event_id > self.newest:
            self.newest = event_id
            self.arrived.setdefault(event_id, now)

    def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
        if self.transport is not None:
            self.transport.close()


class _Stream(asyncio.Protocol):
    """One connection of a Reader: sends the GET, then finds each frame's `id:` as bytes arrive."""

    def __init__(self, owner: Reader, path: str):
        self.owner, self.path = owner, path
        self.closed = asyncio.get_running_loop().create_future()
        self.opened_at = time.monotonic()
        self.head: bytes | None = b""  # None once the response's headers are through
        self.tail = b""
        self.received = 0
        self.last = b""

    def connection_made(self, transport) -> None:
        self.owner.transport = transport
        self.owner.local_port = transport.get_extra_info("sockname")[1]
        resume = f"Last-Event-ID: {self.owner.newest}\r\n" if self.owner.newest else ""
        transport.write(f"GET {self.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n{resume}\r\n".encode())

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        self.received += len(data)
        self.last = (self.last + data)[-600:]
        if self.head is not None:
            self.head += data
            if b"\r\n\r\n" not in self.head:
                return
            head, data = self.head.split(b"\r\n\r\n", 1)
            self.owner.status = head.split(b"\r\n", 1)[0].decode()
            self.head = None
        tail = self.tail + data
        for found in ID.finditer(tail):
            self.owner.seen(int(found.group(1)), now)
        cut = tail.rfind(b"\n\n")
        self.tail = tail[cut:] if cut >= 0 else tail[-200_000:]
        self.owner.ready.set()

    def connection_lost(self, exc) -> None:
        if not self.closed.done():
            self.closed.set_result(None)


def describe_ends(readers: list[Reader]) -> str:
    ended = [(r, end) for r in readers for end in r.ends]
    if not ended:
        return "no stream ended"
    return f"{len(ended)} streams ended and were opened again: " + "; ".join(
        f"{r.status!r} after {seconds:.2f} s and {received:,} bytes" for r, (seconds, received, _last) in ended[:6])


async def open_readers(port: int, path: str, count: int) -> list[Reader]:
    readers = []
    for start in range(0, count, 100):  # in batches: hypercorn's listen backlog is 100
        batch = [Reader() for _ in range(min(100, count - start))]
        for reader in batch:
            reader.task = asyncio.create_task(reader.run(port, path))
        await asyncio.wait_for(asyncio.gather(*(r.ready.wait() for r in batch)), 60)
        readers += batch
    return readers


async def fanout(server: LiveServer, count: int, rounds: int, browsers: list[Browser]) -> dict:
    path = f"/blog/{POST_SLUG}/live"
    await asyncio.sleep(0.5)
    before = rss_kb(server.process.pid)
    readers = await open_readers(server.port, path, count)
    await asyncio.sleep(1.0)
    after = rss_kb(server.process.pid)
    latencies: list[float] = []
    cpu_before = cpu_seconds(server.process.pid)
    for n in range(rounds):
        browser = browsers[n % len(browsers)]
        known = max(r.newest for r in readers)
        started = time.monotonic()
        await asyncio.to_thread(browser.react, "helpful")  # flips it: always an event
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not all(r.newest > known for r in readers):
            await asyncio.sleep(0.005)
        new_id = min(r.newest for r in readers)
        latencies += [min(t for i, t in r.arrived.items() if i > known) - started for r in readers if r.newest > known]
        assert new_id > known, f"round {n}: not every reader got the frame"
        await asyncio.sleep(0.3)
    cpu = cpu_seconds(server.process.pid) - cpu_before - 0.3 * rounds * 0.01  # less the idle polls, roughly
    for reader in readers:
        reader.close()
    if any(r.ended for r in readers):
        print(f"{count:,} readers: {describe_ends(readers)}", flush=True)
    return {"readers": count, "p50": statistics.median(latencies), "p99": percentile(latencies, 0.99),
            "max": max(latencies), "kb_per_conn": (after - before) / count,
            "cpu_ms_per_reader": cpu * 1000 / (rounds * count)}


def serve_bare(bind: str) -> None:
    """The floor's server (in its own process): bench/_bare_sse.py under hypercorn, configured as
    `grihaseva serve` configures it (one process, hypercorn's defaults, no access log)."""
    import signal

    from hypercorn.asyncio import serve
    from hypercorn.config import Config

    from bench._bare_sse import app

    config = Config()
    config.bind = [bind]

    async def until_signal() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()

    asyncio.run(serve(app, config, shutdown_trigger=until_signal))


PREPARED = re.compile(r"chatbot: (loaded the kept classifiers|fitted the classifiers|.*understanding by rules only)")


async def prepared(*servers: LiveServer, timeout: float = 60.0) -> None:
    """Until each server has prepared its chatbot classifiers (a thread of its own at start-up,
    grihaseva/chatbot/nlu/learned.py, that loads tens of MB): measured before that, the RSS per
    connection would be the classifiers'."""
    deadline = time.monotonic() + timeout
    for server in servers:
        while not PREPARED.search(Path(server.log.name).read_text(errors="replace")):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{server.url} did not prepare its classifiers in {timeout:.0f} s")
            await asyncio.sleep(0.2)


def demo_server(var: Path, extra: dict | None = None, database_url: str | None = None, seed: bool = True) -> LiveServer:
    env = {"GRIHASEVA_DATABASE_URL": database_url or f"sqlite:///{var}/bench.db", "GRIHASEVA_VAR_DIR": str(var),
           "GRIHASEVA_SECRET_KEY": "b" * 40, **(extra or {})}
    server = LiveServer(env)
    if seed:
        server.run("migrate")
        server.run("seed-demo")
    return server


async def listening(port: int, process: subprocess.Popen, timeout: float, failed: Callable[[], str]) -> None:
    """Until `process` accepts connections on `port`; `failed()` says why when it exits or times out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(failed()) from None
            await asyncio.sleep(0.1)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:  # streams still open past hypercorn's graceful timeout
        process.kill()
        process.wait()


async def floor_kb_per_conn(count: int) -> float:
    """The framework's floor: RSS growth per open stream of bench/_bare_sse.py (hypercorn + Quart,
    a stream that sends one frame and waits), in a fresh process, measured like the app's."""
    port = free_port()
    process = subprocess.Popen([sys.executable, __file__, "--serve-bare", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        await listening(port, process, 30, lambda: "the floor's server did not start")
        await asyncio.sleep(0.5)
        before = rss_kb(process.pid)
        readers = await open_readers(port, "/stream", count)
        await asyncio.sleep(1.0)
        after = rss_kb(process.pid)
        for reader in readers:
            reader.close()
        return (after - before) / count
    finally:
        stop(process)


async def main_fanout(sizes: list[int], rounds: int) -> None:
    print(f"fan-out, one process, SQLite, {rounds} toggles per size; load average {os.getloadavg()[0]:.2f}")
    print("| readers | p50 | p99 | max | RSS per connection | floor (bare Quart stream) | app / floor "
          "| server CPU per reader per event |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for count in sizes:
        with tempfile.TemporaryDirectory() as tmp:  # a fresh process per size: RSS is not reused
            server = demo_server(Path(tmp)).start()
            try:
                await prepared(server)
                browsers = [Browser(server.url).log_in(email) for email in ACCOUNTS]
                await asyncio.to_thread(browsers[0].get, f"/blog/{POST_SLUG}")  # templates compiled
                result = await fanout(server, count, rounds, browsers)
            finally:
                server.stop()
        floor = await floor_kb_per_conn(count)
        print(f"| {count:,} | {result['p50'] * 1000:.0f} ms | {result['p99'] * 1000:.0f} ms | "
              f"{result['max'] * 1000:.0f} ms | {result['kb_per_conn']:.1f} KB | {floor:.1f} KB | "
              f"{result['kb_per_conn'] / floor:.2f} | {result['cpu_ms_per_reader']:.3f} ms |", flush=True)


# ---------------------------------------------------------------- through Pushpin


class _kept:
    def __init__(self, path: str):
        self.path = path

    def __enter__(self) -> str:
        Path(self.path).mkdir(parents=True, exist_ok=True)
        return self.path

    def __exit__(self, *exc) -> None:
        pass


def process_cpu(root_pids: list[int]) -> dict[str, float]:
    """CPU seconds (user + system) so far of these processes and all their descendants, by name."""
    parents: dict[int, int] = {}
    names: dict[int, str] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        pid = int(stat.parent.name)
        names[pid] = text[text.index("(") + 1:text.rindex(")")]
        parents[pid] = int(text.rsplit(")", 1)[1].split()[1])
    wanted = set(root_pids)
    grew = True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in wanted and pid not in wanted}
        wanted |= more
        grew = bool(more)
    totals: dict[str, float] = {}
    for pid in wanted:
        try:
            totals[names[pid]] = totals.get(names[pid], 0.0) + cpu_seconds(pid)
        except (OSError, KeyError):
            pass
    return totals


def pushpin_log_counts(pushpin_folder: Path, nginx_folder: Path) -> str:
    """What Pushpin and nginx said about streams they cut: condure 1.9.1 (Debian's, with Pushpin
    1.36) sends a connection's keep-alive to the proxy while the proxy hands the held stream to
    the handler; the handler then sees the next message out of sequence and cancels the stream,
    which nginx reports as an upstream that closed early (docs/SCALING.md)."""
    def count(path: Path, text: str) -> int:
        return path.read_text(errors="replace").count(text) if path.exists() else 0

    handler = count(pushpin_folder / "log" / "pushpin-handler.log", "received message out of sequence")
    nginx = count(nginx_folder / "nginx-error.log", "upstream prematurely closed")
    return f"Pushpin's handler cancelled {handler} for a message out of sequence, nginx saw {nginx} close early"


def nginx_pid(folder: Path) -> int:
    return int((folder / "nginx.pid").read_text().strip())


async def main_pushpin(count: int, rounds: int) -> None:
    from bench.cluster import cluster

    keep = os.environ.get("BENCH_KEEP_DIR")  # keep the set's logs there
    with (tempfile.TemporaryDirectory() if not keep else _kept(keep)) as tmp, \
            cluster(Path(tmp)) as (base, port, apps, pushpin):
        await prepared(*apps)
        browsers = [Browser(base).log_in(email) for email in ACCOUNTS]
        await asyncio.sleep(1.0)
        before = [rss_kb(app.process.pid) for app in apps]
        first = min(1000, count)  # the first thousand warm the processes up (hold requests served)
        readers = await open_readers(port, f"/blog/{POST_SLUG}/live", first)
        await asyncio.sleep(1.0)
        warm = [rss_kb(app.process.pid) for app in apps]
        readers += await open_readers(port, f"/blog/{POST_SLUG}/live", count - first)
        await asyncio.sleep(2.0)
        after = [rss_kb(app.process.pid) for app in apps]
        latencies: list[float] = []
        roots = [os.getpid(), nginx_pid(Path(tmp)), *(p.pid for p in pushpin.processes), *(a.process.pid for a in apps)]
        cpu_before = process_cpu(roots)
        for n in range(rounds):
            known = max(r.newest for r in readers)
            started = time.monotonic()
            await asyncio.to_thread(browsers[n % len(browsers)].react, "helpful")
            answered = time.monotonic()
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not all(r.newest > known for r in readers):
                await asyncio.sleep(0.005)
            got = [r for r in readers if r.newest > known]
            latencies += [min(t for i, t in r.arrived.items() if i > known) - started for r in got]
            missed = [r for r in readers if r.newest <= known]
            if missed:
                print(f"round {n}: {len(missed)} readers did not get the frame within 30 s: "
                      f"{sorted({(r.status, r.ended) for r in missed})}", flush=True)
            these = sorted(min(t for i, t in r.arrived.items() if i > known) - started for r in got)
            print(f"round {n}: toggle answered after {(answered - started) * 1000:.0f} ms; frame at the first reader "
                  f"{these[0] * 1000:.0f} ms, median {these[len(these) // 2] * 1000:.0f} ms, "
                  f"last {these[-1] * 1000:.0f} ms", flush=True)
            await asyncio.sleep(0.5)
        end = [rss_kb(app.process.pid) for app in apps]
        cpu_after = process_cpu(roots)
        for reader in readers:
            reader.close()
        ends = describe_ends(readers)
        spent = sorted(((cpu_after[k] - cpu_before.get(k, 0.0), k) for k in cpu_after), reverse=True)
        logs = pushpin_log_counts(pushpin.folder, Path(tmp))
    print(f"through nginx + Pushpin to two app processes (MariaDB, Redis), {count:,} readers, {rounds} toggles; "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"{ends}; in the logs: {logs}")
    print(f"CPU seconds during the {rounds} toggles (and the pauses between them): "
          + ", ".join(f"{name} {seconds:.2f}" for seconds, name in spent if seconds >= 0.01))
    print(f"p50 {statistics.median(latencies) * 1000:.0f} ms, p99 {percentile(latencies, 0.99) * 1000:.0f} ms, "
          f"max {max(latencies) * 1000:.0f} ms")
    print(f"app RSS (KB) per process: before readers / with {first:,} / with {count:,} / after the toggles: "
          + "; ".join(f"{b:,} / {w:,} / {a:,} / {e:,}" for b, w, a, e in zip(before, warm, after, end)))


# ---------------------------------------------------------------- across processes


async def across(a: LiveServer, b: LiveServer, events: int) -> list[float]:
    browser = Browser(a.url).log_in(ACCOUNTS[0])
    reader = Reader()
    reader.task = asyncio.create_task(reader.run(b.port, f"/blog/{POST_SLUG}/live"))
    await asyncio.wait_for(reader.ready.wait(), 10)
    await asyncio.sleep(0.5)
    latencies = []
    for n in range(events):
        known = reader.newest
        started = time.monotonic()
        await asyncio.to_thread(browser.react, "love")
        while reader.newest <= known:
            await asyncio.sleep(0.001)
        latencies.append(reader.arrived[reader.newest] - started)
        await asyncio.sleep(0.05)
    reader.close()
    return latencies


async def main_across(events: int, modes: list[str]) -> None:
    from tests.conftest import fresh_mysql_database
    from tests.helpers_redis import RedisServer

    mysql = os.environ.get("GRIHASEVA_BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306/grihaseva_bench")
    os.environ["GRIHASEVA_TEST_MYSQL_URL"] = mysql
    import tests.conftest as conftest

    conftest.MYSQL_URL = mysql
    print(f"across processes, MariaDB, {events} toggles through A, read on B; load average {os.getloadavg()[0]:.2f}")
    print("| wake-up | p50 | p99 | max |")
    print("|---|---:|---:|---:|")
    for mode in modes:
        redis = RedisServer(relay=False).start() if mode == "redis" else None
        with tempfile.TemporaryDirectory() as tmp, fresh_mysql_database("_across") as url:
            env = {"GRIHASEVA_REDIS_URL": redis.url, "GRIHASEVA_REDIS_CHANNEL": redis.channel} if redis else {}
            database = f"mysql://{url.user}@{url.host}:{url.port}/{url.database}"
            # Toggles are rate limited per account (30 a minute): raise nothing, just space accounts.
            a = demo_server(Path(tmp), env, database)
            b = demo_server(Path(tmp), env, database, seed=False)
            a.start(), b.start()
            try:
                await prepared(a, b)
                latencies = []
                for email in ACCOUNTS:
                    ACCOUNTS.insert(0, ACCOUNTS.pop())
                    latencies += await across(a, b, min(25, events))
                    if len(latencies) >= events:
                        break
            finally:
                a.stop(), b.stop()
                if redis:
                    redis.stop()
        poll = os.environ.get("GRIHASEVA_EVENTS_POLL_MS", "200")
        print(f"| {'Redis' if mode == 'redis' else 'poll only'} (poll {poll} ms) | {statistics.median(latencies) * 1000:.0f} ms | "
              f"{percentile(latencies, 0.99) * 1000:.0f} ms | {max(latencies) * 1000:.0f} ms |", flush=True)
        print("  sorted (ms):", " ".join(f"{x * 1000:.0f}" for x in sorted(latencies)[-8:]), flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve-bare"]:  # the floor's server process (floor_kb_per_conn)
        serve_bare(sys.argv[2])
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, nargs="+", default=[200, 1000, 2000])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--across", action="store_true")
    parser.add_argument("--pushpin", type=int, metavar="READERS", help="fan-out through nginx + Pushpin (bench/cluster.py)")
    parser.add_argument("--events", type=int, default=75)
    parser.add_argument("--modes", nargs="+", choices=["redis", "poll"], default=["redis", "poll"])
    args = parser.parse_args()
    if args.pushpin:
        asyncio.run(main_pushpin(args.pushpin, args.rounds))
    elif args.across:
        asyncio.run(main_across(args.events, args.modes))
    else:
        asyncio.run(main_fanout(args.readers, args.rounds))
