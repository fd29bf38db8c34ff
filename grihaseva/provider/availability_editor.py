"""The availability editor: weekly hours with breaks, time off, buffer, notice and offered services.

A change that would strand a confirmed booking (it would no longer lie inside the
working hours, or would fall into new time off) is refused with a message naming
the booking.  Each saved change publishes `slots:<provider>` in its transaction,
so every open slot grid for the provider re-renders.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ..i18n import clock_label, gettext, localized, weekday_names
from ..booking import slots
from ..events import publish
from .standing import refuse_if_suspended

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
BUFFER_CHOICES = (0, 10, 15, 30, 45, 60)
NOTICE_CHOICES = (0, 30, 60, 120, 240, 720, 1440, 2880)
ROW_FIELDS = ("from_h", "from_m", "from_p", "to_h", "to_m", "to_p")
MAX_INTERVALS = 6  # time ranges in one day
MAX_TIME_OFF = timedelta(days=366)
TIME_OFF_LEAD = timedelta(days=365)  # time off may start up to a year past the end of the booking window


class AvailabilityRefused(Exception):
    """Input or a change the editor refuses; `errors` maps form fields to messages."""

    def __init__(self, errors: dict[str, str], status: int = 422):
        super().__init__("; ".join(errors.values()))
        self.errors, self.status = errors, status


# ---------------------------------------------------------------- reading


def interval_text(intervals: list[tuple[int, int]]) -> str:
    """"10:00 am – 2:00 pm, 4:00 pm – 9:00 pm" in the reader's language (the same times customers see)."""
    return ", ".join(f"{clock_label(start)} – {clock_label(end)}" for start, end in intervals)


def row_of(start: int, end: int) -> dict[str, str]:
    """An interval as the editor's six selects show it (end 1440 is 12:00 am, midnight)."""
    return {**_bound("from", start), **_bound("to", end)}


def _bound(side: str, minutes: int) -> dict[str, str]:
    hours, rest = divmod(minutes % 1440, 60)
    return {f"{side}_h": str(hours % 12 or 12), f"{side}_m": f"{rest:02d}", f"{side}_p": "pm" if hours >= 12 else "am"}


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
    return {"provider": provider, "rows": {day: [row_of(*i) for i in sorted(weekly[day])] for day in range(7)},
            "hours": {day: interval_text(sorted(weekly[day])) for day in range(7)},
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


def _bound_minutes(hour: str, minute: str, period: str, end: bool) -> int | None:
    """Minutes after midnight of a 12-hour time from the selects; None for anything not on the lists.
    An end at 12:00 am is midnight at the end of the day (1440)."""
    if not (hour.isdecimal() and len(hour) <= 2 and 1 <= int(hour) <= 12):
        return None
    if not (minute.isdecimal() and len(minute) <= 2 and int(minute) <= 59) or period not in ("am", "pm"):
        return None
    minutes = (int(hour) % 12) * 60 + int(minute) + (720 if period == "pm" else 0)
    return 1440 if end and minutes == 0 else minutes


def rows_text(rows: list[dict[str, str]]) -> str:
    """The ranges of a day as the editor shows them, in words ("10:00 am – 2:00 pm, …"); a range
    not fully on the lists is left out (its message says why)."""
    spans = []
    for row in rows:
        start = _bound_minutes(row.get("from_h", ""), row.get("from_m", ""), row.get("from_p", ""), end=False)
        end = _bound_minutes(row.get("to_h", ""), row.get("to_m", ""), row.get("to_p", ""), end=True)
        if start is not None and end is not None:
            spans.append((start, end))
    return interval_text(spans)


def _day_lists(form, day: int) -> list[list[str]]:
    return [[(value or "").strip() for value in form.getlist(f"d{day}_{field}")] for field in ROW_FIELDS]


def rows_from_form(form) -> dict[int, list[dict[str, str]]]:
    """The intervals as typed, unchecked (to show a refused or half-edited form again)."""
    rows = {}
    for day in range(7):
        lists = _day_lists(form, day)
        rows[day] = [{field: value[:2] for field, value in zip(ROW_FIELDS, values)}
                     for values in list(zip(*lists))[:MAX_INTERVALS]]
    return rows


def parse_week(form) -> dict[int, list[tuple[int, int]]]:
    """Each weekday's intervals from the editor's selects: `d<day>_from_h`, `_from_m`, `_from_p`,
    `_to_h`, `_to_m`, `_to_p`, one value per interval, in order; a day without any is a day off.
    Several intervals leave a break between them. Refused with a message per day: a time not on
    the lists, an end before its start, an interval past midnight, overlapping intervals."""
    weekly, errors = {}, {}
    for day in range(7):
        name, field = weekday_names()[day], f"day{day}"
        lists = _day_lists(form, day)
        if len({len(values) for values in lists}) > 1 or len(lists[0]) > MAX_INTERVALS:
            errors[field] = gettext("%(day)s: choose each time from the lists (hour, minutes, am or pm).", day=name)
            continue
        intervals = []
        for values in zip(*lists):
            if not any(values):
                continue  # an added interval left blank
            start, end = _bound_minutes(*values[:3], end=False), _bound_minutes(*values[3:], end=True)
            if start is None or end is None:
                errors[field] = gettext("%(day)s: choose each time from the lists (hour, minutes, am or pm).", day=name)
                break
            if end <= start:
                span = f"{clock_label(start)} – {clock_label(end)}"
                if start >= 720 and end < 720:
                    errors[field] = gettext("%(day)s: %(span)s runs past midnight. End it at 12:00 am (midnight) "
                                            "and put the rest on the next day.", day=name, span=span)
                else:
                    errors[field] = gettext("%(day)s: %(span)s ends before it starts.", day=name, span=span)
                break
            intervals.append((start, end))
        intervals.sort()
        for (a_start, a_end), (b_start, b_end) in zip(intervals, intervals[1:]):
            if a_end > b_start and field not in errors:
                errors[field] = gettext("%(day)s: %(first)s and %(second)s overlap. Change one of them.", day=name,
                                        first=f"{clock_label(a_start)} – {clock_label(a_end)}",
                                        second=f"{clock_label(b_start)} – {clock_label(b_end)}")
        weekly[day] = intervals
    if not errors and not any(weekly.values()):
        errors["day0"] = gettext("Enter your working hours for at least one day (use time off for a break from work).")
    if errors:
        raise AvailabilityRefused(errors)
    return weekly


def apply_edit(rows: dict[int, list[dict[str, str]]], edit: str, form) -> dict[int, list[dict[str, str]]]:
    """An edit of the form before saving: `add:<day>` (one more interval), `remove:<day>:<n>`, or
    `copy:<day>` (that day's intervals to each day ticked in `copy<day>_to`). Nothing is saved."""
    parts = edit.split(":")
    day = int(parts[1]) if len(parts) > 1 and parts[1].isdecimal() and len(parts[1]) == 1 else -1
    if day not in rows:
        raise AvailabilityRefused({"hours": gettext("Use the buttons of the weekly hours form.")}, 400)
    rows = {d: list(r) for d, r in rows.items()}
    if parts[0] == "add" and len(parts) == 2:
        if len(rows[day]) >= MAX_INTERVALS:
            raise AvailabilityRefused({f"day{day}": gettext("%(day)s: at most %(num)s time ranges a day.",
                                                            day=weekday_names()[day], num=MAX_INTERVALS)})
        rows[day].append(_next_interval(rows[day]))
    elif parts[0] == "remove" and len(parts) == 3 and parts[2].isdecimal() and int(parts[2]) < len(rows[day]):
        del rows[day][int(parts[2])]
    elif parts[0] == "copy" and len(parts) == 2:
        targets = {value for value in form.getlist(f"copy{day}_to") if value in "0123456" and len(value) == 1}
        if not targets - {str(day)}:
            raise AvailabilityRefused({f"day{day}": gettext("%(day)s: tick the days to copy these hours to.",
                                                            day=weekday_names()[day])})
        for target in targets - {str(day)}:
            rows[int(target)] = [dict(row) for row in rows[day]]
    else:
        raise AvailabilityRefused({"hours": gettext("Use the buttons of the weekly hours form.")}, 400)
    return rows


def _next_interval(rows: list[dict[str, str]]) -> dict[str, str]:
    """A new interval: 9 am to 1 pm on an empty day, else the two hours after a one-hour break."""
    last_end = _bound_minutes(rows[-1]["to_h"], rows[-1]["to_m"], rows[-1]["to_p"], end=True) if rows else None
    if last_end is None or last_end + 60 >= 1440:
        return row_of(9 * 60, 13 * 60) if not rows else row_of(20 * 60, 22 * 60)
    start = last_end + 60
    return row_of(start, min(start + 120, 1440))


def _choice(form, name: str, choices: tuple[int, ...], message: str, errors: dict) -> int:
    text = (form.get(name) or "").strip()
    if text.isdecimal() and len(text) <= 5 and int(text) in choices:  # isdigit() also passes "²", which int() refuses
        return int(text)
    errors[name] = message
    return 0


def parse_rules(form) -> tuple[int, int]:
    errors: dict[str, str] = {}
    buffer_min = _choice(form, "buffer", BUFFER_CHOICES, gettext("Choose the travel time between jobs from the list."), errors)
    notice_min = _choice(form, "notice", NOTICE_CHOICES, gettext("Choose the minimum notice from the list."), errors)
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
    return gettext("%(service)s for %(name)s on %(when)s", service=localized(booking, "service_name"), name=first_name,
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
                    booking=_describe(booking, provider["timezone"]), service=localized(booking, "service_name"))}, 409)
        await tx.execute("delete_provider_services", {"provider_id": provider_id})
        for service_id in ids:
            await tx.execute("insert_provider_service", {"provider_id": provider_id, "service_id": service_id})
        await publish(tx, f"slots:{provider_id}", "availability", {"provider_id": provider_id}, now)
