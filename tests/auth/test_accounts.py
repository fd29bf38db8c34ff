"""Accounts over HTTP, on both databases: registration, login, throttling,
sessions, the account page, role-based access and bcrypt."""

from __future__ import annotations

import asyncio
import hashlib
import html
import time
from datetime import datetime, timezone

import pytest

from grihaseva.auth.accounts import create_user
from grihaseva.auth.passwords import check_password, hash_password
from grihaseva.config import DatabaseUrl, Settings
from tests.conftest import TEST_CSRF, login, post, register, text, visible_text, with_csrf
from tests.helpers import Clock

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
PASSWORD = "correct-horse-1"
GENERIC_ERROR = "That email and password do not match an account."

VALID = {
    "name": "Asha Menon", "email": "asha@example.com", "phone": "+91 98450 12345", "gender": "female",
    "role": "customer", "password": PASSWORD, "password_confirm": PASSWORD,
}


@pytest.fixture
def clock(app) -> Clock:
    app.clock = Clock(T0)
    return app.clock


def from_address(address: str) -> dict:
    """scope_base for a request that comes from another client address."""
    return {"scope_base": {"client": (address, 40000)}}


def auth_cookie(client) -> str | None:
    return next((cookie.value for cookie in client.cookie_jar if cookie.name == "grihaseva_auth"), None)


def client_with_auth_cookie(app, value: str):
    other = app.test_client()
    other.set_cookie("localhost", "grihaseva_auth", value)
    return other


async def count(app, sql: str, params: dict | None = None) -> int:
    return await app.db.fetch_value(sql, params)


async def is_logged_in(client) -> bool:
    response = await client.get("/account")
    return response.status_code == 200


async def make_user(app, email: str, role: str, gender: str = "female") -> int:
    clean = {"email": email, "name": "Test Person", "phone": "+91 90000 00000", "gender": gender, "password": PASSWORD}
    return await create_user(app.db, clean, T0, 4, role=role)


def field_error(page: str, field: str) -> str | None:
    """The message shown under one form field, or None."""
    marker = f'<p id="e-{field}" class="error">'
    start = page.find(marker)
    if start < 0:
        return None
    start += len(marker)
    return html.unescape(page[start:page.index("</p>", start)])


# ---------------------------------------------------------------- registration


REGISTRATION_CASES = [
    ("name", "", "Enter your name."),
    ("name", "x" * 101, "Use at most 100 characters for your name."),
    ("email", "", "Enter your email address."),
    ("email", "asha.example.com", "Enter a valid email address, like name@example.com."),
    ("email", "a" * 250 + "@example.com", "Enter a valid email address, like name@example.com."),
    ("phone", "", "Enter a phone number so providers can reach you."),
    ("phone", "call me", "Enter a phone number of 7 to 15 digits, like +91 98450 12345."),
    ("phone", "12345", "Enter a phone number of 7 to 15 digits, like +91 98450 12345."),
    ("gender", "", "Choose female, male or other."),
    ("gender", "robot", "Choose female, male or other."),
    ("role", "", "Choose whether you are booking services (customer) or offering them (provider)."),
    ("role", "admin", "Choose whether you are booking services (customer) or offering them (provider)."),
    ("password", "seven77", "Use at least 8 characters."),
    ("password", "😀" * 25, "Use at most 72 bytes (about 72 letters, fewer with emoji or Indian scripts)."),
    ("password_confirm", "correct-horse-2", "The two passwords do not match."),
]


async def test_each_invalid_registration_field_gets_its_own_message_and_422(app, client):
    for field, value, message in REGISTRATION_CASES:
        form = {**VALID, field: value}
        if field == "password":
            form["password_confirm"] = value
        response = await post(client, "/register", form)
        page = await text(response)
        shown = (response.status_code, field_error(page, field), "Please fix the 1 problem below." in page)
        assert shown == (422, message, True), f"{field}={value!r}"
    assert await count(app, "SELECT COUNT(*) AS n FROM users") == 0
    assert auth_cookie(client) is None


async def test_an_empty_registration_names_every_missing_field(app, client):
    response = await post(client, "/register", {})
    page = await text(response)
    assert response.status_code == 422
    missing = {field: field_error(page, field) for field in ("name", "email", "phone", "gender", "role", "password")}
    assert missing == {
        "name": "Enter your name.",
        "email": "Enter your email address.",
        "phone": "Enter a phone number so providers can reach you.",
        "gender": "Choose female, male or other.",
        "role": "Choose whether you are booking services (customer) or offering them (provider).",
        "password": "Use at least 8 characters.",
    }
    assert "Please fix the 6 problems below." in page


async def test_invalid_registration_keeps_what_was_typed_but_not_the_password(client):
    response = await post(client, "/register", {**VALID, "phone": "nope"})
    page = await text(response)
    assert 'value="Asha Menon"' in page
    assert 'value="asha@example.com"' in page
    assert PASSWORD not in page


async def test_registration_as_admin_is_refused_and_creates_no_admin(app, client):
    response = await post(client, "/register", {**VALID, "role": "admin"})
    assert response.status_code == 422
    assert await count(app, "SELECT COUNT(*) AS n FROM users WHERE role = 'admin'") == 0


async def test_email_is_unique_whatever_its_case(app, client):
    await register(client, email="asha@example.com")
    other = app.test_client()
    response = await post(other, "/register", {**VALID, "email": "  ASHA@Example.COM "})
    assert response.status_code == 422
    assert field_error(await text(response), "email") == (
        "An account with this email already exists. Log in instead, or reset your password.")
    assert await count(app, "SELECT COUNT(*) AS n FROM users") == 1


@pytest.mark.parametrize("name", ["\u200b", "\u200b\u200b \u202e", "---", "\ufeff."])
async def test_a_name_with_nothing_visible_is_refused(app, client, name):
    response = await post(client, "/register", {**VALID, "name": name})
    assert response.status_code == 422
    assert field_error(await text(response), "name") in ("Enter your name in letters.", "Enter your name.")
    assert await count(app, "SELECT COUNT(*) AS n FROM users") == 0


async def test_invisible_characters_are_removed_from_a_name_and_indic_joiners_kept(app, client):
    await register(client, name="Asha\u200b Menon\u202e")
    assert (await post(client, "/account/profile", {"name": "क्\u200dष Menon", "phone": "+91 98450 12345"})).status_code == 303
    assert await app.db.fetch_value("SELECT name FROM users") == "क्\u200dष Menon"
    other = app.test_client()
    await register(other, email="ravi@example.com", name="Ravi\u2060 Kumar")
    assert await app.db.fetch_value("SELECT name FROM users WHERE email = 'ravi@example.com'") == "Ravi Kumar"


async def test_a_lookalike_address_is_another_account_and_cannot_use_the_real_password(app, client):
    await register(client, email="asha@example.com")
    visitor = app.test_client()
    refused = await login(visitor, "asha@exämple.com")  # the real password, a lookalike address
    assert refused.status_code == 401
    assert GENERIC_ERROR in await text(refused)
    assert (await login(visitor, "ASHA@Example.com")).status_code == 303  # case alone is the same account
    other = app.test_client()
    await register(other, email="asha@exämple.com", password="another-horse-2")
    assert await count(app, "SELECT COUNT(*) AS n FROM users") == 2


async def test_registration_stores_the_email_in_lower_case_and_logs_in(app, client):
    response = await register(client, email="Asha.Menon@Example.com")
    assert response.headers["Location"] == "/bookings"
    row = await app.db.fetch_one("SELECT email, role, gender, password_hash FROM users")
    assert row["password_hash"].startswith("$2b$04$")  # the settings' cost (4 in tests, 12 by default)
    del row["password_hash"]
    assert row == {"email": "asha.menon@example.com", "role": "customer", "gender": "female"}
    assert await count(app, "SELECT COUNT(*) AS n FROM sessions") == 1


async def test_a_provider_registration_creates_the_provider_profile_and_lands_on_the_dashboard(app, client):
    response = await register(client, email="ravi@example.com", role="provider", gender="male")
    assert response.headers["Location"] == "/provider/dashboard"
    assert await count(app, "SELECT COUNT(*) AS n FROM providers") == 1
    dashboard = await client.get("/provider/dashboard")
    assert dashboard.status_code == 200


async def test_a_password_of_exactly_72_bytes_is_accepted(app, client):
    password = "😀" * 18  # 4 bytes each
    await register(client, password=password)
    other = app.test_client()
    assert (await login(other, "asha@example.com", password)).status_code == 303


# ---------------------------------------------------------------- login


async def test_wrong_password_and_unknown_email_get_the_same_answer(app, client):
    await make_user(app, "asha@example.com", "customer")
    wrong_password = await login(client, "asha@example.com", "wrong-horse-1")
    unknown_email = await login(app.test_client(), "nobody@example.com", PASSWORD)
    assert wrong_password.status_code == unknown_email.status_code == 401
    first, second = await text(wrong_password), await text(unknown_email)
    assert GENERIC_ERROR in first and GENERIC_ERROR in second
    assert visible_text(first) == visible_text(second)
    assert auth_cookie(client) is None


async def test_login_with_empty_fields_asks_for_both(client):
    response = await login(client, "", "")
    assert response.status_code == 422
    assert "Enter your email and password." in await text(response)


async def test_login_lands_on_the_roles_home_page(app):
    for role, home in (("customer", "/bookings"), ("provider", "/provider/dashboard"), ("admin", "/admin")):
        await make_user(app, f"{role}@example.com", role)
        client = app.test_client()
        response = await login(client, f"{role.capitalize()}@Example.com")
        assert (response.status_code, response.headers["Location"]) == (303, home)
        assert (await client.get(home)).status_code == 200


async def test_login_goes_back_to_next(app, client):
    await make_user(app, "asha@example.com", "customer")
    response = await post(client, "/login", {"email": "asha@example.com", "password": PASSWORD, "next": "/account?tab=1"})
    assert response.headers["Location"] == "/account?tab=1"


async def test_the_login_page_carries_next_into_its_form(client):
    page = await text(await client.get("/login?next=/account"))
    assert '<input type="hidden" name="next" value="/account">' in page


OPEN_REDIRECTS = [
    "//evil.example", "https://evil.example/x", "http:/evil.example", "javascript:alert(1)",
    "/\\evil.example", "\\\\evil.example", "/\t/evil.example", "evil.example", "/\r\nSet-Cookie: x=1",
    "//[evil",
]


async def test_open_redirects_through_next_are_refused(app, client):
    await make_user(app, "asha@example.com", "customer")
    for target in OPEN_REDIRECTS:
        response = await post(client, "/login", {"email": "asha@example.com", "password": PASSWORD, "next": target})
        assert (response.status_code, response.headers.get("Location")) == (303, "/bookings"), repr(target)
        # and a logged-in visit to /login?next=... does not follow it either
        again = await client.get("/login", query_string={"next": target})
        assert (again.status_code, again.headers.get("Location")) == (303, "/bookings"), repr(target)


async def test_a_login_page_next_is_not_reflected_when_it_points_away(client):
    page = await text(await client.get("/login", query_string={"next": "https://evil.example"}))
    assert "evil.example" not in page


async def test_a_non_ascii_next_becomes_a_valid_location_header(app, client):
    await make_user(app, "asha@example.com", "customer")
    response = await post(client, "/login", {"email": "asha@example.com", "password": PASSWORD, "next": "/services?q=सफ़ाई"})
    assert response.status_code == 303
    location = response.headers["Location"]
    location.encode("ascii")  # a header a browser and hypercorn accept
    assert location.startswith("/services?q=%E0%A4%B8")


async def test_an_overlong_email_is_a_generic_login_error(app, client):
    response = await login(client, "a" * 300 + "@example.com", "whatever-1")
    assert response.status_code == 401
    assert GENERIC_ERROR in await text(response)


# ---------------------------------------------------------------- throttling


async def test_five_failures_for_an_account_block_it_even_with_the_right_password(app, client, clock):
    await make_user(app, "asha@example.com", "customer")
    for attempt in range(5):  # from five different addresses: the account is what is counted
        response = await login_from(client, f"10.0.0.{attempt + 1}", "asha@example.com", "wrong-horse-1")
        assert response.status_code == 401
    clock.advance(minutes=6)
    blocked = await login_from(client, "10.0.0.9", "asha@example.com", PASSWORD)
    assert blocked.status_code == 429
    assert "Too many failed logins. Try again in 9 minutes." in await text(blocked)
    assert auth_cookie(client) is None

    clock.advance(minutes=8, seconds=30)
    almost = await login_from(client, "10.0.0.9", "asha@example.com", PASSWORD)
    assert "Try again in 1 minute." in await text(almost)

    clock.advance(seconds=31)  # 15 minutes after the failures
    allowed = await login_from(client, "10.0.0.9", "asha@example.com", PASSWORD)
    assert allowed.status_code == 303


async def test_the_throttle_message_counts_from_the_apps_clock(app, client, clock):
    await make_user(app, "asha@example.com", "customer")
    for attempt in range(5):
        await login_from(client, f"10.0.1.{attempt}", "asha@example.com", "wrong-horse-1")
    response = await login_from(client, "10.0.1.9", "asha@example.com", PASSWORD)
    assert response.status_code == 429
    assert "Try again in 15 minutes." in await text(response)


async def test_five_failures_from_one_client_block_that_client_only(app, client, clock):
    await make_user(app, "asha@example.com", "customer")
    for attempt in range(5):  # five different unknown accounts, one address
        response = await login_from(client, "10.0.2.1", f"guess{attempt}@example.com", "wrong-horse-1")
        assert response.status_code == 401
    blocked = await login_from(client, "10.0.2.1", "asha@example.com", PASSWORD)
    assert blocked.status_code == 429
    assert "Try again in 15 minutes." in await text(blocked)
    elsewhere = await login_from(app.test_client(), "10.0.2.2", "asha@example.com", PASSWORD)
    assert elsewhere.status_code == 303


async def test_a_successful_login_forgets_earlier_failures_of_the_account(app, client, clock):
    await make_user(app, "asha@example.com", "customer")
    for attempt in range(4):
        await login_from(client, f"10.0.3.{attempt}", "asha@example.com", "wrong-horse-1")
    assert (await login_from(client, "10.0.3.9", "asha@example.com", PASSWORD)).status_code == 303
    await post(client, "/logout")
    for attempt in range(4):
        await login_from(client, f"10.0.4.{attempt}", "asha@example.com", "wrong-horse-1")
    assert (await login_from(client, "10.0.4.9", "asha@example.com", PASSWORD)).status_code == 303


async def test_guesses_sent_all_at_once_are_throttled_like_guesses_sent_one_by_one(app, clock):
    await make_user(app, "asha@example.com", "customer")

    async def guess(n: int):
        return (await login_from(app.test_client(), f"10.0.5.{n}", "asha@example.com", f"wrong-horse-{n}")).status_code

    statuses = await asyncio.gather(*(guess(n) for n in range(15)))
    assert set(statuses) <= {401, 429}
    statuses += [await guess(n) for n in range(15, 22)]  # then one by one until the account is blocked
    assert statuses.count(401) == 5  # five passwords tried in all, however the requests interleaved
    assert statuses[-1] == 429
    assert (await login_from(app.test_client(), "10.0.5.99", "asha@example.com", PASSWORD)).status_code == 429


async def test_successful_logins_from_one_address_are_not_throttled(app, clock):
    await make_user(app, "asha@example.com", "customer")
    for _ in range(8):  # an office behind one address: only failures count against it
        assert (await login_from(app.test_client(), "10.0.6.1", "asha@example.com", PASSWORD)).status_code == 303


async def login_from(client, address: str, email: str, password: str):
    await with_csrf(client)
    return await client.post("/login", form={"csrf_token": TEST_CSRF, "email": email, "password": password},
                             **from_address(address))


async def register_from(address: str, app, email: str, **changes):
    client = app.test_client()
    await with_csrf(client)
    return await client.post("/register", form={"csrf_token": TEST_CSRF, **VALID, "email": email, **changes},
                             **from_address(address))


async def test_ten_registrations_an_hour_from_one_address_then_a_clear_429(app, clock):
    for n in range(10):
        assert (await register_from("10.0.5.1", app, f"family{n}@example.com")).status_code == 303
    invalid = await register_from("10.0.5.1", app, "not-an-address")  # a form with mistakes costs nothing
    assert invalid.status_code == 422
    taken = await register_from("10.0.5.1", app, "FAMILY0@example.com")  # nor does an address already taken
    assert taken.status_code == 422
    refused = await register_from("10.0.5.1", app, "eleventh@example.com")
    assert refused.status_code == 429
    page = await text(refused)
    assert "Too many new accounts from your network. Try again in 60 minutes." in visible_text(page)
    assert 'value="eleventh@example.com"' in page  # what was typed is kept
    assert await count(app, "SELECT COUNT(*) AS n FROM users") == 10
    assert (await register_from("10.0.5.2", app, "neighbour@example.com")).status_code == 303
    clock.advance(hours=1)
    assert (await register_from("10.0.5.1", app, "eleventh@example.com")).status_code == 303


# ---------------------------------------------------------------- sessions


async def test_every_login_gets_a_new_session_and_the_old_one_is_deleted(app, client):
    await register(client)
    first_cookie = auth_cookie(client)
    first_row = await app.db.fetch_one("SELECT id_hash FROM sessions")
    await login(client, "asha@example.com")
    second_cookie = auth_cookie(client)
    rows = await app.db.fetch_all("SELECT id_hash FROM sessions")
    assert second_cookie and second_cookie != first_cookie
    assert len(rows) == 1 and rows[0] != first_row
    assert not await is_logged_in(client_with_auth_cookie(app, first_cookie))
    assert await is_logged_in(client)


async def test_registering_while_logged_in_ends_the_previous_session(app, client):
    await register(client, email="asha@example.com")
    first_cookie = auth_cookie(client)
    await register(client, email="ravi@example.com", role="provider", gender="male")
    rows = await app.db.fetch_all("SELECT u.email FROM sessions s JOIN users u ON u.id = s.user_id")
    assert rows == [{"email": "ravi@example.com"}]
    assert not await is_logged_in(client_with_auth_cookie(app, first_cookie))


async def test_the_session_cookie_carries_a_random_id_whose_hash_is_the_session_row(app, client):
    await register(client)
    auth_id = app.extensions["QUART_AUTH"][0].load_token(auth_cookie(client), app)
    row = await app.db.fetch_one("SELECT id_hash, user_id FROM sessions")
    assert len(auth_id) >= 40  # random, 32 bytes in URL-safe base64
    assert auth_id != str(row["user_id"])
    assert hashlib.sha256(auth_id.encode()).hexdigest() == row["id_hash"]


async def test_logout_deletes_the_session_row_and_a_replayed_cookie_is_not_logged_in(app, client):
    await register(client)
    cookie = auth_cookie(client)
    response = await post(client, "/logout")
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    assert await count(app, "SELECT COUNT(*) AS n FROM sessions") == 0
    replay = client_with_auth_cookie(app, cookie)
    assert not await is_logged_in(replay)
    assert (await replay.get("/account")).headers["Location"] == "/login?next=%2Faccount"


async def test_log_out_everywhere_ends_the_sessions_of_every_client(app, client):
    await register(client)
    phone = app.test_client()
    await login(phone, "asha@example.com")
    await make_user(app, "bystander@example.com", "customer")
    bystander = app.test_client()
    await login(bystander, "bystander@example.com")
    assert await count(app, "SELECT COUNT(*) AS n FROM sessions") == 3

    response = await post(client, "/account/logout-everywhere")
    assert response.status_code == 303
    assert not await is_logged_in(client)
    assert not await is_logged_in(phone)
    assert await is_logged_in(bystander)
    assert await count(app, "SELECT COUNT(*) AS n FROM sessions") == 1


async def test_a_session_older_than_14_days_is_refused(app, client, clock):
    await register(client)
    clock.advance(days=13, hours=23)
    assert await is_logged_in(client)
    clock.advance(hours=1, seconds=1)
    response = await client.get("/account")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/login")


async def test_session_cookies_are_httponly_samesite_lax_and_last_14_days(client):
    response = await register(client)
    cookie = next(value for key, value in response.headers.items() if key.lower() == "set-cookie" and "grihaseva_auth" in value)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Max-Age=1209600" in cookie  # 14 days


# ---------------------------------------------------------------- the account page


async def test_the_account_page_edits_name_and_phone(app, client):
    await register(client)
    response = await post(client, "/account/profile", {"name": "  Asha   K  Menon ", "phone": "+91 80 2222 3333"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/account"
    row = await app.db.fetch_one("SELECT name, phone FROM users")
    assert row == {"name": "Asha K Menon", "phone": "+91 80 2222 3333"}
    page = await text(await client.get("/account"))
    assert "Your details are saved." in page
    assert 'value="Asha K Menon"' in page


async def test_the_account_page_refuses_an_invalid_name_or_phone(app, client):
    await register(client)
    for field, value, message in [
        ("name", "", "Enter your name."),
        ("name", "n" * 101, "Use at most 100 characters for your name."),
        ("phone", "", "Enter a phone number so providers can reach you."),
        ("phone", "+91 98450 12345 67890", "Enter a phone number of 7 to 15 digits, like +91 98450 12345."),
    ]:
        response = await post(client, "/account/profile", {"name": "Asha Menon", "phone": "+91 98450 12345", field: value})
        assert (response.status_code, field_error(await text(response), field)) == (422, message), f"{field}={value!r}"
    assert await app.db.fetch_one("SELECT name, phone FROM users") == {"name": "Asha Menon", "phone": "+91 98450 12345"}


PASSWORD_CHANGE_CASES = [
    ({"current_password": "wrong-horse-1", "new_password": "new-horse-22", "new_password_confirm": "new-horse-22"},
     "current_password", "Your current password is not right."),
    ({"current_password": PASSWORD, "new_password": "short", "new_password_confirm": "short"},
     "new_password", "Use at least 8 characters."),
    ({"current_password": PASSWORD, "new_password": "new-horse-22", "new_password_confirm": "new-horse-23"},
     "new_password_confirm", "The two passwords do not match."),
    ({"current_password": PASSWORD, "new_password": PASSWORD, "new_password_confirm": PASSWORD},
     "new_password", "Choose a new password that is different from your current one."),
]


async def test_changing_the_password_needs_the_current_one_and_a_valid_new_one(app, client):
    await register(client)
    before = await app.db.fetch_value("SELECT password_hash FROM users")
    for form, field, message in PASSWORD_CHANGE_CASES:
        response = await post(client, "/account/password", form)
        assert (response.status_code, field_error(await text(response), field)) == (422, message), field
    assert await app.db.fetch_value("SELECT password_hash FROM users") == before
    assert await is_logged_in(client)


async def test_changing_the_password_ends_other_sessions_but_keeps_this_one(app, client):
    await register(client)
    phone = app.test_client()
    await login(phone, "asha@example.com")
    response = await post(client, "/account/password", {
        "current_password": PASSWORD, "new_password": "new-horse-22", "new_password_confirm": "new-horse-22",
    })
    assert response.status_code == 303
    assert await is_logged_in(client)
    assert not await is_logged_in(phone)
    assert await count(app, "SELECT COUNT(*) AS n FROM sessions") == 1
    assert (await login(app.test_client(), "asha@example.com", PASSWORD)).status_code == 401
    assert (await login(app.test_client(), "asha@example.com", "new-horse-22")).status_code == 303


# ---------------------------------------------------------------- role-based access


async def test_a_customer_opening_a_provider_page_gets_a_friendly_403(app, client):
    await register(client)
    response = await client.get("/provider/dashboard")
    page = visible_text(await text(response))
    assert response.status_code == 403
    assert "This page is not for your account" in page
    assert "This page is for providers. You are logged in as a customer." in page


async def test_a_provider_opening_the_admin_console_gets_403(app, client):
    await register(client, email="ravi@example.com", role="provider", gender="male")
    response = await client.get("/admin")
    assert response.status_code == 403
    assert "This page is for admins. You are logged in as a provider." in visible_text(await text(response))


async def test_a_visitor_is_sent_to_the_login_page_with_next(client):
    for path in ["/provider/dashboard", "/admin", "/account", "/bookings"]:
        response = await client.get(path)
        assert (response.status_code, response.headers["Location"]) == (303, "/login?next=" + path.replace("/", "%2F"))


async def test_a_visitors_htmx_request_gets_hx_redirect(client):
    response = await client.get("/provider/dashboard", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/login?next=%2Fprovider%2Fdashboard"


async def test_a_visitors_htmx_post_is_redirected_back_to_the_page_it_came_from(client):
    await with_csrf(client)
    response = await client.post("/account/profile", form={"csrf_token": TEST_CSRF, "name": "x"},
                                 headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/account"})
    assert response.headers["HX-Redirect"] == "/login?next=%2Faccount"


async def test_after_logging_in_the_visitor_is_back_where_they_were_going(app, client):
    await make_user(app, "ravi@example.com", "provider", gender="male")
    bounce = await client.get("/provider/dashboard?week=2")
    login_page = await client.get(bounce.headers["Location"])
    assert 'name="next" value="/provider/dashboard?week=2"' in await text(login_page)
    response = await post(client, "/login", {"email": "ravi@example.com", "password": PASSWORD,
                                             "next": "/provider/dashboard?week=2"})
    assert response.headers["Location"] == "/provider/dashboard?week=2"
    assert (await client.get("/provider/dashboard?week=2")).status_code == 200


async def test_each_role_sees_its_own_nav(app, client):
    await register(client)
    customer_page = await text(await client.get("/account"))
    assert 'href="/bookings"' in customer_page and 'href="/provider/dashboard"' not in customer_page
    provider = app.test_client()
    await register(provider, email="ravi@example.com", role="provider", gender="male")
    provider_page = await text(await provider.get("/account"))
    assert 'href="/provider/dashboard"' in provider_page and 'href="/bookings"' not in provider_page


# ---------------------------------------------------------------- bcrypt


def test_the_default_bcrypt_cost_is_12(tmp_path):
    settings = Settings(database=DatabaseUrl(dialect="sqlite", path=str(tmp_path / "x.db")), secret_key="k" * 40)
    assert settings.bcrypt_rounds == 12
    assert Settings.from_env({"GRIHASEVA_VAR_DIR": str(tmp_path)}).bcrypt_rounds == 12


async def test_hashing_at_cost_12_leaves_the_event_loop_serving():
    ticks = 0

    async def heartbeat():
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    beating = asyncio.create_task(heartbeat())
    started = time.monotonic()
    try:
        password_hash = await hash_password("correct-horse-1", 12)
        right, wrong = await check_password("correct-horse-1", password_hash), await check_password("correct-horse-2", password_hash)
    finally:
        beating.cancel()
    elapsed = time.monotonic() - started
    assert password_hash.startswith("$2b$12$")
    assert (right, wrong) == (True, False)
    assert elapsed > 0.1  # real cost-12 work happened
    # a loop blocked by the three bcrypt calls would tick about once per call; a free one
    # ticks every few milliseconds (~100 times here), so 10 leaves room for a busy machine
    assert ticks >= 10

