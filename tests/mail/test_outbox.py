"""The mail outbox and its sender, against a real SMTP server (aiosmtpd) and both databases."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import timedelta

import pytest
from aiosmtpd.smtp import AuthResult

from grihaseva.db import open_database
from grihaseva.mail import CLAIM_LEASE, Attachment, MailSender, enqueue_mail, retry_delay
from tests.helpers_smtp import START, SmtpInbox, html_part, text_part

RESET_CONTEXT = {"name": "Asha <Menon>", "reset_url": "http://127.0.0.1:8000/password/reset/abc.def", "expires_minutes": 30}


async def queue(db, clock, to="asha@example.com", attachments=()) -> int:
    async with db.transaction() as tx:
        return await enqueue_mail(tx, to, "password_reset", RESET_CONTEXT, clock(), attachments)


async def outbox(db) -> list[dict]:
    return await db.fetch_all(
        "SELECT id, to_addr, status, attempts, next_attempt_at, claimed_by, last_error, created_at, sent_at "
        "FROM mail_outbox ORDER BY id"
    )


async def test_enqueued_mail_is_rendered_from_its_text_and_html_templates(db, clock):
    await queue(db, clock)
    row = await db.fetch_one("SELECT to_addr, subject, text_body, html_body, attachments, status, attempts, "
                             "next_attempt_at, created_at FROM mail_outbox")
    assert row["to_addr"] == "asha@example.com"
    assert row["subject"] == "Reset your GrihaSeva password"
    assert "Hello Asha <Menon>," in row["text_body"]
    assert "http://127.0.0.1:8000/password/reset/abc.def" in row["text_body"]
    assert "Hello Asha &lt;Menon&gt;," in row["html_body"]
    assert '<a href="http://127.0.0.1:8000/password/reset/abc.def">' in row["html_body"]
    assert row["attachments"] is None
    assert (row["status"], row["attempts"], row["next_attempt_at"], row["created_at"]) == ("queued", 0, START, START)


async def test_mail_written_in_a_rolled_back_transaction_is_never_sent(db, clock, mail_settings, smtp):
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await enqueue_mail(tx, "asha@example.com", "password_reset", RESET_CONTEXT, clock())
            raise RuntimeError("the change that wanted this mail failed")
    assert await outbox(db) == []
    assert await MailSender(db, mail_settings, clock).run_once() == 0
    assert smtp.messages == []


async def test_sender_delivers_text_and_html_alternatives_and_marks_mail_sent(db, clock, mail_settings, smtp):
    mail_id = await queue(db, clock)
    clock.advance(seconds=5)
    assert await MailSender(db, mail_settings, clock).run_once() == 1

    [message] = smtp.messages
    assert message["To"] == "asha@example.com"
    assert message["From"] == "GrihaSeva <no-reply@grihaseva.example>"
    assert message["Subject"] == "Reset your GrihaSeva password"
    assert message["Message-ID"] == f"<outbox.{mail_id}.{int(START.timestamp())}@grihaseva.example>"
    assert message.get_content_type() == "multipart/alternative"
    assert "http://127.0.0.1:8000/password/reset/abc.def" in text_part(message)
    assert "Hello Asha &lt;Menon&gt;," in html_part(message)
    [row] = await outbox(db)
    assert (row["status"], row["attempts"], row["sent_at"], row["last_error"]) == ("sent", 1, START + timedelta(seconds=5), None)
    assert await MailSender(db, mail_settings, clock).run_once() == 0
    assert len(smtp.messages) == 1


async def test_attachments_travel_beside_the_text_and_html(db, clock, mail_settings, smtp):
    ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Deep cleaning\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    await queue(db, clock, attachments=[
        Attachment("visit.ics", "text/calendar", ics),
        Attachment("receipt.pdf", "application/pdf", b"%PDF-1.4 \x00\xff binary"),
    ])
    await MailSender(db, mail_settings, clock).run_once()

    [message] = smtp.messages
    assert message.get_content_type() == "multipart/mixed"
    assert "abc.def" in text_part(message)
    files = {part.get_filename(): part for part in message.iter_attachments()}
    assert sorted(files) == ["receipt.pdf", "visit.ics"]
    assert files["visit.ics"].get_content_type() == "text/calendar"
    assert "SUMMARY:Deep cleaning" in files["visit.ics"].get_content()
    assert files["receipt.pdf"].get_content() == b"%PDF-1.4 \x00\xff binary"


def test_retry_delay_starts_at_30_seconds_doubles_and_stops_at_30_minutes():
    assert [retry_delay(n).total_seconds() for n in range(1, 9)] == [30, 60, 120, 240, 480, 960, 1800, 1800]


async def test_smtp_server_down_delays_mail_with_backoff_and_it_arrives_once_when_back(db, clock, mail_settings, smtp):
    smtp.stop()
    await queue(db, clock)
    sender = MailSender(db, mail_settings, clock)

    assert await sender.run_once() == 1
    [row] = await outbox(db)
    assert (row["status"], row["attempts"], row["next_attempt_at"]) == ("queued", 1, START + timedelta(seconds=30))
    assert "SmtpUnreachable" in row["last_error"]

    clock.advance(seconds=30)
    assert await sender.run_once() == 1  # still down: the second wait is twice as long
    [row] = await outbox(db)
    assert (row["status"], row["attempts"], row["next_attempt_at"]) == ("queued", 2, START + timedelta(seconds=90))

    smtp.start()  # the server is back, on the same port
    clock.advance(seconds=59)
    assert await sender.run_once() == 0  # not due yet
    assert smtp.messages == []
    clock.advance(seconds=1)
    assert await sender.run_once() == 1
    assert await sender.run_once() == 0
    assert [m["To"] for m in smtp.messages] == ["asha@example.com"]
    [row] = await outbox(db)
    assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 3, None)


async def test_mail_that_cannot_be_sent_for_24_hours_is_marked_failed_and_logged(db, clock, mail_settings, smtp, caplog):
    smtp.stop()
    await queue(db, clock)
    sender = MailSender(db, mail_settings, clock)
    await sender.run_once()

    clock.advance(hours=23, minutes=59, seconds=50)
    await sender.run_once()
    [row] = await outbox(db)
    # the backoff would overshoot the deadline: the last attempt lands on it
    assert (row["status"], row["attempts"], row["next_attempt_at"]) == ("queued", 2, START + timedelta(hours=24))

    clock.advance(seconds=10)
    with caplog.at_level(logging.ERROR, logger="grihaseva.mail"):
        assert await sender.run_once() == 1
    [row] = await outbox(db)
    assert (row["status"], row["attempts"]) == ("failed", 3)
    assert "SmtpUnreachable" in row["last_error"]
    assert f"mail {row['id']} to asha@example.com failed for good after 3 attempts" in caplog.text

    smtp.start()
    clock.advance(days=1)
    assert await sender.run_once() == 0
    assert smtp.messages == []


async def test_two_senders_racing_over_one_queue_send_each_mail_exactly_once(db, clock, mail_settings, smtp):
    addresses = [f"customer{i:02d}@example.com" for i in range(20)]
    for address in addresses:
        await queue(db, clock, to=address)
    first, second = open_database(mail_settings.database), open_database(mail_settings.database)
    await first.connect()
    await second.connect()
    try:
        a = MailSender(first, mail_settings, clock, worker_id="sender-a")
        b = MailSender(second, mail_settings, clock, worker_id="sender-b")
        counts = await asyncio.gather(a.run_once(), b.run_once())
    finally:
        await first.close()
        await second.close()

    assert sum(counts) == 20
    assert sorted(m["To"] for m in smtp.messages) == addresses
    assert len({m["Message-ID"] for m in smtp.messages}) == 20
    rows = await outbox(db)
    assert {(r["status"], r["attempts"]) for r in rows} == {("sent", 1)}
    assert {r["claimed_by"] for r in rows} <= {"sender-a", "sender-b"}


async def test_mail_claimed_by_a_sender_that_died_is_sent_by_another_once_the_claim_is_stale(db, clock, mail_settings, smtp):
    mail_id = await queue(db, clock)
    claimed = await db.execute("claim_mail", {"id": mail_id, "worker": "dead-sender", "now": clock(),
                                              "stale_before": clock() - CLAIM_LEASE})
    assert claimed.rowcount == 1
    live = MailSender(db, mail_settings, clock, worker_id="live-sender")

    clock.advance(seconds=20)
    assert await live.run_once() == 0  # the first sender may still be talking to the server
    clock.advance(seconds=11)  # the 30-second lease has lapsed: the mail is resumed within a minute
    assert await live.run_once() == 1
    assert [m["To"] for m in smtp.messages] == ["asha@example.com"]
    [row] = await outbox(db)
    assert (row["status"], row["claimed_by"], row["attempts"]) == ("sent", "live-sender", 2)


async def test_a_claimed_mail_cannot_be_claimed_again(db, clock):
    mail_id = await queue(db, clock)
    params = {"id": mail_id, "now": clock(), "stale_before": clock() - CLAIM_LEASE}
    assert (await db.execute("claim_mail", {**params, "worker": "a"})).rowcount == 1
    assert (await db.execute("claim_mail", {**params, "worker": "b"})).rowcount == 0
    [row] = await outbox(db)
    assert (row["status"], row["claimed_by"]) == ("sending", "a")


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
async def test_sender_logs_in_when_a_user_is_configured(db, clock, mail_settings):
    def authenticator(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=(auth_data.login, auth_data.password) == (b"mailer", b"s3cret-pass"))

    inbox = SmtpInbox(auth_required=True, auth_require_tls=False, authenticator=authenticator).start()
    try:
        settings = replace(mail_settings, smtp_port=inbox.port)
        await queue(db, clock)
        assert await MailSender(db, settings, clock).run_once() == 1  # no login: the server refuses the mail
        assert inbox.messages == []
        [row] = await outbox(db)
        assert row["status"] == "queued" and "530" in row["last_error"]

        clock.advance(seconds=30)
        settings = replace(settings, smtp_user="mailer", smtp_password="s3cret-pass")
        assert await MailSender(db, settings, clock).run_once() == 1
        assert [m["To"] for m in inbox.messages] == ["asha@example.com"]
    finally:
        inbox.stop()


async def test_without_an_smtp_host_mail_goes_to_the_log_and_counts_as_sent(db, clock, settings, caplog):
    assert settings.smtp_host == ""
    mail_id = await queue(db, clock)
    with caplog.at_level(logging.INFO, logger="grihaseva.mail"):
        assert await MailSender(db, settings, clock).run_once() == 1
    assert f"mail {mail_id} to asha@example.com (no SMTP host configured" in caplog.text
    assert "http://127.0.0.1:8000/password/reset/abc.def" in caplog.text
    [row] = await outbox(db)
    assert row["status"] == "sent"


async def test_background_sender_started_with_the_app_delivers_right_after_the_commit(mail_settings, smtp):
    from grihaseva.app import create_app
    from grihaseva.migrate import migrate

    application = create_app(mail_settings)
    application.mail_sender.poll_seconds = 60  # so only the commit can have woken it
    async with application.test_app():
        await migrate(application.db)
        async with application.db.transaction() as tx:
            await enqueue_mail(tx, "asha@example.com", "password_reset", RESET_CONTEXT, application.clock())
        await smtp.wait_for_async(1, timeout=10)
    assert [m["To"] for m in smtp.messages] == ["asha@example.com"]

