"""Browser-test fixtures: real `grihaseva serve` processes with the demo data, and logging in and
registering the way a person does."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.helpers import DEMO_PASSWORD
from tests.helpers_server import LiveServer


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory) -> Path:
    """A SQLite file that `grihaseva migrate` and `grihaseva seed-demo` made once for the run; each
    module's servers get a copy (running both commands per module cost two process starts)."""
    var = tmp_path_factory.mktemp("demo-template")
    maker = LiveServer({"GRIHASEVA_DATABASE_URL": f"sqlite:///{var}/demo.db", "GRIHASEVA_VAR_DIR": str(var)})
    maker.run("migrate")
    maker.run("seed-demo")
    assert not (var / "demo.db-wal").exists(), "seed-demo left its WAL behind"
    return var / "demo.db"


@pytest.fixture(scope="module")
def demo_servers(tmp_path_factory, demo_database):
    """Starts `processes` servers on one migrated, demo-seeded SQLite database of this module's own
    (so a page can lose its server and reconnect to another); all are stopped when the module's
    tests are done."""
    started: list[LiveServer] = []

    def start(name: str, processes: int = 1) -> list[LiveServer]:
        var = tmp_path_factory.mktemp(name)
        shutil.copyfile(demo_database, var / "demo.db")
        env = {"GRIHASEVA_DATABASE_URL": f"sqlite:///{var}/demo.db", "GRIHASEVA_VAR_DIR": str(var)}
        servers = [LiveServer(env) for _ in range(processes)]
        for server in servers:
            started.append(server)
            server.start()
        return servers

    yield start
    for server in started:
        server.stop()


def wait_until_live(page, timeout: float = 5000) -> None:
    """Waits until the page's live stream is open (and, for a stream that starts with a snapshot,
    htmx swapped it in): from then on the page shows what the server will push changes to."""
    page.wait_for_function("() => window.__liveMessages > 0 || window.__liveOpened > 0", timeout=timeout)


def log_in(page, base: str, email: str, password: str = DEMO_PASSWORD, *, next: str | None = None,
           lands_on: str | None = None) -> None:
    """Fills and sends the login form; with `lands_on`, waits until the URL ends with that path."""
    page.goto(base + "/login" + (f"?next={next}" if next else ""))
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.click("form[action='/login'] button[type=submit]")
    if lands_on is not None:
        page.wait_for_url(re.compile(rf".*{re.escape(lands_on)}$"))


def register_customer(page, base: str, email: str, password: str, *, name: str = "Kavya Rao",
                      phone: str = "+91 98450 00042") -> None:
    """Fills and sends the registration form as a woman signing up as a customer."""
    page.goto(base + "/register")
    page.fill("#f-name", name)
    page.fill("#f-email", email)
    page.fill("#f-phone", phone)
    page.check("input[name=gender][value=female]")
    page.check("input[name=role][value=customer]")
    page.fill("#f-password", password)
    page.fill("#f-password_confirm", password)
    page.click("form[action='/register'] button[type=submit]")
