"""Free appointment slots for a provider, as pure functions.

Nothing here touches the database, the network or the clock: callers pass in
the provider's availability, the provider's existing bookings and ``now``.
The booking views, the booking transaction and the chatbot all use the same
functions, so what a customer is shown and what the transaction accepts can
never disagree.

Conventions
-----------
* Every instant going in or coming out is a timezone-aware datetime; results
  are always in UTC. A naive datetime raises ``ValueError`` instead of being
  silently compared with aware ones (DB drivers commonly return naive values).
* Working hours are local wall-clock times in the provider's IANA zone, and a
  "day" is always a provider-local calendar day.
* Everything after the wall-clock -> instant conversion is real elapsed time
  (UTC arithmetic): durations, buffer, step, notice and window.

A job started at ``s`` occupies ``[s, s + duration + buffer)``. It is bookable
when it is on the slot grid of a working interval and fits inside it, does not
touch time off, does not touch another booking's ``[start, end + buffer)``,
is at least ``min_notice`` ahead of ``now`` and at most ``window`` ahead.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..i18n import lazy_gettext
from .. import i18n
from ..i18n import gettext, ngettext

__all__ = [
    "Availability",
    "Busy",
    "DaySlots",
    "free_starts_on",
    "week_grid",
    "next_free_start",
    "why_not_bookable",
    "local_label",
    "parse_slot",
    "slot_token",
    "overlaps",
    "PAST",
    "AWAY",
    "OFF_SCHEDULE",
    "TAKEN",
]

UTC = timezone.utc

# User-facing reasons. The notice and window messages depend on the
# provider's settings, so they are built by _notice_reason/_window_reason.
PAST = lazy_gettext("That time is in the past.")
OFF_SCHEDULE = lazy_gettext("That time is not on the provider's schedule.")
AWAY = lazy_gettext("The provider is away at that time.")
TAKEN = lazy_gettext("That slot was just taken.")


# --------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class Availability:
    """A provider's bookable hours and booking rules.

    ``weekly`` maps weekday (0 = Monday) to local ``(start, end)`` intervals
    on that day; ``end`` must be after ``start`` (no overnight intervals).
    Gaps between a day's intervals are breaks. ``time_off`` holds aware
    ``(start, end)`` instants during which nothing can be booked.
    """

    weekly: Mapping[int, Sequence[tuple[time, time]]]
    time_off: Sequence[tuple[datetime, datetime]] = ()
    tz: str = "Asia/Kolkata"
    buffer: timedelta = timedelta(minutes=15)
    min_notice: timedelta = timedelta(hours=2)
    window: timedelta = timedelta(days=30)
    step: timedelta = timedelta(minutes=30)

    def __post_init__(self) -> None:
        _zone(self.tz)  # fail at construction, not on the first page view
        for weekday, intervals in self.weekly.items():
            if weekday not in range(7):
                raise ValueError(f"weekday must be 0..6 (0 = Monday), got {weekday!r}")
            for start, end in intervals:
                _check_wall_time(start)
                _check_wall_time(end)
                if end <= start:
                    raise ValueError(f"working interval {start}-{end} must end after it starts")
        for start, end in self.time_off:
            _require_aware(start, "time off start")
            _require_aware(end, "time off end")
            if end < start:
                raise ValueError("time off must end after it starts")
        # A zero step would never advance; negative rules have no meaning.
        if self.step <= timedelta(0):
            raise ValueError("step must be positive")
        for name in ("buffer", "min_notice", "window"):
            if getattr(self, name) < timedelta(0):
                raise ValueError(f"{name} must not be negative")


@dataclass(frozen=True)
class Busy:
    """An existing active booking: ``end`` is ``start`` plus its duration.

    The travel buffer is *not* included in ``end``; it is added from the
    provider's current ``Availability.buffer`` when checking conflicts.
    """

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _require_aware(self.start, "busy start")
        _require_aware(self.end, "busy end")
        if self.end < self.start:
            raise ValueError("a booking must end after it starts")


@dataclass(frozen=True)
class DaySlots:
    """The free starts (UTC, sorted) on one provider-local day."""

    day: date
    starts: list[datetime]


# --------------------------------------------------------------------------
# Public functions


def free_starts_on(
    avail: Availability,
    busy: Iterable[Busy],
    duration: timedelta,
    day: date,
    now: datetime,
) -> list[datetime]:
    """Free start instants (UTC, sorted) on provider-local calendar ``day``."""
    _check_duration(duration)
    _check_day(day)
    now = _to_utc(now, "now")
    return _free_starts(avail, _Blocks.of(avail, busy), duration, day, now)


def _free_starts(avail: Availability, blocks: "_Blocks", duration: timedelta, day: date, now: datetime) -> list[datetime]:
    """`free_starts_on` with the busy time prepared: one pass over the day's sorted starts and the
    sorted, merged time off and bookings (each pointer only moves forward)."""
    occupied = duration + avail.buffer
    zone = _zone(avail.tz)
    earliest = now + avail.min_notice  # also >= now: notice is never negative
    latest = now + avail.window
    free = []
    away, taken = blocks.away.sweep(), blocks.taken.sweep()
    for start in sorted(_grid_starts(avail, day, occupied)):
        end = start + occupied
        # The rules of _blocker, in one pass: past or too soon, beyond the window, away, taken.
        if start < now or start < earliest or start > latest:
            continue
        if away(start, end) or taken(start, end):
            continue
        if start.astimezone(zone).date() == day:  # keeps "bookable iff listed on its local day" exact
            free.append(start)
    return free


def week_grid(
    avail: Availability,
    busy: Iterable[Busy],
    duration: timedelta,
    first_day: date,
    now: datetime,
    days: int = 7,
) -> list[DaySlots]:
    """Free starts for ``days`` consecutive provider-local days from ``first_day``."""
    if days < 0:
        raise ValueError("days must not be negative")
    now = _to_utc(now, "now")  # reject a naive `now` even when days == 0
    _check_duration(duration)
    blocks = _Blocks.of(avail, busy)  # sorted and merged once for the whole week
    days_ = (first_day + timedelta(days=n) for n in range(days))
    return [DaySlots(day, _free_starts(avail, blocks, duration, _checked_day(day), now)) for day in days_]


def next_free_start(
    avail: Availability,
    busy: Iterable[Busy],
    duration: timedelta,
    now: datetime,
) -> datetime | None:
    """The earliest free start within the booking window, or ``None``."""
    _check_duration(duration)
    now = _to_utc(now, "now")
    blocks = _Blocks.of(avail, busy)
    zone = _zone(avail.tz)
    # Nothing can start before now + notice or after now + window, so only
    # the local days between those two instants need to be searched.
    day = (now + avail.min_notice).astimezone(zone).date()
    last = (now + avail.window).astimezone(zone).date()
    while day <= last:
        starts = _free_starts(avail, blocks, duration, day, now)
        if starts:
            return starts[0]
        day += timedelta(days=1)
    return None


def why_not_bookable(
    avail: Availability,
    busy: Iterable[Busy],
    duration: timedelta,
    start: datetime,
    now: datetime,
) -> str | None:
    """``None`` if ``start`` is a free start, else a short user-facing reason.

    Agrees exactly with :func:`free_starts_on`: ``start`` is bookable iff it
    is listed by ``free_starts_on`` for its provider-local day. Reasons are
    checked from most to least fundamental: past, notice, window, schedule,
    time off, other bookings.
    """
    _check_duration(duration)
    start = _to_utc(start, "start")
    now = _to_utc(now, "now")
    occupied = duration + avail.buffer
    day = start.astimezone(_zone(avail.tz)).date()
    on_schedule = _on_grid(avail, day, occupied, start)
    return _blocker(avail, _Blocks.of(avail, busy), start, now, occupied, on_schedule)


def local_label(start: datetime, tz: str) -> str:
    """Human label in zone ``tz``, e.g. ``"Wed 25 Nov, 6:30 pm IST"``.

    In the current language (``"बुध 25 नव॰, शाम 6:30 IST"`` in Hindi), through Babel, so the
    label never depends on the server's locale.
    """
    return i18n.slot_label(_to_utc(start, "start"), _zone(tz).key)


@lru_cache(maxsize=8192)  # the grid asks for the same starts' tokens on every render
def slot_token(start: datetime) -> str:
    """Compact UTC ISO token for a start, e.g. ``"2026-11-25T13:00Z"``.

    Seconds are only written when non-zero, so the token always round-trips
    through :func:`parse_slot`.
    """
    start = _to_utc(start, "start")
    if start.microsecond:
        raise ValueError("slot starts are whole seconds")
    if start.second:
        return start.strftime("%Y-%m-%dT%H:%M:%SZ")
    return start.strftime("%Y-%m-%dT%H:%MZ")


# Strict on purpose: ASCII digits only, a "T" separator and an explicit
# offset, so naive or ambiguous values never reach the booking code.
_TOKEN = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:\d{2})",
    re.ASCII,
)
_TOKEN_MAX_LEN = 32
_FIRST_YEAR, _LAST_YEAR = 2, 9998


def parse_slot(value: object) -> datetime | None:
    """Parse a slot token into an aware UTC datetime; ``None`` if malformed.

    Accepts what :func:`slot_token` produces, and also an explicit
    ``+HH:MM``/``-HH:MM`` offset (converted to UTC). Anything naive, too
    long, not a string or out of range gives ``None``.
    """
    if not isinstance(value, str) or len(value) > _TOKEN_MAX_LEN:
        return None
    if not _TOKEN.fullmatch(value):
        return None
    try:
        # Python 3.11's fromisoformat understands a trailing "Z".
        start = datetime.fromisoformat(value).astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    # The first and last years are out of range: a day's arithmetic or a local label there overflows.
    return start if _FIRST_YEAR <= start.year <= _LAST_YEAR else None


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Whether half-open intervals ``[a_start, a_end)`` and ``[b_start, b_end)`` share an instant.

    Touching intervals do not overlap, and an empty interval overlaps nothing.
    All four values must be aware.
    """
    for value in (a_start, a_end, b_start, b_end):
        _require_aware(value, "interval bound")
    return _overlaps(a_start, a_end, b_start, b_end)


# --------------------------------------------------------------------------
# Rules


def _blocker(
    avail: Availability,
    blocks: "_Blocks",
    start: datetime,
    now: datetime,
    occupied: timedelta,
    on_schedule: bool,
) -> str | None:
    """The first rule that ``start`` breaks, in the documented order, or None.

    ``why_not_bookable`` uses it; ``_free_starts`` applies the same rules in
    the same order in one pass over a day (the tests compare the two on every
    start of a day).
    """
    if start < now:
        return PAST
    if start < now + avail.min_notice:
        return _notice_reason(avail.min_notice)
    if start > now + avail.window:
        return _window_reason(avail.window)
    if not on_schedule:
        return OFF_SCHEDULE
    end = start + occupied
    if blocks.away.hits(start, end):
        return AWAY
    # Another job keeps the provider busy until its end plus travel time.
    if blocks.taken.hits(start, end):
        return TAKEN
    return None


class _Union:
    """The union of half-open intervals as sorted, disjoint (start, end) lists."""

    def __init__(self, intervals: Iterable[tuple[datetime, datetime]]):
        self.starts: list[datetime] = []
        self.ends: list[datetime] = []
        for start, end in sorted(interval for interval in intervals if interval[0] < interval[1]):
            if self.ends and start <= self.ends[-1]:
                self.ends[-1] = max(self.ends[-1], end)
            else:
                self.starts.append(start)
                self.ends.append(end)

    def hits(self, start: datetime, end: datetime) -> bool:
        """Whether [start, end) shares an instant with the union (a binary search)."""
        last = bisect_left(self.starts, end) - 1  # the last interval that starts before `end`
        return last >= 0 and self.ends[last] > start

    def sweep(self) -> Callable[[datetime, datetime], bool]:
        """`hits` for intervals asked in order of start (and of end): one forward pass."""
        starts, ends, count = self.starts, self.ends, len(self.starts)
        position = 0

        def hits(start: datetime, end: datetime) -> bool:
            nonlocal position
            while position < count and ends[position] <= start:
                position += 1
            return position < count and starts[position] < end

        return hits


@dataclass(frozen=True)
class _Blocks:
    """What blocks a start: time off, and bookings with the travel buffer after each."""

    away: _Union
    taken: _Union

    @classmethod
    def of(cls, avail: Availability, busy: Iterable[Busy]) -> "_Blocks":
        return cls(_Union(avail.time_off), _Union((job.start, job.end + avail.buffer) for job in busy))


def _notice_reason(notice: timedelta) -> str:
    minutes = int(notice.total_seconds() // 60)
    if minutes % 60 == 0:
        return ngettext("Bookings need at least %(num)s hour's notice.", "Bookings need at least %(num)s hours' notice.",
                        minutes // 60)
    return ngettext("Bookings need at least %(num)s minute's notice.", "Bookings need at least %(num)s minutes' notice.",
                    minutes)


def _window_reason(window: timedelta) -> str:
    if window % timedelta(days=1):
        return gettext("That date is beyond the booking window.")
    return gettext("That date is beyond the %(days)s-day booking window.", days=window.days)


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


# --------------------------------------------------------------------------
# Slot grid and local time


def _grid_starts(avail: Availability, day: date, occupied: timedelta) -> set[datetime]:
    """Starts on ``day``'s slot grid whose job (plus buffer) fits its interval.

    Candidates are each interval's start, then +step, +2 step, ... in real
    time, so on a daylight-saving day the grid follows the real length of
    the interval (shorter in spring, longer in autumn).
    """
    starts: set[datetime] = set()
    for opens, closes in _working_intervals(avail, day):
        start = opens
        while start + occupied <= closes:
            starts.add(start)
            start += avail.step
    return starts


def _on_grid(avail: Availability, day: date, occupied: timedelta, start: datetime) -> bool:
    """`start in _grid_starts(avail, day, occupied)`, without listing the day's starts: a whole
    number of steps (in real time) after an interval opens, its job ending by the close."""
    return any(opens <= start and start + occupied <= closes and (start - opens) % avail.step == timedelta(0)
               for opens, closes in _working_intervals(avail, day))


def _working_intervals(avail: Availability, day: date) -> Iterator[tuple[datetime, datetime]]:
    """The day's working intervals as UTC instants."""
    zone = _zone(avail.tz)
    for opens, closes in avail.weekly.get(day.weekday(), ()):
        yield _wall_to_utc(day, opens, zone), _wall_to_utc(day, closes, zone)


def _wall_to_utc(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The first instant on ``day`` at which the local clock reads ``wall`` or later.

    * An ambiguous wall time (autumn, clocks repeat an hour) gives its first
      occurrence, i.e. ``fold=0``.
    * A nonexistent wall time (spring, clocks skip an hour) gives the moment
      the clocks jump, so the skipped part of an interval is simply dropped.
    """
    naive = datetime.combine(day, wall)
    local = naive.replace(tzinfo=zone, fold=0)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == naive:
        return instant
    return _clock_jump(naive, zone)


def _clock_jump(naive: datetime, zone: ZoneInfo) -> datetime:
    """UTC instant of the spring-forward jump that skips local time ``naive``.

    zoneinfo does not expose transition times, so bisect between the two
    readings of the gap time: with ``fold=1`` (offset after the jump) it
    maps to an instant before the jump, with ``fold=0`` to one after it.
    """
    before = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    after = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    # Invariant: the clock reads < naive at `before` and >= naive at `after`.
    # Transitions fall on whole seconds, so a one-second bracket is exact.
    while after - before > timedelta(seconds=1):
        middle = before + timedelta(seconds=(after - before).total_seconds() // 2)
        if middle.astimezone(zone).replace(tzinfo=None) >= naive:
            after = middle
        else:
            before = middle
    return after


# --------------------------------------------------------------------------
# Validation helpers


def _zone(tz: str) -> ZoneInfo:
    """ZoneInfo for ``tz`` (cached by zoneinfo), with a ValueError for bad names."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise ValueError(f"unknown time zone {tz!r}") from error


def _require_aware(value: datetime, what: str) -> None:
    if not isinstance(value, datetime):
        raise TypeError(f"{what} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {value!r}")


def _to_utc(value: datetime, what: str) -> datetime:
    _require_aware(value, what)
    return value.astimezone(UTC)


def _check_duration(duration: timedelta) -> None:
    if duration <= timedelta(0):
        raise ValueError("duration must be positive")


def _check_day(day: date) -> None:
    # datetime is a subclass of date; a UTC datetime here is almost
    # certainly a mix-up between an instant and a provider-local day.
    if isinstance(day, datetime) or not isinstance(day, date):
        raise ValueError(f"day must be a date, got {day!r}")


def _checked_day(day: date) -> date:
    _check_day(day)
    return day


def _check_wall_time(wall: time) -> None:
    if not isinstance(wall, time):
        raise TypeError(f"working hours must be datetime.time values, got {wall!r}")
    if wall.tzinfo is not None:
        raise ValueError("working hours are wall-clock times in Availability.tz; drop the tzinfo")
    if wall.second or wall.microsecond:
        raise ValueError(f"working hours are whole minutes, got {wall}")


def _overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    # Half-open: they share an instant iff the later start is before the earlier end.
    return max(a_start, b_start) < min(a_end, b_end)


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
