"""The private calendar feed: works for its secret only, lists only its owner's upcoming jobs, dies when replaced."""

from __future__ import annotations

import re

from icalendar import Calendar

from tests.conftest import post
from tests.conftest import text as raw_text
from tests.provider.conftest import MON_4PM, TUE_5PM, book, logged_in

LINK = re.compile(r'id="feed-link">http://127\.0\.0\.1:8000(/provider/calendar/([A-Za-z0-9_-]+)\.ics)<')


async def make_link(client) -> tuple[str, str]:
    response = await post(client, "/provider/calendar/new", {"confirm": "new"})
    assert response.status_code == 200
    path, secret = LINK.search(await raw_text(response)).groups()
    return path, secret


async def test_the_feed_lists_the_owners_upcoming_jobs(demo):
    mine = await book(demo, TUE_5PM)
    others = await book(demo, MON_4PM, provider="imran.plumber@example.com")
    client = await logged_in(demo, "provider@example.com")
    path, _ = await make_link(client)
    response = await demo.test_client().get(path)  # calendar apps have no session
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(await response.get_data())
    uids = [str(event["UID"]) for event in calendar.walk("VEVENT")]
    assert uids == [f"booking-{mine}@grihaseva"]
    assert f"booking-{others}@grihaseva" not in uids
    assert "METHOD" not in calendar


async def test_the_feed_is_in_the_provider_s_language_whoever_fetches_it(demo):
    await book(demo, TUE_5PM)
    await demo.db.execute("UPDATE users SET locale = 'hi' WHERE email = 'provider@example.com'")
    client = await logged_in(demo, "provider@example.com")
    path, _ = await make_link(client)
    response = await demo.test_client().get(path, headers={"Accept-Language": "en"})
    calendar = Calendar.from_ical(await response.get_data())
    assert str(calendar["X-WR-CALNAME"]) == "GrihaSeva के काम: Ravi Kumar"
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "GrihaSeva बुकिंग: नल और लीकेज की मरम्मत"
    assert str(event["DESCRIPTION"]).splitlines()[0] == "ग्राहक: Asha Menon"


async def test_only_a_hash_of_the_secret_is_stored(demo):
    client = await logged_in(demo, "provider@example.com")
    _, secret = await make_link(client)
    stored = await demo.db.fetch_one("SELECT secret_hash FROM calendar_feeds")
    assert secret not in stored["secret_hash"] and len(stored["secret_hash"]) == 64


async def test_a_wrong_or_replaced_secret_is_not_found(demo):
    await book(demo, TUE_5PM)
    client = await logged_in(demo, "provider@example.com")
    old_path, secret = await make_link(client)
    visitor = demo.test_client()
    assert (await visitor.get(old_path)).status_code == 200
    assert (await visitor.get(f"/provider/calendar/{secret[:-1]}x.ics")).status_code == 404
    assert (await visitor.get("/provider/calendar/.ics")).status_code == 404
    new_path, _ = await make_link(client)
    assert (await visitor.get(old_path)).status_code == 404
    assert (await visitor.get(new_path)).status_code == 200
    page = await raw_text(await client.get("/provider/calendar"))
    assert "A private calendar link is active" in page and 'id="feed-link"' not in page


async def test_making_a_link_needs_the_button(demo):
    client = await logged_in(demo, "provider@example.com")
    response = await post(client, "/provider/calendar/new", {})
    assert response.status_code == 400
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM calendar_feeds") == 0
