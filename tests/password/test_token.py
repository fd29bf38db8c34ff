"""The reset token and the reset itself, as domain functions over both databases."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from grihaseva.auth.accounts import create_user
from grihaseva.auth.password_reset import (
    ResetLinkExpired, ResetLinkInvalid, make_reset_token, reset_password, user_for_reset_token,
)
from tests.helpers_smtp import START

SECRET = "test-secret-key-" + "x" * 32
BASE_URL = "http://127.0.0.1:8000"


@pytest.fixture
async def asha(db):
    user_id = await create_user(db, {"email": "asha@example.com", "name": "Asha Menon", "phone": "+91 98450 12345",
                                     "gender": "female", "password": "correct-horse-1"}, START, rounds=4, role="customer")
    return await db.fetch_one("select_user_by_id", {"id": user_id})


async def test_token_is_good_for_exactly_30_minutes(db, asha):
    token = make_reset_token(SECRET, asha, START)
    assert (await user_for_reset_token(db, SECRET, token, START + timedelta(minutes=30)))["id"] == asha["id"]
    with pytest.raises(ResetLinkExpired):
        await user_for_reset_token(db, SECRET, token, START + timedelta(minutes=30, seconds=1))


async def test_token_of_a_deactivated_account_is_not_valid(db, asha):
    token = make_reset_token(SECRET, asha, START)
    await db.execute("UPDATE users SET is_active = 0 WHERE id = :id", {"id": asha["id"]})
    with pytest.raises(ResetLinkInvalid):
        await user_for_reset_token(db, SECRET, token, START)


async def test_token_dies_when_the_password_hash_changes_by_any_route(db, asha):
    token = make_reset_token(SECRET, asha, START)
    await db.execute("update_user_password", {"id": asha["id"], "password_hash": asha["password_hash"].replace("$2b$04$", "$2b$04$x", 1),
                                              "now": START})
    with pytest.raises(ResetLinkInvalid):
        await user_for_reset_token(db, SECRET, token, START)


async def test_two_resets_racing_with_one_token_let_exactly_one_through(db, asha):
    token = make_reset_token(SECRET, asha, START)

    async def attempt(password):
        form = {"new_password": password, "new_password_confirm": password}
        return await reset_password(db, SECRET, token, form, START, rounds=4, base_url=BASE_URL)

    results = await asyncio.gather(attempt("first-new-pass"), attempt("second-new-pass"), return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["ResetLinkInvalid", "dict"]
    assert await db.fetch_value("SELECT COUNT(*) AS n FROM mail_outbox WHERE subject = 'Your GrihaSeva password was changed'") == 1
