"""Earnings: projections in integer paise for known inputs, actual earnings from completed jobs, the chart, CSV."""

from __future__ import annotations

import csv
import html
import io
from datetime import date, timedelta

import pytest

from grihaseva.provider.earnings import EarningsInputError, Plan, chart_bars, days_in_month, parse_plan, project
from tests.conftest import post, visible_text
from tests.conftest import text as raw_text
from tests.provider.conftest import MON_4PM, TUE_5PM, book, logged_in, user_id


@pytest.mark.parametrize(("plan", "month_days", "daily", "weekly", "monthly"), [
    # ₹400 an hour, 45 h over 6 days: ₹3,000 a day, ₹18,000 a week; 31-day month = 18000 × 31 / 7 = ₹79,714.29
    (Plan(40000, 45 * 60, 6), 31, 300000, 1800000, 7971429),
    (Plan(40000, 45 * 60, 6), 30, 300000, 1800000, 7714286),
    (Plan(40000, 45 * 60, 6), 28, 300000, 1800000, 7200000),
    # zero hours, and zero working days, project nothing (no division by zero)
    (Plan(40000, 0, 6), 31, 0, 0, 0),
    (Plan(40000, 10 * 60, 0), 31, 0, 400000, 1771429),
    # ₹1 an hour for one minute is 1.67 paise: rounded half up to 2
    (Plan(100, 1, 1), 31, 2, 2, 7),
    # ₹450.50 an hour, 37.5 h over 5 days: ₹16,893.75 a week, ₹3,378.75 a day
    (Plan(45050, 2250, 5), 31, 337875, 1689375, 7481518),
])
def test_projections_for_known_inputs(plan, month_days, daily, weekly, monthly):
    result = project(plan, month_days)
    assert (result.daily, result.weekly, result.monthly) == (daily, weekly, monthly)
    assert all(type(value) is int for value in (result.daily, result.weekly, result.monthly))


def test_days_in_month_knows_31_day_months_and_leap_years():
    assert days_in_month(date(2026, 12, 5)) == 31
    assert days_in_month(date(2026, 11, 23)) == 30
    assert days_in_month(date(2028, 2, 1)) == 29


def test_typed_inputs_become_integer_paise_and_minutes():
    assert parse_plan({"rate": "450.50", "hours": "37.5", "days": "5"}) == Plan(45050, 2250, 5)
    assert parse_plan({"rate": "1,200", "hours": "0", "days": "0"}) == Plan(120000, 0, 0)


@pytest.mark.parametrize(("form", "field"), [
    ({"rate": "", "hours": "40", "days": "6"}, "rate"),
    ({"rate": "400.555", "hours": "40", "days": "6"}, "rate"),
    ({"rate": "-1", "hours": "40", "days": "6"}, "rate"),
    ({"rate": "NaN", "hours": "40", "days": "6"}, "rate"),
    ({"rate": "400", "hours": "169", "days": "6"}, "hours"),
    ({"rate": "400", "hours": "abc", "days": "6"}, "hours"),
    ({"rate": "400", "hours": "40", "days": "8"}, "days"),
])
def test_bad_inputs_are_refused_per_field(form, field):
    with pytest.raises(EarningsInputError) as refused:
        parse_plan(form)
    assert set(refused.value.errors) == {field}


def test_chart_bars_scale_to_the_best_week_in_integers_paid_then_unpaid():
    amounts = [(0, 0), (0, 0), (0, 0), (0, 0), (0, 0), (0, 0), (34900, 0), (34900, 34900)]
    weeks = [(date(2026, 10, 5) + timedelta(weeks=i), paid, owed) for i, (paid, owed) in enumerate(amounts)]
    bars = chart_bars(weeks)
    assert [(b.paid_width, b.unpaid_width) for b in bars][-2:] == [(85, 0), (85, 85)]  # the best week fills 170
    assert bars[-1].y == 7 * 32 and bars[-1].label == "23 Nov" and bars[-1].amount == 69800
    assert chart_bars([(date(2026, 11, 23), 0, 0)])[0].paid_width == 0


async def words(response) -> str:
    return visible_text(html.unescape(await raw_text(response)))


async def test_the_page_projects_from_the_schedule_and_counts_only_completed_jobs(demo):
    done = await book(demo, MON_4PM)
    await book(demo, TUE_5PM)  # confirmed, not completed: earns nothing yet
    client = await logged_in(demo, "provider@example.com")
    demo.clock.now = MON_4PM + timedelta(hours=1)
    await post(client, f"/provider/bookings/{done}/complete")
    page = await raw_text(await client.get("/provider/earnings"))
    # Ravi: ₹400/h, 9 h on each of 7 days = 63 h a week
    assert 'name="hours" type="text" inputmode="decimal" maxlength="12" value="63"' in page
    assert 'id="projected-week">₹25,200<' in page and 'id="projected-day">₹3,600<' in page
    assert 'id="projected-month">₹1,08,000<' in page  # November: 25200 × 30 / 7
    assert 'id="actual-day">₹349<' in page and 'id="actual-week">₹349<' in page and 'id="actual-month">₹349<' in page
    assert '<svg class="chart"' in page and 'width="170"' in page
    assert "style=" not in page


async def test_projection_updates_for_typed_values_without_saving(demo):
    client = await logged_in(demo, "provider@example.com")
    response = await client.get("/provider/earnings/projection?rate=500&hours=40&days=5",
                                headers={"HX-Request": "true"})
    body = await raw_text(response)
    assert 'id="projected-day">₹4,000<' in body and 'id="projected-week">₹20,000<' in body
    assert 'id="projected-month">₹85,714.29<' in body  # 20000 × 30 / 7
    assert "<html" not in body
    bad = await words(await client.get("/provider/earnings/projection?rate=abc&hours=40&days=5"))
    assert "Enter your hourly rate in rupees" in bad
    ravi = await demo.db.fetch_one("select_provider", {"id": await user_id(demo, "provider@example.com")})
    assert ravi["hourly_rate_paise"] == 40000


async def test_saving_the_plan_stores_paise_and_minutes(demo):
    client = await logged_in(demo, "provider@example.com")
    response = await post(client, "/provider/earnings", {"rate": "450.50", "hours": "37.5", "days": "5"})
    assert response.status_code == 303
    ravi = await user_id(demo, "provider@example.com")
    assert (await demo.db.fetch_one("select_provider", {"id": ravi}))["hourly_rate_paise"] == 45050
    assert await demo.db.fetch_one("select_earnings_plan", {"provider_id": ravi}) == {
        "planned_minutes_week": 2250, "working_days_week": 5}
    page = await raw_text(await client.get("/provider/earnings"))
    assert 'value="450.50"' in page and 'value="37.5"' in page and 'id="projected-week">₹16,893.75<' in page
    refused = await post(client, "/provider/earnings", {"rate": "", "hours": "37.5", "days": "5"})
    assert refused.status_code == 422 and "Enter your hourly rate in rupees" in await words(refused)


async def test_csv_lists_completed_jobs_only(demo):
    done = await book(demo, MON_4PM)
    await book(demo, TUE_5PM)
    client = await logged_in(demo, "provider@example.com")
    demo.clock.now = MON_4PM + timedelta(hours=1)
    await post(client, f"/provider/bookings/{done}/complete")
    response = await client.get("/provider/earnings.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(await raw_text(response))))
    assert rows == [["booking", "date", "start", "end", "service", "customer", "amount_inr"],
                    [str(done), "2026-11-23", "16:00", "17:00", "Tap and leak repair", "Asha Menon", "349.00"]]
    other = await logged_in(demo, "imran.plumber@example.com")
    assert len(list(csv.reader(io.StringIO(await raw_text(await other.get("/provider/earnings.csv")))))) == 1


# Review #3: exponent, special and underscored numbers are not plain decimals; Decimal() would take them
# and the arithmetic on them raised (InvalidOperation, Overflow) before any bound was checked.
EXOTIC_NUMBERS = ["1E+30", "9E+999999", "1e3", "NaN", "Infinity", "-Infinity", "sNaN", "1_000", "+400", ".5", "٤٠٠"]


@pytest.mark.parametrize("typed", EXOTIC_NUMBERS)
@pytest.mark.parametrize("field", ["rate", "hours"])
def test_only_plain_decimal_numbers_are_accepted(field, typed):
    with pytest.raises(EarningsInputError) as refused:
        parse_plan({"rate": "400", "hours": "40", "days": "6", field: typed})
    assert set(refused.value.errors) == {field}


@pytest.mark.parametrize(("field", "typed", "message"), [
    ("rate", "1E+30", "Enter your hourly rate in rupees, for example 400 or 450.50."),
    ("rate", "9E+999999", "Enter your hourly rate in rupees, for example 400 or 450.50."),
    ("hours", "9E+999999", "Enter your planned hours per week, from 0 to 168."),
    ("hours", "NaN", "Enter your planned hours per week, from 0 to 168."),
    ("rate", "1_000", "Enter your hourly rate in rupees, for example 400 or 450.50."),
])
async def test_exponent_input_is_a_422_with_the_field_message_on_the_form_and_the_preview(demo, field, typed, message):
    client = await logged_in(demo, "provider@example.com")
    form = {"rate": "400", "hours": "40", "days": "6", field: typed}
    saved = await post(client, "/provider/earnings", form)
    assert saved.status_code == 422
    assert message in await words(saved)
    preview = await client.get("/provider/earnings/projection", query_string=form, headers={"HX-Request": "true"})
    assert preview.status_code == 422
    assert message in await words(preview)
    ravi = await demo.db.fetch_one("select_provider", {"id": await user_id(demo, "provider@example.com")})
    assert ravi["hourly_rate_paise"] == 40000


# Review #13: plans that cannot happen are refused instead of projected.
@pytest.mark.parametrize(("form", "field"), [
    ({"rate": "400", "hours": "40", "days": "0"}, "days"),  # hours on no working day
    ({"rate": "400", "hours": "0.5", "days": "0"}, "days"),
    ({"rate": "400", "hours": "168", "days": "1"}, "hours"),  # 168 hours in one day
    ({"rate": "400", "hours": "48.01", "days": "2"}, "hours"),
])
def test_contradictory_plans_are_refused(form, field):
    with pytest.raises(EarningsInputError) as refused:
        parse_plan(form)
    assert set(refused.value.errors) == {field}


def test_plans_at_the_limits_are_accepted():
    assert parse_plan({"rate": "400", "hours": "24", "days": "1"}) == Plan(40000, 24 * 60, 1)
    assert parse_plan({"rate": "400", "hours": "168", "days": "7"}) == Plan(40000, 168 * 60, 7)
    assert parse_plan({"rate": "400", "hours": "0", "days": "0"}) == Plan(40000, 0, 0)
    assert parse_plan({"rate": "1,00,000", "hours": "0", "days": "3"}) == Plan(10_000_000, 0, 3)


async def test_a_contradictory_plan_gets_a_clear_422(demo):
    client = await logged_in(demo, "provider@example.com")
    no_days = await post(client, "/provider/earnings", {"rate": "400", "hours": "40", "days": "0"})
    assert no_days.status_code == 422
    assert "You plan hours, so enter how many days a week you work them, from 1 to 7." in await words(no_days)
    one_day = await post(client, "/provider/earnings", {"rate": "400", "hours": "168", "days": "1"})
    assert one_day.status_code == 422
    assert "168 hours do not fit in 1 working day: plan at most 24 hours a week." in await words(one_day)
    preview = await client.get("/provider/earnings/projection?rate=400&hours=40&days=0")
    assert preview.status_code == 422 and 'id="projected-day"' not in await raw_text(preview)
    assert await demo.db.fetch_one("select_earnings_plan", {"provider_id": await user_id(demo, "provider@example.com")}) is None


@pytest.mark.parametrize("field", ["rate", "hours"])
def test_a_decimal_error_past_the_plain_number_check_is_still_a_field_error(monkeypatch, field):
    """The second line of defence: should the plain-number pattern ever let a huge exponent through,
    the DecimalException from the arithmetic becomes a refusal, not a 500."""
    import re

    from grihaseva.provider import earnings

    monkeypatch.setattr(earnings, "_PLAIN_NUMBER", re.compile(r".+"))
    with pytest.raises(EarningsInputError) as refused:
        parse_plan({"rate": "400", "hours": "40", "days": "6", field: "9E+999999"})
    assert field in refused.value.errors
