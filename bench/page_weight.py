"""Page weight of the main pages with their CSS and JS, gzip-compressed, against the 60 KB budget.

    .venv/bin/python bench/page_weight.py

Starts the app on a throwaway SQLite database with the demo data (Quart's test
client, no server), with a few bookings on the provider's dashboard, fetches the
pages a visitor, a customer and a provider see, each with the CSS and JS it links
(grihaseva/static/app.css and grihaseva/static/vendor/*.js), and prints sizes.
Exits 1 if a page is over budget.
"""

from __future__ import annotations

import asyncio
import gzip
import re
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grihaseva.app import create_app  # noqa: E402
from grihaseva.booking import domain  # noqa: E402
from grihaseva.clock import utcnow  # noqa: E402
from grihaseva.config import DatabaseUrl, Settings  # noqa: E402
from grihaseva.migrate import migrate  # noqa: E402
from grihaseva.demo.seed import seed_demo  # noqa: E402

BUDGET = 60 * 1024
PAGES = {
    None: ["/", "/services", "/services/tap-leak-repair", "/book/tap-leak-repair?provider=any", "/blog",
           "/blog/{post}", "/chat", "/login", "/register", "/password/forgot"],
    "customer@example.com": ["/bookings", "/account"],
    "provider@example.com": ["/provider/dashboard", "/provider/notifications", "/provider/availability",
                             "/provider/earnings", "/provider/calendar"],
}
ASSET = re.compile(r'<(?:script|link)[^>]+(?:src|href)="(/static/[^"]+\.(?:js|css))"')


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


async def book_a_few(app) -> None:
    """Some rows on the dashboard, so it is weighed as a provider sees it on a working day."""
    now = utcnow()
    ravi = await app.db.fetch_one("select_user_by_email", {"email": "provider@example.com"})
    asha = await app.db.fetch_one("select_user_by_email", {"email": "customer@example.com"})
    service = await domain.active_service(app.db, "tap-leak-repair")
    start, booked = now, 0
    while booked < 6 and start < now + timedelta(days=7):
        start = domain.slots.next_free_start(await domain.availability(app.db, ravi["id"], now),
                                             await domain.busy(app.db, ravi["id"], now, now + timedelta(days=8)),
                                             service.duration, now)
        if start is None:
            break
        await domain.place_booking(app.db, domain.Customer(asha["id"], asha["gender"]), service, ravi["id"], start,
                               {"address": "12 MG Road, Indiranagar, Bengaluru", "phone": "+91 99000 12345",
                                "notes": "Kitchen tap drips"}, now)
        booked += 1


async def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database=DatabaseUrl(dialect="sqlite", path=f"{tmp}/weight.db"), secret_key="x" * 40,
                            bcrypt_rounds=4, var_dir=Path(tmp))
        app = create_app(settings)
        app.config["MAIL_SENDER_AUTOSTART"] = False
        async with app.test_app():
            await migrate(app.db)
            await seed_demo(app.db, settings)
            await book_a_few(app)
            post = await app.db.fetch_value("SELECT slug FROM posts WHERE status = 'published' ORDER BY id")
            worst = 0
            print(f"{'page':40} {'html':>8} {'css+js':>8} {'total':>8}  (gzip bytes; budget {BUDGET})")
            for email, paths in PAGES.items():
                client = app.test_client()
                async with client.session_transaction() as session:
                    session["csrf_token"] = "bench"
                if email:
                    response = await client.post("/login", form={"email": email, "password": "demo-pass-123",
                                                                 "csrf_token": "bench"})
                    assert response.status_code == 303, response.status_code
                for path in paths:
                    path = path.format(post=post)
                    page = await client.get(path)
                    assert page.status_code == 200, (path, page.status_code)
                    body = await page.get_data()
                    assets = sorted(set(ASSET.findall(body.decode())))
                    asset_bytes = 0
                    for asset in assets:
                        asset_bytes += gz(await (await client.get(asset)).get_data())
                    total = gz(body) + asset_bytes
                    worst = max(worst, total)
                    flag = "ok" if total <= BUDGET else "OVER BUDGET"
                    print(f"{path[:40]:40} {gz(body):8} {asset_bytes:8} {total:8}  {flag}")
            print(f"assets: {', '.join(assets)}")
            print(f"heaviest page: {worst} bytes = {worst / 1024:.1f} KB of {BUDGET // 1024} KB")
            return 0 if worst <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
