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


def test_chart_bars_scale_to_the_best_week_in_integers():
    weeks = [(date(2026, 10, 5) + timedelta(weeks=i), paise) for i, paise in enumerate([0, 0, 0, 0, 0, 0, 34900, 69800])]
    bars = chart_bars(weeks)
    assert [b.height for b in bars] == [0, 0, 0, 0, 0, 0, 52, 104]
    assert bars[-1].y == 140 - 20 - 104 and bars[-1].label == "23 Nov"
    assert chart_bars([(date(2026, 11, 23), 0)])[0].height == 0


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
    assert '<svg class="chart"' in page and 'height="104"' in page
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
