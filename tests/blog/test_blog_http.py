"""The blog through HTTP: pages, rights, reacting (htmx and plain forms), and what reaches the page."""

from __future__ import annotations

import asyncio
from collections import Counter
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from grihaseva.blog import posts, reactions
from tests.blog.conftest import DEMO_PASSWORD, LEAK_SLUG, NOW, Markup, logged_in, make_user, user_by_email
from tests.conftest import TEST_CSRF, post, register, text, visible_text, with_csrf

HTMX = {"HX-Request": "true"}
FORM = {"title": "Descale a geyser at home", "summary": "Hard water shortens a geyser's life; here is how to flush it.",
        "body_md": "Switch off the geyser and close the cold-water inlet before you start.", "category": "diy"}


async def admin_post(app, status="published", **changes) -> posts.Post:
    admin = await user_by_email(app.db, "admin@example.com")
    post = await posts.create_post(app.db, admin, {**FORM, **changes}, app.clock(), publish=status == "published")
    return post


def bar_buttons(html: str) -> dict[str, dict]:
    return {attrs["value"]: attrs for attrs in Markup(html).named("button") if attrs.get("name") == "emoji"}


# ---------------------------------------------------------------- reading


async def test_blog_lists_the_demo_posts_newest_first_with_a_nav_link(blog):
    response = await blog.test_client().get("/blog")
    html = await text(response)
    assert response.status_code == 200
    titles = [a["href"] for a in Markup(html).named("a") if a.get("href", "").startswith("/blog/")]
    assert titles == ["/blog/pani-ki-tanki-ki-safai", "/blog/review-bathroom-deep-clean-by-anita",
                      "/blog/how-to-prepare-for-a-deep-cleaning",
                      f"/blog/{LEAK_SLUG}", "/blog/monsoon-home-care-checklist"]
    assert {"href": "/blog"} in Markup(html).named("a")


async def test_blog_pages_ten_posts_at_a_time_and_filters_by_category(blog):
    for n in range(12):  # newer than every demo post, one minute apart
        blog.clock.advance(minutes=1)
        await admin_post(blog, title=f"Geyser tip number {n:02d}", category="home_improvement" if n % 2 else "diy")
    client = blog.test_client()
    first = visible_text(await text(await client.get("/blog")))
    assert "Geyser tip number 11" in first and "Geyser tip number 02" in first
    assert "Geyser tip number 01" not in first and "Page 1 of 2" in first
    second = visible_text(await text(await client.get("/blog?page=2")))
    assert "Geyser tip number 01" in second and "Geyser tip number 00" in second
    assert "The monsoon home-care checklist" in second  # the oldest of 16 posts
    diy = await text(await client.get("/blog?category=diy"))
    links = [a["href"] for a in Markup(diy).named("a") if a.get("href", "").startswith("/blog/")]
    assert len(links) == 8  # 6 new DIY posts and 2 demo DIY posts, one page
    assert "/blog/monsoon-home-care-checklist" not in links and f"/blog/{LEAK_SLUG}" in links
    reviews = await text(await client.get("/blog?category=service_reviews"))
    assert [a["href"] for a in Markup(reviews).named("a") if a.get("href", "").startswith("/blog/")] == \
        ["/blog/review-bathroom-deep-clean-by-anita"]


async def test_bad_page_or_category_gets_a_clear_400(blog):
    client = blog.test_client()
    for query, message in (("page=abc", "page number is not valid"), ("page=0", "page number is not valid"),
                           ("category=gossip", "no blog category by that name")):
        response = await client.get(f"/blog?{query}")
        assert response.status_code == 400
        assert message in await text(response)


async def test_a_unicode_digit_as_page_number_gets_a_clear_400_not_a_500(blog):
    client = blog.test_client()
    for page in ("%C2%B2", "%E2%91%A0"):  # "²" and "①" are digits to str.isdigit() but not to int()
        response = await client.get(f"/blog?page={page}")
        assert response.status_code == 400
        assert "page number is not valid" in await text(response)


async def test_a_page_past_the_end_is_a_404_with_a_link_to_the_first_page(blog):
    client = blog.test_client()
    for query in ("page=2", "page=7", "page=99999", "page=2&category=diy"):
        response = await client.get(f"/blog?{query}")
        html = await text(response)
        assert response.status_code == 404, query
        assert "There are no posts on this page." in html and "Page 2 of 1" not in visible_text(html)
        first = "/blog?category=diy" if "category" in query else "/blog"
        assert {"href": first} in Markup(html).named("a"), query
    assert (await client.get("/blog?page=1")).status_code == 200


async def test_an_empty_blogs_first_page_is_a_200(app):
    response = await app.test_client().get("/blog")
    assert response.status_code == 200
    assert "No posts here yet." in await text(response)
    assert (await app.test_client().get("/blog?page=2")).status_code == 404


async def test_a_post_shows_its_body_and_a_live_reaction_bar(blog):
    response = await blog.test_client().get(f"/blog/{LEAK_SLUG}")
    html = await text(response)
    assert response.status_code == 200
    assert "<h2>What you need</h2>" in html
    [section] = [attrs for attrs in Markup(html).named("section") if attrs.get("hx-ext") == "sse"]
    assert section["sse-connect"] == f"/blog/{LEAK_SLUG}/live?after=0"  # no reaction yet: event id 0
    buttons = bar_buttons(html)
    assert list(buttons) == ["helpful", "love", "funny", "surprised", "confused", "applause"]
    assert buttons["helpful"]["aria-pressed"] == "false" and "aria-label" not in buttons["helpful"]  # named by its text
    assert '<span class="visually-hidden">helpful</span>' in html
    assert 'style="' not in html and "onclick" not in html


async def test_the_live_stream_wants_an_event_stream_client(blog):
    response = await blog.test_client().get(f"/blog/{LEAK_SLUG}/live")
    assert response.status_code == 406


async def test_the_list_shows_each_posts_reaction_totals(blog):
    post_id = (await posts.post_by_slug(blog.db, LEAK_SLUG)).id
    for n in range(3):
        reader = await make_user(blog.db, f"fan{n}@example.com")
        await reactions.toggle(blog.db, post_id, reader.id, "helpful", NOW)
    html = visible_text(await text(await blog.test_client().get("/blog")))
    assert "👍 3 helpful" in html


# ---------------------------------------------------------------- reacting


async def test_a_visitor_who_clicks_is_asked_to_log_in_and_brought_back(blog):
    client = blog.test_client()
    response = await post(client, f"/blog/{LEAK_SLUG}/react", {"emoji": "helpful"})
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login" and parse_qs(location.query) == {"next": [f"/blog/{LEAK_SLUG}"]}
    htmx = await post(client, f"/blog/{LEAK_SLUG}/react", {"emoji": "helpful"}, headers=HTMX)
    assert htmx.headers["HX-Redirect"] == f"/login?next=%2Fblog%2F{LEAK_SLUG}"
    back = await post(client, f"/login?next=/blog/{LEAK_SLUG}", {"email": "customer@example.com",
                                                                  "password": "demo-pass-123", "next": f"/blog/{LEAK_SLUG}"})
    assert back.headers["Location"] == f"/blog/{LEAK_SLUG}"


async def test_a_reader_reacts_with_htmx_and_gets_the_new_bar(blog):
    client = await logged_in(blog, "customer@example.com")
    response = await post(client, f"/blog/{LEAK_SLUG}/react", {"emoji": "love", "on": "1"}, headers=HTMX)
    html = await text(response)
    assert response.status_code == 200 and "<html" not in html
    buttons = bar_buttons(html)
    assert buttons["love"]["aria-pressed"] == "true" and "mine" in buttons["love"]["class"]
    assert "top" in buttons["love"]["class"] and "top" not in buttons["helpful"]["class"]
    assert visible_text(html).split().count("1") == 1  # love's count; every other count is 0
    others = await logged_in(blog, "rahul@example.com")
    seen = bar_buttons(await text(await others.get(f"/blog/{LEAK_SLUG}")))
    assert seen["love"]["aria-pressed"] == "false"  # the count is shared, the highlight is not


async def test_the_reaction_stream_opened_at_the_pages_event_id_keeps_the_readers_own_presses(blog):
    """No snapshot (the page is current), and the next frame still shows what this reader pressed."""
    import re

    from tests.events.test_sse import open_stream

    blog.config["SSE_HEARTBEAT_SECONDS"] = 0.05
    asha = await logged_in(blog, "customer@example.com")
    await post(asha, f"/blog/{LEAK_SLUG}/react", {"emoji": "love", "on": "1"}, headers=HTMX)
    # The page's mark is what the event tailer has read (its wake-up after the commit is a task of
    # its own): caught up first, the page carries the press's id. (Rendered before, it would carry
    # the id before it, and its stream would send the press once: CI met that on a loaded machine.)
    await blog.broadcaster.catch_up()
    page = await text(await asha.get(f"/blog/{LEAK_SLUG}"))
    live = unescape(re.search(r'sse-connect="([^"]+)"', page).group(1))
    assert re.fullmatch(rf"/blog/{LEAK_SLUG}/live\?after=[1-9][0-9]*", live)
    rahul = await logged_in(blog, "rahul@example.com")
    async with open_stream(asha, live) as stream:
        assert (await stream.next()).raw == "retry: 1000"  # no snapshot: the page shows the news
        assert (await stream.next(timeout=1.0)).event == "heartbeat"
        await post(rahul, f"/blog/{LEAK_SLUG}/react", {"emoji": "helpful", "on": "1"}, headers=HTMX)
        frame = await stream.next()
        while frame.event == "heartbeat":
            frame = await stream.next()
    buttons = bar_buttons(frame.data)
    assert buttons["love"]["aria-pressed"] == "true"  # Asha's own, pressed before the page loaded
    assert buttons["helpful"]["aria-pressed"] == "false"  # Rahul's press counts, but is not hers


async def test_a_plain_form_reaction_redirects_back_to_the_post(blog):
    client = await logged_in(blog, "customer@example.com")
    response = await post(client, f"/blog/{LEAK_SLUG}/react", {"emoji": "applause"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/blog/{LEAK_SLUG}#reactions"
    page = bar_buttons(await text(await client.get(f"/blog/{LEAK_SLUG}")))
    assert page["applause"]["aria-pressed"] == "true"


async def test_a_double_click_sends_the_same_form_twice_and_counts_once(blog):
    client = await logged_in(blog, "customer@example.com")
    first, second = await asyncio.gather(*(post(client, f"/blog/{LEAK_SLUG}/react", {"emoji": "funny", "on": "1"},
                                                headers=HTMX) for _ in range(2)))
    assert (first.status_code, second.status_code) == (200, 200)
    buttons = bar_buttons(await text(await client.get(f"/blog/{LEAK_SLUG}")))
    assert buttons["funny"]["aria-pressed"] == "true"
    assert "1" in visible_text(await text(second)).split()


async def test_an_unknown_emoji_gets_a_400_with_a_message(blog):
    client = await logged_in(blog, "customer@example.com")
    response = await post(client, f"/blog/{LEAK_SLUG}/react", {"emoji": "angry"})
    assert response.status_code == 400
    assert "Choose one of the reactions" in await text(response)


async def test_reacting_past_the_rate_limit_gets_429_with_a_clear_message(blog):
    client = await logged_in(blog, "customer@example.com")
    for n in range(30):
        response = await post(client, f"/blog/{LEAK_SLUG}/react", {"emoji": "helpful"}, headers=HTMX)
        assert response.status_code == 200
    refused = await post(client, f"/blog/{LEAK_SLUG}/react", {"emoji": "helpful"}, headers=HTMX)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "61"
    assert "You are reacting very quickly. Please wait 1 minute and try again." in await text(refused)
    assert bar_buttons(await text(refused))  # the bar stays in place, with the message
    plain = await post(client, f"/blog/{LEAK_SLUG}/react", {"emoji": "helpful"})
    assert plain.status_code == 429 and "reacting very quickly" in await text(plain)
    blog.clock.advance(seconds=61)
    assert (await post(client, f"/blog/{LEAK_SLUG}/react", {"emoji": "helpful"}, headers=HTMX)).status_code == 200


async def test_100_concurrent_http_toggles_from_50_readers_give_exact_counts(blog):
    readers = []
    for n in range(50):
        await make_user(blog.db, f"crowd{n}@example.com")
        readers.append(await logged_in(blog, f"crowd{n}@example.com"))
    for client in readers:
        await with_csrf(client)
    codes = ["helpful", "love", "funny", "surprised", "confused", "applause"]

    def click(client, emoji):
        return client.post(f"/blog/{LEAK_SLUG}/react", form={"csrf_token": TEST_CSRF, "emoji": emoji}, headers=HTMX)

    responses = await asyncio.gather(*(click(c, codes[n % 6]) for n, c in enumerate(readers)),
                                     *(click(c, codes[(n + 3) % 6]) for n, c in enumerate(readers)))
    assert [r.status_code for r in responses] == [200] * 100
    post_id = (await posts.post_by_slug(blog.db, LEAK_SLUG)).id
    expected = Counter([codes[n % 6] for n in range(50)] + [codes[(n + 3) % 6] for n in range(50)])
    assert await reactions.counts(blog.db, post_id) == dict(expected)
    assert sum(expected.values()) == 100


# ---------------------------------------------------------------- rights


async def test_unpublished_posts_are_404_for_readers_and_visible_to_author_and_admin(blog):
    provider = await logged_in(blog, "provider@example.com")
    response = await post(provider, "/blog/new", FORM)
    assert response.status_code == 303 and response.headers["Location"] == "/blog/descale-a-geyser-at-home"
    slug = "/blog/descale-a-geyser-at-home"
    for client in (blog.test_client(), await logged_in(blog, "customer@example.com"),
                   await logged_in(blog, "imran.plumber@example.com")):
        for path in (slug, slug + "/live", slug + "/edit"):
            assert (await client.get(path)).status_code in (404, 303), path
        assert (await client.get(slug)).status_code == 404
        assert (await post(client, slug + "/react", {"emoji": "love"})).status_code == 404
    own = await provider.get(slug)
    assert own.status_code == 200 and "Waiting for an admin to publish it" in await text(own)
    admin = await logged_in(blog, "admin@example.com")
    assert (await admin.get(slug)).status_code == 200


async def test_a_hindi_post_gets_a_hindi_address_that_works(blog):
    from urllib.parse import quote

    admin = await logged_in(blog, "admin@example.com")
    form = {**FORM, "title": "गीज़र की सफ़ाई घर पर", "status": "published"}
    response = await post(admin, "/blog/new", form)
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location == "/blog/" + quote("गीज़र-की-सफ़ाई-घर-पर")  # percent-encoded in the header
    created = await posts.post_by_slug(blog.db, "गीज़र-की-सफ़ाई-घर-पर")
    assert created is not None and created.title == "गीज़र की सफ़ाई घर पर"
    if created.status != "published":
        assert (await post(admin, location + "/publish")).status_code == 303
    reader = await blog.test_client().get(location)
    assert reader.status_code == 200 and "गीज़र की सफ़ाई घर पर" in await text(reader)
    assert f'href="/blog/गीज़र-की-सफ़ाई-घर-पर"' in await text(await blog.test_client().get("/blog"))


async def test_a_provider_post_goes_pending_and_an_admin_publishes_it(blog):
    provider = await logged_in(blog, "provider@example.com")
    await post(provider, "/blog/new", FORM)
    created = await posts.post_by_slug(blog.db, "descale-a-geyser-at-home")
    assert created.status == "pending"
    assert "Descale a geyser" not in await text(await blog.test_client().get("/blog"))
    refused = await post(provider, "/blog/descale-a-geyser-at-home/publish")
    assert refused.status_code == 403
    admin = await logged_in(blog, "admin@example.com")
    assert "Descale a geyser at home" in await text(await admin.get("/blog"))  # in the review list
    published = await post(admin, "/blog/descale-a-geyser-at-home/publish")
    assert published.status_code == 303
    after = await posts.post_by_slug(blog.db, "descale-a-geyser-at-home")
    assert (after.status, after.published_at) == ("published", NOW)
    listing = await text(await blog.test_client().get("/blog"))
    assert "/blog/descale-a-geyser-at-home" in listing
    assert (await blog.test_client().get("/blog/descale-a-geyser-at-home")).status_code == 200


async def test_a_post_an_admin_unpublished_goes_back_to_review_when_its_provider_saves_it(blog):
    provider = await logged_in(blog, "provider@example.com")
    await post(provider, "/blog/new", FORM)
    slug = "/blog/descale-a-geyser-at-home"
    admin = await logged_in(blog, "admin@example.com")
    assert (await post(admin, slug + "/publish")).status_code == 303
    assert (await post(admin, slug + "/unpublish")).status_code == 303
    assert (await posts.post_by_slug(blog.db, "descale-a-geyser-at-home")).status == "draft"
    form = await text(await provider.get(slug + "/edit"))
    assert "Save and send for review" in form
    saved = await post(provider, slug + "/edit", {**FORM, "summary": "Flush the tank twice a year to keep it working."})
    assert saved.status_code == 303
    assert (await posts.post_by_slug(blog.db, "descale-a-geyser-at-home")).status == "pending"
    page = unescape(await text(await provider.get(slug)))
    assert "Saved. The post is waiting for an admin's review; readers see it once it is published." in page
    assert "other admins" not in page
    assert "Descale a geyser at home" in await text(await admin.get("/admin/posts"))
    assert "1 post to review" in await text(await admin.get("/admin"))


async def test_admin_publish_and_unpublish_are_in_the_audit_log(blog):
    admin = await logged_in(blog, "admin@example.com")
    leak = await posts.post_by_slug(blog.db, LEAK_SLUG)
    assert (await post(admin, f"/blog/{LEAK_SLUG}/unpublish")).status_code == 303
    assert (await post(admin, f"/blog/{LEAK_SLUG}/publish")).status_code == 303
    rows = await blog.db.fetch_all("SELECT action, subject_type, subject_id FROM audit_log ORDER BY id")
    assert [(r["action"], r["subject_type"], r["subject_id"]) for r in rows] == [
        ("post.unpublish", "post", leak.id), ("post.publish", "post", leak.id)]
    audit_page = unescape(await text(await admin.get("/admin/audit")))
    assert "post.unpublish" in audit_page and f"Unpublished the blog post “{leak.title}”" in audit_page


async def test_an_admin_unpublishes_a_post_and_readers_get_404(blog):
    admin = await logged_in(blog, "admin@example.com")
    response = await post(admin, f"/blog/{LEAK_SLUG}/unpublish")
    assert response.status_code == 303
    assert (await blog.test_client().get(f"/blog/{LEAK_SLUG}")).status_code == 404
    assert (await admin.get(f"/blog/{LEAK_SLUG}")).status_code == 200


async def test_an_open_reaction_stream_ends_when_its_post_is_unpublished(blog):
    from tests.events.test_sse import open_stream

    blog.config["SSE_HEARTBEAT_SECONDS"] = 0.05
    reader = blog.test_client()
    async with open_stream(reader, f"/blog/{LEAK_SLUG}/live") as stream:
        assert (await stream.next()).event == "reactions"
        assert (await stream.next(timeout=1.0)).raw.startswith(": ping")
        admin = await logged_in(blog, "admin@example.com")
        assert (await post(admin, f"/blog/{LEAK_SLUG}/unpublish")).status_code == 303
        with pytest.raises(EOFError):
            for _ in range(3):  # at most a heartbeat already on its way, then the end
                assert (await stream.next(timeout=1.0)).raw.startswith(": ping")
    reconnect = await reader.get(f"/blog/{LEAK_SLUG}/live", headers={"Accept": "text/event-stream"})
    assert reconnect.status_code == 404


async def test_only_the_author_or_an_admin_edits_a_post(blog):
    author = await logged_in(blog, "provider@example.com")
    await post(author, "/blog/new", FORM)
    slug = "/blog/descale-a-geyser-at-home"
    admin = await logged_in(blog, "admin@example.com")
    await post(admin, slug + "/publish")
    for email in ("customer@example.com", "imran.plumber@example.com"):
        other = await logged_in(blog, email)
        assert (await other.get(slug + "/edit")).status_code == 403
        refused = await post(other, slug + "/edit", {**FORM, "title": "Taken over"})
        assert refused.status_code == 403
        assert "Only the post's author or an admin can edit it." in unescape(await text(refused))
    assert (await author.get(slug + "/edit")).status_code == 200
    edited = await post(admin, slug + "/edit", {**FORM, "title": "Descale a geyser: the safe way"})
    assert edited.status_code == 303
    assert (await posts.post_by_slug(blog.db, "descale-a-geyser-at-home")).title == "Descale a geyser: the safe way"
    visitor = await blog.test_client().get(slug + "/edit")
    assert visitor.status_code == 303 and visitor.headers["Location"].startswith("/login?next=")


async def test_suspended_or_unverified_providers_cannot_write_or_edit_posts(blog):
    anita = await logged_in(blog, "anita.cleaning@example.com")
    await post(anita, "/blog/new", FORM)  # written while in good standing
    slug = "/blog/descale-a-geyser-at-home"
    admin = await logged_in(blog, "admin@example.com")
    anita_id = (await user_by_email(blog.db, "anita.cleaning@example.com")).id
    suspended = await post(admin, f"/admin/providers/{anita_id}/suspend", {"reason": "No-show complaints"})
    assert suspended.status_code == 303
    await register(blog.test_client(), email="new.pro@example.com", role="provider", name="New Pro", password=DEMO_PASSWORD)
    newcomer = await logged_in(blog, "new.pro@example.com")  # registered providers start unverified
    message = "Only GrihaSeva's team and verified professionals write blog posts."
    for client in (anita, newcomer):
        assert (await client.get("/blog/new")).status_code == 403
        refused = await post(client, "/blog/new", {**FORM, "title": "Written while not allowed"})
        assert refused.status_code == 403 and message in unescape(await text(refused))
        assert "Write a post" not in await text(await client.get("/blog"))
    assert (await anita.get(slug + "/edit")).status_code == 403
    assert f'href="{slug}/edit"' not in await text(await anita.get(slug))  # she still sees it, without an Edit button
    edit = await post(anita, slug + "/edit", {**FORM, "title": "Changed while suspended"})
    assert edit.status_code == 403 and message in unescape(await text(edit))
    assert (await posts.post_by_slug(blog.db, "descale-a-geyser-at-home")).title == FORM["title"]
    assert await posts.post_by_slug(blog.db, "written-while-not-allowed") is None
    assert "Write a post" in await text(await (await logged_in(blog, "provider@example.com")).get("/blog"))


async def test_a_39000_character_hindi_post_is_accepted(blog):
    provider = await logged_in(blog, "provider@example.com")
    sentence = "नल से पानी टपक रहा है। "
    body = (sentence * (39_000 // len(sentence) + 1))[:39_000].strip()
    response = await post(provider, "/blog/new", {**FORM, "body_md": body})
    assert response.status_code == 303, response.status_code
    saved = await posts.post_by_slug(blog.db, "descale-a-geyser-at-home")
    assert saved.body_md == body and len(body) >= 38_999


async def test_customers_cannot_open_the_editor(blog):
    customer = await logged_in(blog, "customer@example.com")
    assert (await customer.get("/blog/new")).status_code == 403
    assert (await post(customer, "/blog/new", FORM)).status_code == 403


async def test_an_invalid_post_form_is_shown_again_with_messages(blog):
    admin = await logged_in(blog, "admin@example.com")
    response = await post(admin, "/blog/new", {**FORM, "title": "Hi", "category": "gossip"})
    html = await text(response)
    assert response.status_code == 422
    assert "at least 5 characters" in html and "Choose a category" in html
    assert 'value="Hi"' in html


async def test_dangerous_markdown_never_reaches_the_published_page(blog):
    admin = await logged_in(blog, "admin@example.com")
    body = ("Hello <script>alert('x')</script> and <img src=x onerror=alert(1)> and "
            "<a href='#' onclick='steal()'>a</a>\n\n[click](javascript:alert(1))\n\n"
            "<iframe src='https://evil.example'></iframe>\n\n<div>raw <b>html</b></div>")
    response = await post(admin, "/blog/new", {**FORM, "body_md": body, "action": "publish"})
    assert response.status_code == 303
    html = await text(await blog.test_client().get(response.headers["Location"]))
    markup = Markup(html)
    assert [s.get("src") for s in markup.named("script")] == ["/static/vendor/htmx.min.js", "/static/vendor/sse.min.js", "/static/live.js"]
    assert markup.named("iframe") == [] and markup.named("img") == []
    assert all(not name.startswith("on") for _, attrs in markup.tags for name in attrs)
    assert all(not (a.get("href") or "").lower().startswith("javascript") for a in markup.named("a"))
    assert "Hello &lt;script&gt;alert(" in html  # shown as text, harmless
