"""The landing page and the health check."""

from __future__ import annotations

from quart import Blueprint, Response, current_app, g
from werkzeug.exceptions import BadRequest

from .. import i18n
from ..auth.accounts import set_locale
from ..web import health_report, read_form, redirect_to, render, safe_next, set_language_cookie

blueprint = Blueprint("pages", __name__)


@blueprint.get("/")
async def index():
    """The landing page: what we offer."""
    return await render("index.html", categories=await current_app.db.fetch_all("select_categories"))


@blueprint.get("/healthz")
async def healthz():
    """`web.health_report` (the `web.HealthCheck` middleware answers /healthz before Quart; this
    view gives the same answer where the middleware is not in front)."""
    status, body = await health_report(current_app)
    return Response(body, status=status, content_type="text/plain")


@blueprint.post("/language")
async def choose_language():
    """The language switch: a cookie for everyone and, when logged in, the profile (so mail follows)."""
    form = await read_form()
    code = i18n.normalize(form.get("lang"))
    if code is None:
        raise BadRequest(i18n.gettext("Choose one of the languages offered."))
    user = g.get("user")
    if user is not None and user.locale != code:
        await set_locale(current_app.db, user.id, code)
    i18n.set_locale(code)  # the flash and the redirect's page speak the new language
    g.locale = code
    response = redirect_to(safe_next(form.get("next"), "/"))
    set_language_cookie(response, code)
    return response

