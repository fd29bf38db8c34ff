"""Customer accounts seen by admins, bookings search, the blog queue and the chatbot FAQ file."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest

from grihaseva.chatbot import faq
from tests.admin.conftest import NOW, audit_rows, logged_in, make_booking, make_customer, text, user_id
from tests.conftest import post
from tests.conftest import text as raw_text
from tests.conftest import visible_text


async def test_deactivating_a_customer_ends_their_sessions_at_once(demo):
    asha = await user_id(demo, "customer@example.com")
    phone = await logged_in(demo, "customer@example.com")
    laptop = await logged_in(demo, "customer@example.com")
    assert (await phone.get("/bookings")).status_code == 200
    assert await demo.db.fetch_value("count_user_sessions", {"user_id": asha}) == 2
    admin = await logged_in(demo, "admin@example.com")
    assert "customer@example.com" in await text(await admin.get("/admin/customers?q=customer@"))
    response = await post(admin, f"/admin/customers/{asha}/deactivate", {"reason": "Abusive messages to professionals"})
    assert response.status_code == 303
    assert await demo.db.fetch_value("count_user_sessions", {"user_id": asha}) == 0
    assert await demo.db.fetch_value("SELECT is_active FROM users WHERE id = :id", {"id": asha}) == 0
    for client in (phone, laptop):
        again = await client.get("/bookings")
        assert again.status_code == 303 and again.headers["Location"].startswith("/login")
    refused = await post(demo.test_client(), "/login", {"email": "customer@example.com", "password": "demo-pass-123"})
    assert refused.status_code == 401
    [audit] = await audit_rows(demo)
    assert (audit["action"], audit["subject_type"], audit["subject_id"]) == ("customer.deactivate", "user", asha)
    assert "Abusive messages to professionals" in audit["detail"]
    assert (await post(admin, f"/admin/customers/{asha}/reactivate")).status_code == 303
    assert (await logged_in(demo, "customer@example.com")) is not None
    assert [r["action"] for r in await audit_rows(demo)] == ["customer.deactivate", "customer.reactivate"]


async def test_only_customer_accounts_can_be_deactivated_here_and_a_reason_is_needed(demo):
    admin = await logged_in(demo, "admin@example.com")
    ravi = await user_id(demo, "provider@example.com")
    asha = await user_id(demo, "customer@example.com")
    assert (await post(admin, f"/admin/customers/{ravi}/deactivate", {"reason": "Wrong kind"})).status_code == 404
    assert (await post(admin, f"/admin/customers/{await user_id(demo, 'admin@example.com')}/deactivate",
                       {"reason": "Self"})).status_code == 404
    no_reason = await post(admin, f"/admin/customers/{asha}/deactivate", {"reason": ""})
    assert no_reason.status_code == 422 and "why the account is deactivated" in await text(no_reason)
    assert (await post(admin, f"/admin/customers/{asha}/reactivate")).status_code == 409
    assert await audit_rows(demo) == []


async def booking_ids(client, query: str) -> list[str]:
    import re
    page = await text(await client.get("/admin/bookings" + query))
    return re.findall(r'id="booking-(\d+)"', page)


async def test_bookings_search_by_date_provider_customer_and_status(demo):
    await make_customer(demo, "rahul2@example.com")
    tuesday = NOW.replace(day=24, hour=11, minute=30)
    a = await make_booking(demo, "customer@example.com", "provider@example.com", "tap-leak-repair", tuesday)
    b = await make_booking(demo, "rahul2@example.com", "imran.plumber@example.com", "tap-leak-repair", tuesday + timedelta(days=2))
    c = await make_booking(demo, "customer@example.com", "imran.plumber@example.com", "drain-unblocking", NOW - timedelta(days=3),
                           status="completed")
    admin = await logged_in(demo, "admin@example.com")
    imran = await user_id(demo, "imran.plumber@example.com")
    assert await booking_ids(admin, "") == [str(b), str(a), str(c)]
    assert await booking_ids(admin, "?from=2026-11-24&to=2026-11-24") == [str(a)]
    assert await booking_ids(admin, "?from=2026-11-24") == [str(b), str(a)]
    assert await booking_ids(admin, f"?provider={imran}") == [str(b), str(c)]
    assert sorted(await booking_ids(admin, "?customer=Customer@Example.com")) == sorted([str(a), str(c)])
    assert await booking_ids(admin, "?status=completed") == [str(c)]
    assert await booking_ids(admin, f"?status=confirmed&provider={imran}&customer=rahul2@example.com") == [str(b)]


@pytest.mark.parametrize(("query", "message"), [
    ("?from=yesterday", "Enter a date like"),
    ("?from=2026-11-25&to=2026-11-24", "end date is before the start date"),
    ("?status=lost", "Choose a status"),
    ("?provider=ravi", "Choose a provider"),
])
async def test_bad_search_input_is_a_422_with_the_message(demo, query, message):
    admin = await logged_in(demo, "admin@example.com")
    response = await admin.get("/admin/bookings" + query)
    assert response.status_code == 422
    assert message in await text(response)


async def test_pending_blog_posts_are_listed_with_the_blogs_publish_action(demo):
    ravi = await user_id(demo, "provider@example.com")
    await demo.db.execute(
        "INSERT INTO posts (author_id, slug, title, summary, body_md, body_html, category, status, created_at, updated_at) "
        "VALUES (:a, 'fix-a-drip', 'Fix a dripping tap', 'Washers', 'Body', '<p>Body</p>', 'diy', 'pending', :now, :now)",
        {"a": ravi, "now": NOW})
    admin = await logged_in(demo, "admin@example.com")
    page = await text(await admin.get("/admin/posts"))
    assert "Fix a dripping tap" in page and 'action="/blog/fix-a-drip/publish"' in page
    assert "1 post to review" in await text(await admin.get("/admin"))


async def test_audit_times_name_the_zone_once(demo):
    admin = await logged_in(demo, "admin@example.com")
    assert (await post(admin, "/blog/fix-a-leaking-tap-in-20-minutes/unpublish")).status_code == 303
    for path in ("/admin/audit", "/admin"):
        page = visible_text(await text(await admin.get(path)))
        assert "post.unpublish" in page, path
        assert "IST IST" not in page and "IST · GrihaSeva Admin" in page, path


@pytest.fixture
def packaged_knowledge():
    """The packaged FAQ file's text before the test; the test checks it is still the same afterwards."""
    before = faq.KNOWLEDGE_PATH.read_bytes()
    yield before.decode("utf-8")
    assert faq.KNOWLEDGE_PATH.read_bytes() == before, "the packaged knowledge.md was changed"


async def chat(app, message: str) -> str:
    from tests.chatbot.conftest import say

    return html.unescape(await raw_text(await say(app.test_client(), message)))


async def test_admin_edits_the_faq_into_the_var_dir_and_the_chatbot_answers_from_it(demo, settings, packaged_knowledge):
    admin = await logged_in(demo, "admin@example.com")
    assert "How booking works" in await text(await admin.get("/admin/faq"))
    assert "8 am to 8 pm" in await chat(demo, "I want to talk to a person")
    edited = packaged_knowledge.replace("8 am to 8 pm", "7 am to 9 pm")
    response = await post(admin, "/admin/faq", {"text": edited})
    assert response.status_code == 303
    saved = settings.var_dir / "knowledge.md"
    assert saved.read_text(encoding="utf-8") == edited
    assert [p.name for p in settings.var_dir.iterdir() if p.name.startswith(".knowledge-")] == []  # no temporary left
    assert "7 am to 9 pm" in await text(await admin.get("/admin/faq"))  # the editor shows the saved text
    reply = await chat(demo, "I want to talk to a person")
    assert "7 am to 9 pm" in reply and "8 am to 8 pm" not in reply
    [audit] = await audit_rows(demo)
    assert audit["action"] == "faq.update" and "7 topics" in audit["detail"]


async def test_a_second_app_on_the_same_var_dir_answers_from_each_edit(demo, settings, packaged_knowledge):
    """Another worker process: it never saw the save, yet answers from the edited file on its next message."""
    from tests.conftest import serving_app

    admin = await logged_in(demo, "admin@example.com")
    async with serving_app(settings) as other:
        other.clock = demo.clock
        assert "8 am to 8 pm" in await chat(other, "I want to talk to a person")
        for hours in ("7 am to 9 pm", "6 am to 10 pm"):  # the second edit replaces an already-read edited file
            response = await post(admin, "/admin/faq", {"text": packaged_knowledge.replace("8 am to 8 pm", hours)})
            assert response.status_code == 303
            reply = await chat(other, "I want to talk to a person")
            assert hours in reply and "8 am to 8 pm" not in reply
        assert "6 am to 10 pm" in await text(await (await logged_in(other, "admin@example.com")).get("/admin/faq"))


async def test_without_an_edit_the_chatbot_and_the_editor_use_the_packaged_file(demo, settings, packaged_knowledge):
    assert not (settings.var_dir / "knowledge.md").exists()
    assert faq.knowledge_path(settings.var_dir) == faq.KNOWLEDGE_PATH
    admin = await logged_in(demo, "admin@example.com")
    assert "8 am to 8 pm" in await text(await admin.get("/admin/faq"))


@pytest.mark.parametrize(("change", "message"), [
    (lambda t: t.replace("## contact: Contact details", "## Contact details"), "'contact' is missing"),
    (lambda t: t.replace("## safety:", "## booking:"), "appears twice"),
    (lambda t: t + "\n## refunds: Refunds\nMoney back.\n", "'refunds' has no 'keywords:' line"),
])
async def test_an_faq_that_loses_a_required_topic_is_refused(demo, settings, packaged_knowledge, change, message):
    admin = await logged_in(demo, "admin@example.com")
    response = await post(admin, "/admin/faq", {"text": change(packaged_knowledge)})
    assert response.status_code == 422
    assert message in await text(response)
    assert not (settings.var_dir / "knowledge.md").exists()
    assert await audit_rows(demo) == []


async def test_a_60000_character_hindi_faq_file_fits_the_request_limit(demo, settings, packaged_knowledge):
    """Devanagari is 9 bytes a character once URL-encoded: the request limit must still admit MAX_CHARS."""
    from grihaseva.admin import faq_editor

    padding = "## extra: अतिरिक्त जानकारी\n" + "keywords: extra\n"
    filler = "गृह सेवा " * ((faq_editor.MAX_CHARS - len(packaged_knowledge) - len(padding) - 2) // 9)
    big = packaged_knowledge + padding + filler + "\n"
    assert faq_editor.MAX_CHARS - 20 <= len(big) <= faq_editor.MAX_CHARS
    admin = await logged_in(demo, "admin@example.com")
    response = await post(admin, "/admin/faq", {"text": big})
    assert response.status_code == 303, response.status_code
    assert (settings.var_dir / "knowledge.md").read_text(encoding="utf-8") == big
