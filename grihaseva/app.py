"""The application factory: settings, database, auth, blueprints, hooks."""

from __future__ import annotations

import logging
from datetime import timedelta

from quart import Quart, g, get_flashed_messages
from quart.sessions import SecureCookieSessionInterface
from quart.wrappers.request import Request
from quart_auth import QuartAuth
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from . import i18n, web
from .auth.access import load_current_user
from .auth.accounts import session_hash, session_user, session_user_by_hash
from .booking.domain import BookingCaps
from .booking.grid_cache import GridCache, SectionCache
from .chatbot.nlu import learned
from .clock import utcnow
from .config import Settings
from .db import DatabaseUnavailable, open_database
from .events import Broadcaster
from .housekeeping import Housekeeper
from .mail import MailSender
from .sse import WRITE_TIMEOUT_SECONDS, StalledStreamGuard
from .wakeup import RedisWakeup


def _log_to_stderr() -> None:
    """The app's own loggers (grihaseva.*) print INFO and above once; hypercorn has its own."""
    logger = logging.getLogger("grihaseva")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


class IdConverter(IntegerConverter):
    """`<int:...>` that matches only ids a BIGINT (and SQLite's INTEGER) can hold."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(settings: Settings | None = None) -> Quart:
    settings = settings or Settings.from_env()
    app = Quart(__name__)
    app.request_class = _Request
    app.settings = settings
    app.secret_key = settings.secret_key
    secure = not settings.development
    app.config.update(
        QUART_AUTH_COOKIE_NAME="grihaseva_auth",
        QUART_AUTH_SALT="grihaseva auth cookie",
        QUART_AUTH_DURATION=int(timedelta(days=14).total_seconds()),
        QUART_AUTH_COOKIE_SECURE=secure,
        QUART_AUTH_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="grihaseva_session",
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        # 1 MiB: a 40,000-character Devanagari blog post or a 60,000-character FAQ file sent
        # URL-encoded (up to 9 bytes a character) fits with the form's other fields.
        MAX_CONTENT_LENGTH=1024 * 1024,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
        TEMPLATES_AUTO_RELOAD=settings.development,
        CSRF_EXEMPT=set(),
    )
    if settings.proxy_hops:
        # Behind a reverse proxy every request comes from the proxy's address: trust its
        # X-Forwarded-For/-Proto (exactly that many hops) so throttling sees the visitor.
        from hypercorn.middleware import ProxyFixMiddleware

        app.asgi_app = ProxyFixMiddleware(app.asgi_app, mode="legacy", trusted_hops=settings.proxy_hops)
    # Event streams whose client has not read for this long are closed (grihaseva/sse.py).
    app.config["SSE_WRITE_TIMEOUT_SECONDS"] = WRITE_TIMEOUT_SECONDS
    app.asgi_app = StalledStreamGuard(app.asgi_app, lambda: app.config["SSE_WRITE_TIMEOUT_SECONDS"],
                                      logging.getLogger("grihaseva.sse"))
    app.clock = utcnow
    app.db = open_database(settings.database)
    # The booking caps travel with the database the domain is handed (booking.domain.caps_for),
    # so the booking page and the chatbot apply the same settings.
    app.db.booking_caps = BookingCaps.from_settings(settings)
    app.asgi_app = web.HealthCheck(app.asgi_app, lambda: web.health_report(app))  # /healthz without the framework's work
    # The mail outbox's sender; tests set MAIL_SENDER_AUTOSTART False and call run_once().
    app.mail_sender = MailSender(app.db, settings, clock=lambda: app.clock())
    app.db.commit_listeners.append(app.mail_sender.on_commit)
    app.config["MAIL_SENDER_AUTOSTART"] = True
    # Live updates: tails the `events` outbox and feeds SSE streams (grihaseva/events.py, sse.py).
    app.broadcaster = Broadcaster(app.db, poll_interval=settings.events_poll_ms / 1000)
    app.config["SSE_HEARTBEAT_SECONDS"] = settings.sse_heartbeat_seconds
    # Each provider's schedule as the slot grid reads it, until an event for the provider arrives.
    app.db.grid_cache = GridCache()
    app.db.commit_listeners.append(app.db.grid_cache.on_commit)
    app.broadcaster.event_listeners.append(app.db.grid_cache.on_event)
    # With GRIHASEVA_REDIS_URL: a commit's wake-up reaches every process's broadcaster at once.
    app.wakeup = None
    if settings.redis_url:
        app.wakeup = RedisWakeup(settings.redis_url, app.broadcaster.wake, channel=settings.redis_channel)
        app.db.commit_listeners.append(app.wakeup.on_commit)
    # With GRIHASEVA_GRIP_URL: Pushpin holds the streams and one process publishes their frames.
    if settings.grip_url:
        from .grip import Grip

        app.extensions["grip"] = Grip(app, settings.grip_url, settings.secret_key, settings.var_dir)
    # The rendered grid section of the booking page, until an event for its service or professionals.
    app.db.section_cache = SectionCache()
    app.db.commit_listeners.append(app.db.section_cache.on_commit)
    app.broadcaster.event_listeners.append(app.db.section_cache.on_event)
    # Deletes old events, rate-limit hits, expired sessions and delivered mail (hourly).
    app.housekeeper = Housekeeper(app.db, clock=lambda: app.clock())
    app.config["HOUSEKEEPING_AUTOSTART"] = True
    auth = QuartAuth(app)
    # Both signed cookies' serializers are made once per key, not per request (`_made_once`).
    auth.serializer_class = _made_once(auth.serializer_class)
    app.session_interface = _SessionInterface()
    _log_to_stderr()

    @app.before_serving
    async def open_db() -> None:
        # The chatbot's classifiers: loaded from var/chatbot/ or fitted, on a thread of their own,
        # so that the first chat message does not pay the fit (grihaseva/chatbot/nlu/learned.py).
        learned.start(settings.var_dir)
        await app.db.connect()
        await app.broadcaster.start()
        if app.wakeup is not None:
            await app.wakeup.start()
        if "grip" in app.extensions:
            await app.extensions["grip"].publisher.start()
        if app.config["MAIL_SENDER_AUTOSTART"]:
            app.mail_sender.start()
        if app.config["HOUSEKEEPING_AUTOSTART"]:
            app.housekeeper.start()

    @app.after_serving
    async def close_db() -> None:
        if "grip" in app.extensions:
            await app.extensions["grip"].publisher.stop()
        if app.wakeup is not None:
            await app.wakeup.stop()
        await app.broadcaster.stop()  # ends every open SSE stream
        await app.mail_sender.stop()
        await app.housekeeper.stop()
        await app.db.close()

    app.before_request(load_current_user)
    app.extensions["session_user"] = session_user  # the SSE streams re-check sessions through it
    app.extensions["session_user_by_hash"] = session_user_by_hash  # ... and the GRIP publisher's renders
    app.extensions["session_hash"] = session_hash
    app.before_request(web.select_locale)  # after load_current_user: the profile's language counts
    app.before_request(web.check_csrf)
    app.after_request(web.language_headers)
    app.after_request(web.security_headers)
    app.after_request(web.compress)
    app.register_error_handler(HTTPException, web.handle_http_exception)
    app.register_error_handler(DatabaseUnavailable, web.handle_database_unavailable)
    app.register_error_handler(Exception, web.handle_unexpected)

    app.jinja_env.globals["csrf_token"] = web.csrf_token
    # Every template is translated through the same catalogues as Python (grihaseva/i18n.py).
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(i18n.gettext, i18n.template_ngettext, newstyle=True)
    app.jinja_env.filters.update(
        number=lambda value: i18n.number(value),
        date_label=lambda day: i18n.date_label(day),
        day_label=lambda day: i18n.day_label(day),
        long_day_label=lambda day: i18n.long_day_label(day),
        short_weekday=lambda day: i18n.short_weekday(day),
        month_day=lambda day: i18n.month_day(day),
        text_lang=lambda text: i18n.text_language(text),
        localized=lambda item, field: i18n.localized(item, field),
        lang_attr=lambda text: i18n.lang_attribute(text),
        status_label=lambda status: i18n.status_label(status),
        zone_name=lambda tz: i18n.zone_name(tz),
    )
    # Before the blueprints add their rules: an <int:id> wider than a 64-bit id column is a 404, not a driver overflow.
    app.url_map.converters["int"] = IdConverter

    @app.context_processor
    async def page_context() -> dict:
        return {
            "user": g.get("user"),
            "development": settings.development,
            "lang": i18n.get_locale(),
            "dir": i18n.direction(),
            "languages": i18n.LANGUAGES,
            "here": web.here_without_lang(),
        }

    from .admin.views import blueprint as admin_blueprint
    from .auth.views import blueprint as auth_blueprint
    from .blog.views import blueprint as blog_blueprint
    from .booking.views import blueprint as booking_blueprint
    from .chatbot.views import blueprint as chat_blueprint
    from .pages.views import blueprint as pages_blueprint
    from .provider.views import blueprint as provider_blueprint
    from .reviews.views import blueprint as reviews_blueprint
    from .support.views import blueprint as support_blueprint
    from .auth.password_reset_views import blueprint as password_blueprint

    app.register_blueprint(pages_blueprint)
    app.register_blueprint(auth_blueprint)
    app.register_blueprint(booking_blueprint)
    app.register_blueprint(blog_blueprint)
    app.register_blueprint(password_blueprint)
    app.register_blueprint(chat_blueprint)
    app.register_blueprint(admin_blueprint)
    app.register_blueprint(reviews_blueprint)
    app.register_blueprint(provider_blueprint)
    app.register_blueprint(support_blueprint)
    if settings.development:  # /dev/mail must not exist in production
        from .pages.dev_mail import blueprint as dev_mail_blueprint

        app.register_blueprint(dev_mail_blueprint)
    _run_context_processors_inline(app)
    return app


def _made_once(make):
    """`make(keys, salt)` (an itsdangerous serializer class), remembered per keys and salt: making
    one costs a JSON dump (`is_text_serializer`) and Quart-Auth made one for every request's cookie.
    The serializers keep no state between uses."""
    made: dict = {}

    def serializer(keys, salt):
        key = (tuple(keys) if isinstance(keys, list) else keys, salt)
        found = made.get(key)
        if found is None:
            if len(made) >= 8:  # keys rotated: forget the old ones
                made.clear()
            found = made[key] = make(keys, salt)
        return found

    return serializer


class _SessionInterface(SecureCookieSessionInterface):
    """Quart's signed session cookie, its serializer made once per secret key (Quart made one for
    each request's open and save)."""

    _made: tuple | None = None

    def get_signing_serializer(self, app):
        if not app.secret_key:
            return None
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if self._made is None or self._made[0] != key:
            self._made = (key, super().get_signing_serializer(app))
        return self._made[1]


PHOTO_PATH = "/account/photo"


class _Request(Request):
    """Every body is limited by MAX_CONTENT_LENGTH (1 MiB), except a professional's photo upload,
    which may be up to booking.trust.MAX_PHOTO_BYTES (and is then resized to 256 px)."""

    def __init__(self, method, scheme, path, *args, max_content_length=None, **kwargs):
        from .booking.trust import MAX_PHOTO_BYTES

        large = path == PHOTO_PATH and method == "POST"
        limit = MAX_PHOTO_BYTES + 64 * 1024 if large else max_content_length
        super().__init__(method, scheme, path, *args, max_content_length=limit, **kwargs)
        if large:
            self.max_content_length = limit  # the form parser's limit too


def _run_context_processors_inline(app: Quart) -> None:
    """Make every template context processor a coroutine function.

    Quart runs a synchronous one (Quart-Auth registers `current_user` that way) on the loop's
    default thread pool for every render; under load each page then waits for a free thread.
    They only build a small dict from the request, so they run inline on the loop instead.
    """
    import inspect
    from functools import wraps

    def inline(processor):
        @wraps(processor)
        async def run() -> dict:
            return processor()

        return run

    for name, processors in app.template_context_processors.items():
        app.template_context_processors[name] = [
            processor if inspect.iscoroutinefunction(processor) else inline(processor) for processor in processors
        ]
