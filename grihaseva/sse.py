"""Server-sent events: the one path every live view uses.

A view checks access like any page, then returns
`await sse_stream(topics, render, "slots")`.  The stream sends the current fragment
first (so a reconnect heals whatever the browser missed) unless the client says it has
seen the newest event on the topics already (`Last-Event-ID`, or `?after=N` for a page
rendered at event N, see `page_event_id`): then nothing until a change.  For every event on
the topics it re-renders the fragment from the database and sends it as a named event
carrying the event id.  htmx's SSE extension swaps it into the element with
`sse-swap="<event name>"`.

Access is checked again while the stream is open, not only when it connects: before every
render and at every heartbeat the stream re-reads the login session it started with (so
"log out everywhere", a password reset or a deactivated account cuts a private stream), and
runs the view's own `recheck` (the blog's: the post is still published).  A check that fails,
or a render that raises an HTTP error, ends the stream quietly; the browser reconnects and
the view's ordinary access check answers it.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from quart import Response, copy_current_app_context, copy_current_request_context, current_app, g, request
from quart_auth import current_user
from werkzeug.exceptions import HTTPException, NotAcceptable

from .db import DatabaseUnavailable
from .events import Event, latest_event_id
from .i18n import gettext

HEARTBEAT_SECONDS = 15.0  # app.config["SSE_HEARTBEAT_SECONDS"] overrides
RETRY_MS = 1000  # how soon a browser reconnects after a stream ends; app.config["SSE_RETRY_MS"]

Render = Callable[[Event | None], Awaitable[str]]
Recheck = Callable[[], Awaitable[object]]

_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # only these end a line in SSE (not U+2028 and friends)


@dataclass(frozen=True)
class ServerSentEvent:
    data: str
    event: str | None = None
    id: int | None = None
    retry: int | None = None

    def encode(self) -> bytes:
        lines = []
        if self.event:
            lines.append(f"event: {self.event}")
        if self.id is not None:
            lines.append(f"id: {self.id}")
        if self.retry is not None:
            lines.append(f"retry: {self.retry}")
        lines.extend(f"data: {line}" for line in _LINE_BREAK.split(self.data))
        return ("\n".join(lines) + "\n\n").encode("utf-8")


# A comment (keeps proxies from closing an idle connection) and a named event the page's watchdog
# (static/live.js) can see: EventSource hands comments to no one.
HEARTBEAT = b": ping\nevent: heartbeat\ndata: \n\n"


def accepts_event_stream() -> bool:
    """EventSource sends `Accept: text/event-stream`; a page load (`*/*`) is not a stream client."""
    return any(value == "text/event-stream" and quality > 0 for value, quality in request.accept_mimetypes)


def last_event_id_header() -> int | None:
    """The browser's `Last-Event-ID` header, else the `after` query parameter: the event id the
    page was rendered at (`page_event_id`), which the page puts in its stream's address."""
    for raw in (request.headers.get("Last-Event-ID", ""), request.args.get("after", "")):
        raw = raw.strip()
        if re.fullmatch(r"[0-9]{1,18}", raw):
            return int(raw)
    return None  # anything else: as if absent


def event_watermark() -> int:
    """Take before a page reads what it shows: every event at or below this id has been
    committed (the broadcaster has read it), so the page's data includes it. An id skipped by
    the broadcaster (a transaction not committed yet) keeps the mark below it."""
    broadcaster = current_app.broadcaster
    mark = broadcaster.last_id or 0
    if broadcaster.holes:
        mark = min(mark, min(broadcaster.holes) - 1)
    return max(mark, 0)


async def page_event_id(topics: list[str], watermark: int) -> int:
    """The event id a page showing `topics` was rendered at, for its stream's `?after=`: the
    newest event on them, but not above the `event_watermark()` taken before the page read its
    data, so a change committed meanwhile still reaches the page as its first frame."""
    return max(0, min(watermark, await latest_event_id(current_app.db, topics)))


async def _session_still_valid() -> bool:
    """Within the stream's copied request context: is the session it opened with still live?

    The lookup is the app's (`app.extensions["session_user"]`, set by `create_app` to
    `auth.accounts.session_user`): this platform module knows no feature.
    """
    user = g.get("user")
    if user is None:
        return True  # a visitor's stream shows only public data
    session_user = current_app.extensions["session_user"]
    fresh = await session_user(current_app.db, current_user.auth_id or "", current_app.clock())
    if fresh is None or fresh.id != user.id:
        return False
    g.user = fresh  # renders see a changed name or role
    return True


async def sse_stream(topics: list[str], render: Render, event_name: str, *,
                     last_event_id: int | None = None, heartbeat: float | None = None,
                     recheck: Recheck | None = None) -> Response:
    """A text/event-stream response for `topics`, rendering its data with `render`.

    `render(None)` makes the snapshot sent first; `render(event)` the fragment after an
    event (most views ignore the argument and read the database).  `last_event_id`
    defaults to the request's `Last-Event-ID` header.  `recheck()` raises an HTTP error
    (NotFound, Forbidden) once this client may no longer see the stream.  The stream ends
    when the client goes away, when the subscriber falls too far behind, when access ends,
    or when the app stops.
    """
    if not accepts_event_stream():
        raise NotAcceptable(gettext("This address sends live updates to a page (Accept: text/event-stream)."))
    if not re.fullmatch(r"[A-Za-z0-9_.:-]{1,60}", event_name):
        raise ValueError(f"SSE event names are short words, got {event_name!r}")
    if last_event_id is None:
        last_event_id = last_event_id_header()
    interval = heartbeat if heartbeat is not None else current_app.config.get("SSE_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS)
    retry = current_app.config.get("SSE_RETRY_MS", RETRY_MS)
    topics = list(topics)
    broadcaster, db = current_app.broadcaster, current_app.db
    async def render_now(event: Event | None) -> str:
        return await render(event)  # render may be any callable returning an awaitable

    # Renders run after the view has returned: give them this request's contexts (and its `g.user`).
    render_here = copy_current_app_context(copy_current_request_context(render_now))

    async def allowed_now() -> bool:
        if not await _session_still_valid():
            return False
        if recheck is not None:
            await recheck()  # raises an HTTPException when access has gone
        return True

    allowed_here = copy_current_app_context(copy_current_request_context(allowed_now))
    logger = current_app.logger

    async def stream() -> AsyncIterator[bytes]:
        # Subscribe before reading the snapshot, so a change committed in between still arrives.
        subscription = broadcaster.subscribe(topics)
        try:
            if not subscription.closed:
                await broadcaster.catch_up()
                subscription.ready()  # committed before the render below, so the snapshot shows them
            newest = await latest_event_id(db, topics)
            if last_event_id is not None and newest <= last_event_id:
                # The page (or the frame) it was drawn from is current: say nothing until a change.
                sent_id = last_event_id
                yield f"retry: {retry}\n\n".encode()  # a field alone dispatches no event
            else:
                sent_id = max(newest, last_event_id or 0)
                yield ServerSentEvent(await render_here(None), event_name, sent_id, retry).encode()
            while True:
                try:
                    event = await asyncio.wait_for(subscription.__anext__(), interval)
                except asyncio.TimeoutError:
                    if not await allowed_here():
                        return
                    yield HEARTBEAT
                    continue
                except StopAsyncIteration:  # fell too far behind, or the app is stopping
                    return
                burst = [event, *subscription.ready()]  # one render for a burst of events
                if not await allowed_here():
                    return
                newest = max(e.id for e in burst)
                # A late commit can carry an id below one already sent: send its fragment
                # without an id, so the browser's Last-Event-ID never moves back.
                new_id = newest if newest > sent_id else None
                sent_id = max(sent_id, newest)
                yield ServerSentEvent(await render_here(burst[-1]), event_name, new_id).encode()
        except HTTPException:  # access has gone (a recheck or a render said so): end quietly
            return
        except DatabaseUnavailable as error:  # the reconnect meets a 503 until the database is back
            logger.warning("live stream for %s ended: %s", topics[:3], error)
        except Exception:  # a failed render ends this stream; the browser reconnects to a snapshot
            logger.exception("live stream for %s ended by an error", topics[:3])
        finally:  # also on CancelledError (the client went away) and GeneratorExit
            subscription.close()

    # One read before the 200 goes out: with the database down the client gets 503 with
    # Retry-After (web.handle_database_unavailable), and htmx's SSE extension retries later.
    await latest_event_id(db, topics)
    response = Response(stream(), mimetype="text/event-stream")
    response.timeout = None  # this response only: it lasts as long as the page is open
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass each event through at once
    return response



# ---------------------------------------------------------------- clients that never read

WRITE_TIMEOUT_SECONDS = 30.0


class _StalledClient(Exception):
    pass


class StalledStreamGuard:
    """ASGI middleware: an event stream whose client has stopped reading is closed.

    A client that never reads (a frozen tab, a script holding connections) fills the socket
    buffers; the server's send of the next event then waits forever, and with it the stream's
    generator, its subscription and its request context. Here every body send of a
    `text/event-stream` response must complete within `timeout()` seconds (the write buffer stayed
    full that long: 30 s, `app.config["SSE_WRITE_TIMEOUT_SECONDS"]`); otherwise the response is
    abandoned, which closes the generator (its `finally` unsubscribes) and the connection. A client
    that reads again reconnects like any other and heals from the snapshot."""

    def __init__(self, app, timeout: Callable[[], float], logger=None):
        self.app, self.timeout, self.logger = app, timeout, logger

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        streaming = False

        async def guarded_send(message):
            nonlocal streaming
            if message["type"] == "http.response.start":
                streaming = any(name.lower() == b"content-type" and value.startswith(b"text/event-stream")
                                for name, value in message.get("headers", []))
            elif streaming and message["type"] == "http.response.body":
                try:
                    async with asyncio.timeout(self.timeout()):
                        return await send(message)
                except TimeoutError:
                    raise _StalledClient() from None
            return await send(message)

        try:
            await self.app(scope, receive, guarded_send)
        except _StalledClient:
            if self.logger is not None:
                self.logger.info("closed a live stream of %s whose client stopped reading", scope.get("path"))
