"""Where the work is done: a customer's saved addresses, and the PIN codes each provider serves.

Plain async functions over `db`. `customer_addresses(db, user_id)` is the one way to list a
customer's address book (the confirm step uses it; the chatbot can offer the same list).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Mapping

from ..i18n import gettext, lazy_gettext
from ..auth.accounts import ValidationError, email_problem, normalize_email
from ..plaintext import has_letters_or_digits, one_line
from ..ratelimit import Limit, minutes_text, take_hit

PIN = re.compile(r"^[1-9][0-9]{5}$")  # India Post: six digits, never starting with 0
PIN_MESSAGE = lazy_gettext("Enter the 6-digit PIN code, like 560038.")
MAX_AREAS = 200
MAX_ADDRESSES = 20
AREA_REQUESTS_PER_CLIENT = Limit("area_request", 10, timedelta(hours=1))

# (field, label, max length, required)
FIELDS = (
    ("label", lazy_gettext("Label"), 30, False),
    ("house", lazy_gettext("Flat / house"), 60, True),
    ("street", lazy_gettext("Street"), 80, True),
    ("area", lazy_gettext("Area"), 50, True),
    ("city", lazy_gettext("City"), 40, True),
    ("pin_code", lazy_gettext("PIN code"), 6, True),
    ("landmark", lazy_gettext("Landmark"), 50, False),
)


@dataclass(frozen=True)
class Address:
    id: int | None
    label: str
    house: str
    street: str
    area: str
    city: str
    pin_code: str
    landmark: str

    @classmethod
    def from_row(cls, row: Mapping) -> "Address":
        return cls(row["id"], row["label"], row["house"], row["street"], row["area"], row["city"],
                   row["pin_code"], row["landmark"])

    @property
    def text(self) -> str:
        """The one line a booking keeps and the professional reads."""
        parts = [self.house, self.street, self.area]
        if self.landmark:
            parts.append(gettext("near %(landmark)s", landmark=self.landmark))
        parts.append(f"{self.city} {self.pin_code}")
        return ", ".join(p for p in parts if p)

    @property
    def name(self) -> str:
        return self.label or f"{self.house}, {self.area}"


def pin_problem(value: str) -> str | None:
    return None if PIN.match(value) else str(PIN_MESSAGE)


def clean_pin(value: str | None) -> str | None:
    """A PIN code typed anywhere ("560 038" is fine), or None when it is not one."""
    digits = "".join((value or "").split())
    return digits if PIN.match(digits) else None


def validate_address(form: Mapping[str, str], prefix: str = "") -> Address:
    """An address from form fields (`<prefix>house` ...), or ValidationError naming each bad field."""
    values, errors = {}, {}
    for field, label, limit, required in FIELDS:
        raw = form.get(prefix + field, "")
        value = "".join(raw.split()) if field == "pin_code" else one_line(raw)
        values[field] = value
        if field == "pin_code":
            if problem := pin_problem(value):
                errors[prefix + field] = str(PIN_MESSAGE) if value else gettext("Enter the PIN code.")
        elif required and not value:
            errors[prefix + field] = gettext("Enter the %(field)s.", field=str(label).lower())
        elif len(value) > limit:
            errors[prefix + field] = gettext("Use at most %(limit)s characters for the %(field)s.", limit=limit, field=str(label).lower())
        elif value and not has_letters_or_digits(value):
            errors[prefix + field] = gettext("Write the %(field)s in letters or digits.", field=str(label).lower())
    if errors:
        raise ValidationError(errors)
    return Address(None, **values)


async def customer_addresses(db, user_id: int) -> list[Address]:
    """A customer's saved addresses, the last used first."""
    return [Address.from_row(row) for row in await db.fetch_all("select_customer_addresses", {"user_id": user_id})]


async def customer_address(db, user_id: int, address_id: int) -> Address | None:
    row = await db.fetch_one("select_customer_address", {"id": address_id, "user_id": user_id})
    return Address.from_row(row) if row else None


async def last_pin(db, user_id: int) -> str | None:
    saved = await customer_addresses(db, user_id)
    return saved[0].pin_code if saved else None


async def save_address(db, user_id: int, address: Address, now: datetime, used: bool = False) -> int:
    """Add to the address book (at most MAX_ADDRESSES); returns the new id."""
    if await db.fetch_value("count_customer_addresses", {"user_id": user_id}) >= MAX_ADDRESSES:
        raise ValidationError({"save": gettext("You have %(count)s saved addresses; delete one on your account page first.", count=MAX_ADDRESSES)})
    values = {k: v for k, v in address.__dict__.items() if k != "id"}
    result = await db.execute("insert_address", {"user_id": user_id, "now": now,
                                                 "last_used_at": now if used else None, **values})
    return result.lastrowid


async def mark_used(db, user_id: int, address_id: int, now: datetime) -> None:
    await db.execute("touch_address", {"id": address_id, "user_id": user_id, "now": now})


async def delete_address(db, user_id: int, address_id: int) -> bool:
    return (await db.execute("delete_address", {"id": address_id, "user_id": user_id})).rowcount == 1


# ---------------------------------------------------------------- service areas


async def provider_areas(db, provider_id: int) -> list[str]:
    return [row["pin_code"] for row in await db.fetch_all("select_provider_areas", {"provider_id": provider_id})]


def parse_areas(text: str) -> list[str]:
    """PIN codes separated by commas, spaces or new lines; ValidationError naming the bad ones."""
    tokens = [t for t in re.split(r"[\s,;]+", text or "") if t]
    bad = [t for t in tokens if not PIN.match(t)]
    if bad:
        shown = ", ".join(t[:12] for t in bad[:3])
        raise ValidationError({"areas": gettext("Each PIN code has 6 digits, like 560038. Not a PIN code: %(shown)s.", shown=shown)})
    unique = sorted(set(tokens))
    if not unique:
        raise ValidationError({"areas": gettext("List at least one PIN code you serve, like 560038.")})
    if len(unique) > MAX_AREAS:
        raise ValidationError({"areas": gettext("List at most %(count)s PIN codes.", count=MAX_AREAS)})
    return unique


async def set_provider_areas(db, provider_id: int, text: str, now: datetime) -> list[str]:
    """Replace the provider's PIN codes in one transaction; open grids that show them re-render."""
    from ..events import publish

    pins = parse_areas(text)
    async with db.transaction() as tx:
        await tx.execute("delete_provider_areas", {"provider_id": provider_id})
        for pin in pins:
            await tx.execute("insert_provider_area", {"provider_id": provider_id, "pin_code": pin})
        await publish(tx, f"slots:{provider_id}", "areas", {"count": len(pins)}, now)
    return pins


async def serving(db, pin: str | None) -> set[int] | None:
    """Ids of the providers who serve `pin`, or None when no PIN is known (nobody is filtered)."""
    if pin is None:
        return None
    return {row["provider_id"] for row in await db.fetch_all("select_providers_serving_pin", {"pin_code": pin})}


async def serves(db, provider_id: int, pin: str | None) -> bool:
    ids = await serving(db, pin)
    return ids is None or provider_id in ids


async def leave_pin_for_later(db, form: Mapping[str, str], service_id: int | None, client: str, now: datetime) -> str:
    """A customer outside every area leaves their PIN code and email; returns the PIN code."""
    pin = "".join(form.get("pin", "").split())
    email = normalize_email(form.get("email", ""))
    errors = {}
    if problem := pin_problem(pin):
        errors["pin"] = problem
    if problem := email_problem(email):
        errors["email"] = problem
    if errors:
        raise ValidationError(errors)
    _, wait = await take_hit(db, AREA_REQUESTS_PER_CLIENT, client[:254], now)
    if wait:
        raise ValidationError({"email": gettext("Too many requests from your network. Try again in %(wait)s.", wait=minutes_text(wait))})
    if not await db.fetch_value("count_recent_area_requests", {"pin_code": pin, "email": email}):
        await db.execute("insert_area_request", {"pin_code": pin, "email": email, "service_id": service_id, "now": now})
    return pin
