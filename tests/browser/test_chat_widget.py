"""The chat widget in Chromium: opens on any page, answers without a reload, and the
conversation is still there on the next page."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

QUESTION = "how do I reset my password?"
ANSWER = "enter your email and we send you a link"


@pytest.fixture(scope="module")
def server(demo_servers):
    [live] = demo_servers("chat-widget")
    return live


def test_widget_answers_a_question_in_place_and_keeps_the_conversation_across_pages(chromium, server):
    context = chromium.new_context(viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        errors = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(server.url + "/services")
        page.evaluate("window.notReloaded = true")

        page.click("#chat-widget > summary")
        page.wait_for_selector("#chat-log .msg.bot >> text=Namaste!")
        page.fill("#chat-input", QUESTION)
        page.press("#chat-input", "Enter")
        # a generous wait: the server fits the chatbot's classifier at its first message (seconds on
        # a loaded machine); the answer still comes in place, without a reload (asserted below)
        page.wait_for_selector(f"#chat-log .msg.bot >> text={ANSWER}", timeout=30000)
        assert page.evaluate("window.notReloaded === true")  # swapped in, no page load
        assert page.input_value("#chat-input") == ""
        assert page.locator("#chat-log .msg.user").all_inner_texts() == [QUESTION]
        assert page.locator("#chat-log a[href='/password/forgot']").count() == 1
        box = page.locator("#chat-widget > summary").bounding_box()
        assert box["height"] >= 44

        # A boosted link keeps the open panel as it is ...
        page.click("nav a[href='/login']")
        page.wait_for_url(server.url + "/login")
        assert page.locator("#chat-log .msg.user").all_inner_texts() == [QUESTION]

        # ... and a fresh page load fetches the conversation when the panel opens.
        page.goto(server.url + "/register")
        assert not page.locator("#chat-widget").evaluate("el => el.open")
        page.click("#chat-widget > summary")
        page.wait_for_selector(f"#chat-log .msg.bot >> text={ANSWER}", timeout=5000)
        assert page.locator("#chat-log .msg.user").all_inner_texts() == [QUESTION]
        assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
    finally:
        context.close()
