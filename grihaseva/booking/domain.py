"""Booking: the catalogue, free slots, and booking, cancelling and rescheduling
without ever selling a slot twice.

Every change runs in one transaction: lock the provider, re-check the slot
against freshly read bookings with the same rules that drew the grid
(`slots.why_not_bookable`), write the booking, the provider's notification and
the outbox events, commit.  The unique key on (provider, active start) backs
the check in the database.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Mapping
from zoneinfo import ZoneInfo

from ..i18n import gettext, lazy_gettext, localized, ngettext, status_label, use_locale
from ..db import Database, IntegrityError
from ..events import publish_many
from ..plaintext import has_letters_or_digits, one_line
from .booking_mail import mail_booking_change
from . import notifications, slots
from .slots import Availability, Busy
from ..refusal import Refused

CANCEL_CUTOFF = timedelta(hours=3)
WOMEN_ONLY_CUSTOMER = lazy_gettext("This service is offered by women professionals to women customers only. "
                                    "Your profile does not say female, so it cannot be booked from this account.")


def changeable(booking: Mapping, now: datetime) -> bool:
    """Can the customer still cancel or move it online free of charge: confirmed, and 3 hours or more before
    the start (after that, `change_terms` says what a change costs)."""
    return booking["status"] == "confirmed" and booking["starts_at"] - now >= CANCEL_CUTOFF


@dataclass(frozen=True)
class ChangeTerms:
    """What a customer's cancel or move costs now: `fee_paise` is what this change adds (0 when free, or when
    the booking already carries its one late fee); `late` inside the free window; `no_show` the professional
    is not on the way 15 minutes after the start (cancel free, no move)."""
    fee_paise: int
    late: bool = False
    no_show: bool = False

    @property
    def can_move(self) -> bool:
        return not self.no_show


def change_terms(booking: Mapping, now: datetime) -> ChangeTerms | None:
    """None when the customer cannot cancel or move the booking online now (finished, under way, or started
    less than 15 minutes ago with the professional maybe on the way)."""
    from .timeline import is_no_show

    if booking["status"] != "confirmed" or booking.get("started_at"):
        return None
    if is_no_show(booking, now):
        return ChangeTerms(0, no_show=True)
    if now >= booking["starts_at"]:
        return None
    if booking["starts_at"] - now >= CANCEL_CUTOFF:
        return ChangeTerms(0)
    already = int(booking.get("late_fee_paise") or 0) > 0
    return ChangeTerms(0 if already else int(booking.get("service_late_fee_paise") or 0), late=True)


def not_changeable_message(booking: Mapping, action: str) -> str:
    """Why `change_terms` said None, for "cancel" or "move"."""
    provider = booking.get("provider_name")
    if booking["status"] != "confirmed":
        return gettext("This booking is already %(status)s.", status=status_label(booking["status"]))
    if booking.get("started_at"):
        if action == "cancel":
            return gettext("The job has started, so it can no longer be cancelled online. Talk to %(provider)s.",
                           provider=provider)
        return gettext("The job has started, so it can no longer be moved online. Talk to %(provider)s.",
                       provider=provider)
    if action == "cancel":
        return gettext("The job's time has come, so it can no longer be cancelled online. If %(provider)s has not "
                       "set off 15 minutes after the start, you can cancel free of charge.", provider=provider)
    return gettext("The job's time has come, so it can no longer be moved online. If %(provider)s has not "
                   "set off 15 minutes after the start, you can cancel free of charge.", provider=provider)


class BookingRefused(Refused):
    """A booking request that breaks a rule; `status` is the HTTP status to answer with."""


def terms_of_change(booking: Mapping, now: datetime, action: str) -> ChangeTerms:
    """What cancelling or moving (`action`: "cancel" or "move") `booking` costs now, or BookingRefused
    with the reason it cannot be done online now, in the words the booking pages and the chat show."""
    if booking["status"] != "confirmed":
        raise BookingRefused(gettext("This booking is already %(status)s.", status=status_label(booking["status"])), 409)
    terms = change_terms(booking, now)
    if terms is None:
        raise BookingRefused(not_changeable_message(booking, action), 422)
    if action == "move" and terms.no_show:
        raise BookingRefused(gettext("%(provider)s has not set off, so this booking cannot be moved; you can cancel "
                                     "it free of charge and book again.", provider=booking["provider_name"]), 422)
    return terms


class BookingChanged(BookingRefused):
    """The booking was cancelled or completed by someone else between reading it and changing it."""

    def __init__(self):
        super().__init__(gettext("This booking was just changed by someone else. Reload the page to see it as it is now."), 409)


class AlreadyBooked(BookingRefused):
    """The customer already holds this service at an overlapping time (a double submit, usually)."""

    def __init__(self, service: "Service", row: Mapping):
        super().__init__(gettext("You already have %(service)s booked at that time: %(when)s with %(provider)s. "
                                 "See it under My bookings.", service=localized(service, "name"),
                                 when=slots.local_label(row["starts_at"], row["timezone"]),
                                 provider=row["provider_name"]), 409)
        self.booking_id = int(row["id"])


@dataclass(frozen=True)
class BookingCaps:
    """How many upcoming bookings (confirmed, not yet ended) one customer may hold. Without caps one
    account could hold a provider's whole calendar, and with free cancellation a few accounts could
    empty a city's schedule. `new_account` applies while the account is younger than `new_for` and
    has no completed job: sign-ups are cheap, a finished job is not."""

    upcoming: int = 10
    per_provider: int = 4
    new_account: int = 2
    new_for: timedelta = timedelta(days=7)

    @classmethod
    def from_settings(cls, settings) -> "BookingCaps":
        return cls(settings.booking_cap_upcoming, settings.booking_cap_per_provider, settings.booking_cap_new_account)


class BookingLimitReached(BookingRefused):
    """The customer already holds as many upcoming bookings as their cap allows."""

    def __init__(self, cap: str, limit: int):
        super().__init__(self.message_for(cap, limit), 409)
        self.cap, self.limit = cap, limit

    @staticmethod
    def message_for(cap: str, n: int) -> str:
        if cap == "upcoming":
            return ngettext("You already have %(num)s upcoming booking, the most one account can hold. "
                            "Cancel it if you no longer need it, or book again once it is done.",
                            "You already have %(num)s upcoming bookings, the most one account can hold. "
                            "Cancel one you no longer need, or book again once one is done.", n)
        if cap == "per_provider":
            return ngettext("You already have %(num)s upcoming booking with this professional, the most we allow "
                            "with one professional. Choose another professional, or book again once it is done.",
                            "You already have %(num)s upcoming bookings with this professional, the most we allow "
                            "with one professional. Choose another professional, or book again once one is done.", n)
        return ngettext("New accounts can hold %(num)s upcoming booking until their first job is completed. "
                        "Book again once a job is done, or write to support@grihaseva.example.",
                        "New accounts can hold %(num)s upcoming bookings until their first job is completed. "
                        "Book again once a job is done, or write to support@grihaseva.example.", n)


class LateFeeToConfirm(BookingRefused):
    """A change inside the free window whose fee the customer has not seen (or saw at another amount)."""

    def __init__(self, fee_paise: int, action: str):
        from ..money import rupees
        if action == "cancel":
            message = gettext("It is now less than 3 hours before the start, so to cancel this booking there is a "
                              "late fee of %(fee)s, paid to the professional. Nothing has changed yet: confirm on "
                              "the booking page to cancel it with the fee.", fee=rupees(fee_paise))
        else:
            message = gettext("It is now less than 3 hours before the start, so to move this booking there is a "
                              "late fee of %(fee)s, paid to the professional. Nothing has changed yet: confirm on "
                              "the booking page to move it with the fee.", fee=rupees(fee_paise))
        super().__init__(message, 409)
        self.fee_paise = fee_paise


def check_fee_accepted(terms: ChangeTerms, accepted_fee: int | None, action: str) -> None:
    if terms.fee_paise and accepted_fee != terms.fee_paise:
        raise LateFeeToConfirm(terms.fee_paise, action)


class SlotTaken(BookingRefused):
    def __init__(self, message: str | None = None):
        super().__init__(message or gettext("That slot was just taken. Please pick another time."), 409)


@dataclass(frozen=True)
class Service:
    id: int
    slug: str
    name: str
    summary: str
    included: str
    duration_min: int
    price_paise: int
    women_only: bool
    category_slug: str
    category_name: str
    late_fee_paise: int = 9900
    # The Hindi texts (migration 015); empty: not translated, pages show the English (i18n.localized).
    name_hi: str = ""
    summary_hi: str = ""
    included_hi: str = ""
    category_name_hi: str = ""

    @classmethod
    def from_row(cls, row: Mapping) -> "Service":
        return cls(row["id"], row["slug"], row["name"], row["summary"], row["included"], row["duration_min"],
                   row["price_paise"], bool(row["women_only"]), row["category_slug"], row["category_name"],
                   int(row.get("late_fee_paise", 9900)), row.get("name_hi") or "", row.get("summary_hi") or "",
                   row.get("included_hi") or "", row.get("category_name_hi") or "")

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_min)


# ---------------------------------------------------------------- catalogue


async def active_service(db, slug: str) -> Service | None:
    row = await db.fetch_one("select_service_by_slug", {"slug": slug})
    return Service.from_row(row) if row and row["is_active"] else None


async def qualified_providers(db, service: Service, pin: str | None = None) -> list[dict]:
    """Verified providers who offer the service (and, for women-only services, are women); with a
    PIN code, only those who serve it (`addresses.serving`)."""
    from .addresses import serving

    rows = await db.fetch_all("select_service_providers", {"service_id": service.id})
    area = await serving(db, pin)
    return [row for row in rows if (not service.women_only or row["gender"] == "female")
            and (area is None or row["id"] in area)]


# ---------------------------------------------------------------- availability


# No job is longer than this (services.duration_min <= 720 is a CHECK in the schema): a booking
# that starts more than 12 hours before a period cannot reach into it, so reads of busy time are
# bounded on both sides of the (provider_id, active_start) index.
MAX_JOB = timedelta(hours=12)


async def availability(db, provider_id: int, around: datetime, off_today: bool = True) -> Availability:
    """The provider's availability as of `around` (now). A provider who switched "available today" off
    (`providers.off_today` is their local today) is away from `around` to their local midnight; with
    `off_today=False` that is left out (the grid's schedule, so those times grey out instead of vanishing)."""
    provider = await db.fetch_one("select_provider", {"id": provider_id})
    avail, _ = await schedule(db, provider, around, around, around, off_today=off_today)
    return avail


async def schedule(db, provider: Mapping, around: datetime, from_at: datetime, to_at: datetime,
                   ignore_booking: int | None = None, off_today: bool = True,
                   off_span: tuple[datetime, datetime] | None = None) -> tuple[Availability, list[Busy]]:
    """The provider's availability around `around` (`availability`'s, "available today" included
    unless `off_today` is False) and their active bookings that touch [from_at, to_at), in one
    read. `provider` is a row with the booking rules and `off_today` (`select_provider`,
    `select_service_providers`, `lock_provider_for_booking`). Time off is read for the whole
    booking window, or only where it touches `off_span` when given (the check of one start)."""
    window = timedelta(days=provider["window_days"])
    provider_id = provider["id"] if "id" in provider else provider["user_id"]
    off_from, off_to = off_span or (around - timedelta(days=2), around + window + timedelta(days=9))
    rows = await db.fetch_all("select_schedule", {
        "provider_id": provider_id, "from_at": from_at, "to_at": to_at, "busy_after": from_at - MAX_JOB,
        "off_from": off_from, "off_to": off_to,
    })
    weekly: dict[int, list[tuple[time, time]]] = {}
    time_off, taken = [], []
    for row in rows:
        if row["kind"] == "busy":
            if row["id"] != ignore_booking:
                taken.append(Busy(row["starts_at"], row["ends_at"]))
        elif row["kind"] == "off":
            time_off.append((row["starts_at"], row["ends_at"]))
        else:
            opens, closes = _clock(row["start_min"]), _clock(row["end_min"])
            if closes > opens:  # "23:59-24:00" is empty once 24:00 reads 23:59: one provider's row must not break every grid
                weekly.setdefault(row["weekday"], []).append((opens, closes))
    for intervals in weekly.values():
        intervals.sort()
    time_off.sort()
    taken.sort(key=lambda job: job.start)
    avail = Availability(
        weekly=weekly,
        time_off=tuple(time_off),
        tz=provider["timezone"],
        buffer=timedelta(minutes=provider["buffer_min"]),
        min_notice=timedelta(minutes=provider["min_notice_min"]),
        window=window,
        step=timedelta(minutes=provider["step_min"]),
    )
    return (with_off_today(avail, provider, around) if off_today else avail), taken


def with_off_today(avail: Availability, provider: Mapping, around: datetime) -> Availability:
    """`avail` with the rest of the provider's local today away, when they switched "available
    today" off for it (`providers.off_today`)."""
    today = local_today(around, provider["timezone"])
    if provider.get("off_today") != today:
        return avail
    rest_of_today = (around, _day_start(today + timedelta(days=1), provider["timezone"]))
    return replace(avail, time_off=(*avail.time_off, rest_of_today))


def _clock(minutes: int) -> time:
    minutes = min(minutes, 1439)  # the slot engine takes 23:59 as the end of the day
    return time(minutes // 60, minutes % 60)


async def busy(db, provider_id: int, from_at: datetime, to_at: datetime, ignore_booking: int | None = None) -> list[Busy]:
    rows = await db.fetch_all("select_busy", {"provider_id": provider_id, "from_at": from_at, "to_at": to_at,
                                              "busy_after": from_at - MAX_JOB})
    return [Busy(row["starts_at"], row["ends_at"]) for row in rows if row["id"] != ignore_booking]


def local_today(now: datetime, tz: str) -> date:
    return now.astimezone(ZoneInfo(tz)).date()


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


STRIP_DAYS = 14
PARTS_OF_DAY = (("morning", lazy_gettext("Morning"), 0, 12), ("afternoon", lazy_gettext("Afternoon"), 12, 17),
                ("evening", lazy_gettext("Evening"), 17, 24))


@dataclass
class Grid:
    """One day's start times for one service, with a strip of 14 days saying which have any free."""
    service: Service
    provider_id: int | None  # None: "any available provider"
    first_day: date  # the day shown
    days: list[tuple[date, list[tuple[datetime, bool]]]]  # [(the day, [(start, free)])]; free=False: taken
    tz: str
    strip: list[tuple[date, int]]  # (day, free starts that day), STRIP_DAYS days
    prev_week: date | None  # the first day of the previous strip
    next_week: date | None  # the first day of the next strip

    @property
    def parts(self) -> list[tuple[str, str, list[tuple[datetime, bool]]]]:
        """The shown day's starts grouped as morning / afternoon / evening (provider-local hours)."""
        zone = ZoneInfo(self.tz)
        groups = []
        for key, label, from_hour, to_hour in PARTS_OF_DAY:
            cells = [c for c in self.days[0][1] if from_hour <= c[0].astimezone(zone).hour < to_hour]
            if cells:
                groups.append((key, str(label), cells))
        return groups

    @property
    def strip_days(self) -> list[date]:
        return [day for day, _ in self.strip]


async def slot_grid(db, service: Service, provider_id: int | None, first_day: date | None, now: datetime,
                    ignore_booking: int | None = None, pin: str | None = None) -> Grid:
    """Starts of one provider, or of any qualified provider (serving `pin` when given), on one day,
    and how many are free on each day of the 14-day strip around it.

    Taken starts that were free in the schedule are kept (greyed out) so that a
    grid open in a browser visibly loses a slot instead of shifting about.  When
    rescheduling, the booking being moved does not count as busy.  The day shown is `first_day`,
    or, when None, the first day of the strip with a free time (today if none); a past day moves
    up to today, today being the provider's (not the server's, nor India's).
    """
    providers = await _grid_providers(db, service, provider_id, pin)
    tz = providers[0]["timezone"] if providers else "Asia/Kolkata"
    today = local_today(now, tz)
    chosen = today if first_day is None else max(first_day, today)
    strip_start = today + timedelta(days=STRIP_DAYS * ((chosen - today).days // STRIP_DAYS))
    strip_days = [strip_start + timedelta(days=i) for i in range(STRIP_DAYS)]
    per_day: dict[date, dict[datetime, bool]] = {day: {} for day in strip_days}
    if chosen not in per_day:
        per_day[chosen] = {}
    window_end = now
    for provider in providers:
        span_from = _day_start(strip_start, provider["timezone"]) - timedelta(days=1)
        span_to = span_from + timedelta(days=STRIP_DAYS + 2)
        # The schedule without "available today", so today's times grey out instead of vanishing.
        scheduled, taken = await _cached_schedule(db, provider, now, span_from, span_to, ignore_booking)
        avail = with_off_today(scheduled, provider, now)
        window_end = max(window_end, now + avail.window)
        on_schedule = slots.week_grid(scheduled, [], service.duration, strip_start, now, days=STRIP_DAYS)
        free = slots.week_grid(avail, taken, service.duration, strip_start, now, days=STRIP_DAYS)
        for sched_day, free_day in zip(on_schedule, free):
            free_set = set(free_day.starts)
            cells = per_day[sched_day.day]
            for start in sched_day.starts:
                cells[start] = cells.get(start, False) or start in free_set
    strip = [(day, sum(1 for free in per_day[day].values() if free)) for day in strip_days]
    if first_day is None:
        chosen = next((day for day, count in strip if count), today)
    days = [(chosen, sorted(per_day[chosen].items()))]
    prev_week = strip_start - timedelta(days=STRIP_DAYS) if strip_start > today else None
    next_first = strip_start + timedelta(days=STRIP_DAYS)
    next_week = next_first if _day_start(next_first, tz) < window_end else None
    return Grid(service, provider_id, chosen, days, tz, strip, prev_week, next_week)


async def _cached_schedule(db, provider: Mapping, now: datetime, span_from: datetime, span_to: datetime,
                           ignore_booking: int | None) -> tuple[Availability, list[Busy]]:
    """`schedule` through the app's grid cache (`db.grid_cache`, see grid_cache.py) when there is one."""
    cache = getattr(db, "grid_cache", None)
    if cache is None or ignore_booking is not None:  # a reschedule's grid (rare) reads afresh
        return await schedule(db, provider, now, span_from, span_to, ignore_booking, off_today=False)
    key = (span_from, span_to, now.date())
    generation = cache.generation(provider["id"])
    found = cache.get(provider["id"], key)
    if found is None:
        found = await schedule(db, provider, now, span_from, span_to, off_today=False)
        cache.put(provider["id"], key, found, generation)
    return found


def _day_start(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(), ZoneInfo(tz)).astimezone(slots.UTC)


async def _grid_providers(db, service: Service, provider_id: int | None, pin: str | None = None) -> list[dict]:
    providers = await qualified_providers(db, service, pin)
    if provider_id is None:
        return providers
    return [p for p in providers if p["id"] == provider_id]


async def next_free(db, service: Service, provider_id: int, now: datetime) -> datetime | None:
    provider = await db.fetch_one("select_provider", {"id": provider_id})
    avail, taken = await schedule(db, provider, now, now, now + timedelta(days=provider["window_days"] + 1))
    return slots.next_free_start(avail, taken, service.duration, now)


def service_topic(service_id: int) -> str:
    """Topic of a service's catalogue changes: open grids for it re-render."""
    return f"service:{service_id}"


def grid_topics(grid: Grid, provider_ids: list[int]) -> list[str]:
    topics = []
    for provider_id in provider_ids:
        topics.append(f"slots:{provider_id}")
        topics.extend(f"slots:{provider_id}:{day.isoformat()}" for day in grid.strip_days)
    return topics


# ---------------------------------------------------------------- booking


@dataclass(frozen=True)
class Customer:
    id: int
    gender: str


def outside_area(pin: str) -> str:
    return gettext("We don't have professionals for this service at PIN code %(pin)s yet. "
                   "Leave your PIN code and we will tell you when we do.", pin=pin)


async def refuse_outside_area(db, provider_id: int, pin: str | None) -> None:
    from .addresses import serves

    if not await serves(db, provider_id, pin):
        raise BookingRefused(gettext("This professional does not work at PIN code %(pin)s. "
                                     "Choose \"Any available provider\" to see who does.", pin=pin), 422)


def _clean_details(details: Mapping[str, str]) -> dict[str, str]:
    from ..auth.accounts import phone_problem

    address = one_line(details.get("address", ""))
    phone = " ".join(details.get("phone", "").split())
    notes = details.get("notes", "").strip()
    errors = {}
    if len(address) < 10 or not has_letters_or_digits(address):
        errors["address"] = gettext("Enter the full address where the work is to be done (house, street, area).")
    elif len(address) > 300:
        errors["address"] = gettext("Use at most 300 characters for the address.")
    if problem := phone_problem(phone):
        errors["phone"] = problem
    if len(notes) > 500:
        errors["notes"] = gettext("Use at most 500 characters for notes.")
    if errors:
        from ..auth.accounts import ValidationError
        raise ValidationError(errors)
    return {"address": address, "phone": phone, "notes": notes}


async def check_can_book(db, customer: Customer, service: Service, provider_id: int) -> dict:
    """The rules that don't depend on time: women-only, provider offers the service, provider active."""
    if service.women_only and customer.gender != "female":
        raise BookingRefused(str(WOMEN_ONLY_CUSTOMER), 403)
    provider = await db.fetch_one("select_provider", {"id": provider_id})
    if provider is None or not provider["verified"] or not provider["is_active"]:
        raise BookingRefused(gettext("That provider is not taking bookings."), 404)
    if service.women_only and provider["gender"] != "female":
        raise BookingRefused(gettext("Women-only services are done only by women professionals."), 422)
    if not await db.fetch_one("provider_offers_service", {"provider_id": provider_id, "service_id": service.id}):
        raise BookingRefused(gettext("That provider does not offer this service."), 422)
    return provider


async def pick_provider(db, service: Service, start: datetime, now: datetime, pin: str | None = None) -> int:
    """For "any available provider": the qualified provider free at `start` with the fewest bookings
    that day; among those equally free, the higher average rating (unrated counts as lowest), then the lower id."""
    from ..reviews.domain import rating_summary

    candidates = []
    reasons = set()
    qualified = await qualified_providers(db, service, pin)
    if not qualified and pin is not None:
        raise BookingRefused(outside_area(pin), 422)
    ratings = await rating_summary(db, [p["id"] for p in qualified])
    for provider in qualified:
        avail, taken = await schedule(db, provider, now, start - timedelta(days=1), start + timedelta(days=1))
        reason = slots.why_not_bookable(avail, taken, service.duration, start, now)
        reasons.add(reason)
        if reason is None:
            day = local_today(start, avail.tz)
            day_from = _day_start(day, avail.tz)
            count = await db.fetch_value("count_provider_bookings_between", {
                "provider_id": provider["id"], "from_at": day_from, "to_at": day_from + timedelta(days=1)})
            average = ratings[provider["id"]].average or 0  # an exact Fraction: no float ties
            candidates.append((count, -average, provider["id"]))
    if not candidates:
        if reasons == {slots.PAST}:  # true whoever the provider: say so, not "no one is free"
            raise BookingRefused(str(slots.PAST), 422)
        raise SlotTaken(gettext("No provider is free at that time any more. Please pick another time."))
    return min(candidates)[2]


async def check_bookable(db, service: Service, provider_id: int | None, start: datetime, now: datetime,
                         pin: str | None = None, customer_id: int | None = None) -> None:
    """Before the confirm step: BookingRefused (or SlotTaken) if `start` cannot be booked now
    (at `pin`, when known), or BookingLimitReached if the customer is at a cap. The booking itself
    checks all of it again under the lock."""
    if customer_id is not None:
        held = await db.fetch_one("select_customer_caps", {"customer_id": customer_id, "provider_id": provider_id, "now": now})
        if held is not None:
            refuse_over_cap(held, now, caps_for(db))
    if provider_id is None:
        await pick_provider(db, service, start, now, pin)
    else:
        await refuse_outside_area(db, provider_id, pin)
        await _check_slot(db, provider_id, service, start, now)


async def _check_slot(tx, provider_id: int, service: Service, start: datetime, now: datetime,
                      ignore_booking: int | None = None, provider: Mapping | None = None):
    """The provider's availability if `start` is free for `service`, else BookingRefused/SlotTaken.
    `provider` is their row with the booking rules when the caller has read it already."""
    if provider is None:
        provider = await tx.fetch_one("select_provider", {"id": provider_id})
    # Only what can block this start is read: jobs (with the travel buffer after them) and time
    # off that reach into [start, start + length + buffer), not the days around it.
    reach = start + service.duration + timedelta(minutes=provider["buffer_min"])
    avail, taken = await schedule(tx, provider, now, start - timedelta(minutes=provider["buffer_min"]), reach,
                                  ignore_booking, off_span=(start, reach))
    reason = slots.why_not_bookable(avail, taken, service.duration, start, now)
    if reason is None:
        return avail
    if reason == slots.TAKEN:
        raise SlotTaken()
    raise BookingRefused(str(reason), 422)


async def _announce(tx, provider_id: int, customer_id: int, tz: str, kind: str, booking_id: int, starts: list[datetime], now: datetime):
    payload = {"booking_id": booking_id}
    events = [(f"slots:{provider_id}:{local_today(start, tz).isoformat()}", kind, payload) for start in starts]
    events += [(f"provider:{provider_id}", kind, payload), (f"user:{customer_id}", kind, payload)]
    await publish_many(tx, events, now)


async def refuse_if_already_booked(db, customer_id: int, service: Service, start: datetime,
                                   ignore_booking: int | None = None) -> None:
    """AlreadyBooked if the customer holds a confirmed booking of this service at an overlapping
    time: a double submit of "any available provider" would otherwise send two professionals.
    Different services at the same time stay allowed. Called without locks before a provider is
    picked (a second tap when everyone is now busy is not "no provider is free"). In the booking's
    transaction `lock_provider_for_booking` makes the same test after both locks, and this then
    reads the booking to name it."""
    overlap = await db.fetch_one("select_customer_same_service_overlap", {
        "customer_id": customer_id, "service_id": service.id, "starts_at": start,
        "ends_at": start + service.duration, "ignore_booking": ignore_booking or 0})
    if overlap:
        raise AlreadyBooked(service, overlap)


async def check_reschedulable(db, booking: Mapping, service: Service, new_start: datetime, now: datetime) -> Availability:
    """The rules of a move, for `booking` as read now: the confirm step calls it without locks, and
    `reschedule_booking` again under the customer and provider locks. Returns the provider's availability."""
    terms_of_change(booking, now, "move")
    if new_start == booking["starts_at"]:
        raise BookingRefused(gettext("That is the time already booked. Pick a different slot."), 422)
    await refuse_if_already_booked(db, booking["customer_id"], service, new_start, booking["id"])
    return await _check_slot(db, booking["provider_id"], service, new_start, now, ignore_booking=booking["id"])


def refuse_over_cap(held: Mapping, now: datetime, caps: BookingCaps) -> None:
    """BookingLimitReached if one more upcoming booking would pass a cap. `held` is the customer's
    row from `lock_customer_for_booking` (its upcoming bookings, overall and with the provider, and
    its standing), read under the customer's lock, so concurrent bookings of one customer count each other."""
    total, with_provider = int(held["upcoming"]), int(held["with_provider"])
    if total >= caps.new_account and not held["has_completed"] and now - held["created_at"] < caps.new_for:
        raise BookingLimitReached("new_account", caps.new_account)
    if total >= caps.upcoming:
        raise BookingLimitReached("upcoming", caps.upcoming)
    if with_provider >= caps.per_provider:
        raise BookingLimitReached("per_provider", caps.per_provider)


def caps_for(db) -> BookingCaps:
    """The app's caps (`create_app` sets `db.booking_caps` from the settings), else the defaults."""
    return getattr(db, "booking_caps", None) or BookingCaps()


async def place_booking(db: Database, customer: Customer, service: Service, provider_id: int | None,
                        start: datetime, details: Mapping[str, str], now: datetime) -> int:
    """Book `start` for the customer with the chosen provider, or with the best free one when
    `provider_id` is None ("any available provider"); returns the booking id.

    The one entry point for placing a booking (the booking page and the chatbot call it), so each
    rule is written once, in this order: who may book the service (women-only), what they typed
    (`ValidationError`), which provider (any: a second booking of the same service is
    `AlreadyBooked` before a provider is picked, so a double tap when everyone is now busy shows
    the booking made, then `pick_provider`), and finally the locked transaction: the provider's
    standing and services (the rules of `check_can_book`, read with the lock), the customer's
    same-service overlap, then the slot. Refusals are `BookingRefused` (`SlotTaken` for a lost
    race, `AlreadyBooked` for a second booking).

    Statements on a chosen provider: BEGIN, two locking reads (the second also reads the service's
    terms and the customer's same-service overlap), the schedule around the start (one read),
    four inserts (booking, notification, events, mails), COMMIT."""
    if service.women_only and customer.gender != "female":
        raise BookingRefused(str(WOMEN_ONLY_CUSTOMER), 403)
    clean = _clean_details(details)
    pin = details.get("pin") or None
    if provider_id is None:
        await refuse_if_already_booked(db, customer.id, service, start)
        provider_id = await pick_provider(db, service, start, now, pin)
    elif pin is not None:  # a chosen professional: do they work there? (one read, only with a PIN code)
        await refuse_outside_area(db, provider_id, pin)
    # Everything else is read once, under the locks (customer, then provider: the one order every
    # transaction takes them in), and the mail is written as facts for the sender to render.
    try:
        async with db.transaction() as tx:
            buyer = await tx.fetch_one("lock_customer_for_booking", {"customer_id": customer.id, "provider_id": provider_id, "now": now})
            provider = await tx.fetch_one("lock_provider_for_booking", {"provider_id": provider_id, "service_id": service.id,
                                                                        "customer_id": customer.id, "starts_at": start})
            if provider is None or not provider["verified"] or not provider["is_active"]:  # or suspended meanwhile
                raise BookingRefused(gettext("That provider is not taking bookings."), 404)
            service = _as_now(service, provider)  # its length, price and rules as committed now
            if service.women_only and customer.gender != "female":
                raise BookingRefused(str(WOMEN_ONLY_CUSTOMER), 403)
            if service.women_only and provider["gender"] != "female":
                raise BookingRefused(gettext("Women-only services are done only by women professionals."), 422)
            if not provider["offers"]:  # never offered, or dropped meanwhile
                raise BookingRefused(gettext("That provider does not offer this service."), 422)
            if provider["same_service_booking"]:  # read with the lock; this names it in the refusal
                await refuse_if_already_booked(tx, customer.id, service, start)
            refuse_over_cap(buyer, now, caps_for(db))
            avail = await _check_slot(tx, provider_id, service, start, now, provider=provider)
            booking = {"customer_id": customer.id, "provider_id": provider_id, "service_id": service.id,
                       "starts_at": start, "ends_at": start + service.duration, "price_paise": service.price_paise,
                       "now": now, **clean}
            booking_id = (await tx.execute("insert_booking", booking)).lastrowid
            if details.get("address_id"):  # a saved address (only then: one more statement)
                await tx.execute("set_booking_address", {"id": booking_id, "address_id": int(details["address_id"])})
            await notifications.notify(tx, provider_id, "booked", booking_id, now, "booked",
                                       **notifications.service_params(service, "name"),
                                       **notifications.when_params(start, avail.tz))
            await _announce(tx, provider_id, customer.id, avail.tz, "booked", booking_id, [start], now)
            await mail_booking_change(tx, booking_id, "booked", now, booking={
                **booking, "id": booking_id, "calendar_sequence": 0, "cancel_reason": None, "cancelled_by": None,
                "service_name": service.name, "service_name_hi": service.name_hi, "timezone": avail.tz,
                "provider_name": provider["name"], "provider_email": provider["email"],
                "provider_locale": provider["locale"],
                "customer_name": buyer["name"], "customer_email": buyer["email"], "customer_locale": buyer["locale"]})
    except IntegrityError:  # the unique key caught a race the check could not see
        raise SlotTaken() from None
    except BookingLimitReached as refused:  # kept for the admin console, outside the rolled-back transaction
        await db.execute("insert_booking_limit_hit", {"customer_id": customer.id, "provider_id": provider_id,
                                                      "cap": refused.cap, "now": now})
        raise
    return booking_id


def _as_now(service: Service, provider: Mapping) -> Service:
    """`service` with what a booking takes from it as `lock_provider_for_booking` read it in the
    booking's transaction: the caller's copy may be a page's (cached until a catalogue event), so
    a service deactivated, re-priced or changed meanwhile is booked as it is now, or not at all."""
    if not provider["service_active"]:
        raise BookingRefused(gettext("We don't offer that service (any more). See all services."), 404)
    return replace(service, duration_min=int(provider["service_duration_min"]),
                   price_paise=int(provider["service_price_paise"]), women_only=bool(provider["service_women_only"]))


async def booking_for(db, booking_id: int, user) -> dict:
    """A booking its customer or provider (or an admin) may see; others get BookingRefused 404."""
    row = await db.fetch_one("select_booking", {"id": booking_id})
    if row is None or not (user.role == "admin" or row["customer_id"] == user.id or row["provider_id"] == user.id):
        raise BookingRefused(gettext("There is no such booking in your account."), 404)
    return row


async def cancel_booking(db: Database, user, booking_id: int, now: datetime, reason: str = "",
                         accepted_fee: int | None = None) -> dict:
    """A customer's cancel: free until 3 hours before the start; after that with the service's late fee
    (`accepted_fee` must be the fee the customer was shown), until the job starts. Free again when the
    professional is a no-show (not on the way 15 minutes after the start), and the admins are told."""
    from . import receipts

    first = await booking_for(db, booking_id, user)
    if first["starts_at"] - now < CANCEL_CUTOFF:  # a late fee may be due: its receipt year must exist
        await receipts.prepare_receipt_year(db, receipts.receipt_year(now, first["timezone"]))
    async with db.transaction() as tx:
        row = await booking_for(tx, booking_id, user)
        if row["customer_id"] != user.id:
            raise BookingRefused(gettext("There is no such booking in your account."), 404)
        terms = terms_of_change(row, now, "cancel")
        check_fee_accepted(terms, accepted_fee, "cancel")
        await tx.fetch_one("lock_provider", {"provider_id": row["provider_id"]})
        cancelled = await tx.execute("cancel_booking", {"id": booking_id, "now": now, "by": "customer", "reason": reason[:300]})
        if cancelled.rowcount != 1:  # changed after the check above, before the lock
            raise BookingChanged()
        fee = bool(terms.fee_paise) and bool(
            (await tx.execute("charge_late_fee", {"id": booking_id, "fee": terms.fee_paise})).rowcount)
        await notifications.notify(tx, row["provider_id"], "cancelled", booking_id, now,
                                   "cancelled_late_fee" if fee else "cancelled",
                                   **notifications.service_params(row),
                                   **notifications.when_params(row["starts_at"], row["timezone"]),
                                   **({"fee": terms.fee_paise} if fee else {}))
        if terms.no_show:
            await _report_no_show(tx, row, now)
        await _announce(tx, row["provider_id"], row["customer_id"], row["timezone"], "cancelled", booking_id, [row["starts_at"]], now)
        await tx.execute("bump_calendar_sequence", {"id": booking_id})
        await mail_booking_change(tx, booking_id, "cancelled", now)
        if fee or row["late_fee_paise"]:  # a late fee is owed: a receipt to pay it with
            await receipts.issue_receipt(tx, booking_id, receipts.receipt_year(now, row["timezone"]), now)
            await receipts.mail_receipt(tx, booking_id, now)
    return row


async def _report_no_show(tx, row: Mapping, now: datetime) -> None:
    """The professional did not set off: the booking says so, and every admin is told (notification and mail)."""
    from ..i18n import use_locale
    from ..mail import enqueue_mail, recipient_locale

    await tx.execute("mark_no_show", {"id": row["id"]})
    facts = {"provider": row["provider_name"], "id": row["id"], **notifications.service_params(row),
             **notifications.when_params(row["starts_at"], row["timezone"])}
    for admin in await tx.fetch_all("select_admin_ids"):
        await notifications.notify(tx, admin["id"], "no_show", row["id"], now, "no_show", **facts)
        locale = await recipient_locale(tx, admin["email"])
        with use_locale(locale):  # the mail tells it in the admin's language, times included
            said = notifications.render("no_show", facts)
        await enqueue_mail(tx, admin["email"], "no_show_admin", {
            "name": admin["name"].split()[0], "message": said, "provider_name": row["provider_name"],
            "provider_phone": row["provider_phone"], "customer_name": row["customer_name"], "booking_id": row["id"]},
            now, locale=locale)


async def reschedule_booking(db: Database, user, booking_id: int, new_start: datetime, now: datetime,
                             accepted_fee: int | None = None) -> dict:
    """Move a booking atomically: the old slot frees and the new one is taken, or nothing changes. Inside
    the free window the move carries the late fee (`accepted_fee` must be the fee the customer was shown)."""
    row = await booking_for(db, booking_id, user)
    if row["customer_id"] != user.id:
        raise BookingRefused(gettext("There is no such booking in your account."), 404)
    service = Service.from_row(await db.fetch_one("select_service_by_id", {"id": row["service_id"]}))
    try:
        async with db.transaction() as tx:
            await tx.fetch_one("lock_customer", {"customer_id": row["customer_id"]})  # always before lock_provider
            await tx.fetch_one("lock_provider", {"provider_id": row["provider_id"]})
            current = await tx.fetch_one("select_booking", {"id": booking_id})
            avail = await check_reschedulable(tx, current, service, new_start, now)
            terms = change_terms(current, now)
            check_fee_accepted(terms, accepted_fee, "move")
            await tx.execute("move_booking", {"id": booking_id, "starts_at": new_start, "ends_at": new_start + service.duration, "now": now})
            if terms.fee_paise:
                await tx.execute("charge_late_fee", {"id": booking_id, "fee": terms.fee_paise})
            await notifications.notify(tx, row["provider_id"], "rescheduled", booking_id, now, "moved",
                                       **notifications.service_params(service, "name"),
                                       **notifications.when_params(new_start, avail.tz))
            await _announce(tx, row["provider_id"], row["customer_id"], avail.tz, "rescheduled", booking_id,
                            [current["starts_at"], new_start], now)
            await tx.execute("bump_calendar_sequence", {"id": booking_id})
            await mail_booking_change(tx, booking_id, "rescheduled", now, old_start=current["starts_at"])
    except IntegrityError:
        raise SlotTaken() from None
    return row
