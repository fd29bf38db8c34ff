"""Nothing on a page's render path waits for a thread: not the loop's default executor (Quart's
home for synchronous hooks), and not the password-hashing pool that logins fill."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from grihaseva.auth import passwords
from tests.conftest import post, text
from tests.helpers import DEMO_PASSWORD, demo, logged_in  # noqa: F401 - `demo` is a fixture

PAGES = ["/", "/services", "/services/tap-leak-repair", "/book/tap-leak-repair?provider=any", "/blog",
         "/login", "/register", "/chat"]
CUSTOMER_PAGES = ["/bookings", "/account"]


class RecordingExecutor(ThreadPoolExecutor):
    """A default executor that notes every job handed to it."""

    def __init__(self):
        super().__init__(max_workers=2)
        self.jobs: list[str] = []

    def submit(self, fn, /, *args, **kwargs):
        self.jobs.append(repr(args[0] if args else fn))
        return super().submit(fn, *args, **kwargs)


async def test_pages_render_without_the_default_executor(demo):
    client = await logged_in(demo, "customer@example.com")
    loop = asyncio.get_running_loop()
    previous = getattr(loop, "_default_executor", None)
    recorder = RecordingExecutor()
    loop.set_default_executor(recorder)
    try:
        anonymous = demo.test_client()
        for path in PAGES:
            response = await anonymous.get(path)
            assert response.status_code == 200, path
        for path in CUSTOMER_PAGES:
            response = await client.get(path)
            assert response.status_code == 200, path
    finally:
        loop._default_executor = previous
        recorder.shutdown(wait=False)
    assert recorder.jobs == []


async def test_a_login_storm_does_not_hold_up_a_page(demo):
    """Fill every hashing thread, queue logins behind them: a page still renders, and the logins
    finish only once the hashing threads are free again (ordering, not timing). Four logins: the
    fifth at once would meet the login throttle, which answers without hashing."""
    pool = passwords.hashing_executor()
    release = threading.Event()
    blockers = [asyncio.get_running_loop().run_in_executor(pool, release.wait) for _ in range(passwords.HASH_THREADS)]
    logins = [asyncio.ensure_future(post(demo.test_client(), "/login",
                                         {"email": "customer@example.com", "password": DEMO_PASSWORD}))
              for _ in range(4)]
    try:
        await asyncio.sleep(0.05)  # let the logins reach the pool
        page = await asyncio.wait_for(demo.test_client().get("/"), 10)
        assert page.status_code == 200 and "GrihaSeva" in await text(page)
        assert not any(login.done() for login in logins)  # every login is still waiting for a hash
    finally:
        release.set()
    await asyncio.gather(*blockers)
    responses = await asyncio.gather(*logins)
    assert [r.status_code for r in responses] == [303] * 4


async def test_hashing_has_its_own_pool(demo):
    loop = asyncio.get_running_loop()
    previous = getattr(loop, "_default_executor", None)
    recorder = RecordingExecutor()
    loop.set_default_executor(recorder)
    try:
        hashed = await passwords.hash_password("a-long-password", 4)
        assert await passwords.check_password("a-long-password", hashed)
    finally:
        loop._default_executor = previous
        recorder.shutdown(wait=False)
    assert recorder.jobs == []
