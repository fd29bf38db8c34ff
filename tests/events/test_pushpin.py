"""Pushpin at the edge (GRIHASEVA_GRIP_URL) in front of two real `grihaseva serve` processes on
MariaDB: streams held by Pushpin, frames published once by the lease holder, private channels
per session, and the lease handed over when its holder is killed."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pymysql
import pytest

from tests.conftest import fresh_mysql_database
from tests.helpers_live import POST_SLUG, Browser, SseReader, count_of
from tests.helpers_pushpin import Pushpin, require_pushpin
from tests.helpers_server import LiveServer, free_port

pytestmark = [pytest.mark.mysql, pytest.mark.slow]


class Site:
    """Pushpin on a free port routing to app processes A and B, all on one fresh MariaDB database."""

    def __init__(self, tmp_path, url):
        self.url = url
        ports = [free_port(), free_port()]
        self.pushpin = Pushpin(tmp_path / "pushpin", ports)
        env = {"GRIHASEVA_DATABASE_URL": f"mysql://{url.user}@{url.host}:{url.port}/{url.database}",
               "GRIHASEVA_VAR_DIR": str(tmp_path), "GRIHASEVA_SECRET_KEY": "p" * 40,
               "GRIHASEVA_GRIP_URL": self.pushpin.publish_url}
        self.a, self.b = LiveServer(env, ports[0]), LiveServer(env, ports[1])

    def sql(self, query: str, params=()):
        conn = pymysql.connect(host=self.url.host, port=self.url.port, user=self.url.user,
                               password=self.url.password, database=self.url.database, autocommit=True)
        try:
            with conn.cursor() as cursor:
                cursor.execute(query, params)
                return cursor.fetchall(), cursor.lastrowid
        finally:
            conn.close()

    def lease_taken(self) -> bool:
        rows, _ = self.sql("SELECT IS_USED_LOCK('grihaseva:grip-publisher')")
        return rows[0][0] is not None

    def event(self, topic: str) -> int:
        """An event committed straight into the outbox, as any process's change would write it."""
        now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
        _, event_id = self.sql("INSERT INTO events (topic, kind, payload, created_at) VALUES (%s, 'changed', %s, %s)",
                               (topic, json.dumps({}), now))
        return event_id

    def user_id(self, email: str) -> int:
        rows, _ = self.sql("SELECT id FROM users WHERE email = %s", (email,))
        return rows[0][0]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One set for the module (starting it takes most of each test's time); the test that kills
    the publisher comes last."""
    require_pushpin()
    tmp_path = tmp_path_factory.mktemp("grip")
    with fresh_mysql_database("_grip") as url:
        site = Site(tmp_path, url)
        site.a.run("migrate")
        site.a.run("seed-demo")
        site.pushpin.start()
        try:
            site.a.start()
            deadline = time.monotonic() + 10
            while not site.lease_taken():  # A holds the publishing lease before B exists
                assert time.monotonic() < deadline, "no process took the publishing lease"
                time.sleep(0.1)
            site.b.start()
            yield site
        finally:
            site.a.stop(), site.b.stop()
            site.pushpin.stop()


async def frames_until(stream, wanted: int, timeout: float = 5.0):
    """Messages until one carries id >= wanted."""
    seen = []
    deadline = time.monotonic() + timeout
    while True:
        message = await stream.next(timeout=max(0.1, deadline - time.monotonic()))
        seen.append(message)
        if message.id is not None and message.id >= wanted:
            return seen


async def test_a_stream_through_pushpin_gets_the_snapshot_then_each_change_once(site):
    stream = await SseReader.open(site.pushpin.port, f"/blog/{POST_SLUG}/live")
    try:
        assert stream.status == 200 and "grip-hold" not in stream.headers  # Pushpin keeps its instructions
        snapshot = await stream.next()
        assert snapshot.event == "reactions" and snapshot.id is not None
        love = count_of(snapshot.data, "love")
        asha = Browser(site.b.url).log_in("customer@example.com")
        await asyncio.to_thread(asha.react, "love", True)  # through the process that does not publish
        message = await stream.next()
        assert count_of(message.data, "love") == love + 1 and message.id > snapshot.id
        with pytest.raises(asyncio.TimeoutError):
            await stream.next(timeout=1.0)  # published once, not once per process
    finally:
        await stream.close()


async def test_a_private_stream_reaches_only_its_own_customer(site):
    asha, rahul = Browser(site.a.url).log_in("customer@example.com"), Browser(site.a.url).log_in("rahul@example.com")
    mine = await SseReader.open(site.pushpin.port, "/bookings/live", asha.cookie_header())
    theirs = await SseReader.open(site.pushpin.port, "/bookings/live", rahul.cookie_header())
    try:
        await mine.next(), await theirs.next()
        rows, _ = site.sql("SELECT channel, session_hash FROM live_channels WHERE path = '/bookings/live'")
        assert len(rows) == 2 and len({r[0] for r in rows}) == 2 and all(r[1] for r in rows)
        sent = site.event(f"user:{site.user_id('customer@example.com')}")
        assert (await mine.next()).id == sent
        with pytest.raises(asyncio.TimeoutError):
            await theirs.next(timeout=1.5)
        visitor = await SseReader.open(site.pushpin.port, "/bookings/live")
        assert visitor.status in (302, 303, 401, 403)  # no session: the ordinary access check answers
        await visitor.close()
    finally:
        await mine.close(), await theirs.close()


async def test_readers_in_two_languages_get_their_own_channel_and_language_through_pushpin(site):
    english = await SseReader.open(site.pushpin.port, f"/blog/{POST_SLUG}/live")
    hindi = await SseReader.open(site.pushpin.port, f"/blog/{POST_SLUG}/live", {"Accept-Language": "hi"})
    try:
        en_snapshot, hi_snapshot = await english.next(), await hindi.next()
        assert 'aria-label="Reactions to this post"' in en_snapshot.data
        assert 'aria-label="इस पोस्ट पर प्रतिक्रियाएँ"' in hi_snapshot.data
        rows, _ = site.sql("SELECT path FROM live_channels")
        paths = {r[0] for r in rows if r[0].startswith(f"/blog/{POST_SLUG}/live")}
        assert paths == {f"/blog/{POST_SLUG}/live", f"/blog/{POST_SLUG}/live?lang=hi"}
        asha = Browser(site.b.url).log_in("customer@example.com")
        await asyncio.to_thread(asha.react, "funny", True)
        en_frame = (await frames_until(english, en_snapshot.id + 1))[-1]
        hi_frame = (await frames_until(hindi, hi_snapshot.id + 1))[-1]
        assert en_frame.id == hi_frame.id  # the same change, published once per language
        assert 'aria-label="Reactions to this post"' in en_frame.data
        assert 'aria-label="इस पोस्ट पर प्रतिक्रियाएँ"' in hi_frame.data
    finally:
        await english.close(), await hindi.close()


async def test_a_form_in_a_frame_through_pushpin_posts_with_the_readers_own_token_and_no_token_travels(site):
    """Frames behind Pushpin are rendered for many readers (a shared channel) or by the publisher,
    which has no reader's cookie: they carry nobody's CSRF token.  A form in one still works, with
    the token the reader's page holds (htmx's hx-headers on the .page wrapper)."""
    asha = Browser(site.pushpin.url).log_in("customer@example.com")
    rahul = Browser(site.pushpin.url).log_in("rahul@example.com")
    for reader in (asha, rahul):
        reader.get(f"/blog/{POST_SLUG}")  # the page, through Pushpin: its .page wrapper has the token
    assert asha.token and rahul.token and asha.token != rahul.token
    ravi = site.user_id("provider@example.com")
    day = (datetime.now(ZoneInfo("Asia/Kolkata")) + timedelta(days=1)).date().isoformat()
    streams = {
        "asha bar": await SseReader.open(site.pushpin.port, f"/blog/{POST_SLUG}/live", asha.cookie_header()),
        "rahul bar": await SseReader.open(site.pushpin.port, f"/blog/{POST_SLUG}/live", rahul.cookie_header()),
        "visitor bar": await SseReader.open(site.pushpin.port, f"/blog/{POST_SLUG}/live"),
        "asha grid": await SseReader.open(site.pushpin.port, f"/book/tap-leak-repair/live?provider={ravi}&day={day}",
                                          asha.cookie_header()),
        "rahul grid": await SseReader.open(site.pushpin.port, f"/book/tap-leak-repair/live?provider={ravi}&day={day}",
                                           rahul.cookie_header()),
    }
    try:
        snapshots = {name: await stream.next() for name, stream in streams.items()}
        assert snapshots["asha grid"].event == "slots"
        await asyncio.to_thread(asha.react, "surprised", True)  # a change on every bar, rendered by the publisher
        bars = {name: (await frames_until(streams[name], snapshots[name].id + 1))[-1]
                for name in ("asha bar", "rahul bar", "visitor bar")}
        sent = site.event(f"slots:{ravi}:{day}")  # a booking's event on the shown day: a part of the grid
        grids = {name: (await frames_until(streams[name], sent))[-1] for name in ("asha grid", "rahul grid")}
        assert grids["asha grid"].event == "slots-day" and grids["asha grid"].data == grids["rahul grid"].data

        # Rahul taps "applause" in the bar that came over Pushpin, as htmx does: the form's own fields
        # (no token among them) and the page's token in X-CSRF-Token.
        frame = bars["rahul bar"].data
        assert not re.search(r'name="csrf_token" value="[^"]', frame)
        form = re.search(r'<form method="post" action="([^"]+)"[^>]*>((?:(?!</form>).)*?value="applause".*?)</form>', frame, re.S)
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(2)))
        assert fields == {"on": "1"}
        body = urllib.parse.urlencode({**fields, "emoji": "applause"}).encode()

        def tap(token: str) -> tuple[int, str]:
            request = urllib.request.Request(site.pushpin.url + form.group(1), data=body, headers={
                "HX-Request": "true", "X-CSRF-Token": token, "Content-Type": "application/x-www-form-urlencoded"})
            try:
                with rahul.opener.open(request, timeout=10) as response:
                    return response.status, response.read().decode()
            except urllib.error.HTTPError as refused:
                return refused.code, ""

        assert (await asyncio.to_thread(tap, asha.token))[0] == 400  # another reader's token: refused
        status, answer = await asyncio.to_thread(tap, rahul.token)
        assert status == 200 and re.search(r'value="applause"\s+class="reaction mine', answer)
        await frames_until(streams["rahul bar"], bars["rahul bar"].id + 1)
    finally:
        for stream in streams.values():
            await stream.close()
    for name, stream in streams.items():
        received = stream.received.decode()
        assert asha.token not in received and rahul.token not in received, name


async def test_killing_the_publisher_hands_publishing_over_without_losing_or_repeating_a_frame(site):
    post_id = site.sql("SELECT id FROM posts WHERE slug = %s", (POST_SLUG,))[0][0][0]
    topic = f"post:{post_id}"
    stream = await SseReader.open(site.pushpin.port, f"/blog/{POST_SLUG}/live")
    try:
        await stream.next()
        sent = []
        for _ in range(3):
            sent.append(site.event(topic))
            assert (await stream.next()).id == sent[-1]
        site.a.process.send_signal(signal.SIGKILL)  # the lease holder dies; its lock goes with its connection
        site.a.process.wait(10)
        sent.append(site.event(topic))  # while nobody publishes
        received = [(await stream.next(timeout=10)).id]
        for _ in range(3):
            sent.append(site.event(topic))
            received.append((await stream.next(timeout=5)).id)
        assert received == sent[3:]  # each once, in order, from the new holder
        with pytest.raises(asyncio.TimeoutError):
            await stream.next(timeout=1.5)
    finally:
        await stream.close()
