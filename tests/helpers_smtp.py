"""A real SMTP server for mail tests, the settable clock at START, and the fixtures that wire them
into the app.  conftest.py files import the fixtures by name."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import replace
from datetime import datetime, timezone
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import serving_app
from tests.helpers import Clock
from tests.helpers_server import free_port

UTC = timezone.utc
START = datetime(2030, 1, 15, 9, 0, 0, tzinfo=UTC)
RESET_LINK = re.compile(r"https?://\S+/password/reset/[A-Za-z0-9_.\-]+")


class SmtpInbox:
    """aiosmtpd on a free localhost port (its own thread), keeping every message it accepts."""

    def __init__(self, port: int | None = None, **smtp_options):
        self.port = port or free_port()
        self.smtp_options = smtp_options
        self.messages: list[EmailMessage] = []
        self.envelopes: list = []
        self.controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.messages.append(BytesParser(policy=policy.default).parsebytes(envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"

    def start(self) -> "SmtpInbox":
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, **self.smtp_options)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """For a server in another process: wait until `count` messages have arrived."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.messages) >= count, f"expected {count} mail(s), got {len(self.messages)}"
        return self.messages

    async def wait_for_async(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert len(self.messages) >= count, f"expected {count} mail(s), got {len(self.messages)}"
        return self.messages


def text_part(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_part(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def reset_link(message: EmailMessage) -> str:
    """The path of the reset link in a mail's text part, as a browser would follow it."""
    match = RESET_LINK.search(text_part(message))
    assert match, text_part(message)
    return urlsplit(match.group(0)).path


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def smtp():
    inbox = SmtpInbox().start()
    yield inbox
    inbox.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def mail_settings(settings, smtp):
    return replace(settings, smtp_host="127.0.0.1", smtp_port=smtp.port)


@pytest.fixture
async def app(mail_settings, clock):
    """The app sending to the test SMTP server, on the test clock, its sender run by hand (run_once)."""
    async with serving_app(mail_settings, clock=clock, MAIL_SENDER_AUTOSTART=False) as application:
        yield application
