from __future__ import annotations

import html
import re

from tests.conftest import TEST_CSRF, with_csrf
from tests.helpers import DEMO_NOW as NOW  # noqa: F401  (Monday 23 Nov 2026, 08:00 in Kolkata)
from tests.helpers import DEMO_PASSWORD as PASSWORD  # noqa: F401
from tests.helpers import demo, user_id  # noqa: F401  (demo is a fixture)


async def say(client, message: str, htmx: bool = True):
    """Post one chat message as the widget does (htmx) or as the plain form does."""
    await with_csrf(client)
    headers = {"HX-Request": "true"} if htmx else {}
    return await client.post("/chat/message", form={"csrf_token": TEST_CSRF, "message": message}, headers=headers)


def buttons(page: str) -> list[str]:
    """The values the reply's buttons post back, in order."""
    return [html.unescape(v) for v in re.findall(r'<button type="submit" name="message" value="([^"]*)"', page)]


def said(page: str) -> list[str]:
    """What the customer said, as the conversation shows it."""
    return [html.unescape(m) for m in re.findall(r'<div class="msg user"><p>(.*?)</p></div>', page)]


def links(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'<a href="([^"]*)"', page)]
