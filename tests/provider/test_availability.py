"""The availability editor: hours with breaks, time off, rules and services; never stranding a booking."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from grihaseva.booking.slots import slot_token
from urllib.parse import urlencode

from tests.conftest import TEST_CSRF, post, visible_text, with_csrf
from tests.conftest import text as raw_text
from tests.provider.conftest import NOW, TUE_5PM, book, logged_in, user_id

RAVI_HOURS = {f"day{d}": "10:00-14:00, 16:00-21:00" for d in range(7)}
RULES = {"buffer": "15", "notice": "120"}


async def words(response) -> str:
    return visible_text(html.unescape(await raw_text(response)))


async def post_services(client, ids: list[int]):
    """The services form: one `service` field per ticked box."""
    await with_csrf(client)
    body = urlencode([("csrf_token", TEST_CSRF)] + [("service", str(i)) for i in ids])
    return await client.post("/provider/availability/services", data=body.encode(),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})


async def hours_of(app, email: str) -> list[tuple[int, int, int]]:
    rows = await app.db.fetch_all("select_working_hours", {"provider_id": await user_id(app, email)})
    return [(r["weekday"], r["start_min"], r["end_min"]) for r in rows]


async def test_the_editor_shows_the_weekly_hours_with_breaks(demo):
    client = await logged_in(demo, "provider@example.com")
    page = await raw_text(await client.get("/provider/availability"))
    assert 'name="day1" type="text" inputmode="numeric" maxlength="120" value="10:00-14:00, 16:00-21:00"' in page


async def test_hours_that_would_strand_a_booking_are_refused_naming_it(demo):
    await book(demo, TUE_5PM)
    client = await logged_in(demo, "provider@example.com")
    before = await hours_of(demo, "provider@example.com")
    response = await post(client, "/provider/availability/hours", {**RAVI_HOURS, "day1": "10:00-14:00", **RULES})
    assert response.status_code == 409
    assert ("These hours would leave a confirmed booking outside your working time: "
            "Tap and leak repair for Asha on Tue 24 Nov, 5:00 pm IST.") in await words(response)
    assert await hours_of(demo, "provider@example.com") == before


async def test_a_valid_change_is_saved_and_updates_open_slot_grids(demo):
    await book(demo, TUE_5PM)
    ravi = await user_id(demo, "provider@example.com")
    client = await logged_in(demo, "provider@example.com")
    last_event = await demo.db.fetch_value("SELECT COALESCE(MAX(id), 0) AS n FROM events")
    # Tuesday afternoon ends at 18:30 now: the 17:00 job still fits; the morning becomes two intervals.
    response = await post(client, "/provider/availability/hours",
                          {**RAVI_HOURS, "day1": "09:00-11:00, 11:30-13:00, 16:00-18:30", "buffer": "30", "notice": "240"})
    assert response.status_code == 303
    hours = await hours_of(demo, "provider@example.com")
    assert [(s, e) for d, s, e in hours if d == 1] == [(540, 660), (690, 780), (960, 1110)]
    provider = await demo.db.fetch_one("select_provider", {"id": ravi})
    assert (provider["buffer_min"], provider["min_notice_min"]) == (30, 240)
    events = await demo.db.fetch_all("SELECT topic, kind FROM events WHERE id > :id", {"id": last_event})
    assert events == [{"topic": f"slots:{ravi}", "kind": "availability"}]
    grid = await raw_text(await demo.test_client().get(f"/book/tap-leak-repair?provider={ravi}&day=2026-11-24"))
    assert f'data-slot="{slot_token(TUE_5PM.replace(hour=4, minute=0))}"' in grid  # 09:30 IST Tuesday is new


async def test_bad_hours_get_a_message_per_day(demo):
    client = await logged_in(demo, "provider@example.com")
    response = await post(client, "/provider/availability/hours", {**RAVI_HOURS, "day2": "9 to 5", **RULES})
    assert response.status_code == 422
    assert "Wednesday: write hours like 09:00-13:00, 14:00-19:00." in await words(response)
    overlap = await post(client, "/provider/availability/hours", {**RAVI_HOURS, "day3": "10:00-14:00, 13:00-15:00", **RULES})
    assert overlap.status_code == 422 and "Thursday: the time ranges overlap." in await words(overlap)
    no_days = await post(client, "/provider/availability/hours", RULES)
    assert no_days.status_code == 422 and "at least one day" in await words(no_days)


async def test_time_off_over_a_booking_is_refused_and_other_time_off_is_added_and_removed(demo):
    await book(demo, TUE_5PM)
    ravi = await user_id(demo, "provider@example.com")
    client = await logged_in(demo, "provider@example.com")
    refused = await post(client, "/provider/availability/time-off",
                         {"off_from": "2026-11-24T16:30", "off_to": "2026-11-24T18:00", "off_reason": "wedding"})
    assert refused.status_code == 409
    assert "That time off overlaps a confirmed booking: Tap and leak repair for Asha on Tue 24 Nov, 5:00 pm IST." in await words(refused)
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM time_off") == 0
    added = await post(client, "/provider/availability/time-off",
                       {"off_from": "2026-11-25T00:00", "off_to": "2026-11-26T00:00", "off_reason": "wedding"})
    assert added.status_code == 303
    row = await demo.db.fetch_one("SELECT id, starts_at, ends_at FROM time_off")
    assert row["starts_at"] == TUE_5PM.replace(hour=18, minute=30)  # 00:00 IST Wednesday
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM events WHERE topic = :t", {"t": f"slots:{ravi}"}) == 1
    imran = await logged_in(demo, "imran.plumber@example.com")
    assert (await post(imran, f"/provider/availability/time-off/{row['id']}/delete")).status_code == 404
    assert (await post(client, f"/provider/availability/time-off/{row['id']}/delete")).status_code == 303
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM time_off") == 0


async def test_women_only_services_are_refused_for_a_male_provider(demo):
    facial = (await demo.db.fetch_one("select_service_by_slug", {"slug": "facial-at-home"}))["id"]
    tap = (await demo.db.fetch_one("select_service_by_slug", {"slug": "tap-leak-repair"}))["id"]
    ravi = await user_id(demo, "provider@example.com")
    client = await logged_in(demo, "provider@example.com")
    response = await post_services(client, [tap, facial])
    assert response.status_code == 403
    assert "Facial at home: women-only services are done only by women professionals" in await words(response)
    saved = await post_services(client, [tap])
    assert saved.status_code == 303
    offered = await demo.db.fetch_all("select_provider_services", {"provider_id": ravi})
    assert [row["slug"] for row in offered] == ["tap-leak-repair"]


async def test_a_woman_provider_may_offer_women_only_services(demo):
    facial = (await demo.db.fetch_one("select_service_by_slug", {"slug": "facial-at-home"}))["id"]
    anita = await user_id(demo, "anita.cleaning@example.com")
    client = await logged_in(demo, "anita.cleaning@example.com")
    assert (await post_services(client, [facial])).status_code == 303
    assert [r["slug"] for r in await demo.db.fetch_all("select_provider_services", {"provider_id": anita})] == ["facial-at-home"]


def invalid_fields(page: str) -> list[str]:
    """The ids of the inputs whose field the page marks invalid."""
    return re.findall(r'<(?:div|fieldset) class="field[^"]* invalid">\s*<(?:label for|legend)="?([\w-]*)', page)


async def offered_slugs(app, email: str) -> list[str]:
    rows = await app.db.fetch_all("select_provider_services", {"provider_id": await user_id(app, email)})
    return sorted(row["slug"] for row in rows)


# Review #5: a dropped service stranded its bookings (no reschedule page, yet the POST still moved them).
async def test_dropping_a_service_with_an_upcoming_booking_is_refused_naming_it(demo):
    await book(demo, TUE_5PM)
    tap = (await demo.db.fetch_one("select_service_by_slug", {"slug": "tap-leak-repair"}))["id"]
    others = [row["id"] for row in await demo.db.fetch_all(
        "select_provider_services", {"provider_id": await user_id(demo, "provider@example.com")}) if row["id"] != tap]
    assert others, "Ravi offers more than tap repair in the demo data"
    before = await offered_slugs(demo, "provider@example.com")
    client = await logged_in(demo, "provider@example.com")
    last_event = await demo.db.fetch_value("SELECT COALESCE(MAX(id), 0) AS n FROM events")
    refused = await post_services(client, others)
    assert refused.status_code == 409
    assert ("You have a confirmed booking for a service you are dropping: Tap and leak repair for Asha on "
            "Tue 24 Nov, 5:00 pm IST. Keep offering Tap and leak repair until that job is done, "
            "or cancel the job from your dashboard first.") in await words(refused)
    page = await raw_text(refused)
    assert '<fieldset class="field choice invalid">' in page
    assert f'value="{tap}" checked' not in page and f'value="{others[0]}" checked' in page  # as ticked
    assert await offered_slugs(demo, "provider@example.com") == before
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM events WHERE id > :id", {"id": last_event}) == 0
    demo.clock.now = TUE_5PM + timedelta(hours=1)  # the job is over (whether completed or not)
    assert (await post_services(client, others)).status_code == 303
    assert "tap-leak-repair" not in await offered_slugs(demo, "provider@example.com")


async def test_dropping_a_service_whose_booking_was_cancelled_is_allowed(demo):
    from grihaseva.booking import domain
    from tests.provider.conftest import Who

    booking = await book(demo, TUE_5PM)
    await domain.cancel_booking(demo.db, Who(await user_id(demo, "customer@example.com")), booking, NOW, "Plans changed")
    tap = (await demo.db.fetch_one("select_service_by_slug", {"slug": "tap-leak-repair"}))["id"]
    others = [row["id"] for row in await demo.db.fetch_all(
        "select_provider_services", {"provider_id": await user_id(demo, "provider@example.com")}) if row["id"] != tap]
    client = await logged_in(demo, "provider@example.com")
    assert (await post_services(client, others)).status_code == 303


# Review #11: the refusal marked Monday whatever the booking's day, and time off lost what was typed.
async def test_a_stranding_refusal_marks_the_bookings_weekday(demo):
    await book(demo, TUE_5PM)  # a Tuesday (day1)
    client = await logged_in(demo, "provider@example.com")
    response = await post(client, "/provider/availability/hours", {**RAVI_HOURS, "day1": "10:00-14:00", **RULES})
    assert response.status_code == 409
    assert invalid_fields(await raw_text(response)) == ["f-day1"]


async def test_a_refused_time_off_keeps_what_was_typed(demo):
    await book(demo, TUE_5PM)
    client = await logged_in(demo, "provider@example.com")
    overlap = await post(client, "/provider/availability/time-off",
                         {"off_from": "2026-11-24T16:30", "off_to": "2026-11-24T18:00", "off_reason": "wedding"})
    assert overlap.status_code == 409
    page = await raw_text(overlap)
    assert 'name="off_from" type="datetime-local" value="2026-11-24T16:30"' in page
    assert 'name="off_to" type="datetime-local" value="2026-11-24T18:00"' in page
    assert 'name="off_reason" type="text" maxlength="200" value="wedding"' in page
    assert 'value="10:00-14:00, 16:00-21:00"' in page  # the hours form still shows the stored hours
    backwards = await post(client, "/provider/availability/time-off",
                           {"off_from": "2026-11-28T10:00", "off_to": "2026-11-27T10:00"})
    assert backwards.status_code == 422
    page = await raw_text(backwards)
    assert 'value="2026-11-28T10:00"' in page and 'value="2026-11-27T10:00"' in page
    assert invalid_fields(page) == ["f-off_to"]


# Review #14: a start years ahead (a mistyped year) was accepted and listed without its year.
async def test_time_off_must_start_within_the_booking_window_plus_a_year(demo):
    client = await logged_in(demo, "provider@example.com")
    far = await post(client, "/provider/availability/time-off",
                     {"off_from": "9999-12-31T23:00", "off_to": "9999-12-31T23:59"})
    assert far.status_code == 422
    # now (Mon 23 Nov 2026, 8:00 am IST) + Ravi's 30-day window + 365 days = Thu 23 Dec 2027, 8:00 am IST
    message = ("That time off starts too far ahead: time off can start at the latest on Thu 23 Dec 2027, "
               "a year after your booking window ends. Check the year.")
    assert message in await words(far)
    assert invalid_fields(await raw_text(far)) == ["f-off_from"]
    just_past = await post(client, "/provider/availability/time-off",
                           {"off_from": "2027-12-23T08:01", "off_to": "2027-12-24T08:00"})
    assert just_past.status_code == 422 and message in await words(just_past)
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM time_off") == 0
    last = await post(client, "/provider/availability/time-off",
                      {"off_from": "2027-12-23T08:00", "off_to": "2027-12-24T08:00"})
    assert last.status_code == 303


async def test_the_time_off_list_shows_the_year_only_when_it_is_not_this_year(demo):
    client = await logged_in(demo, "provider@example.com")
    for start, end in (("2026-11-25T00:00", "2026-11-26T00:00"), ("2026-12-31T18:00", "2027-01-02T09:00"),
                       ("2027-11-25T00:00", "2027-11-26T00:00")):
        assert (await post(client, "/provider/availability/time-off", {"off_from": start, "off_to": end})).status_code == 303
    listed = await words(await client.get("/provider/availability"))
    assert "Wed 25 Nov, 12:00 am IST – Thu 26 Nov, 12:00 am IST" in listed
    assert "Thu 31 Dec, 6:00 pm IST – Sat 2 Jan 2027, 9:00 am IST" in listed
    assert "Thu 25 Nov 2027, 12:00 am IST – Fri 26 Nov 2027, 12:00 am IST" in listed
