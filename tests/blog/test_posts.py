"""Posts: Markdown becomes sanitised HTML, slugs are unique, and each role's rights to write."""

from __future__ import annotations

import pytest

from grihaseva.auth.accounts import ValidationError
from grihaseva.blog import posts
from grihaseva import markup as sanitiser
from tests.blog.conftest import NOW, Markup, make_user

NASTY = [
    ("script tag", "<script>alert('x')</script>"),
    ("script in a paragraph", "Hello <script src=https://evil.example/x.js></script> there"),
    ("onerror attribute", '<img src="x" onerror="alert(1)">'),
    ("onclick attribute", '<a href="https://example.com" onclick="steal()">link</a>'),
    ("javascript link", "[click me](javascript:alert(document.cookie))"),
    ("mixed-case javascript link", "[click me](JaVaScRiPt:alert(1))"),
    ("javascript link with entity", "[click me](jav&#x61;script:alert(1))"),
    ("data link", "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"),
    ("iframe", '<iframe src="https://evil.example"></iframe>'),
    ("raw html block", '<div class="x" style="color:red">\n<b onmouseover="x()">raw</b>\n</div>'),
    ("image with javascript src", "![pic](javascript:alert(1))"),
    ("svg", "<svg><script>alert(1)</script></svg>"),
]


def assert_safe(html: str) -> None:
    markup = Markup(html)
    for tag, attrs in markup.tags:
        assert tag in sanitiser.ALLOWED_TAGS, f"<{tag}> reached the page"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"{name} reached the page"
            assert name in {"href", "title", "src", "alt", "rel", "start"}, f"attribute {name} reached the page"
            if name in ("href", "src"):
                assert value.split(":", 1)[0].lower() in ("http", "https", "mailto") or value.startswith("/"), value


@pytest.mark.parametrize(("case", "source"), NASTY, ids=[case for case, _ in NASTY])
def test_dangerous_markdown_never_becomes_live_html(case, source):
    html = posts.render_markdown(source)
    assert_safe(html)
    assert "<script" not in html and "<iframe" not in html and "javascript:" not in html.lower()


def test_raw_html_in_markdown_is_shown_as_text_not_markup():
    html = posts.render_markdown("Hello <b>there</b>")
    assert html == "<p>Hello &lt;b&gt;there&lt;/b&gt;</p>"


def test_markdown_formatting_survives_and_links_get_nofollow():
    html = posts.render_markdown("## Tools\n\n- **spanner**\n- *tape*\n\n[Book](https://grihaseva.example/services) "
                                 "or [mail us](mailto:help@grihaseva.example) or [services](/services)")
    assert "<h2>Tools</h2>" in html
    assert "<li><strong>spanner</strong></li>" in html and "<li><em>tape</em></li>" in html
    links = Markup(html).named("a")
    assert [a["href"] for a in links] == ["https://grihaseva.example/services", "mailto:help@grihaseva.example", "/services"]
    assert {a["rel"] for a in links} == {"nofollow noopener"}


def test_javascript_link_keeps_its_text_but_loses_its_address():
    html = posts.render_markdown("[click me](javascript:alert(1))")
    assert Markup(html).named("a") == [{"rel": "nofollow noopener"}]
    assert "click me" in html


@pytest.mark.parametrize(("title", "slug"), [
    ("Fix a leaking tap", "fix-a-leaking-tap"),
    ("  Monsoon home-care: a checklist!  ", "monsoon-home-care-a-checklist"),
    ("Café crème & more", "cafe-creme-more"),
    ("बारिश", "बारिश"),
    ("गृह सेवा के टिप्स: नल की मरम्मत!", "गृह-सेवा-के-टिप्स-नल-की-मरम्मत"),  # vowel signs and viramas kept
    ("新しい記事", "新しい記事"),
    ("Geyser की सफ़ाई", "geyser"),  # Latin letters: the ASCII address, as before
    ("😀😀 -----", "post"),
])
def test_slug_is_made_from_the_title(title, slug):
    assert posts.slugify(title) == slug


@pytest.mark.parametrize(("field", "value", "message"), [
    ("title", "Hi", "at least 5 characters"),
    ("title", "x" * 151, "150 characters or fewer"),
    ("summary", "short", "at least 10 characters"),
    ("body_md", "too short", "at least 20 characters"),
    ("body_md", "x" * 40_001, "40,000 characters or fewer"),
    ("category", "gossip", "Choose a category"),
])
def test_invalid_post_fields_are_refused_with_a_message(field, value, message):
    form = {"title": "A good title", "summary": "A summary that is long enough.",
            "body_md": "A body that is comfortably long enough.", "category": "diy", field: value}
    with pytest.raises(ValidationError) as refused:
        posts.clean_post_form(form)
    assert list(refused.value.errors) == [field]
    assert message in refused.value.errors[field]


FORM = {"title": "Unclog a kitchen sink", "summary": "Baking soda, vinegar and a plunger, in that order.",
        "body_md": "First, remove standing water. Then pour half a cup of baking soda.", "category": "diy"}


async def test_posts_with_the_same_title_get_distinct_slugs(db):
    admin = await make_user(db, "boss@example.com", "admin")
    first = await posts.create_post(db, admin, FORM, NOW, publish=True)
    second = await posts.create_post(db, admin, FORM, NOW, publish=True)
    assert (first.slug, second.slug) == ("unclog-a-kitchen-sink", "unclog-a-kitchen-sink-2")


async def test_a_post_titled_new_does_not_take_the_address_of_the_new_post_form(db):
    admin = await make_user(db, "boss@example.com", "admin")
    post = await posts.create_post(db, admin, {**FORM, "title": "New!!!"}, NOW, publish=True)
    assert post.slug == "new-2"  # /blog/new is the form for writing a post, so a post there could never be read


async def test_admin_posts_are_drafts_or_published_and_provider_posts_wait_for_review(db):
    admin = await make_user(db, "boss@example.com", "admin")
    provider = await make_user(db, "pro@example.com", "provider")
    draft = await posts.create_post(db, admin, FORM, NOW)
    published = await posts.create_post(db, admin, FORM, NOW, publish=True)
    pending = await posts.create_post(db, provider, FORM, NOW, publish=True)  # a provider can't publish
    assert (draft.status, draft.published_at) == ("draft", None)
    assert (published.status, published.published_at) == ("published", NOW)
    assert (pending.status, pending.published_at) == ("pending", None)
    assert "<p>First, remove standing water." in pending.body_html


async def test_a_customer_cannot_write_a_post(db):
    customer = await make_user(db, "reader@example.com", "customer")
    with pytest.raises(posts.PostRefused) as refused:
        await posts.create_post(db, customer, FORM, NOW)
    assert refused.value.status == 403


async def test_a_providers_edit_of_a_published_post_goes_back_to_review(db):
    admin = await make_user(db, "boss@example.com", "admin")
    provider = await make_user(db, "pro@example.com", "provider")
    post = await posts.create_post(db, provider, FORM, NOW)
    await posts.publish_post(db, admin, post, NOW)
    post = await posts.post_by_slug(db, post.slug)
    edited = await posts.edit_post(db, provider, post, {**FORM, "body_md": "Changed text <script>x</script> here."}, NOW)
    assert edited.status == "pending"
    assert edited.body_html == "<p>Changed text &lt;script&gt;x&lt;/script&gt; here.</p>"
    assert edited.slug == post.slug


async def test_a_providers_save_of_a_draft_an_admin_unpublished_goes_back_to_review(db):
    admin = await make_user(db, "boss@example.com", "admin")
    provider = await make_user(db, "pro@example.com", "provider")
    post = await posts.create_post(db, provider, FORM, NOW)
    await posts.publish_post(db, admin, post, NOW)
    await posts.unpublish_post(db, admin, await posts.post_by_slug(db, post.slug), NOW)
    draft = await posts.post_by_slug(db, post.slug)
    assert draft.status == "draft"
    edited = await posts.edit_post(db, provider, draft, {**FORM, "summary": "Mopping first, then the drains."}, NOW)
    assert edited.status == "pending"
    queue = await db.fetch_all("admin_select_pending_posts")
    assert [row["slug"] for row in queue] == [post.slug]
    again = await posts.edit_post(db, admin, edited, FORM, NOW)  # an admin's edit leaves the status alone
    assert again.status == "pending"


async def suspend(db, user) -> None:
    await db.execute("UPDATE providers SET suspended_at = :now WHERE user_id = :id", {"now": NOW, "id": user.id})


async def test_only_verified_providers_who_are_not_suspended_write_or_edit_posts(db):
    admin = await make_user(db, "boss@example.com", "admin")
    unverified = await make_user(db, "new@example.com", "provider", verified=False)
    suspended = await make_user(db, "gone@example.com", "provider")
    own = await posts.create_post(db, suspended, FORM, NOW)  # written before the suspension
    await suspend(db, suspended)
    for writer in (unverified, suspended):
        assert not await posts.may_write(db, writer)
        with pytest.raises(posts.PostRefused) as refused:
            await posts.create_post(db, writer, {**FORM, "title": "Written while not allowed"}, NOW)
        assert (refused.value.status, refused.value.message) == (403, posts.NOT_A_WRITER)
    with pytest.raises(posts.PostRefused) as refused:
        await posts.edit_post(db, suspended, own, {**FORM, "title": "Changed while suspended"}, NOW)
    assert refused.value.status == 403
    assert (await posts.post_by_slug(db, own.slug)).title == FORM["title"]
    assert await db.fetch_value("SELECT COUNT(*) AS n FROM posts") == 1
    assert await posts.may_write(db, admin)
    await posts.edit_post(db, admin, own, {**FORM, "title": "Fixed by the team"}, NOW)  # admins still edit it
    assert (await posts.post_by_slug(db, own.slug)).title == "Fixed by the team"


async def test_publishing_and_unpublishing_write_audit_rows(db):
    admin = await make_user(db, "boss@example.com", "admin")
    provider = await make_user(db, "pro@example.com", "provider")
    post = await posts.create_post(db, provider, FORM, NOW)
    await posts.publish_post(db, admin, post, NOW)
    await posts.unpublish_post(db, admin, await posts.post_by_slug(db, post.slug), NOW)
    rows = await db.fetch_all("SELECT admin_id, action, subject_type, subject_id, detail FROM audit_log ORDER BY id")
    assert [(r["admin_id"], r["action"], r["subject_type"], r["subject_id"]) for r in rows] == [
        (admin.id, "post.publish", "post", post.id), (admin.id, "post.unpublish", "post", post.id)]
    assert all(FORM["title"] in r["detail"] for r in rows)


async def test_a_refused_publish_writes_no_audit_row_and_changes_nothing(db):
    provider = await make_user(db, "pro@example.com", "provider")
    post = await posts.create_post(db, provider, FORM, NOW)
    with pytest.raises(posts.PostRefused):
        await posts.publish_post(db, provider, post, NOW)
    assert (await posts.post_by_slug(db, post.slug)).status == "pending"
    assert await db.fetch_value("SELECT COUNT(*) AS n FROM audit_log") == 0


async def test_only_the_author_or_an_admin_can_edit(db):
    admin = await make_user(db, "boss@example.com", "admin")
    author = await make_user(db, "pro@example.com", "provider")
    other = await make_user(db, "pro2@example.com", "provider")
    post = await posts.create_post(db, author, FORM, NOW)
    assert posts.can_edit(author, post) and posts.can_edit(admin, post)
    with pytest.raises(posts.PostRefused) as refused:
        await posts.edit_post(db, other, post, FORM, NOW)
    assert refused.value.status == 403
    with pytest.raises(posts.PostRefused):
        await posts.publish_post(db, author, post, NOW)


async def test_demo_posts_are_seeded_once_published_by_the_admin(db, settings):
    from grihaseva.blog.demo_posts import POSTS
    from grihaseva.demo.seed import seed_demo

    await seed_demo(db, settings)
    await seed_demo(db, settings)
    rows = await db.fetch_all("SELECT p.slug, p.status, u.email FROM posts p JOIN users u ON u.id = p.author_id ORDER BY p.id")
    assert [row["slug"] for row in rows] == [post["slug"] for post in POSTS]
    assert {(row["status"], row["email"]) for row in rows} == {("published", "admin@example.com")}
    assert len(rows) >= 4
