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

# (area, substrings of a frame as py-spy prints it, "function (file:line)"): each sample is
# charged to the innermost frame that names an area, with "/ driver" when the driver (aiomysql,
# PyMySQL, aiosqlite, grihaseva/db.py) is below that frame.
AREAS = [
    ("booking: mail facts (in the transaction)", ["mail_booking_change", "enqueue_mails"]),
    ("mail sender: render", ["render_mail (", "_render_mail ("]),
    ("mail sender: .ics", ["invitation_from_facts", "icalendar"]),
    ("mail sender: the log line", ["_LogTransport.send"]),
    ("mail sender: the rest", ["(mail.py"]),
    ("booking: events (in the transaction)", ["publish_many"]),
    ("events tailer", ["(events.py"]),
    ("booking: domain", ["(booking/domain.py", "(booking/slots.py"]),
    ("booking: view", ["(booking/views.py"]),
    ("session user (Quart-Auth cookie, sessions row)", ["load_current_user", "(quart_auth/"]),
    ("CSRF, form, locale, headers hooks, redirect", ["check_csrf", "read_form", "_parsed_form", "select_locale",
                                                     "language_headers", "security_headers", "compress (",
                                                     "redirect_to"]),
    ("session cookie (open, save: itsdangerous)", ["open_session", "save_session"]),
    ("access log line", ["(access_log.py", "(hypercorn/logging.py"]),
]
DRIVER = ["(aiomysql/", "(pymysql/", "(aiosqlite/", "(sqlite3/", "(db.py"]
# Leaves that are the process handing the core over, not work: a send to MariaDB wakes mysqld,
# which on two busy cores often preempts the server right there (sampled as running: py-spy
# counts a runnable thread), and the loop's select.
PREEMPTED = ("_SelectorSocketTransport.write", "EpollSelector.select")


def area_of(frames: list[str]) -> str:
    for depth in range(len(frames) - 1, -1, -1):  # leaf first
        for area, marks in AREAS:
            if any(mark in frames[depth] for mark in marks):
                if any(d in f for f in frames[depth + 1:] for d in DRIVER):
                    return f"{area} / driver"
                return area
    if any(d in f for f in frames for d in DRIVER):
        return "driver (other callers)"
    if any("(quart/" in f or "(werkzeug/" in f for f in frames):
        return "Quart, werkzeug (request, response)"
    if any("(hypercorn/" in f or "(h11/" in f for f in frames):
        return "hypercorn, h11 (HTTP)"
    return "event loop (callbacks, task steps), other"


def summary(path: str, cpu_per_booking_ms: float) -> None:
    counts: Counter = Counter()
    preempted = 0
    for line in open(path):
        stack, _, n = line.rstrip().rpartition(" ")
        if not stack:
            continue
        frames = [f for f in stack.split(";") if not f.startswith(("process ", "thread "))]
        if frames and frames[-1].startswith(PREEMPTED):
            preempted += int(n)
            continue
        counts[area_of(frames)] += int(n)
    total = sum(counts.values())
    print(f"{total} samples ({preempted} more at a socket write or select, left out); server CPU "
          f"{cpu_per_booking_ms:.2f} ms/booking shared out by samples:")
    for area, n in counts.most_common():
        print(f"  {area:58} {n / total:6.1%}  {cpu_per_booking_ms * n / total:5.2f} ms")


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
            asyncio.run(app_run(server, sessions, warm, 8, url))
            jobs = [(p, c, start) for start in hours[1:] for p, c in pairs][:bookings]
            spy = subprocess.Popen([str(BIN / "py-spy"), "record", "-p", str(server.process.pid), "-r", "200",
                                    "-f", "raw", "-o", out, "--nonblocking"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1)
            rate, _, cpu = asyncio.run(app_run(server, sessions, jobs, 8, url))
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
