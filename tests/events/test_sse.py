"""SSE over HTTP, through Quart's streaming test client, on the test-only live counter
view (tests/events/live_counter.py)."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

import pytest

from grihaseva.db import open_database
from grihaseva.events import publish
from grihaseva.sse import ServerSentEvent
from tests.conftest import post, register, serving_app
from tests.events.live_counter import NOW, fragment, live_counter_blueprint, parse


@pytest.fixture
async def app(settings):
    """The app with the test-only live counter view (tests/conftest.py's `client` uses this app)."""
    async with serving_app(settings, live_counter_blueprint()) as application:
        yield application


class EventStream:
    def __init__(self, connection):
        self.connection = connection
        self.buffer = b""

    async def next(self, timeout: float = 2.0):
        while b"\n\n" not in self.buffer:
            chunk = await asyncio.wait_for(self.connection.receive(), timeout)
            if chunk == b"":
                raise EOFError("the stream ended")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\n\n", 1)
        return parse(raw.decode())


@asynccontextmanager
async def open_stream(client, path: str, headers: dict | None = None):
    async with client.request(path, headers={"Accept": "text/event-stream", **(headers or {})}) as connection:
        await connection.send_complete()
        try:
            yield EventStream(connection)
        finally:
            await connection.disconnect()


async def change(client, n: int = 1) -> int:
    response = await post(client, f"/test-live/{n}")
    assert response.status_code == 200
    return (await response.get_json())["id"]


async def test_stream_opens_with_the_current_fragment_as_a_named_event(client):
    await change(client)
    latest = await change(client)
    async with open_stream(client, "/test-live/1") as stream:
        first = await stream.next()
        headers = stream.connection.headers
    assert first.raw == (f"event: counter\nid: {latest}\nretry: 1000\n"
                         'data: <p class="counter">\ndata:   2 changes\ndata:   seen by nobody via /test-live/1\ndata: </p>')
    assert first.data == fragment(2)
    assert headers["Content-Type"].startswith("text/event-stream")
    assert headers["Cache-Control"] == "no-cache"
    assert headers["X-Accel-Buffering"] == "no"


async def test_change_sends_the_re_rendered_fragment_with_its_event_id(client):
    async with open_stream(client, "/test-live/1") as stream:
        snapshot = await stream.next()
        assert (snapshot.id, snapshot.data) == (0, fragment(0))

        event_id = await change(client)
        update = await stream.next()
        assert (update.event, update.id, update.data) == ("counter", event_id, fragment(1))

        await change(client, n=2)  # another topic: nothing for this stream
        event_id = await change(client)
        update = await stream.next()
        assert (update.id, update.data) == (event_id, fragment(2))


async def test_reconnect_with_last_event_id_gets_the_snapshot_then_only_newer_events(app, client, settings):
    app.broadcaster.poll_interval = 3600
    await app.broadcaster.catch_up()  # from here on only commits in this app wake the tailer
    async with open_stream(client, "/test-live/1") as stream:
        await stream.next()
        seen = await change(client)
        assert (await stream.next()).id == seen

    # Missed while away, and written by another process: the tailer has not read them
    # when the browser reconnects, so the stream must catch up before its snapshot.
    other = open_database(settings.database)
    await other.connect()
    try:
        for _ in range(2):
            async with other.transaction() as tx:
                missed = await publish(tx, "test:1", "changed", {}, NOW)
    finally:
        await other.close()

    async with open_stream(client, "/test-live/1", {"Last-Event-ID": str(seen)}) as stream:
        healed = await stream.next()
        assert (healed.id, healed.data) == (missed, fragment(3))  # one render covers both missed events
        newer = await change(client)
        update = await stream.next()
        assert (update.id, update.data) == (newer, fragment(4))


async def test_ids_never_go_back_below_the_last_event_id_the_browser_has(client):
    async with open_stream(client, "/test-live/1", {"Last-Event-ID": "900"}) as stream:
        assert (await stream.next()).raw == "retry: 1000"  # nothing newer than 900: no snapshot
        await change(client)  # id 1, smaller than what the browser holds
        update = await stream.next()
        assert (update.id, update.data) == (None, fragment(1))  # fresh data, no id line
        assert "\nid:" not in update.raw and not update.raw.startswith("id:")


@pytest.mark.parametrize("garbage", ["12abc", "-5", "\u00b2", "9" * 40, ""])
async def test_garbage_last_event_id_is_ignored(client, garbage):
    latest = await change(client)
    async with open_stream(client, "/test-live/1", {"Last-Event-ID": garbage}) as stream:
        assert (await stream.next()).id == latest


async def test_heartbeat_comment_arrives_when_nothing_happens(app, client):
    app.config["SSE_HEARTBEAT_SECONDS"] = 0.05
    async with open_stream(client, "/test-live/1") as stream:
        await stream.next()
        ping = await stream.next(timeout=1.0)
    assert ping.raw.startswith(": ping")
    assert ping.event == "heartbeat"  # a named event too: the page's watchdog sees it (a comment reaches no one)


async def test_disconnect_releases_the_subscription(app, client):
    async with open_stream(client, "/test-live/1") as stream:
        await stream.next()
        assert app.broadcaster.subscriber_count == 1
    assert app.broadcaster.subscriber_count == 0


async def test_app_shutdown_ends_open_streams(app, client):
    async with open_stream(client, "/test-live/1") as stream:
        await stream.next()
        await app.broadcaster.stop()
        with pytest.raises(EOFError):
            await stream.next(timeout=1.0)
    assert app.broadcaster.subscriber_count == 0


async def test_render_sees_the_logged_in_user(client):
    await register(client, email="asha@example.com")
    async with open_stream(client, "/test-live/1") as stream:
        assert (await stream.next()).data == fragment(0, viewer="asha@example.com")
        await change(client)
        assert (await stream.next()).data == fragment(1, viewer="asha@example.com")


@pytest.mark.parametrize("accept", ["text/html", "*/*", "application/json", "text/event-stream;q=0"])
async def test_client_that_does_not_accept_an_event_stream_gets_406(app, client, accept):
    response = await client.get("/test-live/1", headers={"Accept": accept})
    assert response.status_code == 406
    assert "live updates" in await response.get_data(as_text=True)
    assert app.broadcaster.subscriber_count == 0


@pytest.mark.parametrize(("data", "encoded"), [
    ("one line", "data: one line"),
    ("<ul>\n<li>a</li>\r\n<li>b</li>\r</ul>", "data: <ul>\ndata: <li>a</li>\ndata: <li>b</li>\ndata: </ul>"),
    ("ends with a break\n", "data: ends with a break\ndata: "),
    ("", "data: "),
    ("keeps\u2028U+2028 and\u0085NEL inside a line", "data: keeps\u2028U+2028 and\u0085NEL inside a line"),
])
def test_every_line_of_the_data_is_prefixed(data, encoded):
    assert ServerSentEvent(data, "slots", 5).encode().decode() == f"event: slots\nid: 5\n{encoded}\n\n"


async def test_a_logged_in_stream_ends_at_once_when_its_sessions_are_ended(app, client):
    from grihaseva.auth.accounts import log_out_everywhere

    app.config["SSE_HEARTBEAT_SECONDS"] = 30  # so the end below comes from the access event
    await register(client, email="asha@example.com")
    asha = await app.db.fetch_value("SELECT id FROM users WHERE email = 'asha@example.com'")
    async with open_stream(client, "/test-live/1") as stream:
        assert (await stream.next()).data == fragment(0, viewer="asha@example.com")
        await log_out_everywhere(app.db, asha, NOW)  # from another device
        await change(app.test_client())
        with pytest.raises(EOFError):  # no fragment rendered for a session that has ended
            await stream.next(timeout=2.0)
    assert app.broadcaster.subscriber_count == 0


async def test_events_do_not_re_check_access_for_every_reader(app, client):
    """The session is re-read at heartbeats and on access events, not once per reader per event."""
    app.config["SSE_HEARTBEAT_SECONDS"] = 30
    await register(client, email="asha@example.com")
    async with open_stream(client, "/test-live/1") as stream:
        await stream.next()
        await app.db.execute("DELETE FROM sessions")  # behind the app's back: no access event
        await change(app.test_client())
        assert (await stream.next()).data == fragment(1, viewer="asha@example.com")


async def test_an_idle_logged_in_stream_ends_at_the_heartbeat_after_its_session_ends(app, client):
    app.config["SSE_HEARTBEAT_SECONDS"] = 0.05
    await register(client, email="asha@example.com")
    async with open_stream(client, "/test-live/1") as stream:
        await stream.next()
        assert (await stream.next(timeout=1.0)).raw.startswith(": ping")  # still logged in: heartbeats
        await app.db.execute("UPDATE users SET is_active = 0")  # an admin deactivated the account
        with pytest.raises(EOFError):
            for _ in range(3):  # at most the heartbeat already on its way, then the end
                assert (await stream.next(timeout=1.0)).raw.startswith(": ping")
    assert app.broadcaster.subscriber_count == 0


async def test_a_visitors_stream_is_not_ended_by_the_session_check(app, client):
    app.config["SSE_HEARTBEAT_SECONDS"] = 0.05
    async with open_stream(client, "/test-live/1") as stream:
        await stream.next()
        for _ in range(3):
            assert (await stream.next(timeout=1.0)).raw.startswith(": ping")
        await change(app.test_client())
        message = await stream.next()
        while message.raw == ": ping":  # a heartbeat (every 0.05 s here) may come first on a loaded machine
            message = await stream.next()
        assert message.data == fragment(1)


@pytest.mark.parametrize("how", ["query", "header"])
async def test_a_stream_opened_at_the_newest_event_sends_no_frame_until_a_change(app, client, how):
    app.config["SSE_HEARTBEAT_SECONDS"] = 0.05
    await change(client, n=2)
    seen = await change(client)
    path, headers = (f"/test-live/1?after={seen}", {}) if how == "query" else ("/test-live/1", {"Last-Event-ID": str(seen)})
    async with open_stream(client, path, headers) as stream:
        opening = await stream.next()
        assert (opening.raw, opening.event, opening.data) == ("retry: 1000", None, None)
        for _ in range(3):  # only heartbeats while nothing changes
            beat = await stream.next(timeout=1.0)
            assert (beat.raw.startswith(": ping"), beat.event, beat.id) == (True, "heartbeat", None)
        newer = await change(client)
        update = await stream.next()
        while update.event == "heartbeat":
            update = await stream.next()
        assert (update.event, update.id, update.data) == ("counter", newer, fragment(2))


async def test_a_stream_opened_before_the_newest_event_starts_with_the_snapshot(client):
    older = await change(client)
    newest = await change(client)
    async with open_stream(client, f"/test-live/1?after={older}") as stream:
        first = await stream.next()
    assert (first.id, first.data) == (newest, fragment(2))
