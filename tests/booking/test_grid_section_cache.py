"""The booking page's grid section is rendered once per change: kept per service, professional,
day, PIN code and language until an event for the service or a professional it shows, by a
commit in this process at once and by another process's when the broadcaster reads it."""

from __future__ import annotations

import re

from grihaseva.booking import domain
from grihaseva.booking.grid_cache import SectionCache, owner_of
from grihaseva.db import open_database
from grihaseva.events import publish
from tests.booking.conftest import demo, logged_in  # noqa: F401
from tests.conftest import post, text
from tests.provider.conftest import DETAILS, NOW, TUE_5PM, TUE_7PM, user_id

GRID = "/book/tap-leak-repair?provider={ravi}&day=2026-11-24"


def _slot_state(page: str, start) -> str:
    """"free" or "taken": the class of the slot cell for `start` on the page."""
    from grihaseva.booking.slots import slot_token

    found = re.search(r'class="slot (free|taken|current)" data-slot="%s"' % re.escape(slot_token(start)), page)
    assert found, f"no cell for {start} on the page"
    return found.group(1)


async def _customer(app, email: str = "customer@example.com") -> domain.Customer:
    row = await app.db.fetch_one("select_user_by_email", {"email": email})
    return domain.Customer(row["id"], row["gender"])


async def test_the_second_view_of_a_grid_comes_from_the_cache(demo):
    ravi = await user_id(demo, "provider@example.com")
    client = demo.test_client()
    cache = demo.db.section_cache
    first = await text(await client.get(GRID.format(ravi=ravi)))
    hits = cache.hits
    second = await text(await client.get(GRID.format(ravi=ravi)))
    assert cache.hits > hits
    assert _slot_state(first, TUE_7PM) == _slot_state(second, TUE_7PM) == "free"
    # The htmx fragment is the same section, alone.
    fragment = await text(await client.get(GRID.format(ravi=ravi), headers={"HX-Request": "true"}))
    assert fragment.lstrip().startswith('<section id="grid-section"') and "<html" not in fragment
    assert _slot_state(fragment, TUE_7PM) == "free"


async def test_a_booking_in_another_process_shows_once_its_event_is_read(demo):
    service = await domain.active_service(demo.db, "tap-leak-repair")
    ravi = await user_id(demo, "provider@example.com")
    client = demo.test_client()
    assert _slot_state(await text(await client.get(GRID.format(ravi=ravi))), TUE_7PM) == "free"
    other = open_database(demo.settings.database)
    await other.connect()
    try:
        await domain.place_booking(other, await _customer(demo), service, ravi, TUE_7PM, DETAILS, NOW)
        # Not heard of yet in this process: the cached section (the live stream catches up).
        assert _slot_state(await text(await client.get(GRID.format(ravi=ravi))), TUE_7PM) == "free"
        await demo.broadcaster.poll()
        assert _slot_state(await text(await client.get(GRID.format(ravi=ravi))), TUE_7PM) == "taken"
    finally:
        await other.close()


async def test_a_booking_here_drops_the_section_at_its_commit(demo):
    ravi = await user_id(demo, "provider@example.com")
    client = await logged_in(demo, "customer@example.com")
    assert _slot_state(await text(await client.get(GRID.format(ravi=ravi))), TUE_5PM) == "free"
    service = await domain.active_service(demo.db, "tap-leak-repair")
    await domain.place_booking(demo.db, await _customer(demo), service, ravi, TUE_5PM, DETAILS, NOW)
    assert _slot_state(await text(await client.get(GRID.format(ravi=ravi))), TUE_5PM) == "taken"  # no poll


async def test_an_event_for_another_professional_keeps_the_section(demo):
    ravi = await user_id(demo, "provider@example.com")
    client = demo.test_client()
    await client.get(GRID.format(ravi=ravi))
    cache = demo.db.section_cache
    async with demo.db.transaction() as tx:
        await publish(tx, "slots:999999", "availability", {}, NOW)
    hits = cache.hits
    await client.get(GRID.format(ravi=ravi))
    assert cache.hits > hits


async def test_a_deactivated_service_is_not_served_from_the_cache(demo):
    ravi = await user_id(demo, "provider@example.com")
    client = demo.test_client()
    assert (await client.get(GRID.format(ravi=ravi))).status_code == 200
    service = await domain.active_service(demo.db, "tap-leak-repair")
    async with demo.db.transaction() as tx:
        await tx.execute("UPDATE services SET is_active = 0 WHERE id = :id", {"id": service.id})
        await publish(tx, domain.service_topic(service.id), "service_changed", {"service_id": service.id}, NOW)
    assert (await client.get(GRID.format(ravi=ravi))).status_code == 404


async def test_each_language_has_its_own_section(demo):
    ravi = await user_id(demo, "provider@example.com")
    english = demo.test_client()
    assert "Morning" in await text(await english.get(GRID.format(ravi=ravi)))
    hindi = demo.test_client()
    await post(hindi, "/language", {"lang": "hi", "next": "/"})
    page = await text(await hindi.get(GRID.format(ravi=ravi)))
    assert "Morning" not in page and "सुबह" in page


async def test_time_moving_on_is_a_new_section(demo):
    from grihaseva.booking.slots import slot_token

    ravi = await user_id(demo, "provider@example.com")
    client = demo.test_client()
    free = 'class="slot free" data-slot="%s"' % slot_token(TUE_5PM)
    assert free in await text(await client.get(GRID.format(ravi=ravi)))
    demo.clock.now = TUE_5PM  # the start has come: it can no longer be booked
    assert free not in await text(await client.get(GRID.format(ravi=ravi)))


def test_an_entry_read_before_a_change_of_its_owner_is_not_kept():
    cache = SectionCache()
    version = cache.version()
    cache.forget("provider:7")  # an event arrives while the section is being rendered
    cache.put("key", ["service:1", "provider:7"], "stale", version)
    assert cache.get("key") is None
    version = cache.version()
    cache.put("key", ["service:1", "provider:7"], "fresh", version)
    assert cache.get("key") == "fresh"
    cache.forget_topics(["slots:8:2026-11-24"])  # another professional: kept
    assert cache.get("key") == "fresh"
    cache.forget_topics(["slots:7:2026-11-24"])
    assert cache.get("key") is None


def test_entries_expire_after_their_ttl():
    now = [100.0]
    cache = SectionCache(ttl=10, clock=lambda: now[0])
    cache.put("key", ["service:1"], "html", cache.version())
    now[0] += 9
    assert cache.get("key") == "html"
    now[0] += 2
    assert cache.get("key") is None


def test_topics_name_their_owners():
    assert owner_of("service:3") == "service:3"
    assert owner_of("slots:12") == owner_of("slots:12:2026-11-24") == owner_of("provider:12") == "provider:12"
    assert owner_of("user:12") is None and owner_of("post:4") is None
