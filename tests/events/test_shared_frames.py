"""One render per change for shared views (sse.SharedFrames): many readers of one reaction bar or
one slot grid get the same bytes from a single render; a reader's own highlighting still follows
their own presses; private variants stay apart."""

from __future__ import annotations

import asyncio

from grihaseva.blog import reactions
from grihaseva.sse import shared_frames
from tests.blog.conftest import LEAK_SLUG, logged_in, user_by_email
from tests.events.test_sse import open_stream
from tests.helpers import demo  # noqa: F401  (fixture)
from tests.helpers_live import count_of


def pressed(fragment: str, emoji: str) -> bool:
    import re

    button = re.search(rf'<button[^>]*value="{emoji}"[^>]*>', fragment).group(0)
    return 'aria-pressed="true"' in button


async def leak_post_id(app) -> int:
    return await app.db.fetch_value("SELECT id FROM posts WHERE slug = :slug", {"slug": LEAK_SLUG})


async def test_many_readers_of_a_post_share_one_render_and_the_same_bytes(demo):  # noqa: F811
    app = demo
    path = f"/blog/{LEAK_SLUG}/live"
    frames = shared_frames(app)
    async with open_stream(app.test_client(), path) as first, open_stream(app.test_client(), path) as second, \
            open_stream(app.test_client(), path) as third:
        for stream in (first, second, third):
            await stream.next()
        before = frames.renders
        rahul = await user_by_email(app.db, "rahul@example.com")
        await reactions.toggle(app.db, await leak_post_id(app), rahul.id, "love", app.clock(), True)
        received = [await stream.next() for stream in (first, second, third)]
        assert frames.renders == before + 1
        assert len({m.raw for m in received}) == 1  # byte for byte the same frame
        assert received[0].id is not None and count_of(received[0].data, "love") >= 1
        assert 'name="csrf_token"' not in received[0].data  # a shared frame carries nobody's token


async def test_a_readers_own_presses_stay_highlighted_in_shared_frames(demo):  # noqa: F811
    app = demo
    post_id = await leak_post_id(app)
    path = f"/blog/{LEAK_SLUG}/live"
    asha_client = await logged_in(app, "customer@example.com")
    asha = await user_by_email(app.db, "customer@example.com")
    rahul = await user_by_email(app.db, "rahul@example.com")
    async with open_stream(asha_client, path) as mine, open_stream(app.test_client(), path) as visitor:
        await mine.next(), await visitor.next()
        await reactions.toggle(app.db, post_id, asha.id, "funny", app.clock(), True)
        asha_view, visitor_view = await mine.next(), await visitor.next()
        assert pressed(asha_view.data, "funny") and not pressed(visitor_view.data, "funny")
        assert count_of(asha_view.data, "funny") == count_of(visitor_view.data, "funny")

        await reactions.toggle(app.db, post_id, rahul.id, "funny", app.clock(), True)  # someone else
        asha_view, visitor_view = await mine.next(), await visitor.next()
        assert pressed(asha_view.data, "funny") and not pressed(visitor_view.data, "funny")
        assert count_of(asha_view.data, "funny") == count_of(visitor_view.data, "funny")

        await reactions.toggle(app.db, post_id, asha.id, "funny", app.clock(), False)
        asha_view = await mine.next()
        assert not pressed(asha_view.data, "funny")
        await visitor.next()


async def test_many_watchers_of_a_slot_grid_share_one_render(demo):  # noqa: F811
    from grihaseva.booking.domain import service_topic
    from grihaseva.db import open_database  # noqa: F401
    from grihaseva.events import publish

    app = demo
    path = "/book/tap-leak-repair/live?provider=any"
    frames = shared_frames(app)
    streams = [open_stream(app.test_client(), path) for _ in range(4)]
    opened = [await s.__aenter__() for s in streams]
    try:
        for stream in opened:
            await stream.next()
        before = frames.renders
        service = await app.db.fetch_value("SELECT id FROM services WHERE slug = 'tap-leak-repair'")
        async with app.db.transaction() as tx:
            await publish(tx, service_topic(service), "service_changed", {"service_id": service}, app.clock())
        received = await asyncio.gather(*(stream.next() for stream in opened))
        assert frames.renders == before + 1
        assert len({m.raw for m in received}) == 1 and received[0].event == "slots"
    finally:
        for s in streams:
            await s.__aexit__(None, None, None)


async def test_readers_in_two_languages_get_one_render_each_in_their_own_language(demo):  # noqa: F811
    app = demo
    path = f"/blog/{LEAK_SLUG}/live"
    frames = shared_frames(app)
    async with open_stream(app.test_client(), path) as en_one, open_stream(app.test_client(), path) as en_two, \
            open_stream(app.test_client(), path + "?lang=hi") as hi_one, \
            open_stream(app.test_client(), path, {"Accept-Language": "hi"}) as hi_two:
        streams = (en_one, en_two, hi_one, hi_two)
        for stream in streams:
            await stream.next()
        before = frames.renders
        rahul = await user_by_email(app.db, "rahul@example.com")
        await reactions.toggle(app.db, await leak_post_id(app), rahul.id, "love", app.clock(), True)
        en_a, en_b, hi_a, hi_b = [await stream.next() for stream in streams]
        assert frames.renders == before + 2  # one per language, not one per reader
        assert en_a.raw == en_b.raw and hi_a.raw == hi_b.raw and en_a.raw != hi_a.raw
        assert 'aria-label="Reactions to this post"' in en_a.data
        assert 'aria-label="इस पोस्ट पर प्रतिक्रियाएँ"' in hi_a.data


async def test_a_render_whose_bytes_go_to_other_sessions_has_an_empty_csrf_token(demo):  # noqa: F811
    """Shared frames and the GRIP publisher's renders run under `no_session_token`: a template's
    `csrf_token()` is empty there, so no session's token reaches another reader (htmx sends the
    page's own token from hx-headers on the .page wrapper)."""
    from grihaseva.web import csrf_token, no_session_token

    async with demo.test_request_context("/"):
        own = csrf_token()
        with no_session_token():
            assert csrf_token() == ""
            with no_session_token(False):  # an inner private render cannot turn it back on
                assert csrf_token() == ""
        assert own and csrf_token() == own
