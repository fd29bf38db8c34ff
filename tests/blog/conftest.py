"""Blog fixtures: the demo data (with its four published posts), a fixed clock, and readers."""

from __future__ import annotations

from datetime import datetime, timezone
from html.parser import HTMLParser

import pytest

from grihaseva.auth.accounts import User, create_user
from tests.helpers import DEMO_PASSWORD, logged_in, seed_demo_app  # noqa: F401  (logged_in for the tests)

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=timezone.utc)
LEAK_SLUG = "fix-a-leaking-tap-in-20-minutes"


@pytest.fixture
async def blog(app, settings):
    """The app with the demo accounts and posts, and a clock tests can move."""
    return await seed_demo_app(app, settings, NOW)


async def make_user(db, email: str, role: str = "customer", verified: bool = True) -> User:
    """An account; a provider gets a profile, verified unless told otherwise (only verified providers write)."""
    user_id = await create_user(db, {"email": email, "name": "Blog Reader", "phone": "+91 90000 00000",
                                     "gender": "female", "password": DEMO_PASSWORD}, NOW, 4, role=role)
    if role == "provider":  # create_user made the profile, unverified
        await db.execute("UPDATE providers SET verified = :v WHERE user_id = :id", {"v": int(verified), "id": user_id})
    return User(user_id, email, "Blog Reader", "+91 90000 00000", "female", role)


async def user_by_email(db, email: str) -> User:
    return User.from_row(await db.fetch_one("select_user_by_email", {"email": email}))


class Markup(HTMLParser):
    """Every start tag with its attributes, to assert on what a browser would build."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]
