"""The slot grid starts on the provider's today, in the provider's time zone, not India's."""

from __future__ import annotations

from datetime import datetime, timezone

from tests.booking.conftest import Clock, demo, user_id  # noqa: F401
from tests.conftest import text

# Sunday 22 Nov 2026, 12:30 in Los Angeles, when it is already Monday 23 Nov, 02:00 in Kolkata.
LA_SUNDAY_NOON = datetime(2026, 11, 22, 20, 30, tzinfo=timezone.utc)
LA_SUNDAY_4PM = "2026-11-23T00:00Z"


async def _provider_in_los_angeles(app) -> int:
    ravi = await user_id(app, "provider@example.com")
    await app.db.execute("UPDATE providers SET timezone = 'America/Los_Angeles' WHERE user_id = :id", {"id": ravi})
    app.clock = Clock(LA_SUNDAY_NOON)
    return ravi


async def test_a_provider_west_of_india_shows_the_rest_of_their_today(demo):
    ravi = await _provider_in_los_angeles(demo)
    page = await text(await demo.test_client().get(f"/book/tap-leak-repair?provider={ravi}"))
    assert f'data-slot="{LA_SUNDAY_4PM}"' in page


async def test_a_week_asked_for_in_the_past_starts_on_the_providers_today(demo):
    ravi = await _provider_in_los_angeles(demo)
    page = await text(await demo.test_client().get(f"/book/tap-leak-repair?provider={ravi}&week=2026-11-01"))
    assert f'data-slot="{LA_SUNDAY_4PM}"' in page
    assert "Earlier" not in page
