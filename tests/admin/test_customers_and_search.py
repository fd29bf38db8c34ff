"""Customer accounts seen by admins, bookings search, the blog queue and the chatbot FAQ file."""

from __future__ import annotations

from datetime import timedelta

import pytest

from grihaseva.chatbot import faq
from tests.admin.conftest import NOW, audit_rows, logged_in, make_booking, make_customer, text, user_id
from tests.conftest import post


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


@pytest.fixture
def knowledge_copy(tmp_path, monkeypatch):
    """The FAQ file copied to a temporary path, so saving never touches the packaged one."""
    copy = tmp_path / "knowledge.md"
    copy.write_text(faq.KNOWLEDGE_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(faq, "KNOWLEDGE_PATH", copy)
    faq.default_knowledge.cache_clear()
    yield copy
    faq.default_knowledge.cache_clear()


async def test_admin_edits_the_faq_and_the_chatbot_answers_from_it(demo, knowledge_copy):
    admin = await logged_in(demo, "admin@example.com")
    original = knowledge_copy.read_text(encoding="utf-8")
    assert "How booking works" in await text(await admin.get("/admin/faq"))
    edited = original.replace("8 am to 8 pm", "7 am to 9 pm")
    response = await post(admin, "/admin/faq", {"text": edited})
    assert response.status_code == 303
    assert knowledge_copy.read_text(encoding="utf-8") == edited
    assert "7 am to 9 pm" in faq.default_knowledge()["contact"].answer_md
    [audit] = await audit_rows(demo)
    assert audit["action"] == "faq.update" and "7 topics" in audit["detail"]


@pytest.mark.parametrize(("change", "message"), [
    (lambda t: t.replace("## contact: Contact details", "## Contact details"), "'contact' is missing"),
    (lambda t: t.replace("## safety:", "## booking:"), "appears twice"),
    (lambda t: t + "\n## refunds: Refunds\nMoney back.\n", "'refunds' has no 'keywords:' line"),
])
async def test_an_faq_that_loses_a_required_topic_is_refused(demo, knowledge_copy, change, message):
    admin = await logged_in(demo, "admin@example.com")
    original = knowledge_copy.read_text(encoding="utf-8")
    response = await post(admin, "/admin/faq", {"text": change(original)})
    assert response.status_code == 422
    assert message in await text(response)
    assert knowledge_copy.read_text(encoding="utf-8") == original
    assert await audit_rows(demo) == []
