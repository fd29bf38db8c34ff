"""FAQ answers go through the blog's sanitiser and URL-scheme allow-list: a javascript:, data:
or vbscript: link an admin typed into the FAQ editor never reaches a chat reply; http, https,
mailto, tel and relative links do. Both databases (the reply is stored and re-read)."""

from __future__ import annotations

import re

import pytest

from grihaseva.admin import faq_editor
from grihaseva.blog.posts import render_markdown
from grihaseva.markup import safe_href
from grihaseva.chatbot import faq
from tests.chatbot.conftest import links, say
from tests.conftest import text

BAD = ["javascript:alert(document.cookie)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "data:text/html;base64,PHNjcmlwdD4=",
       "vbscript:msgbox(1)", " javascript:alert(1)"]
GOOD = ["https://grihaseva.example/help", "http://grihaseva.example/", "mailto:help@grihaseva.example",
        "tel:+918045678900", "/bookings"]


@pytest.mark.parametrize("href", BAD)
def test_the_sanitiser_drops_dangerous_schemes(href):
    assert safe_href(href) is None
    assert not re.search(r'href="\s*(javascript|data|vbscript):', render_markdown(f"[x]({href.strip()})"), re.I)


@pytest.mark.parametrize("href", GOOD)
def test_the_sanitiser_keeps_allowed_schemes_and_relative_links(href):
    assert safe_href(href) == href
    assert f'href="{href}"' in render_markdown(f"[x]({href})")


async def test_javascript_links_in_an_edited_faq_are_stripped_from_chat_replies(app, settings):
    packaged = faq.KNOWLEDGE_PATH.read_text(encoding="utf-8")
    lines = "\n".join(f"[Link {n}]({href})" for n, href in enumerate(BAD + GOOD))
    edited = packaged.replace("Forgot your password? Open", f"{lines}\n\nForgot your password? Open", 1)
    assert edited != packaged
    faq_editor.check(edited)  # the editor would accept it
    path = faq.edited_path(settings.var_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(edited, encoding="utf-8")

    client = app.test_client()
    reply = await text(await say(client, "I forgot my password"))
    shown = links(reply)
    for href in GOOD:
        assert href in shown
    assert "/password/forgot" in shown
    assert [h for h in shown if re.match(r"\s*(javascript|vbscript|data):", h, re.I) or "script:" in h.lower()] == []
    assert not re.search(r'href="[^"]*(javascript|vbscript|data:)', reply, re.I)
    assert "Link 0" in reply  # the words of a dropped link stay, as text
    # the stored conversation, re-read from the database, is the same
    page = await text(await client.get("/chat"))
    assert not re.search(r'href="[^"]*(javascript|vbscript|data:)', page, re.I) and 'href="tel:+918045678900"' in page
