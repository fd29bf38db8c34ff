"""Blog posts: writing, editing, publishing, and the Markdown that becomes safe HTML.

Markdown is rendered by Python-Markdown with its raw-HTML handling switched off (so
`<script>` typed into a post is shown as text), and the result is then sanitised by
nh3 (ammonia) with an allow-list of tags, attributes and URL schemes.  The sanitised
HTML is stored at save time in `body_html`; pages print it as is.

Who may do what: admins write, edit, publish and unpublish any post (publishing and
unpublishing write an audit row); verified providers who are not suspended write posts
that wait (status 'pending') for an admin to publish them, and edit only their own.
Every save by a provider sends the post (back) for review, whatever its state: a
published post leaves the blog until an admin publishes it again, and a post an admin
unpublished (a draft) goes back into the review queue.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

import markdown

from .. import audit
from ..i18n import gettext, lazy_gettext
from ..auth.accounts import ValidationError
from ..db import Database, IntegrityError
from ..events import ACCESS_CHANGED, publish
from ..markup import clean_html
from ..refusal import Refused

CATEGORIES = {
    "diy": lazy_gettext("DIY tips"),
    "home_improvement": lazy_gettext("Home improvement"),
    "service_reviews": lazy_gettext("Service reviews"),
}
STATUSES = ("draft", "pending", "published")
WRITER_ROLES = ("admin", "provider")

TITLE_MAX, SUMMARY_MAX, BODY_MAX, SLUG_MAX = 150, 300, 40_000, 120



class PostRefused(Refused):
    """The reader may not do this to this post; `status` is the HTTP status to answer with."""


@dataclass(frozen=True)
class PostLink:
    """What a live reaction bar needs of its post (and no more: thousands may be open)."""
    id: int
    slug: str


@dataclass(frozen=True)
class Post:
    id: int
    author_id: int
    author_name: str
    slug: str
    title: str
    summary: str
    body_md: str
    body_html: str
    category: str
    status: str
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> "Post":
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})

    @property
    def category_name(self) -> str:
        return str(CATEGORIES[self.category])

    @property
    def is_published(self) -> bool:
        return self.status == "published"


# ---------------------------------------------------------------- rendering


def render_markdown(text: str) -> str:
    """Markdown -> HTML with raw HTML escaped, then sanitised by nh3's allow-list."""
    converter = markdown.Markdown(extensions=["fenced_code", "tables", "sane_lists"], output_format="html")
    # No raw HTML from authors: without these two steps Markdown passes `<tag>` through as is.
    converter.preprocessors.deregister("html_block")
    converter.inlinePatterns.deregister("html")
    html = converter.convert(text)
    return clean_html(html)


def slugify(title: str) -> str:
    """`Monsoon home-care: a checklist!` -> `monsoon-home-care-a-checklist`; a title with no Latin
    letters keeps its own script: `गृह सेवा के टिप्स` -> `गृह-सेवा-के-टिप्स` (letters, marks and
    digits kept, so Indic vowel signs and viramas stay)."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    if not re.search(r"[a-z]", slug):
        kept = "".join(ch if unicodedata.category(ch)[0] in "LMN" else "-"
                       for ch in unicodedata.normalize("NFC", title).lower())
        slug = re.sub(r"-+", "-", kept).strip("-") or slug
    slug = slug[:SLUG_MAX - 8].rstrip("-")  # room for a "-NN" suffix
    return slug or "post"


RESERVED_SLUGS = {"new"}  # /blog/new is the form for a new post


async def unique_slug(db, title: str) -> str:
    base = slugify(title)
    candidate, number = base, 1
    while candidate in RESERVED_SLUGS or await db.fetch_value("select_post_id_by_slug", {"slug": candidate}) is not None:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


# ---------------------------------------------------------------- validation


def clean_post_form(form: Mapping[str, str]) -> dict[str, str]:
    """The post's fields, trimmed and checked; raises ValidationError with a message per field."""
    title = " ".join((form.get("title") or "").split())
    summary = " ".join((form.get("summary") or "").split())
    body = (form.get("body_md") or "").replace("\r\n", "\n").strip()
    category = (form.get("category") or "").strip()
    errors = {}
    if len(title) < 5:
        errors["title"] = gettext("Give the post a title of at least 5 characters.")
    elif len(title) > TITLE_MAX:
        errors["title"] = gettext("Keep the title to %(max)s characters or fewer.", max=TITLE_MAX)
    if len(summary) < 10:
        errors["summary"] = gettext("Write a summary of at least 10 characters; it shows on the blog's list.")
    elif len(summary) > SUMMARY_MAX:
        errors["summary"] = gettext("Keep the summary to %(max)s characters or fewer.", max=SUMMARY_MAX)
    if len(body) < 20:
        errors["body_md"] = gettext("Write at least 20 characters in the post.")
    elif len(body) > BODY_MAX:
        errors["body_md"] = gettext("Keep the post to %(max)s characters or fewer.", max=f"{BODY_MAX:,}")
    if category not in CATEGORIES:
        errors["category"] = gettext("Choose a category.")
    if errors:
        raise ValidationError(errors)
    return {"title": title, "summary": summary, "body_md": body, "category": category}


# ---------------------------------------------------------------- reading


async def post_by_slug(db: Database, slug: str) -> Post | None:
    if len(slug) > SLUG_MAX:
        return None
    row = await db.fetch_one("select_post_by_slug", {"slug": slug})
    return Post.from_row(row) if row else None


def can_edit(user, post: Post) -> bool:
    return user is not None and (user.role == "admin" or (user.role in WRITER_ROLES and user.id == post.author_id))


def can_view(user, post: Post) -> bool:
    """Published posts are public; drafts and pending posts only for their author and admins."""
    return post.is_published or can_edit(user, post)


# ---------------------------------------------------------------- writing


NOT_A_WRITER = lazy_gettext("Only GrihaSeva's team and verified professionals write blog posts.")


async def may_write(db: Database, user) -> bool:
    """Admins, and providers whose profile is verified and not suspended."""
    if user is None or user.role not in WRITER_ROLES:
        return False
    if user.role == "admin":
        return True
    profile = await db.fetch_one("admin_select_provider", {"id": user.id})
    return profile is not None and bool(profile["verified"]) and profile["suspended_at"] is None


async def check_writer(db: Database, user) -> None:
    """PostRefused 403 unless `user` may write (or edit) blog posts."""
    if not await may_write(db, user):
        raise PostRefused(str(NOT_A_WRITER), 403)


async def create_post(db: Database, author, form: Mapping[str, str], now: datetime, publish: bool = False) -> Post:
    """A new post: an admin's is a draft or (publish=True) published; a provider's waits for review."""
    await check_writer(db, author)
    fields = clean_post_form(form)
    if author.role == "admin":
        status = "published" if publish else "draft"
    else:
        status = "pending"
    values = {**fields, "body_html": render_markdown(fields["body_md"]), "author_id": author.id, "status": status,
              "published_at": now if status == "published" else None, "now": now}
    for _ in range(5):  # another post can take the same slug between the check and the insert
        slug = await unique_slug(db, fields["title"])
        try:
            await db.execute("insert_post", {**values, "slug": slug})
        except IntegrityError:
            continue
        return await post_by_slug(db, slug)
    raise PostRefused(gettext("Another post with the same title was saved at the same moment. Please try again."), 409)


async def edit_post(db: Database, editor, post: Post, form: Mapping[str, str], now: datetime) -> Post:
    """Change a post's text; the slug stays, so links keep working."""
    if not can_edit(editor, post):
        raise PostRefused(gettext("Only the post's author or an admin can edit it."), 403)
    await check_writer(db, editor)
    fields = clean_post_form(form)
    status = post.status
    if editor.role != "admin":
        # A provider's save is always sent for review: a published post leaves the blog until an
        # admin publishes the change, and a draft (one an admin unpublished) goes back into the queue.
        status = "pending"
    await db.execute("update_post", {**fields, "body_html": render_markdown(fields["body_md"]),
                                     "status": status, "id": post.id, "now": now})
    return await post_by_slug(db, post.slug)


async def publish_post(db: Database, editor, post: Post, now: datetime) -> None:
    """An admin publishes the post; the change and its audit row commit together."""
    if editor is None or editor.role != "admin":
        raise PostRefused(gettext("Only an admin can publish a post."), 403)
    async with db.transaction() as tx:
        await tx.execute("publish_post", {"id": post.id, "now": now})
        await audit.record(tx, editor.id, "post.publish", "post", post.id,
                           f"Published the blog post “{post.title}” by {post.author_name} (/blog/{post.slug})", now)


async def unpublish_post(db: Database, editor, post: Post, now: datetime) -> None:
    """An admin takes the post off the blog (a draft again); the change and its audit row commit together."""
    if editor is None or editor.role != "admin":
        raise PostRefused(gettext("Only an admin can unpublish a post."), 403)
    async with db.transaction() as tx:
        await tx.execute("unpublish_post", {"id": post.id, "now": now})
        # Open reaction streams re-check at once: readers no longer see the post.
        await publish(tx, f"post:{post.id}", ACCESS_CHANGED, {"post_id": post.id}, now)
        await audit.record(tx, editor.id, "post.unpublish", "post", post.id,
                           f"Unpublished the blog post “{post.title}” by {post.author_name} (/blog/{post.slug})", now)


# ---------------------------------------------------------------- listing


PAGE_SIZE = 10


async def published_page(db: Database, page: int, category: str = "") -> tuple[list[dict], int]:
    """One page of published posts (newest first), each with `reactions` {emoji: count}; and the page count."""
    params = {"category": category, "limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE}
    rows = await db.fetch_all("select_published_posts", params)
    counts: dict[int, dict[str, int]] = {}
    for row in await db.fetch_all("select_page_reaction_counts", params):
        counts.setdefault(row["post_id"], {})[row["emoji"]] = int(row["n"])
    total = int(await db.fetch_value("count_published_posts", {"category": category}) or 0)
    posts = [{**row, "reactions": counts.get(row["id"], {})} for row in rows]
    return posts, max(1, -(-total // PAGE_SIZE))
