"""The availability editor: hours with breaks, time off, rules and services; never stranding a booking."""

from __future__ import annotations

import html

import pytest
import re
from datetime import timedelta

from grihaseva.booking.slots import slot_token
from urllib.parse import urlencode

from tests.conftest import TEST_CSRF, post, visible_text, with_csrf
from tests.conftest import text as raw_text
from tests.provider.conftest import NOW, TUE_5PM, book, hours_fields, logged_in, post_hours, user_id

RAVI_HOURS = {d: "10:00-14:00, 16:00-21:00" for d in range(7)}
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
    tuesday = page.split('id="day-1"')[1].split("</fieldset>")[0]
    assert selected_times(tuesday) == ["10:00am", "2:00pm", "4:00pm", "9:00pm"]  # 12-hour selects, a break between
    assert 'type="text"' not in page.split('id="weekly-hours"')[1].split("</section>")[0]  # no free text left


def selected_times(html_part: str) -> list[str]:
    """The chosen hour, minutes and am/pm of each select trio, as "10:00am"."""
    chosen = re.findall(r'<option(?: value="[ap]m")? selected>([^<]+)</option>', html_part)
    return [f"{h}:{m}{p}" for h, m, p in zip(chosen[0::3], chosen[1::3], chosen[2::3])]


async def test_hours_that_would_strand_a_booking_are_refused_naming_it(demo):
    await book(demo, TUE_5PM)
    client = await logged_in(demo, "provider@example.com")
    before = await hours_of(demo, "provider@example.com")
    response = await post_hours(client, {**RAVI_HOURS, 1: "10:00-14:00"}, RULES)
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
    response = await post_hours(client, {**RAVI_HOURS, 1: "09:00-11:00, 11:30-13:00, 16:00-18:30"},
                                {"buffer": "30", "notice": "240"})
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
    overlap = await post_hours(client, {**RAVI_HOURS, 3: "10:00-14:00, 13:00-15:00"}, RULES)
    assert overlap.status_code == 422
    assert "Thursday: 10:00 am – 2:00 pm and 1:00 pm – 3:00 pm overlap. Change one of them." in await words(overlap)
    no_days = await post(client, "/provider/availability/hours", RULES)
    assert no_days.status_code == 422 and "at least one day" in await words(no_days)


def one_range(day: int, start: tuple[str, str, str], end: tuple[str, str, str]) -> list[tuple[str, str]]:
    """One interval of `day` as raw select values (hour, minutes, am/pm), whatever they are."""
    names = [f"d{day}_{side}_{part}" for side in ("from", "to") for part in "hmp"]
    return list(zip(names, start + end))


@pytest.mark.parametrize(("fields", "message"), [
    (one_range(2, ("9", "00", "am"), ("9999", "00", "pm")), "Wednesday: choose each time from the lists"),  # a 9,999-hour day
    (one_range(2, ("9", "00", "am"), ("13", "00", "pm")), "Wednesday: choose each time from the lists"),
    (one_range(2, ("9", "00", "am"), ("5", "60", "pm")), "Wednesday: choose each time from the lists"),
    (one_range(2, ("9", "00", "am"), ("5", "00", "noon")), "Wednesday: choose each time from the lists"),
    (one_range(2, ("nine", "00", "am"), ("5", "00", "pm")), "Wednesday: choose each time from the lists"),
    (one_range(2, ("-1", "00", "am"), ("5", "00", "pm")), "Wednesday: choose each time from the lists"),
    (one_range(2, ("9", "00", "am"), ("5", "00", "pm")) + [("d2_to_h", "6")], "Wednesday: choose each time from the lists"),
    (one_range(2, ("5", "00", "pm"), ("3", "00", "pm")), "Wednesday: 5:00 pm – 3:00 pm ends before it starts."),
    (one_range(2, ("9", "00", "am"), ("9", "00", "am")), "Wednesday: 9:00 am – 9:00 am ends before it starts."),
    (one_range(2, ("10", "00", "pm"), ("2", "00", "am")),
     "Wednesday: 10:00 pm – 2:00 am runs past midnight. End it at 12:00 am (midnight) and put the rest on the next day."),
])
async def test_bad_hours_are_refused_with_a_message_and_nothing_is_saved(demo, fields, message):
    ravi = await user_id(demo, "provider@example.com")
    client = await logged_in(demo, "provider@example.com")
    before = await hours_of(demo, "provider@example.com")
    events = await demo.db.fetch_value("SELECT COUNT(*) AS n FROM events")
    response = await post_hours(client, {d: RAVI_HOURS[d] for d in (0, 1)}, fields + list(RULES.items()))
    assert response.status_code == 422
    assert message in await words(response)
    assert await hours_of(demo, "provider@example.com") == before  # not half saved: Monday and Tuesday neither
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM events") == events
    page = await raw_text(response)
    assert 'class="day-hours invalid" id="day-2"' in page and ravi


async def test_a_range_to_midnight_is_saved_as_the_end_of_the_day(demo):
    client = await logged_in(demo, "provider@example.com")
    response = await post_hours(client, {**RAVI_HOURS, 4: "00:00-06:00, 18:00-24:00"}, RULES)
    assert response.status_code == 303
    assert [(s, e) for d, s, e in await hours_of(demo, "provider@example.com") if d == 4] == [(0, 360), (1080, 1440)]
    page = await raw_text(await client.get("/provider/availability"))
    friday = page.split('id="day-4"')[1].split("</fieldset>")[0]
    assert selected_times(friday) == ["12:00am", "6:00am", "6:00pm", "12:00am"]


async def test_add_remove_and_copy_change_the_form_without_saving(demo):
    client = await logged_in(demo, "provider@example.com")
    before = await hours_of(demo, "provider@example.com")
    week = {0: "10:00-14:00", 1: "10:00-14:00, 16:00-21:00"}
    added = await post_hours(client, week, [("edit", "add:0"), *RULES.items()])
    assert added.status_code == 200
    monday = (await raw_text(added)).split('id="day-0"')[1].split("</fieldset>")[0]
    assert selected_times(monday) == ["10:00am", "2:00pm", "3:00pm", "5:00pm"]  # after an hour's break
    assert "Not saved yet" in await words(added)
    removed = await post_hours(client, week, [("edit", "remove:1:0"), *RULES.items()])
    tuesday = (await raw_text(removed)).split('id="day-1"')[1].split("</fieldset>")[0]
    assert selected_times(tuesday) == ["4:00pm", "9:00pm"]
    copied = await post_hours(client, week, [("edit", "copy:1"), ("copy1_to", "3"), ("copy1_to", "6"), *RULES.items()])
    page = await raw_text(copied)
    for day in (3, 6):
        assert selected_times(page.split(f'id="day-{day}"')[1].split("</fieldset>")[0]) == [
            "10:00am", "2:00pm", "4:00pm", "9:00pm"]
    assert "Day off" in page.split('id="day-2"')[1].split("</fieldset>")[0]
    assert await hours_of(demo, "provider@example.com") == before  # nothing saved by any of them
    # htmx asks for the card alone
    fragment = await client.post("/provider/availability/hours", data=urlencode(
        [("csrf_token", TEST_CSRF), *hours_fields(week), ("edit", "add:2"), *RULES.items()]).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true"})
    body = await raw_text(fragment)
    assert body.lstrip().startswith("{#") is False and body.count('id="weekly-hours"') == 1 and "<html" not in body
    assert selected_times(body.split('id="day-2"')[1].split("</fieldset>")[0]) == ["9:00am", "1:00pm"]


@pytest.mark.parametrize("edit", ["add:9", "remove:1:7", "copy:x", "explode:1", "add:", "remove:1:99999999999999999999"])
async def test_an_edit_that_is_not_one_of_the_buttons_is_a_400_and_saves_nothing(demo, edit):
    client = await logged_in(demo, "provider@example.com")
    before = await hours_of(demo, "provider@example.com")
    response = await post_hours(client, {0: "10:00-14:00"}, [("edit", edit), *RULES.items()])
    assert response.status_code in (400, 422)
    assert await hours_of(demo, "provider@example.com") == before


async def test_copy_with_no_day_ticked_asks_for_one(demo):
    client = await logged_in(demo, "provider@example.com")
    response = await post_hours(client, {0: "10:00-14:00"}, [("edit", "copy:0"), *RULES.items()])
    assert response.status_code == 422
    assert "Monday: tick the days to copy these hours to." in await words(response)


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
    response = await post_hours(client, {**RAVI_HOURS, 1: "10:00-14:00"}, RULES)
    assert response.status_code == 409
    assert re.findall(r'class="day-hours invalid" id="day-(\d)"', await raw_text(response)) == ["1"]


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
    tuesday = page.split('id="day-1"')[1].split("</fieldset>")[0]
    assert selected_times(tuesday) == ["10:00am", "2:00pm", "4:00pm", "9:00pm"]  # the hours form shows the stored hours
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
