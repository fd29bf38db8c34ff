"""Pushpin at the edge (on when `GRIHASEVA_GRIP_URL` names Pushpin's publish endpoint).

Pushpin proxies every request to the app and marks it with a `Grip-Sig` header.  A live
view reached through Pushpin does not stream: `sse_stream` answers at once with GRIP hold
instructions (`Grip-Hold: stream`, one `Grip-Channel`, a keep-alive) and the snapshot as the
first frame, and Pushpin keeps the connection.  The app holds none.  A request that reaches
the app directly (no `Grip-Sig`) still gets an ordinary in-process stream.

Channels.  A shared view (one whose snapshot has a shared name, see sse.py) has one channel
for everyone, named after that name.  Any other view has a channel per view address and
login session, named by an HMAC of both under the app's secret key, so nobody can subscribe
to another person's channel by guessing its name.  Every held channel is written to
`live_channels` and announced by an event on `grip:channels`.

Publishing.  Exactly one process publishes: whichever holds the lease (MySQL `GET_LOCK`
on a connection it keeps, released by the server when that process dies; on SQLite an
exclusive `flock` on a file in the var directory).  The others try again every second.
The holder rebuilds each channel's view from its row (the view function runs again in a
request context of its own, with the session's user; see `LiveView`), follows the outbox
through its broadcaster like an SSE stream, and POSTs each rendered frame once to
Pushpin's `/publish/` with the event id as the item id and inside the frame (`id:`), so a
browser's reconnect carries `Last-Event-ID`.  A view whose access has gone is closed at
Pushpin and its row deleted.

Taking over.  A new holder re-publishes, once per channel, a frame for the events of the
last `REPLAY_SECONDS`: whatever the old holder had not sent yet arrives, and what it had
sent carries an item id Pushpin has seen on that channel within its `id_cache_ttl`
(60 s by default) and is dropped there, so a subscriber sees each frame once.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import hmac
import logging
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl

from quart import Response, current_app, g, request
from quart_auth import current_user
from werkzeug.exceptions import HTTPException

from . import i18n
from .db import IntegrityError
from .events import _event as event_from_row
from .events import latest_event_id, publish
from .sse import HEARTBEAT, LiveView

log = logging.getLogger(__name__)

CHANNELS_TOPIC = "grip:channels"
LEASE_NAME = "grihaseva:grip-publisher"
LEASE_RETRY_SECONDS = 1.0
REPLAY_SECONDS = 30  # below Pushpin's id_cache_ttl (60 s), so re-sent ids are dropped there
REGISTER_AGAIN_SECONDS = 10.0  # a channel closed by the publisher is written again this soon
KEEP_ALIVE = ": ping\\n\\n; format=cstring; timeout=15"  # Pushpin sends the heartbeat itself


class Grip:
    """The GRIP side of one app process: answering holds, and (while leased) publishing."""

    def __init__(self, app, publish_url: str, secret_key: str, var_dir: Path):
        self.app = app
        self.publish_url = publish_url.rstrip("/") + "/publish/"
        self._secret = hashlib.sha256(("grip channels " + secret_key).encode()).digest()
        self.var_dir = var_dir
        self._registered: dict[str, float] = {}  # channel -> loop time it was last written
        self.publisher = GripPublisher(self)

    # ------------------------------------------------------------ holding (any process)

    def via_pushpin(self) -> bool:
        return "Grip-Sig" in request.headers

    def channel_for(self, view: LiveView, address: str, session: str) -> str:
        name = view.snapshot_name()
        if name is not None:  # the same bytes go to everyone: one channel for all
            return "pub-" + hashlib.sha256(f"{view.event_name}:{name}".encode()).hexdigest()[:40]
        return "prv-" + hmac.new(self._secret, f"{address}|{session}|{view.locale}".encode(),
                                 hashlib.sha256).hexdigest()[:40]

    async def hold(self, view: LiveView, last_event_id: int | None) -> Response:
        """GRIP hold instructions with the snapshot as the first frame."""
        address = request.full_path.rstrip("?")
        session = ""
        if g.get("user") is not None:
            session = current_app.extensions["session_hash"](current_user.auth_id or "")
        channel = self.channel_for(view, address, session)  # one per language (the view's locale)
        # The publisher rebuilds the view from this address: `lang=` carries a reader's language
        # other than the default (the publisher's requests have no cookie or Accept-Language).
        stored = address
        if view.locale != i18n.DEFAULT_LOCALE and "lang" not in request.args:
            stored += ("&" if "?" in address else "?") + f"lang={view.locale}"
        await self._register(channel, stored, session or None)
        newest = await latest_event_id(view.db, view.topics)
        if last_event_id is not None and newest <= last_event_id:
            frame = f"retry: {view.retry}\n\n".encode()  # the page is current: nothing until a change
        else:
            _, frame = await view.snapshot(max(newest, last_event_id or 0))
        response = Response(frame, mimetype="text/event-stream")
        response.headers["Grip-Hold"] = "stream"
        response.headers["Grip-Channel"] = channel
        response.headers["Grip-Keep-Alive"] = KEEP_ALIVE
        response.headers["Cache-Control"] = "no-cache"
        return response

    async def _register(self, channel: str, address: str, session: str | None) -> None:
        now_loop = asyncio.get_running_loop().time()
        if now_loop - self._registered.get(channel, -1e9) < REGISTER_AGAIN_SECONDS:
            return  # written a moment ago (a crowd of readers connecting): spare the database
        db, now = self.app.db, self.app.clock()
        try:
            async with db.transaction() as tx:
                if await tx.fetch_one("select_live_channel", {"channel": channel}) is None:
                    await tx.execute("insert_live_channel", {"channel": channel, "path": address[:600],
                                                             "session_hash": session, "held_at": now})
                    await publish(tx, CHANNELS_TOPIC, "held", {"channel": channel}, now)
                else:
                    await tx.execute("touch_live_channel", {"channel": channel, "held_at": now})
        except IntegrityError:
            pass  # a crowd's first readers raced to write the same channel: one of them did
        if len(self._registered) > 10_000:
            self._registered.clear()
        self._registered[channel] = now_loop

    def forget(self, channel: str) -> None:
        self._registered.pop(channel, None)


# ---------------------------------------------------------------- the lease


class MysqlLease:
    """`GET_LOCK` on a pooled connection kept for as long as the lease is held."""

    def __init__(self, db):
        self.db = db
        self._conn = None

    async def acquire(self) -> bool:
        conn = await self.db.pool.acquire()
        try:
            async with conn.cursor() as cursor:
                await cursor.execute("SELECT GET_LOCK(%s, 0)", (LEASE_NAME,))
                (got,) = await cursor.fetchone()
            await conn.rollback()
        except BaseException:  # a cancel too: mid-statement the connection is unusable
            conn.close()  # (and a lock it may have got goes with it)
            self.db.pool.release(conn)
            raise
        if got == 1:
            self._conn = conn
            return True
        self.db.pool.release(conn)
        return False

    async def alive(self) -> bool:
        try:
            async with self._conn.cursor() as cursor:
                await cursor.execute("SELECT IS_USED_LOCK(%s) = CONNECTION_ID()", (LEASE_NAME,))
                (mine,) = await cursor.fetchone()
            await self._conn.rollback()
            return mine == 1
        except Exception:
            return False

    async def release(self) -> None:
        """Give the lock and the connection back, whatever happens on the way. Cancelled
        mid-statement (the app stopping while the publisher gives its lease up), the connection
        is closed and still handed back: a connection the pool never gets back keeps its
        `wait_closed()`, and so the process's shutdown, waiting until the process is killed."""
        if self._conn is None:
            return
        conn, self._conn = self._conn, None
        try:
            async with conn.cursor() as cursor:
                await cursor.execute("SELECT RELEASE_LOCK(%s)", (LEASE_NAME,))
            await conn.rollback()
        except BaseException as error:
            conn.close()  # the server drops the lock with the connection
            if not isinstance(error, Exception):
                raise
        finally:
            self.db.pool.release(conn)


class FileLease:
    """SQLite serves one machine: an exclusive `flock`, which the kernel drops when the process dies."""

    def __init__(self, path: Path):
        self.path = path
        self._fd: int | None = None

    async def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    async def alive(self) -> bool:
        return self._fd is not None

    async def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the lock
            self._fd = None


# ---------------------------------------------------------------- publishing (the lease holder)


class GripPublisher:
    def __init__(self, grip: Grip):
        self.grip = grip
        self.app = grip.app
        self.holding = False
        self.published = 0  # items sent to Pushpin (tests and the bench read it)
        self._task: asyncio.Task | None = None
        self._views: dict[str, asyncio.Task] = {}
        self._client = None

    def _lease(self):
        db = self.app.db
        return MysqlLease(db) if db.dialect == "mysql" else FileLease(self.grip.var_dir / "grip-publisher.lock")

    async def start(self) -> None:
        import httpx  # only a process configured for Pushpin imports it

        self._client = httpx.AsyncClient(timeout=5.0)
        self._task = asyncio.create_task(self._run(), name="grip publisher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
            self._task = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _run(self) -> None:
        while True:
            lease = self._lease()
            try:
                if not await lease.acquire():
                    await asyncio.sleep(LEASE_RETRY_SECONDS)
                    continue
            except Exception as error:  # the database is down: try again later
                log.warning("GRIP publisher cannot take the lease: %s", error)
                await asyncio.sleep(LEASE_RETRY_SECONDS)
                continue
            log.info("this process publishes live frames to Pushpin")
            self.holding = True
            try:
                await self._publish_while_leased(lease)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("GRIP publisher failed; giving the lease up")
            finally:
                self.holding = False
                for task in self._views.values():
                    task.cancel()
                self._views.clear()
                await lease.release()
            await asyncio.sleep(LEASE_RETRY_SECONDS)

    async def _publish_while_leased(self, lease) -> None:
        db = self.app.db
        async with self.app.broadcaster.subscribe([CHANNELS_TOPIC]) as announcements:
            await self.app.broadcaster.catch_up()
            announcements.ready()  # the table read below includes these
            for row in await db.fetch_all("select_live_channels"):
                self._serve(row, replay=True)
            while True:
                try:
                    async with asyncio.timeout(2.0):
                        event = await announcements.__anext__()
                except TimeoutError:
                    if not await lease.alive():
                        log.warning("GRIP publishing lease lost")
                        return
                    continue
                except StopAsyncIteration:
                    if announcements.overflowed:  # a flood of new holds: read them all from the table
                        return
                    raise asyncio.CancelledError
                for item in [event, *announcements.ready()]:
                    channel = item.payload.get("channel", "")
                    if channel and channel not in self._views:
                        row = await db.fetch_one("select_live_channel", {"channel": channel})
                        if row is not None:
                            self._serve(row, replay=False)

    def _serve(self, row: dict, replay: bool) -> None:
        channel = row["channel"]
        if channel in self._views and not self._views[channel].done():
            return
        self._views[channel] = asyncio.create_task(self._serve_channel(row, replay), name=f"grip {channel[:12]}")

    async def _serve_channel(self, row: dict, replay: bool) -> None:
        channel = row["channel"]
        try:
            while True:
                view = await self._rebuild(row)
                if view is None:  # access gone (logged out, unpublished, ...): end it at the edge
                    await self._close(channel)
                    return
                subscription = self.app.broadcaster.subscribe(view.listen)
                try:
                    sent_id = 0
                    if replay:
                        sent_id = await self._replay(view, channel)
                    async for event_id, frame in view.frames(subscription, sent_id):
                        if frame is not HEARTBEAT:
                            await self._publish_frame(channel, event_id, frame)
                    if not subscription.overflowed:
                        if subscription.closed and self.app.broadcaster._stopped:
                            return
                        await self._close(channel)  # access ended or a render failed
                        return
                finally:
                    subscription.close()
                replay = True  # overflowed: rebuild, and send where it stands
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("GRIP channel %s stopped", channel[:12])
        finally:
            self._views.pop(channel, None)

    async def _rebuild(self, row: dict) -> LiveView | None:
        """Run the view function again for the stored address and session, capturing its LiveView."""
        app = self.app
        path, _, query = row["path"].partition("?")
        async with app.test_request_context(path, query_string=dict(parse_qsl(query)),
                                            headers={"Accept": "text/event-stream"}):
            g.live_view_capture = True
            g.user = None
            # The language the channel's readers asked for (stored as `lang=` by `hold`).
            i18n.set_locale(dict(parse_qsl(query)).get("lang") or i18n.DEFAULT_LOCALE)
            g.locale = i18n.get_locale()
            if row["session_hash"]:
                lookup = app.extensions["session_user_by_hash"]
                g.user = await lookup(app.db, row["session_hash"], app.clock())
                if g.user is None:
                    return None
                g.live_session_hash = row["session_hash"]
            try:
                view = await app.dispatch_request()
            except HTTPException:
                return None
        return view if isinstance(view, LiveView) else None

    async def _replay(self, view: LiveView, channel: str) -> int:
        since = self.app.clock() - timedelta(seconds=REPLAY_SECONDS)
        rows = await self.app.db.fetch_all("select_events_since_time", {"since": since})
        topics = set(view.topics)
        recent = [r for r in rows if r["topic"] in topics]
        if not recent:
            return 0
        newest = max(r["id"] for r in recent)
        burst = [event_from_row(r) for r in recent]
        name = view.shared_name(burst)  # noqa: F841  (keeps a reader's state)
        from .sse import ServerSentEvent

        frame = ServerSentEvent(await view.render(burst[-1], shared=view.snapshot_name() is not None),
                                view.event_name, newest).encode()
        await self._publish_frame(channel, newest, frame)
        return newest

    async def _publish_frame(self, channel: str, event_id: int | None, frame: bytes) -> None:
        item = {"channel": channel, "formats": {"http-stream": {"content": frame.decode("utf-8")}}}
        if event_id is not None:
            item["id"] = str(event_id)
        await self._send([item])

    async def _close(self, channel: str) -> None:
        await self._send([{"channel": channel, "formats": {"http-stream": {"action": "close"}}}])
        await self.app.db.execute("delete_live_channel", {"channel": channel})
        self.grip.forget(channel)

    async def _send(self, items: list[dict]) -> None:
        try:
            response = await self._client.post(self.grip.publish_url, json={"items": items})
            response.raise_for_status()
            self.published += len(items)
        except Exception as error:  # Pushpin down: its clients are gone too, and reconnect to a snapshot
            log.warning("cannot publish to Pushpin at %s: %s", self.grip.publish_url, error)
