"""The admins' support queue at /admin/support: live over SSE (topic `support`), answered in place."""

from __future__ import annotations

from quart import Blueprint, flash, render_template
from werkzeug.exceptions import Conflict, NotFound

from ..auth.access import requires_role, the_user
from ..i18n import gettext
from ..sse import event_watermark, page_event_id, sse_stream
from ..web import db, now, read_form, redirect_to, render
from . import requests

blueprint = Blueprint("support", __name__)

QUEUE = "partials/support/_queue.html"


async def _context(errors: dict | None = None, drafts: dict | None = None) -> dict:
    return {"rows": await requests.queue(db(), now()), "errors": errors or {}, "drafts": drafts or {}}


@blueprint.get("/admin/support")
@requires_role("admin")
async def queue_page():
    """Open support requests (oldest first) with an answer form each, and the week's answered ones; live."""
    watermark = event_watermark()
    context = await _context()
    after = await page_event_id([requests.QUEUE_TOPIC], watermark)
    return await render("support/queue.html", QUEUE, after=after, **context)


@blueprint.get("/admin/support/live")
@requires_role("admin")
async def queue_live():
    """SSE for the queue: re-rendered from the database when a request is opened or answered."""
    async def fragment(_event) -> str:
        return await render_template(QUEUE, **await _context())

    return await sse_stream([requests.QUEUE_TOPIC], fragment, "support")


@blueprint.post("/admin/support/<int:request_id>/answer")
@requires_role("admin")
async def answer(request_id: int):
    """An admin's answer: into the customer's chat (live) and mail; 422 for an empty or over-long one."""
    form = await read_form()
    text = form.get("answer", "")
    try:
        await requests.answer_request(db(), the_user(), request_id, text, now())
    except requests.SupportRefused as refused:
        if refused.status == 404:
            raise NotFound(refused.message) from None
        if refused.status == 409:
            raise Conflict(refused.message) from None
        context = await _context({request_id: refused.message}, {request_id: text[:requests.MAX_ANSWER + 100]})
        return await render("support/queue.html", QUEUE, status=refused.status, after=None, **context)
    await flash(gettext("Answer sent to the customer."), "success")
    return redirect_to("/admin/support")
