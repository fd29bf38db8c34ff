"""bcrypt hashing, on a bounded thread pool of its own so a slow hash never blocks the event loop.

Not `asyncio.to_thread`: that is the loop's default executor, which Quart also uses for any
synchronous hook, so twenty logins at once would queue every page render behind their hashes.
The pool has one thread fewer than the machine has cores (at least one), so a login storm
keeps one core free for the event loop; hashes beyond that wait their turn in the pool. Its
threads run at the lowest priority (nice +19), so on a busy machine a page render wins the core.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

import bcrypt

from ..i18n import gettext

HASH_THREADS = max(1, (os.cpu_count() or 2) - 1)
HASH_NICENESS = 19  # the hashing threads yield the CPU to everything else (bench/login_storm.py)


def _lower_priority() -> None:
    """Runs in each hashing thread: on Linux the nice value is per thread, so page renders on the
    event loop's thread win a busy core from a hash (the hash only takes longer)."""
    try:
        os.setpriority(os.PRIO_PROCESS, 0, min(19, os.getpriority(os.PRIO_PROCESS, 0) + HASH_NICENESS))
    except (AttributeError, OSError):  # not Linux, or not allowed: hashing still works
        pass


_hashing = ThreadPoolExecutor(max_workers=HASH_THREADS, thread_name_prefix="bcrypt", initializer=_lower_priority)


def hashing_executor() -> ThreadPoolExecutor:
    """The pool every hash and check runs on (tests fill it to stage a login storm)."""
    return _hashing


async def _on_hashing_pool(work):
    return await asyncio.get_running_loop().run_in_executor(_hashing, work)

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

    return await _on_hashing_pool(work)


async def check_password(password: str, password_hash: str) -> bool:
    def work() -> bool:
        encoded = password.encode("utf-8")
        if len(encoded) > MAX_BYTES:
            return False
        try:
            return bcrypt.checkpw(encoded, password_hash.encode("ascii"))
        except ValueError:
            return False

    return await _on_hashing_pool(work)


# A real hash to check against when the account does not exist, so a login for
# an unknown address takes as long as one for a known address.
_DUMMY_HASH: dict[int, str] = {}


async def waste_a_check(password: str, rounds: int) -> None:
    if rounds not in _DUMMY_HASH:
        _DUMMY_HASH[rounds] = await hash_password("not-a-real-password", rounds)
    await check_password(password, _DUMMY_HASH[rounds])
