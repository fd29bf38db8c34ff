"""bcrypt hashing, always in a worker thread so a slow hash never blocks the event loop."""

from __future__ import annotations

import asyncio

import bcrypt

from ..i18n import gettext

MIN_LENGTH = 8
MAX_BYTES = 72  # bcrypt ignores (bcrypt 5 refuses) anything longer


def password_problem(password: str) -> str | None:
    if len(password) < MIN_LENGTH:
        return gettext("Use at least %(min)s characters.", min=MIN_LENGTH)
    if len(password.encode("utf-8")) > MAX_BYTES:
        return gettext("Use at most %(max)s bytes (about %(max)s letters, fewer with emoji or Indian scripts).", max=MAX_BYTES)
    return None


async def hash_password(password: str, rounds: int) -> str:
    def work() -> str:
        return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds)).decode("ascii")

    return await asyncio.to_thread(work)


async def check_password(password: str, password_hash: str) -> bool:
    def work() -> bool:
        encoded = password.encode("utf-8")
        if len(encoded) > MAX_BYTES:
            return False
        try:
            return bcrypt.checkpw(encoded, password_hash.encode("ascii"))
        except ValueError:
            return False

    return await asyncio.to_thread(work)


# A real hash to check against when the account does not exist, so a login for
# an unknown address takes as long as one for a known address.
_DUMMY_HASH: dict[int, str] = {}


async def waste_a_check(password: str, rounds: int) -> None:
    if rounds not in _DUMMY_HASH:
        _DUMMY_HASH[rounds] = await hash_password("not-a-real-password", rounds)
    await check_password(password, _DUMMY_HASH[rounds])
