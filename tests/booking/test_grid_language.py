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
