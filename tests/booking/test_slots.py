"""Behaviour of the pure slot calculations in grihaseva.booking.slots."""

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from grihaseva.booking.slots import (
    AWAY,
    OFF_SCHEDULE,
    PAST,
    TAKEN,
    Availability,
    Busy,
    DaySlots,
    free_starts_on,
    local_label,
    next_free_start,
    overlaps,
    parse_slot,
    slot_token,
    week_grid,
    why_not_bookable,
)

UTC = timezone.utc
IST = ZoneInfo("Asia/Kolkata")
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")

NOTICE = "Bookings need at least 2 hours' notice."
WINDOW = "That date is beyond the 30-day booking window."

MONDAY = date(2026, 11, 23)  # a Monday
HOUR = timedelta(hours=1)
MIN = timedelta(minutes=1)


def at(zone, y, m, d, hh, mm=0):
    """An instant given as local wall-clock time in `zone`, returned in UTC."""
    return datetime(y, m, d, hh, mm, tzinfo=zone).astimezone(UTC)


def ist(hh, mm=0, day=MONDAY):
    return at(IST, day.year, day.month, day.day, hh, mm)


def hhmm(starts, zone=IST):
    return [s.astimezone(zone).strftime("%H:%M") for s in starts]


def span(h1, m1, h2, m2):
    return (time(h1, m1), time(h2, m2))


# The demo providers' usual shape: Mon-Sat with a lunch break.
WITH_LUNCH = {d: [span(9, 0, 13, 0), span(14, 0, 19, 0)] for d in range(6)}
# Sunday noon IST before MONDAY: far enough that notice never matters.
EARLY = ist(12, 0, MONDAY - timedelta(days=1))


# --------------------------------------------------------------------------
# Working hours, breaks, fit and step


def test_break_splits_the_day():
    avail = Availability(WITH_LUNCH)
    starts = free_starts_on(avail, [], HOUR, MONDAY, EARLY)
    # 1 h job + 15 min buffer: the last morning start is 11:30 (ends 12:45),
    # nothing during lunch, the last afternoon start is 17:30 (ends 18:45).
    assert hhmm(starts) == [
        "09:00", "09:30", "10:00", "10:30", "11:00", "11:30",
        "14:00", "14:30", "15:00", "15:30", "16:00", "16:30", "17:00", "17:30",
    ]


def test_a_job_cannot_straddle_the_break():
    avail = Availability(WITH_LUNCH)
    assert why_not_bookable(avail, [], HOUR, ist(12, 0), EARLY) == OFF_SCHEDULE
    assert why_not_bookable(avail, [], HOUR, ist(13, 0), EARLY) == OFF_SCHEDULE
    assert why_not_bookable(avail, [], HOUR, ist(11, 30), EARLY) is None


def test_a_job_that_does_not_fit_before_closing_is_not_offered():
    avail = Availability({0: [span(9, 0, 12, 0)]})
    three_hours = 3 * HOUR
    # 3 h + 15 min buffer never fits in a 3 h interval.
    assert free_starts_on(avail, [], three_hours, MONDAY, EARLY) == []
    assert why_not_bookable(avail, [], three_hours, ist(9, 0), EARLY) == OFF_SCHEDULE
    # 2 h 45 min + buffer fits exactly, at opening only.
    assert free_starts_on(avail, [], timedelta(minutes=165), MONDAY, EARLY) == [ist(9, 0)]


def test_starts_are_aligned_to_each_interval_start():
    avail = Availability({0: [span(9, 15, 11, 0), span(14, 40, 16, 0)]}, buffer=timedelta(0))
    starts = free_starts_on(avail, [], timedelta(minutes=30), MONDAY, EARLY)
    assert hhmm(starts) == ["09:15", "09:45", "10:15", "14:40", "15:10"]
    assert why_not_bookable(avail, [], timedelta(minutes=30), ist(9, 30), EARLY) == OFF_SCHEDULE


def test_a_longer_step_offers_fewer_starts():
    avail = Availability({0: [span(9, 0, 13, 0)]}, step=HOUR, buffer=timedelta(0))
    assert hhmm(free_starts_on(avail, [], HOUR, MONDAY, EARLY)) == ["09:00", "10:00", "11:00", "12:00"]


def test_a_day_without_hours_has_no_starts():
    avail = Availability(WITH_LUNCH)
    sunday = MONDAY + timedelta(days=6)
    assert free_starts_on(avail, [], HOUR, sunday, EARLY) == []
    assert why_not_bookable(avail, [], HOUR, ist(10, 0, sunday), EARLY) == OFF_SCHEDULE


def test_off_grid_minute_is_not_on_the_schedule():
    avail = Availability(WITH_LUNCH)
    assert why_not_bookable(avail, [], HOUR, ist(9, 10), EARLY) == OFF_SCHEDULE
    assert why_not_bookable(avail, [], HOUR, ist(8, 30), EARLY) == OFF_SCHEDULE


# --------------------------------------------------------------------------
# Time off


def test_partial_time_off_removes_only_overlapping_starts():
    avail = Availability({0: [span(9, 0, 13, 0)]}, time_off=[(ist(10, 0), ist(11, 0))])
    starts = free_starts_on(avail, [], HOUR, MONDAY, EARLY)
    # A 09:00 job would run into the time off through its travel buffer.
    assert hhmm(starts) == ["11:00", "11:30"]
    assert why_not_bookable(avail, [], HOUR, ist(9, 0), EARLY) == AWAY
    assert why_not_bookable(avail, [], HOUR, ist(10, 30), EARLY) == AWAY


def test_whole_day_time_off_leaves_no_starts():
    day_off = (ist(0, 0), ist(0, 0, MONDAY + timedelta(days=1)))
    avail = Availability(WITH_LUNCH, time_off=[day_off])
    assert free_starts_on(avail, [], HOUR, MONDAY, EARLY) == []
    assert why_not_bookable(avail, [], HOUR, ist(9, 0), EARLY) == AWAY
    # The next day is unaffected.
    tuesday = free_starts_on(avail, [], HOUR, MONDAY + timedelta(days=1), EARLY)
    assert tuesday[0] == ist(9, 0, MONDAY + timedelta(days=1))


# --------------------------------------------------------------------------
# Existing bookings and the travel buffer


BUSY_AT_TEN = [Busy(ist(10, 0), ist(11, 0))]
FIFTEEN = Availability({0: [span(8, 0, 14, 0)]}, step=timedelta(minutes=15))


def test_a_start_that_leaves_less_than_the_buffer_before_the_next_job_is_refused():
    # 08:45 + 1 h ends at 09:45, leaving exactly the 15 min buffer: fine.
    assert why_not_bookable(FIFTEEN, BUSY_AT_TEN, HOUR, ist(8, 45), EARLY) is None
    # 09:00 + 1 h ends at 10:00, no time to travel: refused.
    assert why_not_bookable(FIFTEEN, BUSY_AT_TEN, HOUR, ist(9, 0), EARLY) == TAKEN


def test_a_start_just_after_a_jobs_end_plus_buffer_is_allowed():
    assert why_not_bookable(FIFTEEN, BUSY_AT_TEN, HOUR, ist(11, 15), EARLY) is None
    assert why_not_bookable(FIFTEEN, BUSY_AT_TEN, HOUR, ist(11, 0), EARLY) == TAKEN


def test_bookings_carve_exactly_their_span_plus_buffers_out_of_the_day():
    starts = free_starts_on(FIFTEEN, BUSY_AT_TEN, HOUR, MONDAY, EARLY)
    assert hhmm(starts) == [
        "08:00", "08:15", "08:30", "08:45",
        "11:15", "11:30", "11:45", "12:00", "12:15", "12:30", "12:45",
    ]


def test_the_buffer_setting_applies_to_existing_bookings():
    no_buffer = Availability({0: [span(8, 0, 14, 0)]}, step=timedelta(minutes=15), buffer=timedelta(0))
    assert why_not_bookable(no_buffer, BUSY_AT_TEN, HOUR, ist(11, 0), EARLY) is None
    assert why_not_bookable(no_buffer, BUSY_AT_TEN, HOUR, ist(9, 0), EARLY) is None
    assert why_not_bookable(no_buffer, BUSY_AT_TEN, HOUR, ist(9, 15), EARLY) == TAKEN


# --------------------------------------------------------------------------
# Notice and booking window


def test_minimum_notice_hides_starts_too_soon():
    avail = Availability(WITH_LUNCH)
    now = ist(8, 10)
    starts = free_starts_on(avail, [], HOUR, MONDAY, now)
    assert hhmm(starts)[:2] == ["10:30", "11:00"]
    assert why_not_bookable(avail, [], HOUR, ist(10, 0), now) == NOTICE
    assert why_not_bookable(avail, [], HOUR, ist(10, 30), now) is None


def test_notice_is_measured_to_the_exact_minute():
    avail = Availability(WITH_LUNCH)
    now = ist(8, 0)
    assert why_not_bookable(avail, [], HOUR, ist(10, 0), now) is None
    assert why_not_bookable(avail, [], HOUR, ist(10, 0), now + MIN) == NOTICE


def test_notice_message_follows_the_setting():
    one_hour = Availability(WITH_LUNCH, min_notice=HOUR)
    ninety = Availability(WITH_LUNCH, min_notice=timedelta(minutes=90))
    now = ist(8, 30)
    assert why_not_bookable(one_hour, [], HOUR, ist(9, 0), now) == "Bookings need at least 1 hour's notice."
    assert why_not_bookable(ninety, [], HOUR, ist(9, 0), now) == "Bookings need at least 90 minutes' notice."


def test_a_start_before_now_is_in_the_past():
    avail = Availability(WITH_LUNCH)
    now = ist(12, 0)
    assert why_not_bookable(avail, [], HOUR, ist(9, 0), now) == PAST
    assert why_not_bookable(avail, [], HOUR, ist(11, 59), now) == PAST  # also off-grid: past wins


def test_the_booking_window_ends_exactly_thirty_days_after_now():
    every_day = {d: [span(9, 0, 19, 0)] for d in range(7)}
    avail = Availability(every_day)
    now = ist(9, 0)  # Monday 23 Nov, 09:00 IST
    last_day = MONDAY + timedelta(days=30)  # Wed 23 Dec
    assert free_starts_on(avail, [], HOUR, last_day, now) == [ist(9, 0, last_day)]
    assert why_not_bookable(avail, [], HOUR, ist(9, 30, last_day), now) == WINDOW
    assert free_starts_on(avail, [], HOUR, last_day + timedelta(days=1), now) == []


def test_window_message_follows_the_setting():
    avail = Availability(WITH_LUNCH, window=timedelta(days=7))
    msg = why_not_bookable(avail, [], HOUR, ist(9, 0, MONDAY + timedelta(days=8)), ist(9, 0))
    assert msg == "That date is beyond the 7-day booking window."


def test_next_free_start_skips_full_and_closed_days():
    avail = Availability(WITH_LUNCH, time_off=[(ist(0, 0), ist(0, 0, MONDAY + timedelta(days=2)))])
    # Saturday evening: Sunday is closed, Monday and Tuesday are time off.
    now = ist(20, 0, MONDAY - timedelta(days=2))
    assert next_free_start(avail, [], HOUR, now) == ist(9, 0, MONDAY + timedelta(days=2))


def test_next_free_start_respects_notice_within_today():
    avail = Availability(WITH_LUNCH)
    assert next_free_start(avail, [], HOUR, ist(9, 5)) == ist(11, 30)
    # Too late today for a 1 h job before closing: tomorrow at opening.
    assert next_free_start(avail, [], HOUR, ist(16, 0)) == ist(9, 0, MONDAY + timedelta(days=1))


def test_next_free_start_is_none_when_the_window_is_empty():
    everything_off = Availability(WITH_LUNCH, time_off=[(ist(0, 0), ist(0, 0, MONDAY + timedelta(days=60)))])
    assert next_free_start(everything_off, [], HOUR, ist(8, 0)) is None
    assert next_free_start(Availability({}), [], HOUR, ist(8, 0)) is None


# --------------------------------------------------------------------------
# Time zones


def test_kolkata_hours_come_back_as_utc_instants():
    avail = Availability({0: [span(9, 0, 11, 30)]})
    starts = free_starts_on(avail, [], HOUR, MONDAY, EARLY)
    assert starts == [
        datetime(2026, 11, 23, 3, 30, tzinfo=UTC),
        datetime(2026, 11, 23, 4, 0, tzinfo=UTC),
        datetime(2026, 11, 23, 4, 30, tzinfo=UTC),
    ]
    assert all(s.tzinfo is UTC for s in starts)


def test_days_are_provider_local_days_not_utc_days():
    # 01:00-03:00 IST on Monday is Sunday evening in UTC.
    avail = Availability({0: [span(1, 0, 3, 0)]}, min_notice=timedelta(0))
    starts = free_starts_on(avail, [], HOUR, MONDAY, EARLY)
    assert starts[0] == datetime(2026, 11, 22, 19, 30, tzinfo=UTC)
    assert len(starts) == 2
    assert free_starts_on(avail, [], HOUR, MONDAY - timedelta(days=1), EARLY) == []


def test_week_grid_crosses_from_sunday_to_monday():
    hours = {6: [span(10, 0, 12, 0)], 0: [span(9, 0, 11, 30)]}
    avail = Availability(hours)
    friday = MONDAY - timedelta(days=3)
    grid = week_grid(avail, [], HOUR, friday, ist(0, 0, friday))
    assert [g.day for g in grid] == [friday + timedelta(days=n) for n in range(7)]
    assert [len(g.starts) for g in grid] == [0, 0, 2, 3, 0, 0, 0]
    assert grid[2] == DaySlots(MONDAY - timedelta(days=1), [ist(10, 0, MONDAY - timedelta(days=1)),
                                                            ist(10, 30, MONDAY - timedelta(days=1))])
    assert hhmm(grid[3].starts) == ["09:00", "09:30", "10:00"]
    assert grid[3].day == MONDAY


def test_week_grid_length_follows_days():
    grid = week_grid(Availability(WITH_LUNCH), [], HOUR, MONDAY, EARLY, days=3)
    assert [g.day for g in grid] == [MONDAY, MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)]
    assert all(len(g.starts) == 14 for g in grid)


def test_a_customer_in_another_zone_gets_the_same_instants():
    avail = Availability(WITH_LUNCH)
    now_ist = ist(8, 0)
    now_ny = now_ist.astimezone(NEW_YORK)  # same instant, different zone
    assert now_ny.tzinfo is NEW_YORK
    in_india = free_starts_on(avail, [], HOUR, MONDAY, now_ist)
    in_new_york = free_starts_on(avail, [], HOUR, MONDAY, now_ny)
    assert in_india == in_new_york
    assert in_india[0] == datetime(2026, 11, 23, 4, 30, tzinfo=UTC)
    # A start chosen on a New York clock (Sunday 23:30 there) is the same slot.
    start_ny = datetime(2026, 11, 22, 23, 30, tzinfo=NEW_YORK)
    assert why_not_bookable(avail, [], HOUR, start_ny, now_ny) is None
    assert local_label(start_ny, "America/New_York") == "Sun 22 Nov, 11:30 pm EST"
    assert local_label(start_ny, "Asia/Kolkata") == "Mon 23 Nov, 10:00 am IST"


# --------------------------------------------------------------------------
# Daylight saving (Europe/London)


SPRING = date(2026, 3, 29)  # clocks go 01:00 GMT -> 02:00 BST
AUTUMN = date(2026, 10, 25)  # clocks go 02:00 BST -> 01:00 GMT
LONDON_NIGHT = {6: [span(0, 30, 3, 0)]}
HALF_HOUR = timedelta(minutes=30)


def london(hours, **rules):
    return Availability(hours, tz="Europe/London", buffer=timedelta(0), min_notice=timedelta(0), **rules)


def test_spring_forward_makes_the_interval_shorter_in_real_time():
    avail = london(LONDON_NIGHT)
    now = datetime(2026, 3, 28, tzinfo=UTC)
    starts = free_starts_on(avail, [], HALF_HOUR, SPRING, now)
    # 00:30-03:00 local is 00:30-02:00 UTC on this day: 1.5 h, not 2.5 h.
    assert starts == [datetime(2026, 3, 29, h, m, tzinfo=UTC) for h, m in ((0, 30), (1, 0), (1, 30))]
    assert [local_label(s, "Europe/London") for s in starts] == [
        "Sun 29 Mar, 12:30 am GMT", "Sun 29 Mar, 2:00 am BST", "Sun 29 Mar, 2:30 am BST",
    ]
    # A 2 h job fits 00:30-03:00 on a normal Sunday but not on this one.
    assert free_starts_on(avail, [], 2 * HOUR, SPRING, now) == []
    normal_sunday = SPRING - timedelta(days=7)
    assert free_starts_on(avail, [], 2 * HOUR, normal_sunday, now - timedelta(days=7)) == [
        datetime(2026, 3, 22, 0, 30, tzinfo=UTC), datetime(2026, 3, 22, 1, 0, tzinfo=UTC),
    ]


def test_an_interval_opening_in_the_skipped_hour_opens_when_clocks_jump():
    avail = london({6: [span(1, 30, 4, 0)]})
    now = datetime(2026, 3, 28, tzinfo=UTC)
    starts = free_starts_on(avail, [], HOUR, SPRING, now)
    # 01:30 local never happens; work starts at 02:00 BST = 01:00 UTC, ends 04:00 BST = 03:00 UTC.
    assert starts == [datetime(2026, 3, 29, 1, 0, tzinfo=UTC), datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
                      datetime(2026, 3, 29, 2, 0, tzinfo=UTC)]


def test_fall_back_makes_the_interval_longer_in_real_time():
    avail = london(LONDON_NIGHT)
    now = datetime(2026, 10, 24, tzinfo=UTC)
    starts = free_starts_on(avail, [], HALF_HOUR, AUTUMN, now)
    # 00:30 BST (23:30 UTC the day before) to 03:00 GMT: 3.5 h, both 1 am hours included.
    assert starts[0] == datetime(2026, 10, 24, 23, 30, tzinfo=UTC)
    assert starts[-1] == datetime(2026, 10, 25, 2, 30, tzinfo=UTC)
    assert [local_label(s, "Europe/London")[12:] for s in starts] == [
        "12:30 am BST", "1:00 am BST", "1:30 am BST", "1:00 am GMT", "1:30 am GMT", "2:00 am GMT", "2:30 am GMT",
    ]


def test_an_ambiguous_opening_time_means_the_first_occurrence():
    avail = london({6: [span(1, 30, 3, 0)]})
    now = datetime(2026, 10, 24, tzinfo=UTC)
    starts = free_starts_on(avail, [], HOUR, AUTUMN, now)
    # 01:30 BST = 00:30 UTC; 03:00 GMT = 03:00 UTC.
    assert starts == [datetime(2026, 10, 25, h, m, tzinfo=UTC) for h, m in ((0, 30), (1, 0), (1, 30), (2, 0))]


def test_durations_are_real_time_across_the_change():
    # A 3 h job from 00:30 BST ends at 02:30 GMT by the clock: it fits 00:30-03:00 on this day only.
    avail = london(LONDON_NIGHT)
    now = datetime(2026, 10, 24, tzinfo=UTC)
    assert free_starts_on(avail, [], 3 * HOUR, AUTUMN, now) == [
        datetime(2026, 10, 24, 23, 30, tzinfo=UTC), datetime(2026, 10, 25, 0, 0, tzinfo=UTC),
    ]
    assert free_starts_on(avail, [], 3 * HOUR, AUTUMN + timedelta(days=7), now) == []


# --------------------------------------------------------------------------
# why_not_bookable agrees with free_starts_on


ALL_REASONS = {PAST, "Bookings need at least 2 hours' notice.", "That date is beyond the 5-day booking window.",
               OFF_SCHEDULE, AWAY, TAKEN}


def _agreement_week(avail, busy, duration, zone, first_day, now):
    """Check every 15-minute instant of a local week; return the reasons seen."""
    reasons = set()
    free_by_day = {d.day: set(d.starts) for d in week_grid(avail, busy, duration, first_day, now)}
    instant = datetime.combine(first_day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(first_day + timedelta(days=7), time(0), tzinfo=zone).astimezone(UTC)
    while instant < end:
        reason = why_not_bookable(avail, busy, duration, instant, now)
        listed = instant in free_by_day[instant.astimezone(zone).date()]
        assert (reason is None) == listed, (instant, reason)
        reasons.add(reason)
        instant += timedelta(minutes=15)
    for starts in free_by_day.values():
        for start in starts:
            assert why_not_bookable(avail, busy, duration, start, now) is None
    return reasons, sum(len(s) for s in free_by_day.values())


def test_why_not_bookable_agrees_with_free_starts_over_a_whole_week():
    avail = Availability(
        WITH_LUNCH,
        time_off=[(ist(14, 0, MONDAY + timedelta(days=3)), ist(19, 0, MONDAY + timedelta(days=3)))],
        window=timedelta(days=5),
    )
    busy = [Busy(ist(10, 0, MONDAY + timedelta(days=2)), ist(11, 30, MONDAY + timedelta(days=2))),
            Busy(ist(15, 0, MONDAY + timedelta(days=4)), ist(16, 0, MONDAY + timedelta(days=4)))]
    now = ist(11, 0, MONDAY + timedelta(days=1))  # Tuesday 11:00
    reasons, free = _agreement_week(avail, busy, HOUR, IST, MONDAY, now)
    assert reasons == ALL_REASONS | {None}
    # Mon: past. Tue: notice hides the morning, 8 afternoon starts. Wed: the
    # 10:00-11:30 job (+ buffers) blocks the whole morning, 8 afternoon.
    # Thu: away in the afternoon, 6 morning. Fri: 15:00-16:00 job blocks
    # 14:00-16:00 starts, 6 + 3. Sat: 14. Sun: closed, and beyond the window.
    assert free == 8 + 8 + 6 + 9 + 14


@pytest.mark.parametrize("first_day", [SPRING - timedelta(days=6), AUTUMN - timedelta(days=6)])
def test_why_not_bookable_agrees_with_free_starts_over_a_dst_week(first_day):
    night_and_day = {d: [span(0, 30, 3, 0), span(9, 0, 17, 0)] for d in range(7)}
    avail = Availability(night_and_day, tz="Europe/London", step=timedelta(minutes=15))
    now = datetime.combine(first_day, time(12, 0), tzinfo=LONDON).astimezone(UTC)
    busy = [Busy(datetime.combine(first_day + timedelta(days=6), time(0, 45), tzinfo=LONDON).astimezone(UTC),
                 datetime.combine(first_day + timedelta(days=6), time(1, 15), tzinfo=LONDON).astimezone(UTC))]
    reasons, free = _agreement_week(avail, busy, HOUR, LONDON, first_day, now)
    assert {PAST, OFF_SCHEDULE, TAKEN, None} <= reasons
    assert free > 0


# --------------------------------------------------------------------------
# Labels and slot tokens


def test_local_label_reads_like_a_person_would_say_it():
    start = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
    assert local_label(start, "Asia/Kolkata") == "Wed 25 Nov, 6:30 pm IST"
    assert local_label(datetime(2026, 11, 25, 6, 30, tzinfo=UTC), "Asia/Kolkata") == "Wed 25 Nov, 12:00 pm IST"
    assert local_label(datetime(2026, 11, 24, 19, 0, tzinfo=UTC), "Asia/Kolkata") == "Wed 25 Nov, 12:30 am IST"


def test_slot_token_round_trips_through_parse_slot():
    start = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
    assert slot_token(start) == "2026-11-25T13:00Z"
    assert parse_slot("2026-11-25T13:00Z") == start
    assert parse_slot(slot_token(start)).tzinfo == UTC
    for s in free_starts_on(Availability(WITH_LUNCH), [], HOUR, MONDAY, EARLY):
        assert parse_slot(slot_token(s)) == s


def test_slot_token_is_always_utc():
    start_ist = datetime(2026, 11, 25, 18, 30, tzinfo=IST)
    assert slot_token(start_ist) == "2026-11-25T13:00Z"
    assert slot_token(datetime(2026, 11, 25, 13, 0, 30, tzinfo=UTC)) == "2026-11-25T13:00:30Z"
    assert parse_slot("2026-11-25T13:00:30Z") == datetime(2026, 11, 25, 13, 0, 30, tzinfo=UTC)


def test_parse_slot_converts_explicit_offsets_to_utc():
    parsed = parse_slot("2026-11-25T18:30+05:30")
    assert parsed == datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
    assert parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize("value", [
    "",
    "garbage",
    "2026-11-25T13:00",           # naive
    "2026-11-25 13:00Z",          # space instead of T
    "2026-11-25T13:00Z\n",        # trailing newline
    " 2026-11-25T13:00Z",
    "2026-13-01T00:00Z",          # month 13
    "2026-02-30T10:00Z",          # no such day
    "2026-11-25T24:00Z",
    "2026-11-25T13:00+25:00",     # offset out of range
    "9999-12-31T23:30-05:00",     # beyond datetime.max in UTC
    "２０２６-11-25T13:00Z",        # non-ASCII digits
    "2026-11-25T13:00Z" + "0" * 10_000,
    "x" * 1_000_000,
    None,
    20261125,
    b"2026-11-25T13:00Z",
])
def test_parse_slot_rejects_malformed_values(value):
    assert parse_slot(value) is None


# --------------------------------------------------------------------------
# Guards


def test_naive_datetimes_are_rejected():
    avail = Availability(WITH_LUNCH)
    naive = datetime(2026, 11, 23, 9, 0)
    with pytest.raises(ValueError):
        free_starts_on(avail, [], HOUR, MONDAY, naive)
    with pytest.raises(ValueError):
        why_not_bookable(avail, [], HOUR, naive, EARLY)
    with pytest.raises(ValueError):
        why_not_bookable(avail, [], HOUR, ist(9, 0), naive)
    with pytest.raises(ValueError):
        next_free_start(avail, [], HOUR, naive)
    with pytest.raises(ValueError):
        week_grid(avail, [], HOUR, MONDAY, naive, days=0)
    with pytest.raises(ValueError):
        Busy(naive, ist(10, 0))
    with pytest.raises(ValueError):
        Availability(WITH_LUNCH, time_off=[(naive, ist(10, 0))])
    with pytest.raises(ValueError):
        local_label(naive, "Asia/Kolkata")
    with pytest.raises(ValueError):
        slot_token(naive)
    with pytest.raises(ValueError):
        overlaps(naive, naive + HOUR, ist(9, 0), ist(10, 0))


def test_a_datetime_is_not_accepted_as_a_local_day():
    with pytest.raises(ValueError):
        free_starts_on(Availability(WITH_LUNCH), [], HOUR, ist(9, 0), EARLY)


def test_bad_settings_are_rejected_up_front():
    with pytest.raises(ValueError):
        Availability(WITH_LUNCH, tz="Asia/Nowhere")
    with pytest.raises(ValueError):
        Availability({0: [span(13, 0, 9, 0)]})
    with pytest.raises(ValueError):
        Availability({7: [span(9, 0, 13, 0)]})
    with pytest.raises(ValueError):
        Availability(WITH_LUNCH, step=timedelta(0))
    with pytest.raises(ValueError):
        Availability(WITH_LUNCH, time_off=[(ist(11, 0), ist(10, 0))])
    with pytest.raises(ValueError):
        free_starts_on(Availability(WITH_LUNCH), [], timedelta(0), MONDAY, EARLY)


def test_overlaps_treats_intervals_as_half_open():
    nine, ten, eleven = ist(9, 0), ist(10, 0), ist(11, 0)
    assert overlaps(nine, eleven, ten, eleven) is True
    assert overlaps(nine, ten, ten, eleven) is False  # touching
    assert overlaps(ten, eleven, nine, ten) is False
    assert overlaps(nine, ten + MIN, ten, eleven) is True
    assert overlaps(ten, ten, nine, eleven) is False  # empty interval
    # Aware values in different zones compare as instants.
    assert overlaps(nine.astimezone(NEW_YORK), ten.astimezone(NEW_YORK), nine, ten) is True


@pytest.mark.parametrize("day", [date(2026, 3, 29), date(2026, 10, 25), date(2026, 11, 23)])  # spring, autumn, plain
@pytest.mark.parametrize("step, length", [(30, 60), (45, 90), (20, 30)])
def test_a_start_is_on_the_schedule_exactly_when_the_days_grid_lists_it(day, step, length):
    """why_not_bookable tests one start against the grid arithmetically; the grid lists the day's
    starts one by one (free_starts_on): every minute of the day, on both sides of a clock change."""
    from grihaseva.booking.slots import _grid_starts, _on_grid

    hours = {d: [(time(0, 30), time(2, 45)), (time(9), time(17, 10))] for d in range(7)}
    avail = Availability(hours, tz="Europe/London", buffer=timedelta(minutes=10), min_notice=timedelta(0),
                         step=timedelta(minutes=step))
    occupied = timedelta(minutes=length) + avail.buffer
    listed = _grid_starts(avail, day, occupied)
    first = datetime.combine(day, time(), LONDON).astimezone(UTC)
    for minute in range(25 * 60):
        start = first + minute * MIN
        assert _on_grid(avail, day, occupied, start) == (start in listed), start
