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
    """200 when the database answers within 1.5 s, 503 otherwise (for load balancers)."""
    if await current_app.db.ping(timeout=1.5):
        return Response("ok\n", status=200, content_type="text/plain")
    return Response("database unreachable\n", status=503, content_type="text/plain")

