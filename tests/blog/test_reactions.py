"""Reactions: exact counts under concurrency, idempotent double clicks, a rate limit, events."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from grihaseva.blog import posts, reactions
from tests.blog.conftest import NOW, make_user

CODES = [r.code for r in reactions.REACTIONS]
FORM = {"title": "Monsoon checklist", "summary": "Ten things to check before the rains.",
        "body_md": "Clear the terrace drains before the first heavy shower.", "category": "home_improvement"}


async def published_post(db) -> posts.Post:
    admin = await make_user(db, "boss@example.com", "admin")
    return await posts.create_post(db, admin, FORM, NOW, publish=True)


async def make_readers(db, count: int) -> list[int]:
    return [(await make_user(db, f"reader{n}@example.com")).id for n in range(count)]


async def post_events(db, post_id: int) -> list[dict]:
    return await db.fetch_all("SELECT kind, payload FROM events WHERE topic = :topic ORDER BY id",
                              {"topic": f"post:{post_id}"})


async def test_100_concurrent_toggles_from_50_readers_give_exact_counts(db):
    post = await published_post(db)
    readers = await make_readers(db, 50)
    clicks = [(reader, CODES[n % 6]) for n, reader in enumerate(readers)]
    clicks += [(reader, CODES[(n + 1) % 6]) for n, reader in enumerate(readers)]
    results = await asyncio.gather(*(reactions.toggle(db, post.id, reader, emoji, NOW) for reader, emoji in clicks))
    assert results == [True] * 100
    expected = {code: 0 for code in CODES}
    for _, emoji in clicks:
        expected[emoji] += 1
    assert await reactions.counts(db, post.id) == expected  # 50 readers over 6 emoji: 17 16 17 17 17 16
    assert sum(expected.values()) == 100
    assert len(await post_events(db, post.id)) == 100

    # and the same 100 toggles again, all at once, take every reaction off
    results = await asyncio.gather(*(reactions.toggle(db, post.id, reader, emoji, NOW) for reader, emoji in clicks))
    assert results == [False] * 100
    assert await reactions.counts(db, post.id) == {}
    assert len(await post_events(db, post.id)) == 200


async def test_a_double_click_leaves_the_reaction_on_once(db):
    post = await published_post(db)
    [reader] = await make_readers(db, 1)
    # Both requests come from the same rendered button, which asks for "on".
    both = await asyncio.gather(*(reactions.toggle(db, post.id, reader, "love", NOW, want=True) for _ in range(2)))
    assert both == [True, True]
    assert await reactions.counts(db, post.id) == {"love": 1}
    assert len(await post_events(db, post.id)) == 1  # the second click changed nothing, so announced nothing
    again = await reactions.toggle(db, post.id, reader, "love", NOW, want=True)
    assert again is True and await reactions.counts(db, post.id) == {"love": 1}


async def test_a_double_click_on_a_pressed_button_takes_the_reaction_off_once(db):
    post = await published_post(db)
    [reader] = await make_readers(db, 1)
    await reactions.toggle(db, post.id, reader, "funny", NOW)
    both = await asyncio.gather(*(reactions.toggle(db, post.id, reader, "funny", NOW, want=False) for _ in range(2)))
    assert both == [False, False]
    assert await reactions.counts(db, post.id) == {}
    assert [e["kind"] for e in await post_events(db, post.id)] == ["reaction", "reaction"]


async def test_concurrent_adds_of_the_same_reaction_by_many_readers_each_count_once(db):
    post = await published_post(db)
    readers = await make_readers(db, 50)
    clicks = [reader for reader in readers for _ in range(2)]  # every reader double-clicks "applause"
    await asyncio.gather(*(reactions.toggle(db, post.id, reader, "applause", NOW, want=True) for reader in clicks))
    assert await reactions.counts(db, post.id) == {"applause": 50}


async def test_toggle_flips_by_whether_the_reaction_exists(db):
    post = await published_post(db)
    [reader] = await make_readers(db, 1)
    assert await reactions.toggle(db, post.id, reader, "helpful", NOW) is True
    assert await reactions.reader_reactions(db, post.id, reader) == {"helpful"}
    assert await reactions.toggle(db, post.id, reader, "helpful", NOW) is False
    assert await reactions.reader_reactions(db, post.id, reader) == set()


async def test_a_reader_is_limited_to_30_toggles_a_minute_and_others_are_not(db):
    post = await published_post(db)
    first, second = await make_readers(db, 2)
    for n in range(30):
        await reactions.toggle(db, post.id, first, CODES[n % 6], NOW)
    with pytest.raises(reactions.TooManyReactions) as refused:
        await reactions.toggle(db, post.id, first, "helpful", NOW)
    assert str(refused.value) == "You are reacting very quickly. Please wait 1 minute and try again."
    assert await reactions.toggle(db, post.id, second, "helpful", NOW) is True
    # a minute later the first reader may react again (30 toggles left every emoji on: 5 each)
    assert await reactions.toggle(db, post.id, first, "confused", NOW + timedelta(seconds=61)) is False
    assert "confused" not in await reactions.counts(db, post.id)


async def test_toggles_sent_all_at_once_are_limited_like_toggles_sent_one_by_one(db):
    post = await published_post(db)
    [reader] = await make_readers(db, 1)

    async def click(n: int) -> bool:
        try:
            await reactions.toggle(db, post.id, reader, CODES[n % 6], NOW)
        except reactions.TooManyReactions:
            return False
        return True

    accepted = list(await asyncio.gather(*(click(n) for n in range(45))))
    accepted += [await click(n) for n in range(31)]  # then one by one until the limit answers
    assert accepted.count(True) == 30
    assert accepted[-1] is False


async def test_the_bar_marks_the_readers_own_reactions_and_the_most_used(db):
    post = await published_post(db)
    a, b, c = await make_readers(db, 3)
    for reader in (a, b, c):
        await reactions.toggle(db, post.id, reader, "helpful", NOW)
    await reactions.toggle(db, post.id, a, "love", NOW)
    bar = {item.reaction.code: item for item in await reactions.reaction_bar(db, post.id, a)}
    assert (bar["helpful"].count, bar["helpful"].pressed, bar["helpful"].top) == (3, True, True)
    assert (bar["love"].count, bar["love"].pressed, bar["love"].top) == (1, True, False)
    assert (bar["funny"].count, bar["funny"].pressed, bar["funny"].top) == (0, False, False)
    visitor = await reactions.reaction_bar(db, post.id, None)
    assert [item.pressed for item in visitor] == [False] * 6


async def test_an_unknown_emoji_is_refused(db):
    post = await published_post(db)
    [reader] = await make_readers(db, 1)
    with pytest.raises(ValueError):
        await reactions.toggle(db, post.id, reader, "angry", NOW)
