"""/dev/mail: the outbox as a page, so a person trying the app can click the links
in mail that was only written to the log.  Registered in development mode only."""

from __future__ import annotations

from quart import Blueprint

from ..mail import rendered
from ..web import db, render

blueprint = Blueprint("dev_mail", __name__)

RECENT = 50


@blueprint.get("/dev/mail")
async def recent_mail():
    """The newest mail in the outbox, with its text and clickable links."""
    mails = [rendered(row) for row in await db().fetch_all("select_recent_mail", {"limit": RECENT})]
    return await render("dev/mail.html", mails=mails)
