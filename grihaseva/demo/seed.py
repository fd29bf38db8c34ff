"""`grihaseva seed-demo`: the demo catalogue, providers with weekly hours, and accounts. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from . import data as demo_data
from ..auth.accounts import create_user
from ..blog.demo_posts import seed_posts
from ..clock import utcnow
from ..config import Settings
from ..db import Database


DEMO_ACCOUNT_AGE = timedelta(days=60)


async def _ensure_user(db: Database, person: dict, role: str, rounds: int) -> tuple[int, bool]:
    row = await db.fetch_one("select_user_by_email", {"email": person["email"]})
    if row:
        return row["id"], False
    clean = {**person, "password": demo_data.DEMO_PASSWORD}
    # Members for a while: a brand-new account may hold only a few upcoming bookings
    # (booking.domain.BookingCaps.new_account), which would cramp a demo.
    return await create_user(db, clean, utcnow() - DEMO_ACCOUNT_AGE, rounds, role=role), True


async def _ensure_catalogue(db: Database) -> dict[str, int]:
    """Categories and services by slug; returns {service slug: id}."""
    now = utcnow()
    category_ids = {}
    for position, category in enumerate(demo_data.CATEGORIES):
        row = await db.fetch_one("select_category_by_slug", {"slug": category["slug"]})
        if row is None:
            await db.execute("insert_category", {**category, "position": position})
            row = await db.fetch_one("select_category_by_slug", {"slug": category["slug"]})
        else:  # a catalogue seeded before it had Hindi texts (migration 015) gets them now
            await db.execute("fill_category_hindi", {key: category[key] for key in ("slug", "name_hi", "description_hi")})
        category_ids[category["slug"]] = (row["id"], bool(row["women_only"]))
    service_ids = {}
    for service in demo_data.SERVICES:
        row = await db.fetch_one("select_service_by_slug", {"slug": service["slug"]})
        if row is None:
            category_id, women_only = category_ids[service["category"]]
            await db.execute("insert_service", {
                "category_id": category_id, "slug": service["slug"], "name": service["name"],
                "summary": service["summary"], "included": service["included"],
                "name_hi": service["name_hi"], "summary_hi": service["summary_hi"], "included_hi": service["included_hi"],
                "duration_min": service["duration_min"], "price_paise": service["price_paise"],
                "women_only": women_only, "now": now,
            })
            row = await db.fetch_one("select_service_by_slug", {"slug": service["slug"]})
        else:
            await db.execute("fill_service_hindi", {key: service[key] for key in ("slug", "name_hi", "summary_hi", "included_hi")})
        service_ids[service["slug"]] = row["id"]
    return service_ids


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


async def _ensure_provider_setup(db: Database, user_id: int, person: dict, service_ids: dict[str, int]) -> None:
    async with db.transaction() as tx:
        await tx.execute("UPDATE providers SET verified = 1, hourly_rate_paise = :rate WHERE user_id = :id",
                         {"id": user_id, "rate": person["hourly_rate_paise"]})
        # A demo UPI id (name@okdemo), so receipts show a UPI link and QR code to try.
        await tx.execute("UPDATE providers SET upi_id = :upi WHERE user_id = :id AND upi_id IS NULL",
                         {"id": user_id, "upi": person["email"].split("@")[0] + "@okdemo"})
        if not await tx.fetch_all("select_provider_services", {"provider_id": user_id}):
            for slug in person["services"]:
                await tx.execute("insert_provider_service", {"provider_id": user_id, "service_id": service_ids[slug]})
        if person.get("areas") and not await tx.fetch_all("select_provider_areas", {"provider_id": user_id}):
            for pin in person["areas"].split():
                await tx.execute("insert_provider_area", {"provider_id": user_id, "pin_code": pin})
        if not await tx.fetch_all("select_working_hours", {"provider_id": user_id}):
            for weekday, start, end in person["hours"]:
                await tx.execute("insert_working_hours", {"provider_id": user_id, "weekday": weekday,
                                                          "start_min": _minutes(start), "end_min": _minutes(end)})


_DEMO_REVIEWS = [(5, "Fixed the kitchen tap in twenty minutes and cleaned up after."), (4, "On time, fair price."),
                 (5, ""), (5, "Explained the problem clearly."), (4, ""), (5, "Tank spotless."), (3, "Came late, good work."),
                 (5, "")]


async def _ensure_history(db: Database) -> None:
    """Completed jobs over the last eight weeks for the demo plumber, so his earnings page has a
    chart to show; written once (they are in the past, so no rule of booking applies)."""
    ravi = await db.fetch_one("select_user_by_email", {"email": "provider@example.com"})
    asha = await db.fetch_one("select_user_by_email", {"email": "customer@example.com"})
    if await db.fetch_value("SELECT COUNT(*) AS n FROM bookings WHERE provider_id = :id", {"id": ravi["id"]}):
        return
    services = {s: await db.fetch_one("select_service_by_slug", {"slug": s})
                for s in ("tap-leak-repair", "drain-unblocking", "water-tank-cleaning")}
    today = utcnow().replace(hour=5, minute=30, second=0, microsecond=0)  # 11:00 in Kolkata
    async with db.transaction() as tx:
        for n, days_ago in enumerate((3, 6, 9, 11, 15, 20, 24, 27, 33, 38, 41, 48, 52)):
            service = list(services.values())[n % 3]
            start = today - timedelta(days=days_ago)
            result = await tx.execute("insert_booking", {
                "customer_id": asha["id"], "provider_id": ravi["id"], "service_id": service["id"],
                "starts_at": start, "ends_at": start + timedelta(minutes=service["duration_min"]),
                "address": "12 MG Road, Indiranagar, Bengaluru 560038", "phone": asha["phone"], "notes": "",
                "price_paise": service["price_paise"], "now": start - timedelta(days=2)})
            # paid in cash, except the newest two: the earnings chart shows paid and not-yet-paid bars
            end = start + timedelta(minutes=service["duration_min"])
            await tx.execute("UPDATE bookings SET status = 'completed', completed_at = :end, paid_at = :paid, "
                             "paid_method = :method WHERE id = :id",
                             {"id": result.lastrowid, "end": end, "paid": end if n >= 2 else None,
                              "method": "cash" if n >= 2 else None})
            if n < len(_DEMO_REVIEWS):  # most customers rate the job
                rating, body = _DEMO_REVIEWS[n]
                await tx.execute(
                    "INSERT INTO reviews (booking_id, customer_id, provider_id, rating, body, created_at, updated_at) "
                    "VALUES (:booking, :customer, :provider, :rating, :body, :at, :at)",
                    {"booking": result.lastrowid, "customer": asha["id"], "provider": ravi["id"], "rating": rating,
                     "body": body, "at": start + timedelta(hours=3)})


async def seed_demo(db: Database, settings: Settings, only_if_empty: bool = False, history: bool = False) -> str:
    """The demo catalogue, accounts and posts; with `history`, past completed jobs too (the CLI)."""
    if only_if_empty and await db.fetch_value("SELECT COUNT(*) AS n FROM users"):
        return "the database already has accounts; demo data left alone"
    rounds = settings.bcrypt_rounds
    service_ids = await _ensure_catalogue(db)
    created = 0
    for people, role in ((demo_data.ADMINS, "admin"), (demo_data.CUSTOMERS, "customer"), (demo_data.PROVIDERS, "provider")):
        for person in people:
            user_id, new = await _ensure_user(db, person, role, rounds)
            created += new
            if role == "provider":
                await _ensure_provider_setup(db, user_id, person, service_ids)
    await seed_posts(db)
    if history:
        await _ensure_history(db)
    return f"demo data ready ({created} account(s) created); log in with customer@example.com / {demo_data.DEMO_PASSWORD}"
