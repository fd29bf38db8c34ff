"""The landing page and the health check."""

from __future__ import annotations

from quart import Blueprint, Response, current_app

from ..web import render

blueprint = Blueprint("pages", __name__)


@blueprint.get("/")
async def index():
    """The landing page: what we offer."""
    return await render("index.html", categories=await current_app.db.fetch_all("select_categories"))


@blueprint.get("/healthz")
async def healthz():
    """One line per part, `name: state`: 200 when every part is working, 503 naming the part that
    is not (for load balancers and people). The database must answer within 1.5 s."""
    app = current_app
    parts = {
        "database": "ok" if await app.db.ping(timeout=1.5) else "unreachable",
        "events": app.broadcaster.health(),
        "mail": app.mail_sender.health(),
    }
    healthy = all(state in ("ok", "off") for state in parts.values())
    body = "".join(f"{name}: {state}\n" for name, state in parts.items())
    return Response(body, status=200 if healthy else 503, content_type="text/plain")
