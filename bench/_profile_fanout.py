"""Not a benchmark: where an open live stream's memory goes (`_*.py` is skipped by make bench).

    .venv/bin/python bench/_profile_fanout.py [N] [--bare] [--frames 25]

Starts `grihaseva serve` (SQLite, demo data) under tracemalloc in a process of its own, opens N
streams of one post's reaction bar, takes a snapshot, opens N more, takes another, and prints
the allocations that grew (by line and by file) and the objects that grew (by type), divided by
N: what one more connection holds. `--bare` does the same against bench/_bare_sse.py, the
framework's floor (hypercorn + Quart, a stream that only waits).
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import signal
import subprocess
import sys
import tempfile
import tracemalloc
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def serve_profiled() -> None:
    """In the server process: SIGUSR1 writes a tracemalloc snapshot and a count of live objects by
    type to $PROFILE_OUT.<n>."""
    frames = int(os.environ.get("PROFILE_FRAMES", "25"))
    tracemalloc.start(frames)
    out = os.environ["PROFILE_OUT"]
    taken = [0]

    def dump(*_):
        gc.collect()
        taken[0] += 1
        tracemalloc.take_snapshot().dump(f"{out}.{taken[0]}.snap")
        kinds = Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.get_objects())
        Path(f"{out}.{taken[0]}.types").write_text(json.dumps(kinds))
        Path(f"{out}.{taken[0]}.done").write_text("")

    signal.signal(signal.SIGUSR1, dump)
    if os.environ.get("PROFILE_BARE"):
        sys.path.insert(0, str(ROOT))
        from bench.fanout import serve_bare

        serve_bare(os.environ["PROFILE_BIND"])
    else:
        from grihaseva.cli import main

        main(["serve", "--bind", os.environ["PROFILE_BIND"], "--workers", "1"])


async def client(count: int, bare: bool, frames: int) -> None:
    sys.path.insert(0, str(ROOT))
    from bench.fanout import PREPARED, listening, open_readers, rss_kb, stop
    from tests.helpers_live import POST_SLUG
    from tests.helpers_server import LiveServer, free_port, seed_classifiers

    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {"GRIHASEVA_DATABASE_URL": f"sqlite:///{tmp}/bench.db", "GRIHASEVA_VAR_DIR": tmp,
               "GRIHASEVA_SECRET_KEY": "b" * 40, "PROFILE_OUT": f"{tmp}/profile", "PROFILE_BIND": f"127.0.0.1:{port}",
               "PROFILE_FRAMES": str(frames), "PYTHONPATH": str(ROOT), **({"PROFILE_BARE": "1"} if bare else {})}
        server = LiveServer(env, port=port)
        if not bare:
            server.run("migrate"), server.run("seed-demo")
        if not bare:
            seed_classifiers(Path(tmp))  # the server loads them at start-up instead of fitting them
        log = open(f"{tmp}/server.log", "w")
        process = subprocess.Popen([sys.executable, __file__, "--serve"], env=server.env, stdout=log, stderr=subprocess.STDOUT)
        path = "/stream" if bare else f"/blog/{POST_SLUG}/live"
        try:
            await listening(port, process, 60, lambda: Path(log.name).read_text()[-3000:])

            async def snapshot(n: int):
                await asyncio.sleep(1.0)
                process.send_signal(signal.SIGUSR1)
                while not Path(f"{tmp}/profile.{n}.done").exists():
                    await asyncio.sleep(0.2)
                return (tracemalloc.Snapshot.load(f"{tmp}/profile.{n}.snap"),
                        Counter(json.loads(Path(f"{tmp}/profile.{n}.types").read_text())), rss_kb(process.pid))

            while not bare and not PREPARED.search(Path(log.name).read_text(errors="replace")):
                await asyncio.sleep(0.2)  # the chatbot's classifiers, loaded on a thread at start-up
            warm = await open_readers(port, path, 100)  # warm-up: templates compiled, caches filled
            first = await open_readers(port, path, count)
            snap1, types1, rss1 = await snapshot(1)
            second = await open_readers(port, path, count)
            snap2, types2, rss2 = await snapshot(2)
            states = Counter((r.status, r.ended) for r in warm + first + second)
            print("readers (status, ended):", dict(states))
            if any(r.ended for r in warm + first + second):
                print(Path(log.name).read_text()[-3000:])
            for reader in warm + first + second:
                reader.close()
            await asyncio.sleep(0.5)
        finally:
            stop(process)
    ignore = [tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, "<frozen importlib._bootstrap*")]
    snap1, snap2 = snap1.filter_traces(ignore), snap2.filter_traces(ignore)
    traced = sum(s.size_diff for s in snap2.compare_to(snap1, "filename"))
    print(f"{'bare' if bare else 'app'}: {count} more streams: RSS {(rss2 - rss1) / count:.1f} KB per connection, "
          f"traced by tracemalloc {traced / count / 1024:.1f} KB")
    print("\nby file (bytes per connection):")
    for stat in snap2.compare_to(snap1, "filename")[:25]:
        print(f"  {stat.size_diff / count:8.0f}  {stat.count_diff / count:6.1f} blocks  {stat.traceback[0].filename}")
    print("\nby line (bytes per connection):")
    for stat in snap2.compare_to(snap1, "lineno")[:40]:
        frame = stat.traceback[0]
        print(f"  {stat.size_diff / count:8.0f}  {stat.count_diff / count:6.1f} blocks  {frame.filename}:{frame.lineno}")
    print("\nobjects per connection by type:")
    grown = Counter({k: (types2[k] - types1.get(k, 0)) / count for k in types2})
    for kind, n in grown.most_common(45):
        if n >= 0.5:
            print(f"  {n:6.1f}  {kind}")
    if frames > 1:
        print("\nby the innermost line of grihaseva/ on the allocation's stack (bytes per connection):")
        ours: Counter = Counter()
        for stat in snap2.compare_to(snap1, "traceback"):
            mine = [f for f in stat.traceback if "/grihaseva/" in f.filename]  # oldest first
            key = f"{mine[-1].filename.split('/grihaseva/')[1]}:{mine[-1].lineno}" if mine else "(no grihaseva frame)"
            ours[key] += stat.size_diff
        for key, size in ours.most_common(30):
            print(f"  {size / count:8.0f}  {key}")
    if os.environ.get("PROFILE_TRACEBACKS"):
        print("\ntracebacks of the largest growth:")
        for stat in snap2.compare_to(snap1, "traceback")[:int(os.environ["PROFILE_TRACEBACKS"])]:
            print(f"\n  {stat.size_diff / count:8.0f} B, {stat.count_diff / count:5.1f} blocks")
            for line in stat.traceback.format()[-24:]:
                print("   ", line)


if __name__ == "__main__":
    if "--serve" in sys.argv:
        serve_profiled()
    else:
        args = [a for a in sys.argv[1:] if not a.startswith("--")]
        frames = int(sys.argv[sys.argv.index("--frames") + 1]) if "--frames" in sys.argv else 25
        if "--frames" in sys.argv:
            args.remove(str(frames))
        asyncio.run(client(int(args[0]) if args else 500, "--bare" in sys.argv, frames))
