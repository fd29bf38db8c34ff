"""Server-sent events: the one path every live view uses.

A view checks access like any page, then returns
`await sse_stream(topics, render, "slots")`.  The stream sends the current fragment
first (so a reconnect heals whatever the browser missed) unless the client says it has
seen the newest event on the topics already (`Last-Event-ID`, or `?after=N` for a page
rendered at event N, see `page_event_id`): then nothing until a change.  For every event on
the topics it re-renders the fragment from the database and sends it as a named event
carrying the event id.  htmx's SSE extension swaps it into the element with
`sse-swap="<event name>"`.

Shared views render once per change.  A view whose fragment is the same for many readers
(the slot grid, the reaction bar) passes `share=`, a function naming what this reader
sees after a burst of events (`"grid:ac-service:any:"`); all the process's streams with
the same name and event id get one render and the very same encoded bytes
(`SharedFrames`).  Private views (a dashboard, a customer's bookings) render per reader.

Access is checked again while the stream is open, not only when it connects, but not for
every event: at every heartbeat, and when an event says access may have changed (kind
`access_changed` on the view's topics, or any event on the reader's own `access:<user id>`
topic, which "log out everywhere", a password reset and a deactivation write).  The check
re-reads the login session the stream started with and runs the view's own `recheck` (the
blog's: the post is still published).  A check that fails, or a render that raises an HTTP
error, ends the stream quietly; the browser reconnects and the view's ordinary access check
answers it.
"""

from __future__ import annotations

import asyncio
import re
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass

from quart import Response, current_app, g, request
from quart.globals import app_ctx, request_ctx
from quart_auth import current_user
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import HTTPException, NotAcceptable
from werkzeug.http import parse_accept_header

from . import i18n, web
from .db import DatabaseUnavailable
from .events import ACCESS_CHANGED, Event, access_topic, latest_event_id
from .i18n import gettext

HEARTBEAT_SECONDS = 15.0  # app.config["SSE_HEARTBEAT_SECONDS"] overrides
RETRY_MS = 1000  # how soon a browser reconnects after a stream ends; app.config["SSE_RETRY_MS"]

Render = Callable[[Event | None], Awaitable[str]]
Recheck = Callable[[], Awaitable[object]]
Share = Callable[[Sequence[Event]], str | None]  # a burst -> the name of what this reader sees


@dataclass(frozen=True)
class Part:
    """A smaller frame for a burst that changes only part of a view (the slot grid's one day).

    `pick(burst)` names the part that changed ("2026-12-03"), or None when the whole fragment
    must go; `render(name)` makes that part's HTML, elements marked `hx-swap-oob` that htmx swaps
    by id.  Parts go out as `event_name` events, which the page hands to an element that swaps
    nothing itself (`hx-swap="none"`), so only the out-of-band elements change.
    """
    event_name: str
    pick: Callable[[Sequence[Event]], str | None]
    render: Callable[[str], Awaitable[str]]

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


class SharedFrames:
    """One render per change for shared views: a view name -> its newest encoded frame.

    `frame(name, event_id, make)` returns the frame made for `name` at `event_id` or later,
    making it (once, however many streams ask at the same moment) when there is none.  A
    frame made after event N committed shows N, so a reader asking for N may get a newer
    one.  At most `limit` names are kept, the least recently used going first.
    """

    def __init__(self, limit: int = 2000):
        self.limit = limit
        self.renders = 0  # frames made (tests and the bench read it)
        self._frames: OrderedDict[str, tuple[int, float, asyncio.Future]] = OrderedDict()

    async def frame(self, name: str, event_id: int, make: Callable[[int], Awaitable[bytes]],
                    not_before: float = 0.0) -> tuple[int, bytes]:
        """`not_before` (loop time): only a render started then or later will do (a snapshot
        must be read after its stream subscribed, or an event in between could be missing)."""
        cached = self._frames.get(name)
        if (cached is None or cached[0] < event_id or cached[1] < not_before
                or (cached[2].done() and (cached[2].cancelled() or cached[2].exception() is not None))):
            self.renders += 1
            loop = asyncio.get_running_loop()
            cached = (event_id, loop.time(), asyncio.ensure_future(make(event_id)))
            self._frames[name] = cached
            while len(self._frames) > self.limit:
                self._frames.popitem(last=False)
        self._frames.move_to_end(name)
        made_at, _started, future = cached
        return made_at, await asyncio.shield(future)  # a reader going away does not cancel the others' render


def shared_frames(app) -> SharedFrames:
    frames = app.extensions.get("sse_shared_frames")
    if frames is None:
        frames = app.extensions["sse_shared_frames"] = SharedFrames()
    return frames


def _changes_access(burst: Sequence[Event]) -> bool:
    return any(event.kind == ACCESS_CHANGED or event.topic.startswith("access:") for event in burst)


def accepts_event_stream() -> bool:
    """EventSource sends `Accept: text/event-stream`; a page load (`*/*`) is not a stream client.
    The header is parsed here rather than through `request.accept_mimetypes`, which would keep
    the parsed list on the request (2 KB, with the request's attributes it enlarges) for as long
    as the stream is open."""
    accepted = parse_accept_header(request.headers.get("Accept"), MIMEAccept)
    return any(value == "text/event-stream" and quality > 0 for value, quality in accepted)


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
    `auth.accounts.session_user`): this platform module knows no feature.  A view rebuilt by
    the GRIP publisher knows its session by the stored hash (`g.live_session_hash`).
    """
    user = g.get("user")
    if user is None:
        return True  # a visitor's stream shows only public data
    if g.get("live_session_hash"):
        lookup = current_app.extensions["session_user_by_hash"]
        fresh = await lookup(current_app.db, g.live_session_hash, current_app.clock())
    else:
        session_user = current_app.extensions["session_user"]
        fresh = await session_user(current_app.db, current_user.auth_id or "", current_app.clock())
    if fresh is None or fresh.id != user.id:
        return False
    g.user = fresh  # renders see a changed name or role
    return True


async def sse_stream(topics: list[str], render: Render, event_name: str, *,
                     last_event_id: int | None = None, heartbeat: float | None = None,
                     recheck: Recheck | None = None, share: Share | None = None,
                     part: Part | None = None) -> Response:
    """A text/event-stream response for `topics`, rendering its data with `render`.

    `render(None)` makes the snapshot sent first; `render(event)` the fragment after an
    event (most views ignore the argument and read the database).  `last_event_id`
    defaults to the request's `Last-Event-ID` header.  `recheck()` raises an HTTP error
    (NotFound, Forbidden) once this client may no longer see the stream.  The stream ends
    when the client goes away, when the subscriber falls too far behind, when access ends,
    or when the app stops.  Behind Pushpin (`GRIHASEVA_GRIP_URL`, grihaseva/grip.py) the answer
    is a GRIP hold with the snapshot instead, and the lease-holding process publishes the frames.

    `share(burst)` names what this reader sees after the events of `burst` (or returns None
    for a private render); streams with the same name share one render of `render(event)`,
    which must then depend on nothing but that name and the database.  `share(())` names
    the snapshot (None when the snapshot must be this reader's own).  A shared render (and any
    render by the GRIP publisher, which has no reader's cookie) may not call `csrf_token()`:
    its bytes go to other sessions.  Forms in it get the reader's token from the page
    (`hx-headers` on the `.page` wrapper, which htmx inherits).

    `part` (see `Part`) sends a burst that changed only part of the view as that part alone.
    """
    if not accepts_event_stream():
        raise NotAcceptable(gettext("This address sends live updates to a page (Accept: text/event-stream)."))
    if not re.fullmatch(r"[A-Za-z0-9_.:-]{1,60}", event_name):
        raise ValueError(f"SSE event names are short words, got {event_name!r}")
    if last_event_id is None:
        last_event_id = last_event_id_header()
    view = LiveView(list(topics), render, event_name, recheck=recheck, share=share, heartbeat=heartbeat, part=part)
    if g.get("live_view_capture"):  # the GRIP publisher rebuilding this view (grihaseva/grip.py)
        return view
    grip = current_app.extensions.get("grip")
    if grip is not None and grip.via_pushpin():
        return await grip.hold(view, last_event_id)  # Pushpin holds the connection, not this process

    # One read before the 200 goes out: with the database down the client gets 503 with
    # Retry-After (web.handle_database_unavailable), and htmx's SSE extension retries later.
    await latest_event_id(current_app.db, view.topics)
    response = Response(view.stream(last_event_id), mimetype="text/event-stream")
    response.timeout = None  # this response only: it lasts as long as the page is open
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass each event through at once
    return response


class LiveView:
    """One live view as a request asked for it: its topics, and its render and access check
    bound to that request's contexts (renders run after the view function has returned).

    Thousands are open at once, so a view holds what it needs and no more: slots, plain
    methods instead of closures, and one copy of the request's app and request contexts that
    every render and check of the stream enters in turn (`_within`)."""

    __slots__ = ("topics", "user_id", "listen", "event_name", "share", "interval", "retry", "broadcaster", "db",
                 "logger", "shared", "locale", "part", "_render", "_recheck", "_foreign", "_contexts", "_in_use")

    def __init__(self, topics: list[str], render: Render, event_name: str, *, recheck: Recheck | None,
                 share: Share | None, heartbeat: float | None, part: Part | None = None):
        app = current_app
        self.topics = topics
        user = g.get("user")
        self.user_id = user.id if user is not None else None
        self.listen = topics + ([access_topic(user.id)] if user is not None else [])  # "log out everywhere" reaches us
        self.event_name = event_name
        self.share = share
        self.interval = heartbeat if heartbeat is not None else app.config.get("SSE_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS)
        self.retry = app.config.get("SSE_RETRY_MS", RETRY_MS)
        self.broadcaster, self.db, self.logger = app.broadcaster, app.db, app.logger
        self.shared = shared_frames(app)

        # The reader's language (grihaseva/i18n.py): every render of this view is in it, and a
        # shared frame is shared only by readers of the same language (`shared_name`).
        self.locale = i18n.get_locale()
        # Rebuilt by the GRIP publisher: no reader's cookie here, so no reader's token either.
        self._foreign = bool(g.get("live_view_capture"))
        self.part = part
        self._render, self._recheck = render, recheck
        # Quart pops the request's own contexts when the view function returns: renders and
        # checks enter this copy (the same `g`, request and session), one at a time.
        self._contexts = (app_ctx.copy(), request_ctx.copy())
        self._in_use = False

    async def _within(self, call: Callable[..., Awaitable], *args):
        """`call(*args)` inside this view's request context. A second call while one is inside
        (a shared render still running for a reader who has gone) gets a copy of its own:
        Quart's contexts keep their push tokens in a list, so one copy may not be entered twice."""
        contexts = self._contexts
        own = not self._in_use
        if own:
            self._in_use = True
        else:
            contexts = (contexts[0].copy(), contexts[1].copy())
        try:
            async with contexts[0], contexts[1]:
                return await call(*args)
        finally:
            if own:
                self._in_use = False

    async def _draw(self, draw: Callable[[], Awaitable[str]], shared: bool) -> str:
        with i18n.use_locale(self.locale), web.no_session_token(shared or self._foreign):
            return await draw()  # render may be any callable returning an awaitable

    async def _allowed_now(self) -> bool:
        if not await _session_still_valid():
            return False
        if self._recheck is not None:
            await self._recheck()  # raises an HTTPException when access has gone
        return True

    async def render(self, event: Event | None, shared: bool = False) -> str:
        return await self._within(self._draw, lambda: self._render(event), shared)

    async def render_part(self, name: str, shared: bool = False) -> str:
        return await self._within(self._draw, lambda: self.part.render(name), shared)

    async def allowed(self) -> bool:
        """Is this reader still allowed to see the view? (The session is live, and `recheck` passes.)"""
        return await self._within(self._allowed_now)

    def shared_name(self, burst: Sequence[Event]) -> str | None:
        """What this reader sees after `burst`, in its language: readers of one topic in two
        languages get two renders, readers in one language share one."""
        name = self.share(burst) if self.share is not None else None
        return None if name is None else f"{name}:{self.locale}"

    def snapshot_name(self) -> str | None:
        """The shared name of this view's snapshot, or None when the snapshot is this reader's own."""
        return self.shared_name(())

    async def snapshot(self, sent_id: int, subscribed_at: float = 0.0) -> tuple[int, bytes]:
        name = self.snapshot_name()
        if name is None:
            return sent_id, ServerSentEvent(await self.render(None), self.event_name, sent_id, self.retry).encode()

        async def make_snapshot(made_at: int) -> bytes:
            return ServerSentEvent(await self.render(None, shared=True), self.event_name, made_at, self.retry).encode()

        # Readers connecting together share one snapshot too (and its bytes, held while idle).
        return await self.shared.frame(f"{self.event_name}:{name}:snapshot", sent_id, make_snapshot,
                                       not_before=subscribed_at)

    async def stream(self, last_event_id: int | None) -> AsyncIterator[bytes]:
        # Subscribe before reading the snapshot, so a change committed in between still arrives.
        subscription = self.broadcaster.subscribe(self.listen)
        subscribed_at = asyncio.get_running_loop().time()
        try:
            if not subscription.closed:
                await self.broadcaster.catch_up()
                subscription.ready()  # committed before the render below, so the snapshot shows them
            newest = await latest_event_id(self.db, self.topics)
            if last_event_id is not None and newest <= last_event_id:
                # The page (or the frame) it was drawn from is current: say nothing until a change.
                sent_id = last_event_id
                yield f"retry: {self.retry}\n\n".encode()  # a field alone dispatches no event
            else:
                sent_id, frame = await self.snapshot(max(newest, last_event_id or 0), subscribed_at)
                yield frame
            async for _id, frame in self.frames(subscription, sent_id):
                yield frame
        finally:  # also on CancelledError (the client went away) and GeneratorExit
            subscription.close()

    async def frames(self, subscription, sent_id: int) -> AsyncIterator[tuple[int | None, bytes]]:
        """(event id, encoded frame) for each burst of events after `sent_id`, and (None,
        HEARTBEAT) when nothing happened for a heartbeat; ends when access ends, when the
        subscription does, or on a failed render."""
        try:
            while True:
                try:
                    async with asyncio.timeout(self.interval):  # no task per wait, unlike wait_for
                        event = await subscription.__anext__()
                except TimeoutError:
                    if not await self.allowed():
                        return
                    yield None, HEARTBEAT
                    continue
                except StopAsyncIteration:  # fell too far behind, or the app is stopping
                    return
                burst = [event, *subscription.ready()]  # one render for a burst of events
                if _changes_access(burst) and not await self.allowed():
                    return
                if all(e.topic.startswith("access:") for e in burst):
                    continue  # still allowed, and nothing on the view's own topics changed
                newest = max(e.id for e in burst)
                name = self.shared_name(burst)
                changed = self.part.pick(burst) if self.part is not None else None
                event_name = self.event_name if changed is None else self.part.event_name
                latest = burst[-1]

                async def draw(shared: bool) -> str:
                    if changed is None:
                        return await self.render(latest, shared=shared)
                    return await self.render_part(changed, shared=shared)

                if name is not None and newest > sent_id:
                    async def make(made_at: int) -> bytes:
                        return ServerSentEvent(await draw(True), event_name, made_at).encode()

                    key = f"{event_name}:{name}" if changed is None else f"{event_name}:{name}:{changed}"
                    sent_id, frame = await self.shared.frame(key, newest, make)
                    yield sent_id, frame
                    continue
                # A late commit can carry an id below one already sent: send its fragment
                # without an id, so the browser's Last-Event-ID never moves back.
                new_id = newest if newest > sent_id else None
                sent_id = max(sent_id, newest)
                yield new_id or newest, ServerSentEvent(await draw(name is not None), event_name, new_id).encode()
        except HTTPException:  # access has gone (a recheck or a render said so): end quietly
            return
        except DatabaseUnavailable as error:  # the reconnect meets a 503 until the database is back
            self.logger.warning("live stream for %s ended: %s", self.topics[:3], error)
        except Exception:  # a failed render ends this stream; the browser reconnects to a snapshot
            self.logger.exception("live stream for %s ended by an error", self.topics[:3])


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
    that reads again reconnects like any other and heals from the snapshot.

    hypercorn keeps a response's start message (its headers) for as long as the response lasts;
    the streams' headers are the same for almost every reader, so a stream's start message gets
    the one shared tuple of them (`_shared_headers`) instead of a list of its own."""

    def __init__(self, app, timeout: Callable[[], float], logger=None):
        self.app, self.timeout, self.logger = app, timeout, logger
        self._headers: dict[tuple, tuple] = {}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        try:
            await self.app(scope, receive, _GuardedSend(self, send))
        except _StalledClient:
            if self.logger is not None:
                self.logger.info("closed a live stream of %s whose client stopped reading", scope.get("path"))

    HEADER_LISTS = 64  # distinct header lists kept (a stream's differ only by a new cookie, which is not shared)

    def _shared_headers(self, headers) -> tuple:
        """The one tuple of these (name, value) pairs; a tuple, so nothing downstream can change
        the headers of every stream at once."""
        key = tuple(headers)
        if any(name.lower() == b"set-cookie" for name, _value in key):
            return key  # this reader's own
        shared = self._headers.get(key)
        if shared is None:
            if len(self._headers) >= self.HEADER_LISTS:
                self._headers.clear()
            shared = self._headers[key] = key
        return shared


class _GuardedSend:
    """The `send` StalledStreamGuard hands the app for one response (a small object: one per
    open stream)."""

    __slots__ = ("guard", "send", "streaming")

    def __init__(self, guard: StalledStreamGuard, send):
        self.guard, self.send, self.streaming = guard, send, False

    async def __call__(self, message):
        if message["type"] == "http.response.start":
            headers = message.get("headers", [])
            self.streaming = any(name.lower() == b"content-type" and value.startswith(b"text/event-stream")
                                 for name, value in headers)
            if self.streaming:
                message = {**message, "headers": self.guard._shared_headers(headers)}
        elif self.streaming and message["type"] == "http.response.body":
            try:
                async with asyncio.timeout(self.guard.timeout()):
                    return await self.send(message)
            except TimeoutError:
                raise _StalledClient() from None
        return await self.send(message)
