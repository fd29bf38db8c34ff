"""Earnings: projections from an hourly rate and planned hours, and what completed jobs earned.

Money is integer paise throughout; inputs are parsed with Decimal and every
division rounds half up to a whole paisa.  The projections:

    weekly  = rate × planned hours per week
    daily   = rate × planned hours per working day  = weekly / working days per week
    monthly = weekly × days in the current month / 7

(all from the raw inputs, so nothing is rounded twice).  Zero working days or
zero hours project zero.  Actual earnings are the price and late fee of completed
bookings plus the late fee of cancelled ones, by their start day in the provider's time
zone, split into paid (the provider marked the payment) and unpaid.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, DecimalException

from ..i18n import gettext, month_day, ngettext
from ..booking.domain import _day_start, local_today, week_start

MAX_RATE_PAISE = 10_000_000  # ₹1,00,000 an hour
MAX_MINUTES_WEEK = 7 * 24 * 60
# A plain decimal number as people type it: digits, then optionally a point and at most 2 decimals.
# Not "1E+30", "NaN", "Infinity" or "1_000" (all of which Decimal() would take), nor other scripts' digits.
_PLAIN_NUMBER = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,2})?", re.ASCII)
CHART_WEEKS = 8


class EarningsInputError(Exception):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class Plan:
    rate_paise: int
    minutes_week: int
    days_week: int


@dataclass(frozen=True)
class Projection:
    daily: int
    weekly: int
    monthly: int
    days_in_month: int


def _div_half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def project(plan: Plan, month_days: int) -> Projection:
    """Daily, weekly and monthly paise for a plan, in a month of `month_days` days."""
    earned_per_week_x60 = plan.rate_paise * plan.minutes_week  # paise × 60
    weekly = _div_half_up(earned_per_week_x60, 60)
    daily = _div_half_up(earned_per_week_x60, 60 * plan.days_week) if plan.days_week else 0
    monthly = _div_half_up(earned_per_week_x60 * month_days, 60 * 7)
    return Projection(daily, weekly, monthly, month_days)


def days_in_month(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def parse_plan(form) -> Plan:
    """Rate in rupees (up to 2 decimals), hours per week (up to 2 decimals), working days 0-7.

    Numbers must be plain decimals (see `_PLAIN_NUMBER`), so every value is bounded before any
    arithmetic; a plan with hours needs 1-7 working days and at most 24 hours per working day.
    """
    errors = {}
    try:
        rate = _decimal(form.get("rate"))
        if rate is None:
            errors["rate"] = gettext("Enter your hourly rate in rupees, for example 400 or 450.50.")
        elif rate * 100 > MAX_RATE_PAISE:
            errors["rate"] = gettext("That hourly rate is higher than we accept (at most ₹1,00,000).")
        hours = _decimal(form.get("hours"))
        if hours is None or hours * 60 > MAX_MINUTES_WEEK:
            errors["hours"] = gettext("Enter your planned hours per week, from 0 to 168.")
        days_text = (form.get("days") or "").strip()
        days = int(days_text) if days_text.isdecimal() and len(days_text) <= 2 else None
        if days is None or days > 7:
            errors["days"] = gettext("Enter how many days a week you work, from 0 to 7.")
        elif "hours" not in errors and hours > 0:
            if days == 0:
                errors["days"] = gettext("You plan hours, so enter how many days a week you work them, from 1 to 7.")
            elif hours > 24 * days:
                errors["hours"] = ngettext(
                    "%(hours)s hours do not fit in %(num)s working day: plan at most %(most)s hours a week.",
                    "%(hours)s hours do not fit in %(num)s working days: plan at most %(most)s hours a week.",
                    days, hours=_plain(hours), most=24 * days)
        if errors:
            raise EarningsInputError(errors)
        minutes = int((hours * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        return Plan(int(rate * 100), minutes, days)
    except DecimalException:  # not reachable with _PLAIN_NUMBER's bounds; never a 500 if that changes
        raise EarningsInputError({**errors, "rate": "Enter your hourly rate in rupees, for example 400 or 450.50.",
                                  "hours": "Enter your planned hours per week, from 0 to 168."}) from None


def _decimal(value) -> Decimal | None:
    """A plain, non-negative decimal with at most 2 decimals (commas as digit grouping allowed), or None."""
    text = (value or "").strip().replace(",", "")
    if len(text) > 12 or not _PLAIN_NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except DecimalException:
        return None


def _plain(number: Decimal) -> str:
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def hours_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not rest:
        return str(hours)
    return str((Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)).rstrip("0").rstrip(".")


async def current_plan(db, provider_id: int) -> Plan:
    """The saved plan, or one from the weekly schedule (its hours and working days)."""
    provider = await db.fetch_one("select_provider", {"id": provider_id})
    saved = await db.fetch_one("select_earnings_plan", {"provider_id": provider_id})
    if saved:
        return Plan(provider["hourly_rate_paise"], saved["planned_minutes_week"], saved["working_days_week"])
    hours = await db.fetch_all("select_working_hours", {"provider_id": provider_id})
    minutes = sum(row["end_min"] - row["start_min"] for row in hours)
    return Plan(provider["hourly_rate_paise"], minutes, len({row["weekday"] for row in hours}))


async def save_plan(db, provider_id: int, plan: Plan, now: datetime) -> None:
    async with db.transaction() as tx:
        await tx.execute("update_hourly_rate", {"provider_id": provider_id, "rate": plan.rate_paise})
        await tx.execute("delete_earnings_plan", {"provider_id": provider_id})
        await tx.execute("insert_earnings_plan", {"provider_id": provider_id, "planned_minutes_week": plan.minutes_week,
                                                  "working_days_week": plan.days_week, "now": now})


@dataclass(frozen=True)
class Actual:
    today: int
    this_week: int
    this_month: int
    weeks: list[tuple[date, int, int]]  # the last CHART_WEEKS weeks (Monday, paid paise, unpaid paise), oldest first
    paid: int = 0  # this month
    unpaid: int = 0  # everything owed and not marked paid, over the period read
    late_fees: int = 0  # this month


async def actual_earnings(db, provider_id: int, tz: str, now: datetime) -> Actual:
    """What jobs earned today, this week, this month, and in each of the last 8 weeks: completed jobs'
    price and late fees, and late fees of cancelled jobs (owed to the provider), split paid and unpaid."""
    today = local_today(now, tz)
    monday = week_start(today)
    first_week = monday - timedelta(weeks=CHART_WEEKS - 1)
    month_start = today.replace(day=1)
    since = min(first_week, month_start)
    rows = await db.fetch_all("select_owed_jobs", {"provider_id": provider_id, "from_at": _day_start(since, tz)})
    by_week = {first_week + timedelta(weeks=i): [0, 0] for i in range(CHART_WEEKS)}
    today_total = week_total = month_total = paid_month = unpaid = fees_month = 0
    for row in rows:
        day = local_today(row["starts_at"], tz)
        fee = int(row["late_fee_paise"] or 0)
        paise = (int(row["price_paise"]) if row["status"] == "completed" else 0) + fee
        is_paid = row["paid_at"] is not None
        if day == today:
            today_total += paise
        if monday <= day < monday + timedelta(days=7):
            week_total += paise
        if (day.year, day.month) == (today.year, today.month):
            month_total += paise
            fees_month += fee
            paid_month += paise if is_paid else 0
        unpaid += 0 if is_paid else paise
        if week_start(day) in by_week:
            by_week[week_start(day)][0 if is_paid else 1] += paise
    weeks = [(monday_, paid, owed) for monday_, (paid, owed) in sorted(by_week.items())]
    return Actual(today_total, week_total, month_total, weeks, paid_month, unpaid, fees_month)


@dataclass(frozen=True)
class Bar:
    y: int  # top of the row
    label: str  # "23 Nov"
    paid: int  # paise
    unpaid: int
    paid_width: int  # px in the chart's 320-wide viewBox
    unpaid_width: int

    @property
    def amount(self) -> int:
        return self.paid + self.unpaid


CHART_LABEL_WIDTH = 64  # room for "23 Nov" at 14 px
CHART_BAR_SPACE = 170  # the longest bar; the amount is written after it
CHART_ROW = 32


def chart_bars(weeks: list[tuple[date, int, int]]) -> list[Bar]:
    """Horizontal bars, one row per week, paid then unpaid: the best week fills the bar space (integers)."""
    top = max((paid + owed for _, paid, owed in weeks), default=0)
    bars = []
    for index, (monday, paid, owed) in enumerate(weeks):
        total_width = ((paid + owed) * CHART_BAR_SPACE) // top if top else 0
        paid_width = (paid * CHART_BAR_SPACE) // top if top else 0
        bars.append(Bar(index * CHART_ROW, month_day(monday), paid, owed,
                        paid_width, total_width - paid_width))
    return bars


async def completed_jobs_csv(db, provider_id: int, tz: str) -> str:
    """All completed jobs as CSV: date and time in the provider's zone, service, customer, amount in rupees."""
    from zoneinfo import ZoneInfo

    rows = await db.fetch_all("select_completed_jobs", {"provider_id": provider_id,
                                                       "from_at": datetime(2000, 1, 1, tzinfo=ZoneInfo("UTC"))})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["booking", "date", "start", "end", "service", "customer", "amount_inr"])
    zone = ZoneInfo(tz)
    for row in rows:
        start, end = row["starts_at"].astimezone(zone), row["ends_at"].astimezone(zone)
        writer.writerow([row["id"], start.date().isoformat(), start.strftime("%H:%M"), end.strftime("%H:%M"),
                         _csv_safe(row["service_name"]), _csv_safe(row["customer_name"]), f"{row['price_paise'] // 100}.{row['price_paise'] % 100:02d}"])
    return out.getvalue()


def _csv_safe(value: str) -> str:
    """Spreadsheet apps run cells that start with = + - @ as formulas: quote them as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
