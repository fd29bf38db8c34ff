"""Running the catalogue: categories and services, each change audited.

A deactivated service keeps its row (and so its bookings' history); the booking
domain already refuses services that are not active. A service's change or
deactivation publishes on `service:<id>`, so open slot grids for it re-render.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Mapping

from ..auth.accounts import ValidationError
from ..booking.domain import service_topic
from ..db import IntegrityError
from ..events import publish
from ..i18n import gettext
from ..money import rupees
from .. import audit

MAX_PRICE_PAISE = 10_00_000 * 100  # ₹10,00,000: far above any home service, catches a slipped key
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class NotFoundInCatalogue(Exception):
    pass


def slugify(text: str, limit: int = 80) -> str:
    """"Deep cleaning (3 BHK)" -> "deep-cleaning-3-bhk", at most `limit` characters, cut at a dash."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit + 1].rsplit("-", 1)[0] if "-" in slug[:limit + 1] else slug[:limit]
    return slug.strip("-")


# Digits with Indian (1,00,000) or Western (100,000) grouping, or none, and up to two decimals.
_PRICE = re.compile(r"^(?:\d{1,3}(?:,\d{2})*,\d{3}|\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


def parse_rupees(text: str) -> int:
    """"499", "1,499", "1,00,000" or "499.50" rupees -> paise; ValueError with a message otherwise."""
    cleaned = text.strip().removeprefix("₹").strip()
    if not _PRICE.match(cleaned):
        raise ValueError(gettext("Enter the price in rupees, like 499, 1,499 or 499.50."))
    try:
        amount = Decimal(cleaned.replace(",", ""))
    except InvalidOperation:
        raise ValueError(gettext("Enter the price in rupees, like 499, 1,499 or 499.50.")) from None
    if amount == 0:
        raise ValueError(gettext("Enter a price above %(zero)s.", zero=rupees(0)))
    if amount > Decimal(MAX_PRICE_PAISE) / 100:  # checked before `* 100`, which overflows for 1e999999
        raise ValueError(gettext("Prices are at most %(most)s.", most=rupees(MAX_PRICE_PAISE)))
    paise = amount * 100
    if paise != paise.to_integral_value():
        raise ValueError(gettext("Prices have at most two decimal places (paise)."))
    return int(paise)


def _slug_for(form: Mapping[str, str], name: str, limit: int) -> str:
    """The address name typed, or one made from the name; ValidationError naming the problem."""
    typed = (form.get("slug") or "").strip()
    slug = slugify(typed or name, limit)
    if not slug and not typed:
        raise ValidationError({"slug": gettext("The name has no English letters or digits to make the address "
                                               "name from: type one, like pooja-seva.")})
    if not slug or not _SLUG.match(slug):
        raise ValidationError({"slug": gettext("Use lower-case letters, digits and dashes for the address name.")})
    return slug


def _text(form: Mapping[str, str], name: str) -> str:
    return " ".join((form.get(name) or "").split())


def _checkbox(form: Mapping[str, str], name: str) -> int:
    return 1 if form.get(name) in ("1", "on", "yes", "true") else 0


def _at_most(errors: dict, form: Mapping[str, str], name: str, limit: int) -> str:
    """The field's text, or an error when it is longer than `limit` characters."""
    text = _text(form, name)
    if len(text) > limit:
        errors[name] = gettext("Use at most %(limit)s characters here.", limit=limit)
    return text


def _hindi_name(errors: dict, form: Mapping[str, str], limit: int) -> str:
    """The optional Hindi name: empty (English is shown) or 2 to `limit` characters."""
    text = _text(form, "name_hi")
    if text and not 2 <= len(text) <= limit:
        errors["name_hi"] = gettext("Give the Hindi name 2 to %(limit)s characters, or leave it empty.", limit=limit)
    return text


def clean_category(form: Mapping[str, str]) -> dict:
    errors = {}
    name = _text(form, "name")
    if not 2 <= len(name) <= 100:
        errors["name"] = gettext("Give the category a name of 2 to 100 characters.")
    clean = {"name": name, "description": _at_most(errors, form, "description", 500),
             "name_hi": _hindi_name(errors, form, 100), "description_hi": _at_most(errors, form, "description_hi", 500),
             "women_only": _checkbox(form, "women_only")}
    if errors:
        raise ValidationError(errors)
    return clean


def clean_service(form: Mapping[str, str], category_ids: set[int]) -> dict:
    errors = {}
    name = _text(form, "name")
    if not 2 <= len(name) <= 120:
        errors["name"] = gettext("Give the service a name of 2 to 120 characters.")
    texts = {"summary": _at_most(errors, form, "summary", 300), "included": _at_most(errors, form, "included", 500),
             "name_hi": _hindi_name(errors, form, 120), "summary_hi": _at_most(errors, form, "summary_hi", 300),
             "included_hi": _at_most(errors, form, "included_hi", 500)}
    category = form.get("category_id") or ""
    if not category.isdecimal() or len(category) > 12 or int(category) not in category_ids:
        errors["category_id"] = gettext("Choose a category from the list.")
    duration = (form.get("duration_min") or "").strip()
    if not duration.isdecimal() or len(duration) > 3 or not 5 <= int(duration) <= 720:
        errors["duration_min"] = gettext("Enter the duration in minutes, from 5 to 720.")
    price = 0
    try:
        price = parse_rupees(form.get("price_rupees") or "")
    except ValueError as error:
        errors["price_rupees"] = str(error)
    late_fee = DEFAULT_LATE_FEE_PAISE
    try:
        late_fee = parse_late_fee(form.get("late_fee_rupees"))
    except ValueError as error:
        errors["late_fee_rupees"] = str(error)
    if errors:
        raise ValidationError(errors)
    return {"name": name, **texts, "category_id": int(category),
            "duration_min": int(duration), "price_paise": price, "women_only": _checkbox(form, "women_only"),
            "late_fee_paise": late_fee}


DEFAULT_LATE_FEE_PAISE = 9900
MAX_LATE_FEE_PAISE = 1_000_000  # ₹10,000


def parse_late_fee(text: str | None) -> int:
    """The fee for a change inside the free window, in rupees: empty is the default ₹99, 0 is no fee."""
    cleaned = (text or "").strip().removeprefix("₹").strip()
    if not cleaned:
        return DEFAULT_LATE_FEE_PAISE
    if cleaned.startswith("-"):
        raise ValueError(gettext("The late fee cannot be negative: enter 0 for no late fee, or an amount like 99."))
    if cleaned.strip("0") in ("", "."):
        return 0
    if _PRICE.match(cleaned) and len(cleaned.split(".")[0].replace(",", "")) > 5:  # 40 nines: too much, not "not a number"
        raise ValueError(gettext("Late fees are at most %(most)s.", most=rupees(MAX_LATE_FEE_PAISE)))
    try:
        paise = parse_rupees(cleaned)
    except ValueError:
        raise ValueError(gettext("Enter the late fee in rupees, like 99 or 149.50 (0 for none).")) from None
    if paise > MAX_LATE_FEE_PAISE:
        raise ValueError(gettext("Late fees are at most %(most)s.", most=rupees(MAX_LATE_FEE_PAISE)))
    return paise


async def _women_only_category(tx, category_id: int) -> bool:
    category = await tx.fetch_one("admin_select_category", {"id": category_id})
    return bool(category and category["women_only"])


# ---------------------------------------------------------------- categories


async def create_category(db, admin_id: int, form: Mapping[str, str], now: datetime) -> int:
    clean = clean_category(form)
    slug = _slug_for(form, clean["name"], limit=60)
    try:
        async with db.transaction() as tx:
            position = await tx.fetch_value("admin_next_category_position")
            result = await tx.execute("insert_category", {**clean, "slug": slug, "position": position})
            await audit.record(tx, admin_id, "category.create", "category", result.lastrowid,
                               f"Created category {clean['name']} ({slug})", now)
    except IntegrityError:
        raise ValidationError({"slug": gettext("A category with the address name %(slug)s already exists.", slug=slug)}) from None
    return int(result.lastrowid)


async def update_category(db, admin_id: int, category_id: int, form: Mapping[str, str], now: datetime) -> None:
    clean = clean_category(form)
    async with db.transaction() as tx:
        before = await tx.fetch_one("admin_select_category", {"id": category_id})
        if before is None:
            raise NotFoundInCatalogue()
        await tx.execute("admin_update_category", {**clean, "id": category_id})
        detail = _changes(before, clean) or "No changes"
        if clean["women_only"]:
            # The booking rules read each service's own flag: a women-only category makes every
            # service in it women-only (turning the category back does not undo that per service).
            changed = await tx.fetch_all("admin_select_services_not_women_only", {"category_id": category_id})
            if changed:
                await tx.execute("admin_make_category_services_women_only", {"category_id": category_id})
                detail += "; made women-only: " + ", ".join(row["name"] for row in changed)
                for row in changed:
                    await publish(tx, service_topic(row["id"]), "service_changed", {"service_id": row["id"]}, now)
        await audit.record(tx, admin_id, "category.update", "category", category_id, detail, now)


# ---------------------------------------------------------------- services


async def category_ids(db) -> set[int]:
    return {row["id"] for row in await db.fetch_all("select_categories")}


async def create_service(db, admin_id: int, form: Mapping[str, str], now: datetime) -> int:
    clean = clean_service(form, await category_ids(db))
    slug = _slug_for(form, clean["name"], limit=80)
    try:
        async with db.transaction() as tx:
            if await _women_only_category(tx, clean["category_id"]):
                clean["women_only"] = 1  # a women-only category's services are all women-only
            result = await tx.execute("insert_service", {**clean, "slug": slug, "now": now})
            await tx.execute("admin_set_service_late_fee", {"id": result.lastrowid, "late_fee_paise": clean["late_fee_paise"]})
            await audit.record(tx, admin_id, "service.create", "service", result.lastrowid,
                               f"Created service {clean['name']} ({slug}) at {rupees(clean['price_paise'])}, "
                               f"{clean['duration_min']} min{', women only' if clean['women_only'] else ''}", now)
    except IntegrityError:
        raise ValidationError({"slug": gettext("A service with the address name %(slug)s already exists.", slug=slug)}) from None
    return int(result.lastrowid)


async def update_service(db, admin_id: int, service_id: int, form: Mapping[str, str], now: datetime) -> None:
    clean = clean_service(form, await category_ids(db))
    async with db.transaction() as tx:
        before = await tx.fetch_one("admin_select_service", {"id": service_id})
        if before is None:
            raise NotFoundInCatalogue()
        if await _women_only_category(tx, clean["category_id"]):
            clean["women_only"] = 1  # a women-only category's services are all women-only
        await tx.execute("admin_update_service", {**clean, "id": service_id})
        await audit.record(tx, admin_id, "service.update", "service", service_id,
                           f"{before['name']}: " + (_changes(before, clean) or "no changes"), now)
        await publish(tx, service_topic(service_id), "service_changed", {"service_id": service_id}, now)


async def set_service_active(db, admin_id: int, service_id: int, active: bool, now: datetime) -> bool:
    """False when the service was already in that state (a repeated click): nothing written."""
    async with db.transaction() as tx:
        service = await tx.fetch_one("select_service_by_id", {"id": service_id})
        if service is None:
            raise NotFoundInCatalogue()
        if bool(service["is_active"]) == active:
            return False
        await tx.execute("admin_set_service_active", {"id": service_id, "is_active": 1 if active else 0})
        action = "service.reactivate" if active else "service.deactivate"
        await audit.record(tx, admin_id, action, "service", service_id,
                           f"{'Reactivated' if active else 'Deactivated'} {service['name']}", now)
        await publish(tx, service_topic(service_id), "service_changed", {"service_id": service_id}, now)
    return True


def _changes(before: Mapping, after: Mapping) -> str:
    """"price_paise: ₹499 -> ₹549; duration_min: 60 -> 90" for the fields that changed."""
    parts = []
    for key, new in after.items():
        old = before.get(key)
        if key in ("women_only", "is_active"):
            old, new = bool(old), bool(new)
        if old != new:
            if key in ("price_paise", "late_fee_paise"):
                old, new = rupees(old), rupees(new)
            parts.append(f"{key}: {old} -> {new}")
    return "; ".join(parts)
