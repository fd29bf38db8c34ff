"""Not a benchmark: books over HTTP against `grihaseva serve` (one worker) with py-spy recording
the server (`_*.py` is skipped by make bench), then prints where its samples went by area.

    .venv/bin/python bench/_profile_booking.py [mysql|sqlite] [BOOKINGS] [OUT]

OUT (default /tmp/booking-profile.txt) is py-spy's raw (collapsed) output; the summary divides
the server's CPU time per booking among the areas (`AREAS`: the first pattern a stack matches).
"""
import asyncio
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

from _harness import BIN, Server, database
from booking_http import app_run, bookable_hours, prepare, sessions_for

# (area, substrings of a frame's "function (file)"), first match from the leaf wins for the
# leaf-most listed frame: each stack is charged to the innermost frame that names an area.
AREAS = [
    ("mail: render (jinja, templates/email)", ["render_mail", "_render_mail"]),
    ("mail: .ics", ["invitation_from_facts", "icalendar"]),
    ("mail: log line", ["_LogTransport.send", "send (grihaseva/mail.py)"]),
    ("mail: sender rest (claim, mark, select)", ["run_once (grihaseva/mail.py)", "_mark_sent", "_send_holding_lease"]),
    ("events: tailer", ["poll (grihaseva/events.py)", "_read_new", "_read_holes", "_deliver"]),
    ("grid/section caches", ["grid_cache.py"]),
    ("booking domain (grihaseva/booking)", ["grihaseva/booking/"]),
    ("session user (auth)", ["load_current_user", "session_user"]),
    ("CSRF and form", ["check_csrf", "read_form", "_parsed_form"]),
    ("locale", ["select_locale", "chosen_locale"]),
    ("flash", ["flash (quart/helpers.py)"]),
    ("access log", ["access_log.py", "hypercorn/logging.py"]),
]
DRIVER = ["aiomysql", "pymysql", "aiosqlite", "sqlite3", "grihaseva/db.py"]


def area_of(frames: list[str]) -> str:
    for frame in reversed(frames):  # leaf first
        for area, marks in AREAS:
            if any(mark in frame for mark in marks):
                inner = frames[frames.index(frame):]
                if any(any(d in f for d in DRIVER) for f in inner):
                    return f"{area} / driver"
                return area
    if any(any(d in f for d in DRIVER) for f in frames):
        return "driver (other callers)"
    if any("asyncio" in f and "base_events" in f for f in frames[-3:]) or frames[-1:] and "select" in frames[-1]:
        return "event loop (select, callbacks)"
    if any("hypercorn" in f for f in frames):
        return "hypercorn (HTTP, h11)"
    if any("quart" in f or "werkzeug" in f for f in frames):
        return "quart/werkzeug"
    return "other"


def summary(path: str, cpu_per_booking_ms: float) -> None:
    counts: Counter = Counter()
    for line in open(path):
        stack, _, n = line.rstrip().rpartition(" ")
        if not stack:
            continue
        frames = stack.split(";")
        if frames and frames[0].startswith("process "):
            frames = frames[1:]
        if frames and frames[0].startswith("thread "):
            frames = frames[1:]
        counts[area_of(frames)] += int(n)
    total = sum(counts.values())
    print(f"{total} samples; server CPU {cpu_per_booking_ms:.2f} ms/booking shared out by samples:")
    for area, n in counts.most_common():
        print(f"  {area:48} {n / total:6.1%}  {cpu_per_booking_ms * n / total:5.2f} ms")


def main():
    dialect = sys.argv[1] if len(sys.argv) > 1 else "mysql"
    bookings = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    out = sys.argv[3] if len(sys.argv) > 3 else "/tmp/booking-profile.txt"
    providers = 40
    with database(dialect, "bookprof") as url:
        pairs = asyncio.run(prepare(url, providers))
        first = (datetime.now(timezone.utc) + timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
        per_provider = -(-bookings // providers) + 2
        hours = bookable_hours(first, per_provider)
        with Server(url) as server:
            sessions = asyncio.run(sessions_for(server, [c for _, c in pairs]))
            warm = [(p, c, start) for start in hours[:1] for p, c in pairs]
            asyncio.run(app_run(server, sessions, warm, 8))
            jobs = [(p, c, start) for start in hours[1:] for p, c in pairs][:bookings]
            spy = subprocess.Popen([str(BIN / "py-spy"), "record", "-p", str(server.process.pid), "-r", "200",
                                    "-f", "raw", "-o", out, "--nonblocking"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1)
            rate, _, cpu = asyncio.run(app_run(server, sessions, jobs, 8))
            time.sleep(0.5)
            spy.send_signal(2)
            spy.wait()
    print(f"{dialect}: {rate:.0f} bookings/s, server CPU {cpu * 1000:.2f} ms/booking")
    summary(out, cpu * 1000)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--summary":
        summary(sys.argv[2], float(sys.argv[3]))
    else:
        main()
