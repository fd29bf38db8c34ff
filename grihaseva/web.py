"""What every view shares: rendering a page or its partial, reading forms
safely, CSRF, security headers, flash messages and friendly error pages."""

from __future__ import annotations

import gzip
import hmac
import re
import secrets
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from quart import Response, current_app, flash, g, has_request_context, render_template, request, session
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest, Forbidden, HTTPException
from werkzeug.urls import iri_to_uri

from . import i18n
from .i18n import lazy_gettext

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
])


class FormError(BadRequest):
    """A request whose body cannot be used at all (bad encoding, missing CSRF token)."""


def now() -> datetime:
    return current_app.clock()


def db():
    return current_app.db


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def wants_partial() -> bool:
    """An htmx request that swaps a fragment (boosted navigation wants the whole page)."""
    return is_htmx() and request.headers.get("HX-Boosted") != "true"


async def render(page: str, partial: str | None = None, status: int = 200, **context: Any) -> Response:
    """The full page, or only its partial for an htmx fragment request."""
    template = partial if partial and wants_partial() else page
    body = await render_template(template, **context)
    return Response(body, status=status, content_type="text/html; charset=utf-8")


def safe_next(target: str | None, default: str) -> str:
    """Only local paths, so `?next=` can't send anyone to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target):  # browsers drop tabs; CR/LF break the header
        return default
    try:
        parts = urlsplit(target)
    except ValueError:  # e.g. an unbalanced "[" read as an IPv6 host
        return default
    if parts.scheme or parts.netloc:
        return default
    return quote(target, safe="/?&=#%:@!$'()*+,;~-._")  # a Location header must be ASCII


# A location that iri_to_uri would leave as it is (most: "/bookings/12", "/login?next=%2F").
_PLAIN_LOCATION = re.compile(r"[A-Za-z0-9_.~/%-]*(\?[A-Za-z0-9_.~/%=&+-]*)?")


def redirect_to(location: str, status: int = 303) -> Response:
    """A redirect that htmx fragment requests follow as a full navigation. The location may hold
    non-ASCII (a Hindi post's address): headers carry it percent-encoded."""
    if not _PLAIN_LOCATION.fullmatch(location):
        location = iri_to_uri(location)
    if wants_partial():
        response = Response("", status=200)
        response.headers["HX-Redirect"] = location
        return response
    # No "Redirecting..." page in the body (werkzeug's `redirect` writes one): browsers and htmx
    # follow the Location header and never show it.
    return Response("", status=status, headers={"Location": location})


NOT_UTF8 = lazy_gettext("The form contained characters that are not valid UTF-8 text.")


async def _parsed_form() -> MultiDict:
    """The parsed form; Quart silently drops a urlencoded body that is not UTF-8, so refuse it here."""
    if request.mimetype in ("application/x-www-form-urlencoded", "application/x-url-encoded") and not g.get("_form_utf8"):
        try:
            (await request.get_data()).decode("utf-8")
        except UnicodeDecodeError:
            raise FormError(str(NOT_UTF8)) from None
        g._form_utf8 = True  # checked once per request (the CSRF check reads the form first)
    return await request.form


async def read_form() -> MultiDict:
    """The request's form, refusing bodies that are not clean UTF-8 text."""
    form = await _parsed_form()
    for key, value in form.items(multi=True):
        if "\ufffd" in key or "\ufffd" in value:
            raise FormError(str(NOT_UTF8))
        if "\x00" in key or "\x00" in value:
            raise FormError(i18n.gettext("The form contained a NUL character."))
    return form


# ---------------------------------------------------------------- CSRF


# Set while a live frame is rendered for more than this session (a shared frame, or a frame the
# GRIP publisher renders without the reader's cookie): its bytes reach other readers.
_NO_SESSION_TOKEN: ContextVar[bool] = ContextVar("grihaseva_no_session_token", default=False)


@contextmanager
def no_session_token(active: bool = True):
    """Within: `csrf_token()` is empty (see `_NO_SESSION_TOKEN`); forms get the page's token."""
    marker = _NO_SESSION_TOKEN.set(active or _NO_SESSION_TOKEN.get())
    try:
        yield
    finally:
        _NO_SESSION_TOKEN.reset(marker)


def csrf_token() -> str:
    if _NO_SESSION_TOKEN.get():
        # Only htmx receives live frames, and it sends the page's own token (`hx-headers` on the
        # `.page` wrapper, inherited by every form inside); the empty field carries nobody's.
        return ""
    token = session.get(CSRF_FIELD)
    if not token:
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token


def rotate_csrf_token() -> str:
    """A new token for this browser (at log in, log out and a password change): a token planted
    or seen before the change (a sibling subdomain, a page over plain http) stops working."""
    token = secrets.token_urlsafe(32)
    session[CSRF_FIELD] = token
    return token


CROSS_SITE_MESSAGE = lazy_gettext("This request came from another website, so GrihaSeva did not act on it. "
                                  "Open GrihaSeva yourself and try again.")


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _cross_site() -> bool:
    """Defence in depth beside the token: what the browser says about where the request came from.
    `Sec-Fetch-Site` (every current browser) must be same-origin; without it, an `Origin` header
    must be GrihaSeva's own (GRIHASEVA_BASE_URL). A client that sends neither (an old browser, a
    script) is left to the token."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site.strip().lower() != "same-origin"
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin.strip().lower() != _origin_of(current_app.settings.base_url)
    return False


async def check_csrf() -> None:
    if request.method in SAFE_METHODS:
        return
    if request.endpoint in current_app.config.get("CSRF_EXEMPT", set()):
        return
    if _cross_site():
        raise Forbidden(str(CROSS_SITE_MESSAGE))
    expected = session.get(CSRF_FIELD)
    sent = [request.headers.get(CSRF_HEADER)]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        # The form's own field as well: a page kept across a token change (the chat widget is
        # preserved across boosted navigation) may send a fresh header with a stale field or
        # the other way round; either fresh token is proof enough.
        sent.append((await _parsed_form()).get(CSRF_FIELD))
    if not expected or not any(token and hmac.compare_digest(str(expected), str(token)) for token in sent):
        raise FormError(i18n.gettext(
            "This form has expired or did not come from GrihaSeva. Reload the page and try again."
        ))


# ---------------------------------------------------------------- headers and errors


async def security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
        # htmx-driven pages vary by these request headers (full page vs fragment)
        response.vary.add("HX-Request")
    return response


ERROR_TITLES = {
    400: lazy_gettext("That request could not be used"),
    401: lazy_gettext("Please log in"),
    403: lazy_gettext("This page is not for your account"),
    404: lazy_gettext("Page not found"),
    405: lazy_gettext("That action is not allowed here"),
    409: lazy_gettext("That changed in the meantime"),
    413: lazy_gettext("That was too large"),
    422: lazy_gettext("Please check the form"),
    429: lazy_gettext("Too many attempts"),
    500: lazy_gettext("Something went wrong on our side"),
    503: lazy_gettext("GrihaSeva is briefly unavailable"),
}

ERROR_MESSAGES = {
    403: lazy_gettext("Your account does not have access to this page."),
    404: lazy_gettext("There is nothing at this address. It may have moved, or the link may be mistyped."),
    405: lazy_gettext("This address does not accept that kind of request."),
    413: lazy_gettext("The form you sent was larger than we accept. Please shorten it and try again."),
    500: lazy_gettext("We have logged the problem. Please try again in a moment."),
}


async def error_page(code: int, message: str | None = None) -> Response:
    title = str(ERROR_TITLES.get(code, i18n.gettext("Error")))
    message = str(message or ERROR_MESSAGES.get(code, title))
    return await render("error.html", "partials/_error.html", status=code, code=code, title=title, message=message)


async def handle_http_exception(error: HTTPException) -> Response:
    code = error.code or 500
    message = None
    if error.description and error.description != type(error).description:
        message = error.description
    if code == 400 and message is None:
        message = i18n.gettext("The request could not be understood. Please reload the page and try again.")
    if code == 413 and message is None and request.path == "/account/photo":  # the one upload
        message = i18n.gettext("That photo is larger than 8 MB. Use a smaller one (a phone photo is usually 2 to 5 MB).")
    response = await error_page(code, message)
    for name, value in _carried_headers(error):
        response.headers[name] = value
    return response


# Headers the error page sets itself; every other header the exception carries is kept.
_OWN_HEADERS = {"content-type", "content-length", "content-encoding", "transfer-encoding"}


def _carried_headers(error: HTTPException) -> list[tuple[str, str]]:
    """The headers an HTTPException carries (Retry-After on 429, Allow on 405, WWW-Authenticate on 401…),
    from its get_headers() and from the response it was raised with, if any."""
    headers = list(error.get_headers())
    if error.response is not None:
        headers.extend(error.response.headers.items())
    return [(name, value) for name, value in headers if name.lower() not in _OWN_HEADERS]


UNAVAILABLE_MESSAGE = lazy_gettext("We are fixing a problem on our side. Nothing you sent was lost halfway: "
                                   "please try again in a minute.")
DATABASE_RETRY_AFTER = 10  # seconds, in Retry-After: a database restart or failover takes about that


async def handle_database_unavailable(error: Exception) -> Response:
    """The database is down or unreachable: 503 with Retry-After, a page (or the htmx fragment)
    that says so, instead of a 500. Renders nothing that needs the database."""
    current_app.logger.warning("database unavailable on %s %s: %s", request.method, request.path, error)
    retry = current_app.config.get("DATABASE_RETRY_AFTER", DATABASE_RETRY_AFTER)
    if request.accept_mimetypes.best == "text/event-stream" or request.headers.get("Accept") == "text/event-stream":
        response = Response("database unavailable\n", status=503, content_type="text/plain; charset=utf-8")
    else:
        response = await error_page(503, UNAVAILABLE_MESSAGE)
    response.headers["Retry-After"] = str(retry)
    return response


async def handle_unexpected(error: Exception) -> Response:
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return await error_page(500)


# ---------------------------------------------------------------- compression

COMPRESSIBLE = {"text/html", "text/css", "text/javascript", "application/javascript", "image/svg+xml",
                "text/csv", "text/calendar", "text/plain", "application/json"}


async def compress(response: Response) -> Response:
    """gzip text responses for clients that accept it: pages for phones on slow networks
    stay inside the 60 KB budget even without a compressing proxy in front.  Streams
    (server-sent events) and partial content are left alone."""
    if (
        response.status_code != 200
        or response.mimetype not in COMPRESSIBLE
        or "gzip" not in request.headers.get("Accept-Encoding", "").lower()
        or "Content-Encoding" in response.headers
        or "Content-Range" in response.headers
    ):
        return response
    data = await response.get_data()
    if len(data) < 512:
        return response
    response.set_data(gzip.compress(data, compresslevel=6))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response


# ---------------------------------------------------------------- language

LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


def chosen_locale() -> str:
    """`?lang=`, then the language cookie, then the logged-in user's profile, then Accept-Language."""
    user = g.get("user")
    return (i18n.normalize(request.args.get("lang"))
            or i18n.normalize(request.cookies.get(i18n.COOKIE))
            or (i18n.normalize(getattr(user, "locale", None)) if user else None)
            or i18n.from_accept_language(request.headers.get("Accept-Language"))
            or i18n.DEFAULT_LOCALE)


async def select_locale() -> None:
    """Before each request (after the user is loaded): the language of everything it renders."""
    g.locale = chosen_locale()
    i18n.set_locale(g.locale)


def set_language_cookie(response: Response, code: str) -> None:
    response.set_cookie(i18n.COOKIE, code, max_age=LANGUAGE_COOKIE_AGE, samesite="Lax", httponly=True,
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False))


async def language_headers(response: Response) -> Response:
    """Content-Language; pages vary by the cookie and Accept-Language; `?lang=` is remembered."""
    code = g.get("locale")
    if code and response.mimetype == "text/html":
        response.headers.setdefault("Content-Language", code)
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
        asked = i18n.normalize(request.args.get("lang"))
        if asked and asked != i18n.normalize(request.cookies.get(i18n.COOKIE)):
            set_language_cookie(response, asked)
    return response


def here_without_lang() -> str:
    """This page's path and query without `lang=` (and without `next=`, which the page would
    otherwise echo from any link), for the language switch to come back to."""
    if not has_request_context():
        return "/"
    query = [(k, v) for k, v in request.args.items(multi=True) if k not in ("lang", "next")]
    return request.path + ("?" + urlencode(query) if query else "")


async def health_report(app) -> tuple[int, str]:
    """/healthz's answer: one line per part, `name: state`; 200 when every part is working, 503
    naming the part that is not (for load balancers and people). The database must answer within
    1.5 s (probes arriving meanwhile share one ping)."""
    parts = {
        "database": "ok" if await app.db.ping_shared(timeout=1.5) else "unreachable",
        "events": app.broadcaster.health(),
        "mail": app.mail_sender.health(),
    }
    healthy = all(state in ("ok", "off") for state in parts.values())
    return (200 if healthy else 503), "".join(f"{name}: {state}\n" for name, state in parts.items())


class HealthCheck:
    """ASGI middleware answering `GET /healthz` before Quart: a load balancer's probe needs no
    session, CSRF or template, and under a flood of them the framework's per-request work was most
    of the cost (bench/healthz.py). The answer is `health_report`'s (the view `pages.views.healthz`
    gives the same when the middleware is not in front), with the same security headers as every
    other response."""

    HEADERS = [(b"content-type", b"text/plain; charset=utf-8"), (b"cache-control", b"no-store"),
               (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()), (b"x-content-type-options", b"nosniff"),
               (b"referrer-policy", b"same-origin"), (b"x-frame-options", b"DENY")]

    def __init__(self, app, report):
        self.app, self.report = app, report  # report(): health_report of the app, per probe

    def __call__(self, scope, receive, send):
        """The app's own awaitable for every other request: no frame of this middleware stays
        on the stack of a request (an open live stream lasts for hours)."""
        if scope["type"] != "http" or scope["path"] != "/healthz" or scope["method"] not in ("GET", "HEAD"):
            return self.app(scope, receive, send)
        return self._answer(scope, send)

    async def _answer(self, scope, send):
        status, text = await self.report()
        body = text.encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [*self.HEADERS, (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
