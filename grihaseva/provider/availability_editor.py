"""The availability editor: weekly hours with breaks, time off, buffer, notice and offered services.

A change that would strand a confirmed booking (it would no longer lie inside the
working hours, or would fall into new time off) is refused with a message naming
the booking.  Each saved change publishes `slots:<provider>` in its transaction,
so every open slot grid for the provider re-renders.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ..i18n import gettext, weekday_names
from ..booking import slots
from ..events import publish
from .standing import refuse_if_suspended

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
BUFFER_CHOICES = (0, 10, 15, 30, 45, 60)
NOTICE_CHOICES = (0, 30, 60, 120, 240, 720, 1440, 2880)
_INTERVAL = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})$")
MAX_TIME_OFF = timedelta(days=366)
TIME_OFF_LEAD = timedelta(days=365)  # time off may start up to a year past the end of the booking window


class AvailabilityRefused(Exception):
    """Input or a change the editor refuses; `errors` maps form fields to messages."""

    def __init__(self, errors: dict[str, str], status: int = 422):
        super().__init__("; ".join(errors.values()))
        self.errors, self.status = errors, status


# ---------------------------------------------------------------- reading


def interval_text(intervals: list[tuple[int, int]]) -> str:
    return ", ".join(f"{_hhmm(start)}-{_hhmm(end)}" for start, end in intervals)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


async def editor_state(db, provider_id: int, now: datetime) -> dict:
    provider = await db.fetch_one("select_provider", {"id": provider_id})
    weekly: dict[int, list[tuple[int, int]]] = {day: [] for day in range(7)}
    for row in await db.fetch_all("select_working_hours", {"provider_id": provider_id}):
        weekly[row["weekday"]].append((row["start_min"], row["end_min"]))
    offered = {row["id"] for row in await db.fetch_all("select_provider_services", {"provider_id": provider_id})}
    services = await db.fetch_all("select_all_services_for_editor")
    if provider["gender"] != "female":
        services = [s for s in services if not s["women_only"] or s["id"] in offered]
    tz = provider["timezone"]
    time_off = [{**row, "from_label": label_with_year(row["starts_at"], tz, now),
                 "until_label": label_with_year(row["ends_at"], tz, now)}
                for row in await db.fetch_all("select_upcoming_time_off", {"provider_id": provider_id, "from_at": now})]
    return {"provider": provider, "hours": {day: interval_text(weekly[day]) for day in range(7)},
            "offered": offered, "services": services, "time_off": time_off, "tz": tz}


def label_with_year(moment: datetime, tz: str, now: datetime) -> str:
    """`slots.local_label`, with the year after the date when it is not the current year in `tz`:
    "Fri 31 Dec 9999, 11:00 pm IST" (a mistyped year is visible)."""
    label = slots.local_label(moment, tz)
    zone = ZoneInfo(tz)
    year = moment.astimezone(zone).year
    if year == now.astimezone(zone).year:
        return label
    day, rest = label.split(", ", 1)
    return f"{day} {year}, {rest}"


# ---------------------------------------------------------------- parsing


def parse_week(form) -> dict[int, list[tuple[int, int]]]:
    """`day0`..`day6`: "09:00-13:00, 14:00-19:00" (a break between the intervals); empty is a day off."""
    weekly, errors = {}, {}
    for day in range(7):
        text = (form.get(f"day{day}") or "").strip()
        intervals = []
        for part in [p.strip() for p in text.split(",") if p.strip()] if text else []:
            match = _INTERVAL.match(part)
            if not match:
                errors[f"day{day}"] = gettext("%(day)s: write hours like 09:00-13:00, 14:00-19:00.", day=weekday_names()[day])
                break
            h1, m1, h2, m2 = map(int, match.groups())
            start, end = h1 * 60 + m1, h2 * 60 + m2
            if m1 > 59 or m2 > 59 or start > 1440 or end > 1440 or start >= end:
                errors[f"day{day}"] = gettext("%(day)s: %(part)s is not a time range within one day.", day=weekday_names()[day], part=part)
                break
            intervals.append((start, end))
        intervals.sort()
        if any(a_end > b_start for (_, a_end), (b_start, _) in zip(intervals, intervals[1:])):
            errors.setdefault(f"day{day}", gettext("%(day)s: the time ranges overlap.", day=weekday_names()[day]))
        weekly[day] = intervals
    if not errors and not any(weekly.values()):
        errors["day0"] = gettext("Enter your working hours for at least one day (use time off for a break from work).")
    if errors:
        raise AvailabilityRefused(errors)
    return weekly


def _choice(form, name: str, choices: tuple[int, ...], message: str, errors: dict) -> int:
    text = (form.get(name) or "").strip()
    if text.isdecimal() and len(text) <= 5 and int(text) in choices:  # isdigit() also passes "²", which int() refuses
        return int(text)
    errors[name] = message
    return 0


def parse_rules(form) -> tuple[int, int]:
    errors: dict[str, str] = {}
    buffer_min = _choice(form, "buffer", BUFFER_CHOICES, "Choose the travel time between jobs from the list.", errors)
    notice_min = _choice(form, "notice", NOTICE_CHOICES, "Choose the minimum notice from the list.", errors)
    if errors:
        raise AvailabilityRefused(errors)
    return buffer_min, notice_min


def parse_time_off(form, tz: str, now: datetime, window_days: int) -> tuple[datetime, datetime, str]:
    """From and until as `datetime-local` in the provider's zone.  The start must lie before the end of
    the booking window (`window_days`) plus a year, so a mistyped year (9999, or 2028 for 2026) is refused."""
    errors = {}
    zone = ZoneInfo(tz)
    bounds = []
    for name, label in (("off_from", gettext("Enter the start of your time off as a date and time.")),
                        ("off_to", gettext("Enter the end of your time off as a date and time."))):
        try:
            local = datetime.fromisoformat((form.get(name) or "").strip()[:25])
            if local.tzinfo is not None:
                raise ValueError
            bounds.append(local.replace(tzinfo=zone).astimezone(slots.UTC))
        except (ValueError, OverflowError):  # OverflowError: a date at the very edge of the calendar
            errors[name] = label
    reason = " ".join((form.get("off_reason") or "").split())
    if len(reason) > 200:
        errors["off_reason"] = gettext("Keep the note to at most 200 characters.")
    if not errors:
        start, end = bounds
        if end <= start:
            errors["off_to"] = gettext("The time off must end after it starts.")
        elif end <= now:
            errors["off_to"] = gettext("That time off is already over.")
        elif end - start > MAX_TIME_OFF:
            errors["off_to"] = gettext("Add time off of at most a year at a time.")
        latest = now + timedelta(days=window_days) + TIME_OFF_LEAD
        if start > latest:
            last_day = label_with_year(latest, tz, now).split(", ", 1)[0]  # "Wed 22 Dec 2027"
            errors["off_from"] = gettext(
                "That time off starts too far ahead: time off can start at the latest on %(day)s, "
                "a year after your booking window ends. Check the year.", day=last_day)
    if errors:
        raise AvailabilityRefused(errors)
    return bounds[0], bounds[1], reason


# ---------------------------------------------------------------- stranding


def _describe(booking: dict, tz: str) -> str:
    first_name = (booking["customer_name"].split() or ["the customer"])[0]
    return gettext("%(service)s for %(name)s on %(when)s", service=booking["service_name"], name=first_name,
                   when=slots.local_label(booking["starts_at"], tz))


def _fits_week(booking: dict, weekly: dict[int, list[tuple[int, int]]], tz: str) -> bool:
    zone = ZoneInfo(tz)
    start, end = booking["starts_at"].astimezone(zone), booking["ends_at"].astimezone(zone)
    start_min = start.hour * 60 + start.minute
    end_min = (end.date() - start.date()).days * 1440 + end.hour * 60 + end.minute
    return any(opens <= start_min and end_min <= closes for opens, closes in weekly.get(start.weekday(), []))


async def _confirmed_ahead(tx, provider_id: int, now: datetime) -> list[dict]:
    return await tx.fetch_all("select_upcoming_confirmed", {"provider_id": provider_id, "from_at": now})


# ---------------------------------------------------------------- saving


async def save_hours(db, provider_id: int, weekly: dict[int, list[tuple[int, int]]], buffer_min: int,
                     notice_min: int, now: datetime) -> None:
    async with db.transaction() as tx:
        await tx.fetch_one("lock_provider", {"provider_id": provider_id})  # no booking slips in meanwhile
        await refuse_if_suspended(tx, provider_id)
        provider = await tx.fetch_one("select_provider", {"id": provider_id})
        for booking in await _confirmed_ahead(tx, provider_id, now):
            if not _fits_week(booking, weekly, provider["timezone"]):
                weekday = booking["starts_at"].astimezone(ZoneInfo(provider["timezone"])).weekday()
                raise AvailabilityRefused({f"day{weekday}": gettext(
                    "These hours would leave a confirmed booking outside your working time: %(booking)s. "
                    "Keep those hours, or ask the customer to move it first.",
                    booking=_describe(booking, provider["timezone"]))}, 409)
        await tx.execute("delete_working_hours", {"provider_id": provider_id})
        for day, intervals in weekly.items():
            for start, end in intervals:
                await tx.execute("insert_working_hours", {"provider_id": provider_id, "weekday": day,
                                                          "start_min": start, "end_min": end})
        await tx.execute("update_provider_rules", {"provider_id": provider_id, "buffer_min": buffer_min,
                                                   "min_notice_min": notice_min})
        await publish(tx, f"slots:{provider_id}", "availability", {"provider_id": provider_id}, now)


async def set_available_today(db, provider_id: int, available: bool, now: datetime) -> None:
    """"Not taking more jobs today": the rest of today's free times leave every open grid (greyed), or come
    back. Confirmed bookings stay; it ends by itself at the provider's midnight."""
    async with db.transaction() as tx:
        await tx.fetch_one("lock_provider", {"provider_id": provider_id})
        provider = await tx.fetch_one("select_provider", {"id": provider_id})
        today = slots_today(now, provider["timezone"])
        await tx.execute("set_off_today", {"provider_id": provider_id, "day": None if available else today})
        payload = {"provider_id": provider_id, "available": available}
        await publish(tx, f"slots:{provider_id}:{today.isoformat()}", "available_today", payload, now)
        await publish(tx, f"provider:{provider_id}", "available_today", payload, now)


def slots_today(now: datetime, tz: str):
    return now.astimezone(ZoneInfo(tz)).date()


def available_today(provider, now: datetime) -> bool:
    return provider["off_today"] != slots_today(now, provider["timezone"])


async def add_time_off(db, provider_id: int, start: datetime, end: datetime, reason: str, now: datetime) -> None:
    async with db.transaction() as tx:
        await tx.fetch_one("lock_provider", {"provider_id": provider_id})
        await refuse_if_suspended(tx, provider_id)
        provider = await tx.fetch_one("select_provider", {"id": provider_id})
        for booking in await _confirmed_ahead(tx, provider_id, now):
            if slots.overlaps(start, end, booking["starts_at"], booking["ends_at"]):
                raise AvailabilityRefused({"off_from": gettext(
                    "That time off overlaps a confirmed booking: %(booking)s. "
                    "Ask the customer to move it, or choose other dates.",
                    booking=_describe(booking, provider["timezone"]))}, 409)
        await tx.execute("insert_time_off", {"provider_id": provider_id, "starts_at": start, "ends_at": end,
                                             "reason": reason})
        await publish(tx, f"slots:{provider_id}", "availability", {"provider_id": provider_id}, now)


async def remove_time_off(db, provider_id: int, time_off_id: int, now: datetime) -> bool:
    async with db.transaction() as tx:
        await refuse_if_suspended(tx, provider_id)
        result = await tx.execute("delete_time_off", {"id": time_off_id, "provider_id": provider_id})
        if result.rowcount != 1:
            return False
        await publish(tx, f"slots:{provider_id}", "availability", {"provider_id": provider_id}, now)
    return True


async def save_services(db, provider_id: int, chosen: list[str], now: datetime) -> None:
    """Replace the offered services; women-only ones only for women providers.  Dropping a service
    that a confirmed, not yet ended booking is for is refused (409), naming the first such booking."""
    if not chosen:
        raise AvailabilityRefused({"service": gettext("Choose at least one service you offer.")})
    if any(not value.isdecimal() or len(value) > 12 for value in chosen):
        raise AvailabilityRefused({"service": gettext("Choose services from the list.")})
    ids = sorted({int(value) for value in chosen})
    available = {row["id"]: row for row in await db.fetch_all("select_all_services_for_editor")}
    if any(service_id not in available for service_id in ids):
        raise AvailabilityRefused({"service": gettext("Choose services from the list.")})
    provider = await db.fetch_one("select_provider", {"id": provider_id})
    women_only = [available[i]["name"] for i in ids if available[i]["women_only"]]
    if women_only and provider["gender"] != "female":
        raise AvailabilityRefused({"service": gettext(
            "%(services)s: women-only services are done only by women professionals, "
            "and your profile does not say female.", services=", ".join(women_only))}, 403)
    async with db.transaction() as tx:
        await tx.fetch_one("lock_provider", {"provider_id": provider_id})  # no booking of a dropped service slips in
        await refuse_if_suspended(tx, provider_id)
        for booking in await _confirmed_ahead(tx, provider_id, now):
            if booking["service_id"] not in ids:
                raise AvailabilityRefused({"service": gettext(
                    "You have a confirmed booking for a service you are dropping: %(booking)s. "
                    "Keep offering %(service)s until that job is done, or cancel the job from your dashboard first.",
                    booking=_describe(booking, provider["timezone"]), service=booking["service_name"])}, 409)
        await tx.execute("delete_provider_services", {"provider_id": provider_id})
        for service_id in ids:
            await tx.execute("insert_provider_service", {"provider_id": provider_id, "service_id": service_id})
        await publish(tx, f"slots:{provider_id}", "availability", {"provider_id": provider_id}, now)
