"""The database goes away between the SMTP server accepting a mail and the sender recording it:
the done-mark is retried in its own short transaction until it sticks, so when the database
returns within the claim's lease the mail is delivered once, not again by another sender; a real
SMTP server (aiosmtpd) and both databases (SQLite closed and reopened, MariaDB behind a relay
that is cut)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from grihaseva.db import open_database
from grihaseva.mail import CLAIM_LEASE, MailSender, enqueue_mail
from grihaseva.migrate import migrate
from tests.helpers_smtp import SmtpInbox
from tests.helpers import cuttable

CONTEXT = {"name": "Asha", "reset_url": "http://127.0.0.1:8000/password/reset/abc.def", "expires_minutes": 30}


class OutageOnDelivery(SmtpInbox):
    """Accepts each mail, then takes the database away (in the test's loop) before it answers 250,
    so the sender hears "delivered" while the database is gone."""

    def __init__(self, loop, take_down):
        super().__init__()
        self.loop, self.take_down, self.down = loop, take_down, None

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        if self.down is None:
            self.down = asyncio.run_coroutine_threadsafe(self.take_down(), self.loop)
            while not self.down.done():
                await asyncio.sleep(0.01)
        return answer


@pytest.fixture
async def outage_db(database_url, tmp_path):
    """(db, down, up) for a database the test can take away and bring back."""
    async with cuttable(database_url) as (url, forwarder):
        db = open_database(url)
        await db.connect()
        await migrate(db)
        if forwarder is None:
            yield db, db.close, db.connect
        else:
            yield db, forwarder.stop, forwarder.restart
        await db.close()


async def test_a_mail_whose_sent_mark_fails_is_not_delivered_twice_when_the_database_returns_within_the_lease(
        outage_db, settings, clock):
    db, down, up = outage_db
    smtp = OutageOnDelivery(asyncio.get_running_loop(), down).start()
    try:
        mail_settings = replace(settings, smtp_host="127.0.0.1", smtp_port=smtp.port)
        async with db.transaction() as tx:
            mail_id = await enqueue_mail(tx, "asha@example.com", "password_reset", CONTEXT, clock())
        first = MailSender(db, mail_settings, clock, worker_id="first")
        other = MailSender(db, mail_settings, clock, worker_id="other")

        sending = asyncio.create_task(first.run_once())
        await smtp.wait_for_async(1)
        while smtp.down is None or not smtp.down.done():  # the database was taken away before the 250
            await asyncio.sleep(0.01)
        await asyncio.sleep(1.0)  # the database is away; the sender retries its done-mark meanwhile
        assert not sending.done()  # still trying to record the delivery
        await up()  # back well within the 30-second lease
        assert await asyncio.wait_for(sending, 10) == 1
        row = await db.fetch_one("select_mail", {"id": mail_id})
        assert (row["status"], row["claimed_by"], row["attempts"]) == ("sent", "first", 1)

        # nobody sends it again: not another sender now, nor after the lease would have passed
        assert await other.run_once() == 0
        clock.advance(seconds=CLAIM_LEASE.total_seconds() + 1)
        assert await other.run_once() == 0 and await first.run_once() == 0
        assert len(smtp.messages) == 1
        assert await db.fetch_value("SELECT COUNT(*) AS n FROM mail_outbox") == 1
    finally:
        smtp.stop()
