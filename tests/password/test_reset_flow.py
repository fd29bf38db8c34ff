"""Password reset by email, end to end through the app, a real SMTP server (aiosmtpd) and both databases."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import pytest

from grihaseva.auth.accounts import create_user
from grihaseva.auth.password_reset import _serializer, password_fingerprint
from tests.conftest import login, post, register, text
from tests.helpers_smtp import START, reset_link, text_part

OLD_PASSWORD = "correct-horse-1"
NEW_PASSWORD = "brand-new-pass-2"
NEW_PASSWORD_FORM = {"new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD}


async def ask_for_link(app, smtp, email="asha@example.com", client=None) -> str:
    """Ask for a reset and return the path of the link in the mail that arrives."""
    client = client or app.test_client()
    response = await post(client, "/password/forgot", {"email": email})
    assert response.status_code == 200
    assert await app.mail_sender.run_once() == 1
    return reset_link(smtp.to(email)[-1])


def same_page(html: str, email: str) -> str:
    """The page with the address it echoes and its CSRF token blanked out."""
    return re.sub(r"[A-Za-z0-9_\-]{20,}", "TOKEN", html.replace(email, "ADDRESS"))


async def outbox_count(app) -> int:
    return await app.db.fetch_value("SELECT COUNT(*) AS n FROM mail_outbox")


async def test_reset_by_mailed_link_sets_new_password_and_ends_every_session(app, smtp):
    elsewhere = app.test_client()
    await register(elsewhere, email="asha@example.com", password=OLD_PASSWORD)
    assert (await elsewhere.get("/account")).status_code == 200

    client = app.test_client()
    asked = await post(client, "/password/forgot", {"email": "asha@example.com"})
    assert asked.status_code == 200
    assert "Check your email" in await text(asked)
    assert await app.mail_sender.run_once() == 1
    [mail] = smtp.messages
    assert (mail["To"], mail["Subject"]) == ("asha@example.com", "Reset your GrihaSeva password")
    assert "within 30 minutes" in text_part(mail)
    link = reset_link(mail)

    form_page = await client.get(link)
    assert form_page.status_code == 200
    assert "Choose a new password" in await text(form_page)
    assert "asha@example.com" in await text(form_page)

    done = await post(client, link, NEW_PASSWORD_FORM)
    assert done.status_code == 303
    assert done.headers["Location"] == "/login"
    login_page = await text(await client.get("/login"))
    assert "Your password is changed and every device has been logged out." in login_page

    assert (await login(app.test_client(), "asha@example.com", OLD_PASSWORD)).status_code == 401
    assert (await login(app.test_client(), "asha@example.com", NEW_PASSWORD)).status_code == 303
    logged_out = await elsewhere.get("/account")
    assert logged_out.status_code == 303
    assert logged_out.headers["Location"].startswith("/login")

    assert await app.mail_sender.run_once() == 1
    changed = smtp.messages[1]
    assert (changed["To"], changed["Subject"]) == ("asha@example.com", "Your GrihaSeva password was changed")
    assert "15 January 2030 at 14:30 IST" in text_part(changed)
    assert "http://127.0.0.1:8000/password/forgot" in text_part(changed)


async def test_known_and_unknown_addresses_get_the_same_answer_and_only_the_known_one_gets_mail(app, smtp):
    await register(app.test_client(), email="asha@example.com")
    client = app.test_client()
    known = await post(client, "/password/forgot", {"email": "asha@example.com"})
    unknown = await post(client, "/password/forgot", {"email": "nobody@example.com"})

    assert known.status_code == unknown.status_code == 200
    assert set(known.headers.keys()) == set(unknown.headers.keys())
    assert same_page(await text(known), "asha@example.com") == same_page(await text(unknown), "nobody@example.com")
    assert await app.mail_sender.run_once() == 1
    assert [m["To"] for m in smtp.messages] == ["asha@example.com"]
    assert await outbox_count(app) == 1


@pytest.mark.parametrize(("email", "message"), [
    ("", "Enter your email address."),
    ("asha", "Enter a valid email address, like name@example.com."),
    ("asha@example", "Enter a valid email address, like name@example.com."),
])
async def test_forgot_form_names_a_malformed_address(app, smtp, email, message):
    response = await post(app.test_client(), "/password/forgot", {"email": email})
    assert response.status_code == 422
    assert message in await text(response)
    assert await outbox_count(app) == 0


async def test_link_works_for_30_minutes_then_says_it_expired(app, smtp, clock):
    await register(app.test_client(), email="asha@example.com", password=OLD_PASSWORD)
    link = await ask_for_link(app, smtp)
    client = app.test_client()

    clock.advance(minutes=29)
    assert (await client.get(link)).status_code == 200
    clock.advance(minutes=2)
    for response in (await client.get(link), await post(client, link, NEW_PASSWORD_FORM)):
        assert response.status_code == 410
        page = await text(response)
        assert "This link has expired" in page
        assert 'href="/password/forgot"' in page
    assert (await login(client, "asha@example.com", OLD_PASSWORD)).status_code == 303


async def test_a_server_whose_clock_is_a_little_behind_still_accepts_a_fresh_link(app, smtp, clock):
    await register(app.test_client(), email="asha@example.com", password=OLD_PASSWORD)
    link = await ask_for_link(app, smtp)
    client = app.test_client()
    clock.advance(minutes=-4)  # the next request lands on a server 4 minutes behind the issuing one
    assert (await client.get(link)).status_code == 200
    clock.advance(minutes=-2)  # 6 minutes behind: no longer a clock difference, refused
    assert (await client.get(link)).status_code == 410


async def test_used_link_is_not_valid_a_second_time(app, smtp):
    await register(app.test_client(), email="asha@example.com")
    link = await ask_for_link(app, smtp)
    client = app.test_client()
    assert (await post(client, link, NEW_PASSWORD_FORM)).status_code == 303

    again = {"new_password": "third-password-3", "new_password_confirm": "third-password-3"}
    for response in (await client.get(link), await post(client, link, again)):
        assert response.status_code == 400
        page = await text(response)
        assert "This link is not valid" in page
        assert 'href="/password/forgot"' in page
    assert (await login(client, "asha@example.com", NEW_PASSWORD)).status_code == 303


def _tamper_signature(link: str, secret: str) -> str:
    # The signature's first character: its last one carries base64 padding bits, and changing
    # those can decode to the same bytes (the link would still be valid: a flaky test).
    head, signature = link.rsplit(".", 1)
    return f"{head}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"


def _tamper_user_id(link: str, secret: str) -> str:
    token = link.rsplit("/", 1)[1]
    payload, timestamp, signature = token.split(".")
    other = _serializer(secret, START).dumps({"u": 2, "f": "0" * 32}).split(".")[0]
    return f"/password/reset/{other}.{timestamp}.{signature}"


def _signed_with_another_key(link: str, secret: str) -> str:
    return "/password/reset/" + _serializer("another-secret-" + "y" * 32, START).dumps({"u": 1, "f": "0" * 32})


def _signed_for_another_purpose(link: str, secret: str) -> str:
    from itsdangerous import URLSafeTimedSerializer

    return "/password/reset/" + URLSafeTimedSerializer(secret, salt="email verify").dumps({"u": 1, "f": "0" * 32})


@pytest.mark.parametrize("tamper", [_tamper_signature, _tamper_user_id, _signed_with_another_key, _signed_for_another_purpose])
async def test_tampered_link_is_not_valid(app, smtp, tamper):
    await register(app.test_client(), email="asha@example.com", password=OLD_PASSWORD)
    await register(app.test_client(), email="ravi@example.com", name="Ravi Kumar", gender="male")
    link = tamper(await ask_for_link(app, smtp), app.settings.secret_key)
    client = app.test_client()
    for response in (await client.get(link), await post(client, link, NEW_PASSWORD_FORM)):
        assert response.status_code == 400
        assert "This link is not valid" in await text(response)
    assert (await login(client, "asha@example.com", OLD_PASSWORD)).status_code == 303


@pytest.mark.parametrize("token", ["x", "not-a-token", "a.b.c", "%C3%A9t%C3%A9", "A" * 600, "eyJ1IjoxfQ.AAAA.BBBB"])
async def test_malformed_link_is_not_valid(app, smtp, token):
    client = app.test_client()
    for response in (await client.get(f"/password/reset/{token}"), await post(client, f"/password/reset/{token}", NEW_PASSWORD_FORM)):
        assert response.status_code == 400
        page = await text(response)
        assert "This link is not valid" in page
        assert "Ask for a new link" in page


async def test_link_sent_before_a_password_change_on_the_account_page_is_not_valid(app, smtp):
    account = app.test_client()
    await register(account, email="asha@example.com", password=OLD_PASSWORD)
    link = await ask_for_link(app, smtp)

    changed = await post(account, "/account/password", {
        "current_password": OLD_PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD,
    })
    assert changed.status_code == 303
    response = await app.test_client().get(link)
    assert response.status_code == 400
    assert "This link is not valid" in await text(response)


async def test_password_change_on_the_account_page_mails_a_notice(app, smtp):
    account = app.test_client()
    await register(account, email="asha@example.com", password=OLD_PASSWORD)
    response = await post(account, "/account/password", {
        "current_password": OLD_PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD,
    })
    assert response.status_code == 303
    assert await app.mail_sender.run_once() == 1
    [mail] = smtp.messages
    assert (mail["To"], mail["Subject"]) == ("asha@example.com", "Your GrihaSeva password was changed")
    assert "Hello Asha Menon," in text_part(mail)
    assert "http://127.0.0.1:8000/password/forgot" in text_part(mail)


async def test_refused_password_change_on_the_account_page_mails_nothing(app, smtp):
    account = app.test_client()
    await register(account, email="asha@example.com", password=OLD_PASSWORD)
    response = await post(account, "/account/password", {
        "current_password": "not-my-password", "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD,
    })
    assert response.status_code == 422
    assert await outbox_count(app) == 0


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"new_password": "short", "new_password_confirm": "short"}, "new_password", "Use at least 8 characters."),
    ({"new_password": "x" * 73, "new_password_confirm": "x" * 73}, "new_password", "Use at most 72 bytes"),
    ({"new_password": NEW_PASSWORD, "new_password_confirm": "something-else"}, "new_password_confirm",
     "The two passwords do not match."),
])
async def test_reset_form_applies_the_registration_password_rules(app, smtp, form, field, message):
    await register(app.test_client(), email="asha@example.com", password=OLD_PASSWORD)
    link = await ask_for_link(app, smtp)
    client = app.test_client()
    response = await post(client, link, form)
    assert response.status_code == 422
    page = await text(response)
    assert f'id="e-{field}"' in page
    assert message in page
    assert (await client.get(link)).status_code == 200  # the link still works after a refused form
    assert (await login(client, "asha@example.com", OLD_PASSWORD)).status_code == 303


async def test_reset_pages_send_no_referrer(app, smtp):
    await register(app.test_client(), email="asha@example.com")
    link = await ask_for_link(app, smtp)
    client = app.test_client()
    for response in (
        await client.get("/password/forgot"),
        await post(client, "/password/forgot", {"email": "nobody@example.com"}),
        await client.get(link),
        await client.get("/password/reset/not-a-token"),
    ):
        assert response.headers["Referrer-Policy"] == "no-referrer"
    assert (await client.get("/login")).headers["Referrer-Policy"] == "same-origin"


async def test_reset_asked_while_the_smtp_server_is_down_arrives_once_it_is_back(app, smtp, clock):
    await register(app.test_client(), email="asha@example.com")
    smtp.stop()
    response = await post(app.test_client(), "/password/forgot", {"email": "asha@example.com"})
    assert response.status_code == 200
    assert "Check your email" in await text(response)

    assert await app.mail_sender.run_once() == 1
    row = await app.db.fetch_one("SELECT status, attempts, next_attempt_at FROM mail_outbox")
    assert row == {"status": "queued", "attempts": 1, "next_attempt_at": START + timedelta(seconds=30)}

    smtp.start()
    assert await app.mail_sender.run_once() == 0  # the backoff has not run out yet
    clock.advance(seconds=30)
    assert await app.mail_sender.run_once() == 1
    assert await app.mail_sender.run_once() == 0
    [mail] = smtp.messages
    assert mail["To"] == "asha@example.com"
    assert (await app.test_client().get(reset_link(mail))).status_code == 200


async def test_fourth_request_for_one_address_in_an_hour_sends_no_mail_but_looks_the_same(app, smtp, clock):
    await register(app.test_client(), email="asha@example.com")
    client = app.test_client()
    pages = []
    for _ in range(4):
        response = await post(client, "/password/forgot", {"email": "asha@example.com"})
        assert response.status_code == 200
        pages.append(await text(response))
    assert pages[3] == pages[0]
    await app.mail_sender.run_once()
    assert len(smtp.to("asha@example.com")) == 3

    clock.advance(hours=1, seconds=1)
    await post(client, "/password/forgot", {"email": "asha@example.com"})
    await app.mail_sender.run_once()
    assert len(smtp.to("asha@example.com")) == 4


async def test_requests_for_one_address_sent_all_at_once_still_mail_it_only_three_times(app, smtp, clock):
    await register(app.test_client(), email="asha@example.com")

    async def ask(n: int) -> int:
        response = await post(app.test_client(), "/password/forgot", {"email": "asha@example.com"},
                              scope_base={"client": (f"203.0.113.{n}", 40000)})
        return response.status_code

    assert set(await asyncio.gather(*(ask(n) for n in range(12)))) == {200}
    assert [await ask(n) for n in range(20, 24)] == [200] * 4  # then one by one
    await app.mail_sender.run_once()
    assert len(smtp.to("asha@example.com")) == 3


async def test_eleventh_request_from_one_client_in_an_hour_sends_no_mail_but_looks_the_same(app, smtp, clock):
    emails = [f"customer{i:02d}@example.com" for i in range(1, 12)]
    for email in emails:
        await create_user(app.db, {"email": email, "name": "Customer", "phone": "+91 98450 12345", "gender": "female",
                                   "password": OLD_PASSWORD}, clock(), rounds=4, role="customer")
    client = app.test_client()
    one_client = {"client": ("203.0.113.7", 40000)}
    pages = []
    for email in emails:
        response = await post(client, "/password/forgot", {"email": email}, scope_base=one_client)
        assert response.status_code == 200
        pages.append(same_page(await text(response), email))
    assert pages[10] == pages[0]
    await app.mail_sender.run_once()
    assert sorted(m["To"] for m in smtp.messages) == emails[:10]

    other_client = {"client": ("198.51.100.2", 40000)}
    await post(client, "/password/forgot", {"email": emails[10]}, scope_base=other_client)
    await app.mail_sender.run_once()
    assert [m["To"] for m in smtp.to(emails[10])] == [emails[10]]


async def test_token_payload_does_not_reveal_the_password_hash(app, smtp):
    await register(app.test_client(), email="asha@example.com")
    link = await ask_for_link(app, smtp)
    user = await app.db.fetch_one("select_user_by_email", {"email": "asha@example.com"})
    payload = _serializer(app.settings.secret_key, START).loads(link.rsplit("/", 1)[1])
    assert payload == {"u": user["id"], "f": password_fingerprint(app.settings.secret_key, user)}
    assert user["password_hash"] not in link


async def test_reset_link_goes_only_to_the_stored_address_never_to_a_lookalike_that_matched_it(app, smtp):
    # MySQL's utf8mb4_unicode_ci finds "asha@exämple.com" equal to "asha@example.com": the link
    # must go to the account's own address, not to whatever address was typed.
    await register(app.test_client(), email="asha@example.com")
    asked = await post(app.test_client(), "/password/forgot", {"email": "asha@exämple.com"})
    assert asked.status_code == 200
    await app.mail_sender.run_once()
    assert {mail["To"] for mail in smtp.messages} <= {"asha@example.com"}
