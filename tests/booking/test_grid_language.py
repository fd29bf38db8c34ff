"""A grid's times follow each reader's language, even when another language rendered them first
in the same process (the time labels are cached per language)."""

from __future__ import annotations

import re

from tests.booking.conftest import demo, logged_in  # noqa: F401
from tests.conftest import post, text

TIME = re.compile(r"\b\d{1,2}:\d\d (am|pm)\b")


async def test_the_grid_in_hindi_after_the_same_grid_in_english(demo):
    english = await logged_in(demo, "customer@example.com")
    page = await text(await english.get("/book/tap-leak-repair?provider=any"))
    assert TIME.search(page), "the English grid shows 12-hour times"
    hindi = await logged_in(demo, "customer@example.com")
    await post(hindi, "/language", {"lang": "hi", "next": "/"})
    page = await text(await hindi.get("/book/tap-leak-repair?provider=any"))
    assert not TIME.search(page), TIME.search(page)
    assert re.search(r"(सुबह|दोपहर|शाम|रात) \d{1,2}:\d\d", page)


async def test_a_hindi_time_under_its_part_of_day_heading_does_not_repeat_it(demo):
    """Under "सुबह" the buttons say "9:00", not "सुबह 9:00"; an hour Hindi names otherwise than the
    heading keeps its word ("शाम 4:00" under "दोपहर")."""
    hindi = await logged_in(demo, "customer@example.com")
    await post(hindi, "/language", {"lang": "hi", "next": "/"})
    page = await text(await hindi.get("/book/tap-leak-repair?provider=any&day=2026-11-24"))
    parts = re.findall(r'<h4 class="part">(.*?)</h4>\s*<ul class="slots" data-part="(\w+)">(.*?)</ul>', page, re.S)
    assert [key for _, key, _ in parts] == ["morning", "afternoon", "evening"]
    for heading, key, cells in parts:
        times = re.findall(r'class="slot[^"]*"[^>]*>([^<]*)<', cells)
        assert times, key
        for label in times:
            assert heading not in label, (heading, label)
            assert re.fullmatch(r"(शाम |रात )?\d{1,2}:\d\d( ✓)?", label.strip()), label
    afternoon = dict((key, cells) for _, key, cells in parts)["afternoon"]
    assert ">12:00<" in afternoon and ">शाम 4:00<" in afternoon


def test_the_part_of_day_is_dropped_only_where_the_heading_says_it():
    from datetime import datetime, timezone

    from grihaseva import i18n

    nine, four = datetime(2026, 11, 24, 3, 30, tzinfo=timezone.utc), datetime(2026, 11, 24, 10, 30, tzinfo=timezone.utc)
    with i18n.use_locale("hi"):
        assert i18n.time_under_heading(nine, "Asia/Kolkata", "सुबह") == "9:00"
        assert i18n.time_under_heading(four, "Asia/Kolkata", "दोपहर") == "शाम 4:00"
    with i18n.use_locale("en"):
        assert i18n.time_under_heading(nine, "Asia/Kolkata", "Morning") == "9:00 am"
