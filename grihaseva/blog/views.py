"""The blog: the list, one post with its live reaction bar, reacting, writing and publishing."""

from __future__ import annotations

from urllib.parse import urlencode

from quart import Blueprint, flash, render_template, request
from werkzeug.exceptions import BadRequest, Conflict, Forbidden, NotFound, TooManyRequests

from ..i18n import lazy_gettext
from .. import i18n
from ..i18n import gettext
from ..auth.access import requires_login, requires_role, the_user
from ..auth.accounts import ValidationError
from ..sse import event_watermark, page_event_id, sse_stream
from ..web import db, now, read_form, redirect_to, render, wants_partial
from . import posts, reactions

blueprint = Blueprint("blog", __name__)

BAR = "partials/blog/_reaction_bar.html"
NO_SUCH_POST = lazy_gettext("There is no such post on the blog. It may have been taken down.")


# ---------------------------------------------------------------- input parsing


def _page_number(value: str | None) -> int:
    if value in (None, ""):
        return 1
    if not (value.isascii() and value.isdigit()) or len(value) > 5 or int(value) < 1:
        raise BadRequest(gettext("That page number is not valid. Pages are numbered from 1."))
    return int(value)


def _category(value: str | None) -> str:
    if value in (None, "", "all"):
        return ""
    if value not in posts.CATEGORIES:
        raise BadRequest(gettext("There is no blog category by that name. Choose one from the list."))
    return value


async def _viewable_post(slug: str) -> posts.Post:
    """The post, if this reader may see it; drafts and pending posts are 404 except to their author and admins."""
    post = await posts.post_by_slug(db(), slug)
    if post is None or not posts.can_view(the_user(), post):
        raise NotFound(str(NO_SUCH_POST))
    return post


async def _editable_post(slug: str) -> posts.Post:
    post = await _viewable_post(slug)
    if not posts.can_edit(the_user(), post):
        raise Forbidden(gettext("Only the post's author or an admin can edit it."))
    await _check_writer()
    return post


async def _check_writer() -> None:
    """403 with a clear message for an unverified or suspended provider (admins always write)."""
    try:
        await posts.check_writer(db(), the_user())
    except posts.PostRefused as refused:
        raise _refused(refused) from None


def _refused(refused: posts.PostRefused):
    return {403: Forbidden, 404: NotFound, 409: Conflict}.get(refused.status, BadRequest)(refused.message)


# ---------------------------------------------------------------- reading


@blueprint.get("/blog")
async def index():
    """Published posts, newest first, ten a page, optionally one category; with reaction totals."""
    page = _page_number(request.args.get("page"))
    category = _category(request.args.get("category"))
    listed, pages = await posts.published_page(db(), page, category)
    # Past the last page: a 404 that still shows the list's frame and a link back to page 1.
    status = 404 if page > pages else 200
    user = the_user()
    unpublished = []
    if user is not None and user.role == "admin":
        unpublished = await db().fetch_all("select_unpublished_posts")
    elif user is not None and user.role == "provider":
        unpublished = [p for p in await db().fetch_all("select_author_posts", {"author_id": user.id})
                       if p["status"] != "published"]
    return await render("blog/index.html", posts=listed, page_number=page, pages=pages, category=category,
                        categories=posts.CATEGORIES, reactions=reactions.REACTIONS, unpublished=unpublished,
                        can_write=await posts.may_write(db(), user), status=status)


async def _bar_context(post: posts.Post, message: str | None = None) -> dict:
    user = the_user()
    bar = await reactions.reaction_bar(db(), post.id, user.id if user else None)
    return {"post": post, "bar": bar, "message": message}


@blueprint.get("/blog/<slug>")
async def show(slug: str):
    """One post and its reaction bar (live for every reader)."""
    watermark = event_watermark()  # before the bar is read: the stream opens from here
    post = await _viewable_post(slug)
    user = the_user()
    can_edit = posts.can_edit(user, post) and await posts.may_write(db(), user)  # no Edit button for a suspended author
    post_lang = i18n.text_language(f"{post.title} {post.summary} {post.body_md}")  # `lang` on a Hindi post in the English interface
    return await render("blog/post.html", can_edit=can_edit, post_lang=post_lang, **await _bar_context(post),
                        live_after=await page_event_id([reactions.topic(post.id)], watermark))


@blueprint.get("/blog/<slug>/live")
async def live(slug: str):
    """SSE for the reaction bar (topic post:<id>): counts for everyone, highlighting for this reader.

    One render per change is shared by every reader who has pressed the same emojis (most
    readers: none); a reader's own presses are followed from the events' payloads, so an
    event costs no query per reader.
    """
    post = await _viewable_post(slug)
    user = the_user()
    post = posts.PostLink(post.id, post.slug)  # all the bar needs: a stream holds no post body
    # The reader's presses now; a stream opened at the page's event id sends no snapshot to read
    # them (a press after this read has a newer id, so the stream then sends a snapshot that does).
    mine: set[str] = set(await reactions.reader_reactions(db(), post.id, user.id)) if user else set()

    def share(burst) -> str | None:
        if not burst and user is not None:
            return None  # a reader's snapshot reads their own presses
        for event in burst:
            if user is not None and event.kind == "reaction" and event.payload.get("user_id") == user.id:
                (mine.add if event.payload.get("on") else mine.discard)(event.payload.get("emoji"))
        return f"{post.id}:{'in' if user else 'out'}:{','.join(sorted(mine))}"

    async def fragment(event) -> str:
        if event is None:  # the snapshot, read after subscribing: later presses arrive as events
            mine.clear()
            mine.update(await reactions.reader_reactions(db(), post.id, user.id if user else None))
        bar = reactions.bar_items(await reactions.counts(db(), post.id), set(mine))
        return await render_template(BAR, live=True, post=post, bar=bar, message=None, user=user)

    # Unpublished or deleted while open: the stream ends and its reconnect gets the 404.
    return await sse_stream([reactions.topic(post.id)], fragment, "reactions", share=share,
                            recheck=lambda: _viewable_post(slug))


@blueprint.post("/blog/<slug>/react")
async def react(slug: str):
    """Toggle one emoji; htmx gets the new bar, a plain form a redirect back to the post."""
    post = await _viewable_post(slug)
    user = the_user()
    if user is None:  # log in, then come back to the post
        return redirect_to("/login?" + urlencode({"next": f"/blog/{post.slug}"}))
    form = await read_form()
    emoji = form.get("emoji", "")
    if emoji not in reactions.BY_CODE:
        raise BadRequest(gettext("Choose one of the reactions shown under the post."))
    if not post.is_published:
        raise Conflict(gettext("Reactions open once the post is published."))
    want = {"1": True, "0": False}.get(form.get("on", ""))
    try:
        await reactions.toggle(db(), post.id, user.id, emoji, now(), want)
    except reactions.TooManyReactions as refused:
        if not wants_partial():
            raise TooManyRequests(str(refused), retry_after=int(refused.wait.total_seconds()) + 1) from None
        response = await render(BAR, BAR, status=429, **await _bar_context(post, str(refused)))
        response.headers["Retry-After"] = str(int(refused.wait.total_seconds()) + 1)
        return response
    if wants_partial():
        return await render(BAR, BAR, **await _bar_context(post))
    return redirect_to(f"/blog/{post.slug}#reactions")


# ---------------------------------------------------------------- writing


def _editor_context(form, errors, post=None, status=200) -> dict:
    return {"form": form, "errors": errors, "post": post, "categories": posts.CATEGORIES, "status": status}


@blueprint.get("/blog/new")
@requires_role("admin", "provider")
async def new():
    """The form for a new post."""
    await _check_writer()
    return await render("blog/edit.html", **_editor_context({}, {}))


@blueprint.post("/blog/new")
@requires_role("admin", "provider")
async def create():
    """Save a new post: an admin's as a draft or published, a provider's for review."""
    form = await read_form()
    user = the_user()
    try:
        post = await posts.create_post(db(), user, form, now(), publish=form.get("action") == "publish")
    except ValidationError as error:
        return await render("blog/edit.html", **_editor_context(form, error.errors, status=422))
    except posts.PostRefused as refused:
        raise _refused(refused) from None
    await flash(_saved_message(post), "success")
    return redirect_to(f"/blog/{post.slug}")


def _saved_message(post: posts.Post) -> str:
    return {
        "published": gettext("Saved. The post is published."),
        "pending": gettext("Saved. The post is waiting for an admin's review; readers see it once it is published."),
        "draft": gettext("Saved as a draft. Readers do not see it until an admin publishes it."),
    }[post.status]


@blueprint.get("/blog/<slug>/edit")
@requires_login
async def edit(slug: str):
    """The form to change a post (its author or an admin)."""
    post = await _editable_post(slug)
    form = {"title": post.title, "summary": post.summary, "body_md": post.body_md, "category": post.category}
    return await render("blog/edit.html", **_editor_context(form, {}, post))


@blueprint.post("/blog/<slug>/edit")
@requires_login
async def update(slug: str):
    """Save changes to a post."""
    post = await _editable_post(slug)
    form = await read_form()
    try:
        post = await posts.edit_post(db(), the_user(), post, form, now())
    except ValidationError as error:
        return await render("blog/edit.html", **_editor_context(form, error.errors, post, status=422))
    except posts.PostRefused as refused:
        raise _refused(refused) from None
    await flash(_saved_message(post), "success")
    return redirect_to(f"/blog/{post.slug}")


@blueprint.post("/blog/<slug>/publish")
@requires_role("admin")
async def publish(slug: str):
    """Publish a draft or a provider's pending post."""
    post = await _viewable_post(slug)
    try:
        await posts.publish_post(db(), the_user(), post, now())
    except posts.PostRefused as refused:
        raise _refused(refused) from None
    await flash(gettext("Published. Readers can see the post now."), "success")
    return redirect_to(f"/blog/{post.slug}")


@blueprint.post("/blog/<slug>/unpublish")
@requires_role("admin")
async def unpublish(slug: str):
    """Take a post off the blog (it becomes a draft)."""
    post = await _viewable_post(slug)
    try:
        await posts.unpublish_post(db(), the_user(), post, now())
    except posts.PostRefused as refused:
        raise _refused(refused) from None
    await flash(gettext("Unpublished. The post is a draft again; readers no longer see it."), "info")
    return redirect_to(f"/blog/{post.slug}")


@blueprint.app_template_filter("post_status")
def _post_status(status: str) -> str:
    from .. import i18n

    return str({"draft": i18n.lazy_gettext("draft"), "pending": i18n.lazy_gettext("waiting for review"),
                "published": i18n.lazy_gettext("published")}.get(status, status))


@blueprint.app_template_filter("post_date")
def _post_date(moment) -> str:
    from zoneinfo import ZoneInfo

    from .. import i18n

    if moment is None:
        return ""
    return i18n.date_label(moment.astimezone(ZoneInfo("Asia/Kolkata")).date())
