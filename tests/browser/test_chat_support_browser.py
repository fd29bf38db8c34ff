"""Support's answer reaches the customer live, in Chromium: on /chat and in the widget on another
page, without a reload, after an admin answers in /admin/support (whose queue shows the new
request live)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, wait_until_live

pytestmark = pytest.mark.browser

COMPLAINT = "the plumber never came, I want to complain"


@pytest.fixture(scope="module")
def server(demo_servers):
    [live] = demo_servers("chat-support")
    return live


def _answer(admin, text: str) -> None:
    form = admin.locator("form[action$='/answer']").last
    form.locator("textarea").fill(text)
    form.locator("button").click()
    admin.wait_for_selector("text=Answer sent to the customer.")


def test_a_complaint_appears_in_the_admins_queue_and_the_answer_in_the_open_chat_and_widget(chromium, server):
    customer_context = chromium.new_context(viewport={"width": 360, "height": 740})
    admin_context = chromium.new_context(viewport={"width": 360, "height": 740})
    try:
        admin = admin_context.new_page()
        log_in(admin, server.url, "admin@example.com", lands_on="/admin")
        admin.goto(server.url + "/admin/support")
        wait_until_live(admin)

        page = customer_context.new_page()
        log_in(page, server.url, "customer@example.com", lands_on="/bookings")
        page.goto(server.url + "/chat")
        page.fill(".chat-page #chat-input", COMPLAINT)
        page.click(".chat-page .chat-form button[type=submit]")
        page.wait_for_selector(".chat-page .msg.bot >> text=I have passed it to a person")
        admin.wait_for_selector(f"#support-queue >> text={COMPLAINT}", timeout=5000)  # live, no reload

        page.goto(server.url + "/chat")  # the page opens its stream once the conversation exists
        wait_until_live(page)
        page.evaluate("window.notReloaded = true")
        _answer(admin, "Sorry! Ravi will call you in 10 minutes.")
        page.wait_for_selector(".chat-page .msg.bot >> text=Ravi will call you in 10 minutes", timeout=5000)
        assert page.evaluate("window.notReloaded === true")

        # The widget on another page, while a second request waits for its answer.
        page.fill(".chat-page #chat-input", "talk to a person please")
        page.click(".chat-page .chat-form button[type=submit]")
        page.wait_for_selector(".chat-page .msg.bot >> text=I have passed it to a person >> nth=1")
        page.goto(server.url + "/services")
        page.evaluate("""() => document.addEventListener("htmx:sseOpen", (event) => {
            if (event.target.id === "chat-listener") window.chatListenerOpen = true;
        })""")
        page.click("#chat-widget > summary")
        page.wait_for_selector("#chat-log .msg.user >> text=talk to a person please")
        page.wait_for_function("() => window.chatListenerOpen === true", timeout=10000)  # its stream is open
        page.evaluate("window.notReloaded = true")
        admin.goto(server.url + "/admin/support")
        _answer(admin, "A person from our team will call you now.")
        page.wait_for_selector("#chat-log .msg.bot >> text=A person from our team will call you now.", timeout=5000)
        assert page.evaluate("window.notReloaded === true")
    finally:
        customer_context.close()
        admin_context.close()
