"""The chatbot over HTTP: the /chat page (works without JavaScript), the message
endpoint htmx posts to from the widget on every page, and the log the widget loads."""

from __future__ import annotations

import hashlib
import math
import secrets
from datetime import timedelta

from quart import Blueprint, current_app, render_template, request
from werkzeug.exceptions import BadRequest, NotFound

from .. import ratelimit
from ..i18n import gettext, lazy_gettext
from ..auth.access import the_user
from ..sse import event_watermark, page_event_id, sse_stream
from ..support.requests import chat_topic, open_request_in
from ..web import db, now, read_form, redirect_to, render, wants_partial
from . import conversation as talk
from . import storage

blueprint = Blueprint("chat", __name__)

COOKIE = "grihaseva_chat"
COOKIE_AGE = timedelta(days=30)
MAX_MESSAGE = 1000
CHAT_LIMIT = ratelimit.Limit("chat", 20, timedelta(minutes=1))

TOO_LONG = lazy_gettext("That message is too long. Please keep it under 1,000 characters.")
EMPTY = lazy_gettext("Type a message first.")


def _visitor_cookie() -> str | None:
    raw = request.cookies.get(COOKIE, "")
    return raw if 20 <= len(raw) <= 100 else None


def _visitor_key(raw: str | None) -> str | None:
    return hashlib.sha256(raw.encode()).hexdigest() if raw else None


async def _current() -> storage.Conversation:
    """This user's or visitor's conversation; a visitor's becomes the user's at the first request after login."""
    user = the_user()
    key = _visitor_key(_visitor_cookie())
    if user is not None:
        await talk.attach_visitor_conversation(db(), user, key, now())
    found = await storage.find_conversation(db(), user.id if user else None, key)
    return found or storage.Conversation(None, user.id if user else None, {})


async def _page(status: int = 200, error: str | None = None, draft: str = ""):
    watermark = event_watermark()
    current = await _current()
    messages = await storage.history(db(), current)
    after = await page_event_id([chat_topic(current.id)], watermark) if current.id else None
    return await render("chatbot/chat.html", status=status, messages=messages, welcome=talk.welcome(),
                        error=error, draft=draft[:MAX_MESSAGE], live_after=after)


async def _refuse(status: int, message: str, draft: str = ""):
    if wants_partial():
        return await render("partials/chat/_notice.html", "partials/chat/_notice.html", status=status, message=message)
    return await _page(status, message, draft)


@blueprint.get("/chat")
async def chat_page():
    """The whole conversation and a plain form: the chat without JavaScript."""
    return await _page()


@blueprint.get("/chat/log")
async def chat_log():
    """The conversation so far, for the widget when it opens."""
    if not wants_partial():
        return redirect_to("/chat")
    watermark = event_watermark()
    current = await _current()
    messages = await storage.history(db(), current)
    return await render("partials/chat/_widget_log.html", "partials/chat/_widget_log.html", messages=messages,
                        welcome=talk.welcome(), live_after=await _widget_live_after(current.id, watermark))


async def _widget_live_after(conversation_id: int | None, watermark: int) -> int | None:
    """The event id the widget's listener opens at, while the conversation waits for support; else None
    (no stream held for nothing)."""
    if conversation_id is None or not await open_request_in(db(), conversation_id):
        return None
    return await page_event_id([chat_topic(conversation_id)], watermark)


def _from_the_chat_page() -> bool:
    """An htmx post from /chat itself (live already), not from the widget on another page."""
    from urllib.parse import urlsplit

    return urlsplit(request.headers.get("HX-Current-URL", "")).path == "/chat"


@blueprint.get("/chat/live")
async def chat_live():
    """SSE for this conversation (topic chat:<id>): the whole log again when support answers in it."""
    current = await _current()
    if current.id is None:
        raise NotFound(gettext("There is no conversation yet."))
    conversation_id = current.id

    async def fragment(_event) -> str:
        messages = await storage.history(db(), storage.Conversation(conversation_id, None, {}))
        return await render_template("partials/chat/_log.html", messages=messages, welcome=talk.welcome())

    return await sse_stream([chat_topic(conversation_id)], fragment, "chat")


@blueprint.post("/chat/message")
async def chat_message():
    """One message from the customer: the reply fragment for htmx, or back to /chat."""
    form = await read_form()
    text = (form.get("message") or "").strip()
    if not text:
        return await _refuse(422, str(EMPTY))
    if len(text) > MAX_MESSAGE:
        return await _refuse(422, str(TOO_LONG), text)
    client = request.remote_addr or "unknown"
    _, wait = await ratelimit.take_hit(db(), CHAT_LIMIT, client, now())  # counted first: a burst can't slip under
    if wait is not None:
        response = await _refuse(429, gettext("You are sending messages very quickly. Please wait %(wait)s and try again.",
                                              wait=ratelimit.minutes_text(wait)), text)
        response.headers["Retry-After"] = str(math.ceil(wait.total_seconds()))
        return response

    user = the_user()
    raw_cookie = _visitor_cookie()
    new_cookie = None
    if user is None and raw_cookie is None:
        raw_cookie = new_cookie = secrets.token_urlsafe(32)
    key = _visitor_key(raw_cookie)
    current = await _current() if new_cookie is None else storage.Conversation(None, None, {})
    if current.id is None:
        current = await storage.start_conversation(db(), user.id if user else None, key, now())
    try:
        bot, state = await talk.reply(db(), current.state, user, text, now(), current.id)
    except (ValueError, OverflowError) as error:  # e.g. a date the calendar cannot hold
        raise BadRequest(gettext("Sorry, I could not read that. Please rephrase it.")) from error
    conversation_id = await storage.record_exchange(db(), current, user.id if user else None, key, text, bot,
                                                    state, now())

    if wants_partial():
        in_widget = not _from_the_chat_page()
        live_after = await _widget_live_after(conversation_id, event_watermark()) if in_widget else None
        response = await render("partials/chat/_exchange.html", "partials/chat/_exchange.html",
                                said=text, bot=bot, in_widget=in_widget, live_after=live_after)
    else:
        response = redirect_to("/chat#chat-end")
    if new_cookie:
        response.set_cookie(COOKIE, new_cookie, max_age=int(COOKIE_AGE.total_seconds()), httponly=True,
                            samesite="Lax", secure=not current_app.settings.development, path="/")
    return response
