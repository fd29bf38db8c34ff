"""Login throttling with device cookies (OWASP "Slow Down Online Guessing Attacks with Device
Cookies"), on both databases: guesses from elsewhere lock out untrusted clients, never the
owner's browser that has logged in before; a locked and an unlocked account answer in the same time."""

from __future__ import annotations

import statistics
import time
from datetime import datetime, timezone

from grihaseva.auth import accounts
from grihaseva.auth.accounts import DEVICE_COOKIE, LoginRefused, authenticate, create_user
from tests.auth.test_accounts import PASSWORD, auth_cookie, login_from, make_user
from tests.conftest import post, text
from tests.helpers import Clock

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def device_cookie(client) -> str | None:
    return next((cookie.value for cookie in client.cookie_jar if cookie.name == DEVICE_COOKIE), None)


async def test_lockout_by_other_addresses_does_not_refuse_the_owners_device(app):
    app.clock = Clock(T0)
    await make_user(app, "asha@example.com", "customer")
    owner = app.test_client()
    assert (await login_from(owner, "10.1.0.1", "asha@example.com", PASSWORD)).status_code == 303
    first_cookie = device_cookie(owner)
    assert first_cookie
    await post(owner, "/logout")

    attacker = app.test_client()
    for attempt in range(5):  # from five addresses, no device cookie
        assert (await login_from(attacker, f"10.9.0.{attempt}", "asha@example.com", "wrong-horse-1")).status_code == 401
    # the account is locked for untrusted clients, the right password included
    blocked = await login_from(app.test_client(), "10.9.0.50", "asha@example.com", PASSWORD)
    assert blocked.status_code == 429
    assert "Too many failed logins" in await text(blocked)

    # the owner's browser, from the very address the attacker used, still gets in
    allowed = await login_from(owner, "10.9.0.1", "asha@example.com", PASSWORD)
    assert allowed.status_code == 303
    assert auth_cookie(owner)
    assert device_cookie(owner) and device_cookie(owner) != first_cookie  # a fresh cookie each login


async def test_a_device_cookie_has_its_own_allowance_and_can_be_locked(app):
    app.clock = Clock(T0)
    await make_user(app, "asha@example.com", "customer")
    owner = app.test_client()
    assert (await login_from(owner, "10.1.0.1", "asha@example.com", PASSWORD)).status_code == 303
    await post(owner, "/logout")
    for _ in range(5):  # the owner mistypes five times: only their device's allowance is used
        assert (await login_from(owner, "10.1.0.1", "asha@example.com", "wrong-horse-1")).status_code == 401
    assert (await login_from(owner, "10.1.0.1", "asha@example.com", PASSWORD)).status_code == 429
    # untrusted clients of the account are untouched by that device's failures
    other = app.test_client()
    assert (await login_from(other, "10.1.0.2", "asha@example.com", PASSWORD)).status_code == 303
    app.clock.advance(minutes=15, seconds=1)
    assert (await login_from(owner, "10.1.0.1", "asha@example.com", PASSWORD)).status_code == 303


async def test_a_forged_or_foreign_device_cookie_counts_as_untrusted(app, settings):
    app.clock = Clock(T0)
    await make_user(app, "asha@example.com", "customer")
    await make_user(app, "ravi@example.com", "customer", "male")
    secret = settings.secret_key
    ravis = accounts.new_device_cookie(secret, "ravi@example.com")
    assert accounts.device_nonce(secret, ravis, "asha@example.com") is None  # another account's
    assert accounts.device_nonce(secret, ravis + "x", "ravi@example.com") is None  # tampered
    assert accounts.device_nonce("another-secret-" + "y" * 32, ravis, "ravi@example.com") is None
    assert accounts.device_nonce(secret, ravis, "RAVI@example.com ")  # the address as typed

    attacker = app.test_client()
    attacker.set_cookie("localhost", DEVICE_COOKIE, ravis, path="/login")
    for attempt in range(5):
        await login_from(attacker, f"10.2.0.{attempt}", "asha@example.com", "wrong-horse-1")
    assert (await login_from(attacker, "10.2.0.9", "asha@example.com", PASSWORD)).status_code == 429


async def test_a_locked_account_answers_in_the_same_time_as_an_unlocked_one(db):
    """The refusal runs the same bcrypt work as a check, so timing does not reveal a lockout."""
    rounds = 10  # about 60 ms a check: large against the rest of the request
    now = T0
    clean = {"email": "asha@example.com", "name": "Asha", "phone": "+91 98450 12345", "gender": "female",
             "role": "customer", "password": PASSWORD}
    await create_user(db, clean, now, rounds)
    await create_user(db, {**clean, "email": "ravi@example.com"}, now, rounds)
    for n in range(5):
        try:
            await authenticate(db, "asha@example.com", "wrong-horse-1", f"10.3.0.{n}", now, rounds)
        except LoginRefused:
            pass

    async def timed(email: str, client: str) -> tuple[float, int]:
        start = time.perf_counter()
        try:
            await authenticate(db, email, "wrong-horse-1", client, now, rounds)
        except LoginRefused as refused:
            return time.perf_counter() - start, refused.status
        raise AssertionError("a wrong password was accepted")

    locked, unlocked = [], []
    for n in range(4):
        seconds, status = await timed("asha@example.com", f"10.4.0.{n}")
        assert status == 429
        locked.append(seconds)
        seconds, status = await timed("ravi@example.com", f"10.5.{n}.1")
        assert status == 401
        unlocked.append(seconds)
        await db.execute("DELETE FROM rate_hits WHERE bucket = 'login_fail_account' AND subject = 'ravi@example.com'")
    assert statistics.median(locked) > 0.6 * statistics.median(unlocked), (locked, unlocked)
