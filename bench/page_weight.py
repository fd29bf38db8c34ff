"""Page weight of the main pages with their CSS and JS, gzip-compressed, against the 60 KB budget.

    .venv/bin/python bench/page_weight.py

Starts the app on a throwaway SQLite database with the demo data (Quart's test
client, no server), with a few bookings on the provider's dashboard, fetches the
pages a visitor, a customer, a provider and an admin see, in English and in Hindi
(`?lang=`), each with the CSS and JS it links (grihaseva/static/app.css and
grihaseva/static/vendor/*.js), and prints sizes: each language's total, the Hindi
page against the English one (Devanagari is 3 bytes a letter in UTF-8, so Hindi
HTML is heavier before gzip) and the heaviest page against the budget.
Exits 1 if a page is over budget in either language.
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
    "admin@example.com": ["/admin", "/admin/catalogue", "/admin/providers", "/admin/bookings", "/admin/customers",
                          "/admin/faq", "/admin/audit"],
}
LANGUAGES = ("en", "hi")
ASSET = re.compile(r'<(?:script|link)[^>]+(?:src|href)="(/static/[^"]+\.(?:js|css))"')


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


async def book_a_few(app) -> None:
    """Some rows on the dashboard, so it is weighed as a provider sees it on a working day."""
    now = utcnow()
    ravi = await app.db.fetch_one("select_user_by_email", {"email": "provider@example.com"})
    # two customers: one may hold only a few upcoming bookings with one professional (booking caps)
    customers = [await app.db.fetch_one("select_user_by_email", {"email": email})
                 for email in ("customer@example.com", "rahul@example.com")]
    service = await domain.active_service(app.db, "tap-leak-repair")
    start, booked = now, 0
    while booked < 6 and start < now + timedelta(days=7):
        start = domain.slots.next_free_start(await domain.availability(app.db, ravi["id"], now),
                                             await domain.busy(app.db, ravi["id"], now, now + timedelta(days=8)),
                                             service.duration, now)
        if start is None:
            break
        buyer = customers[booked % 2]
        await domain.place_booking(app.db, domain.Customer(buyer["id"], buyer["gender"]), service, ravi["id"], start,
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
            worst = {"en": (0, ""), "hi": (0, "")}
            print(f"{'page':40} {'en':>7} {'hi':>7} {'css+js':>7} {'en all':>7} {'hi all':>7} {'hi/en':>6}"
                  f"  (gzip bytes; budget {BUDGET})")
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
                    html, totals = {}, {}
                    for lang in LANGUAGES:
                        page = await client.get(path + ("&" if "?" in path else "?") + f"lang={lang}")
                        assert page.status_code == 200, (path, lang, page.status_code)
                        body = await page.get_data()
                        assert f'<html lang="{lang}"'.encode() in body, (path, lang)
                        assets = sorted(set(ASSET.findall(body.decode())))
                        asset_bytes = 0
                        for asset in assets:
                            asset_bytes += gz(await (await client.get(asset)).get_data())
                        html[lang], totals[lang] = gz(body), gz(body) + asset_bytes
                        worst[lang] = max(worst[lang], (totals[lang], path))
                    flag = "ok" if max(totals.values()) <= BUDGET else "OVER BUDGET"
                    print(f"{path[:40]:40} {html['en']:7} {html['hi']:7} {asset_bytes:7} {totals['en']:7} "
                          f"{totals['hi']:7} {html['hi'] / html['en']:6.2f}  {flag}")
            print(f"assets: {', '.join(assets)}")
            for lang in LANGUAGES:
                size, path = worst[lang]
                print(f"heaviest page ({lang}): {path} {size} bytes = {size / 1024:.1f} KB, "
                      f"{size / BUDGET:.0%} of the {BUDGET // 1024} KB budget")
            worst = max(size for size, _ in worst.values())
            return 0 if worst <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
