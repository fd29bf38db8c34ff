"""Time `conversation.reply` in process on SQLite with the demo data.

    python bench/chatbot_reply.py [--rounds N]

Replays typical conversations (questions, finding free slots, picking one,
giving the address, the summary; a saved address, a lady professional, asking
when the plumber comes, cancel and move up to their yes, a complaint; Hindi) as
a logged-in customer and as a visitor, each message timed on its own with the
state the previous reply left.  The final "yes" of a booking, cancel or move is
left out so every round sees the same free slots.  Prints p50 / p95 / max in
milliseconds; the target is p95 < 50 ms.

The first reply of the process is timed on its own, as a served process meets
it: the classifiers are started as the app's start-up starts them (loaded
from the cache under --var-dir, default GRIHASEVA_VAR_DIR or ./var, else
fitted and kept there) and the first message is sent at once.

The floor, timed in the same run: the two reads every reply makes at least
(the catalogue and one booking-domain read of a provider's schedule), so the
ratio says what the dialogue adds over the database on this machine now.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from grihaseva.auth.accounts import User  # noqa: E402
from grihaseva.booking import domain  # noqa: E402
from grihaseva.chatbot import conversation  # noqa: E402
from grihaseva.chatbot.nlu import learned  # noqa: E402
from grihaseva.config import DatabaseUrl, Settings, var_dir_from_env  # noqa: E402
from grihaseva.db import open_database  # noqa: E402
from grihaseva.migrate import migrate  # noqa: E402
from grihaseva.demo.seed import seed_demo  # noqa: E402

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=timezone.utc)  # Monday 08:00 in Kolkata
TARGET_MS = 50.0

CONVERSATIONS = [
    ["hi", "how do I book?", "how much is AC service", "what about tomorrow evening?", "1",
     "Flat 4B, Lake View Apartments, Koramangala"],
    ["I need a plumber tomorrow evening", "what about Sunday?", "2", "12 MG Road, Indiranagar, Bengaluru"],
    ["kal shaam plumber chahiye", "drain unblocking", "the first one", "no"],
    ["facial this saturday at 10", "my bookings", "can I cancel for free?", "talk to a person"],
    ["is my data safe?", "forgot password", "bijli ka kaam", "tomorrow at 6 pm", "zxqv blorp", "thanks"],
    ["I need a plumber tomorrow at 5 pm", "actually AC service", "1"],
    ["can you send a lady electrician tomorrow", "Any professional is fine", "lady cleaner for bathroom cleaning tomorrow"],
    ["when is my plumber coming", "and the facial?", "cancel my booking", "No, keep it",
     "move my facial to Sunday evening", "1"],
    ["मुझे कल शाम प्लंबर चाहिए", "2", "12 MG Road, Indiranagar, Bengaluru 560038"],
    ["the plumber never came, I want to complain"],
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


async def _bookings_to_talk_about(db, customer) -> None:
    """A plumbing job tomorrow and a facial on Friday, for "when is my plumber coming" and the moves."""
    for slug, email, start in (("tap-leak-repair", "provider@example.com", NOW + timedelta(days=1, hours=9)),
                               ("facial-at-home", "priya.beauty@example.com", NOW + timedelta(days=4, hours=3))):
        service = await domain.active_service(db, slug)
        provider = (await db.fetch_one("select_user_by_email", {"email": email}))["id"]
        await domain.place_booking(db, domain.Customer(customer.id, customer.gender), service, provider, start,
                                   {"address": "12 MG Road, Indiranagar, Bengaluru 560038",
                                    "phone": customer.phone}, NOW)


async def run(rounds: int, var_dir: Path) -> tuple[tuple[float, float], list[float], list[float]]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database=DatabaseUrl(dialect="sqlite", path=f"{tmp}/bench.db"),
                            secret_key="bench-" + "x" * 40, env="development", bcrypt_rounds=4, var_dir=Path(tmp))
        db = open_database(settings.database)
        await db.connect()
        try:
            await migrate(db)
            await seed_demo(db, settings)
            customer = User.from_row(await db.fetch_one("select_user_by_email", {"email": "customer@example.com"}))
            await _bookings_to_talk_about(db, customer)
            started = time.perf_counter()
            learned.start(var_dir)  # what the app's start-up does
            await learned.ready(60)  # what the first reply waits for (reply() waits for it too)
            ready = time.perf_counter()
            await conversation.reply(db, {}, customer, CONVERSATIONS[1][0], NOW)
            first = ((ready - started) * 1000, (time.perf_counter() - ready) * 1000)
            samples: list[float] = []
            for round_number in range(rounds + 1):  # round 0 warms up (imports, the matcher)
                for user in (customer, None):
                    for messages in CONVERSATIONS:
                        state: dict = {}
                        for text in messages:
                            started = time.perf_counter()
                            _, state = await conversation.reply(db, state, user, text, NOW)
                            if round_number:
                                samples.append((time.perf_counter() - started) * 1000)
            floor = []
            ravi = await db.fetch_one("select_provider", {"id": (await db.fetch_one(
                "select_user_by_email", {"email": "provider@example.com"}))["id"]})
            for _ in range(len(samples)):
                started = time.perf_counter()
                await db.fetch_all("select_active_services")
                await domain.schedule(db, ravi, NOW, NOW, NOW + timedelta(days=2))
                floor.append((time.perf_counter() - started) * 1000)
            return first, samples, floor
        finally:
            await db.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--var-dir", type=Path, default=var_dir_from_env(),
                        help="where the fitted classifiers are kept (default: GRIHASEVA_VAR_DIR or ./var)")
    args = parser.parse_args(argv)
    first, samples, floor = asyncio.run(run(args.rounds, args.var_dir))
    p50, p95 = percentile(samples, 0.5), percentile(samples, 0.95)
    f50, f95 = percentile(floor, 0.5), percentile(floor, 0.95)
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"# {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}, load average {load}")
    done = learned.preparation()
    how = "fitted them" if done.fits else "loaded them from the cache" if done.loads else "rules only"
    print(f"first reply of the process: {sum(first):.0f} ms = start-up's classifiers ({how}) {first[0]:.0f} ms"
          f" + the reply {first[1]:.0f} ms")
    print(f"conversation.reply over {len(samples)} messages (SQLite, demo data)")
    print(f"p50 {p50:.1f} ms  p95 {p95:.1f} ms  max {max(samples):.1f} ms  (target p95 < {TARGET_MS:.0f} ms)")
    print(f"floor (catalogue + one schedule read): p50 {f50:.2f} ms  p95 {f95:.2f} ms")
    print(f"ratio reply/floor: p50 {p50 / f50:.1f}x  p95 {p95 / f95:.1f}x")
    return 0 if p95 < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
