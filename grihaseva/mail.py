"""The mail outbox and its background sender.

`enqueue_mail` renders `templates/email/<name>.txt` and `.html` and writes the
mail to `mail_outbox` inside the caller's transaction, so a mail exists if and
only if the change that caused it was committed.  `enqueue_mails` writes the
template's name and its facts instead, and the sender renders them (`rendered`):
a busy transaction such as a booking then holds its locks for less time.  `MailSender` delivers the
outbox with aiosmtplib: it claims the due rows of a round with one conditional
UPDATE (a row it changed is ours, so several processes never send the same
mail), sends each as multipart text + HTML (+ attachments), records the sent
ones with one UPDATE (every MARK_EVERY_SECONDS at most, and at the end of the round), and on failure
schedules a retry with exponential backoff until 24 hours after the mail was
written, then marks it failed.  With no SMTP host configured, "sending" writes
the mail to the log (and `/dev/mail` lists it in development).

Nothing here knows about Quart: the sender takes the database, the settings
and a clock.
"""

from __future__ import annotations

import asyncio
import base64
import importlib
import json
import logging
import os
import re
import secrets
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import aiosmtplib
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from . import i18n
from .clock import utcnow
from .config import Settings

logger = logging.getLogger("grihaseva.mail")

TEMPLATES = Path(__file__).resolve().parent / "templates"

FIRST_RETRY_DELAY = timedelta(seconds=30)
MAX_RETRY_DELAY = timedelta(minutes=30)
GIVE_UP_AFTER = timedelta(hours=24)
# A claim is a lease: the sender renews it every LEASE_RENEW_SECONDS while it talks to the
# SMTP server, so a live sender's claim never lapses, and a claim older than this belongs to a
# sender that died or lost the database mid-send: another may take the mail. Short, so a mail
# interrupted by an outage resumes within about this long of the database's return (a reset
# link lives 30 minutes); long enough that the done-mark, retried through a short outage,
# usually sticks before anyone else may take the mail.
CLAIM_LEASE = timedelta(seconds=30)
CLAIM_STALE_AFTER = CLAIM_LEASE  # the older name
LEASE_RENEW_SECONDS = 10.0
SMTP_TIMEOUT = 30.0
# The done-mark is retried until it sticks: first after MARK_RETRY_FIRST seconds, doubling to
# MARK_RETRY_MAX.
MARK_RETRY_FIRST, MARK_RETRY_MAX = 0.2, 2.0
# Sent mail is recorded in one statement for the round, or sooner once the oldest unrecorded
# send is this old: a sender that dies in between sends those few again (as it would one mail
# between its send and its mark).
MARK_EVERY_SECONDS = 0.5


@dataclass(frozen=True)
class Attachment:
    """A file sent with a mail, such as an .ics invitation."""

    filename: str
    content_type: str
    content: str | bytes


# ---------------------------------------------------------------- writing mail


@lru_cache(maxsize=1)
def _email_templates() -> Environment:
    # Mail is rendered outside any request, so it has its own environment over the
    # app's templates: HTML autoescaped, plain text not.
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(i18n.gettext, i18n.template_ngettext, newstyle=True)
    return env


def render_mail(template: str, context: Mapping[str, Any], locale: str | None = None,
                html: bool = True) -> tuple[str, str, str]:
    """(subject, text, html) of `templates/email/<template>.txt|.html`, in `locale`
    (default: the current language); with `html=False` the HTML part is left unmade ("").

    The text template names the subject with `{% set subject = _("...") %}`; the HTML
    template receives it as `subject`.
    """
    with i18n.use_locale(locale or i18n.get_locale()):
        return _render_mail(template, context, locale or i18n.get_locale(), html)


def _render_mail(template: str, context: Mapping[str, Any], locale: str, html: bool = True) -> tuple[str, str, str]:
    env = _email_templates()
    context = {**context, "lang": locale}
    text_module = env.get_template(f"email/{template}.txt").make_module(dict(context))
    subject = " ".join(str(getattr(text_module, "subject", "")).split())
    if not subject:
        raise ValueError(f"templates/email/{template}.txt does not set a subject")
    body = env.get_template(f"email/{template}.html").render(**context, subject=subject) if html else ""
    return subject, str(text_module).strip() + "\n", body


def _attachments_json(attachments: Iterable[Attachment]) -> str | None:
    items = []
    for item in attachments:
        if isinstance(item.content, bytes):
            content, encoding = base64.b64encode(item.content).decode("ascii"), "base64"
        else:
            content, encoding = item.content, "text"
        items.append({"filename": item.filename, "content_type": item.content_type,
                      "content": content, "encoding": encoding})
    return json.dumps(items) if items else None


async def recipient_locale(tx, to: str) -> str:
    """The language the account at `to` reads GrihaSeva in (English for an unknown address)."""
    row = await tx.fetch_one("select_locale_by_email", {"email": to.strip().lower()})
    return i18n.normalize(row["locale"] if row else None) or i18n.DEFAULT_LOCALE


async def enqueue_mail(tx, to: str, template: str, context: Mapping[str, Any], now: datetime,
                       attachments: Iterable[Attachment] = (), locale: str | None = None) -> int:
    """Render a mail in its recipient's language (`locale`, or the one in their profile) and
    write it to the outbox in the caller's transaction; returns its id."""
    if "\n" in to or "\r" in to or "@" not in to:
        raise ValueError(f"not a mail address: {to!r}")
    if locale is None:
        locale = await recipient_locale(tx, to)
    subject, text_body, html_body = render_mail(template, context, locale)
    result = await tx.execute("insert_mail", {
        "to_addr": to, "subject": subject, "text_body": text_body, "html_body": html_body,
        "attachments": _attachments_json(attachments), "now": now,
    })
    # Read by MailSender.on_commit: wake the local sender once this commits.
    tx.mail_enqueued = True
    return result.lastrowid


@dataclass(frozen=True)
class DeferredAttachment:
    """An attachment made by the sender: `maker` ("grihaseva.module:function") is called with
    `args` (JSON values) and returns the file's text, e.g. an .ics built from a booking's facts."""

    filename: str
    content_type: str
    maker: str
    args: Mapping[str, Any]


async def enqueue_mails(tx, mails: Iterable[tuple[str, str, Mapping[str, Any], str]], now: datetime,
                        attachments: Iterable[DeferredAttachment] = ()) -> None:
    """Write mails of (to, template, context, locale) to the outbox in one INSERT, in the caller's
    transaction, without rendering them: the row keeps the template's name and its facts (the
    context, JSON values only, and the recipient's language), and the sender renders text, HTML
    and attachments when it sends, in that language. A context that cannot be rendered fails when
    sent, so callers' templates are tested."""
    attached = [{"filename": a.filename, "content_type": a.content_type, "maker": _maker_name(a.maker),
                 "args": dict(a.args)} for a in attachments]
    rows, params = [], {"now": now}
    for n, (to, template, context, locale) in enumerate(mails):
        if "\n" in to or "\r" in to or "@" not in to:
            raise ValueError(f"not a mail address: {to!r}")
        if not re.fullmatch(r"[a-z0-9_]{1,60}", template):
            raise ValueError(f"not a mail template name: {template!r}")
        rows.append(f"(:to_{n}, '', '', '', NULL, :template_{n}, :facts_{n}, 'queued', 0, :now, :now)")
        params.update({f"to_{n}": to, f"template_{n}": template,
                       f"facts_{n}": json.dumps({"context": dict(context), "attachments": attached,
                                                  "locale": locale})})
    if not rows:
        return
    await tx.execute("INSERT INTO mail_outbox (to_addr, subject, text_body, html_body, attachments, template, facts, "
                     "status, attempts, next_attempt_at, created_at) VALUES " + ", ".join(rows), params)
    tx.mail_enqueued = True


def _maker_name(maker: str) -> str:
    module, _, function = maker.partition(":")
    if not module.startswith("grihaseva.") or not function.isidentifier():
        raise ValueError(f"an attachment maker is grihaseva.<module>:<function>, got {maker!r}")
    return maker


def _make(maker: str, args: Mapping[str, Any]) -> str:
    module, _, function = _maker_name(maker).partition(":")
    return getattr(importlib.import_module(module), function)(**args)


def rendered(mail: Mapping[str, Any], attachments: bool = True, html: bool = True) -> dict[str, Any]:
    """The outbox row with its subject, bodies and attachments, rendering a row written by
    `enqueue_mails` from its template and facts (a row written rendered comes back as it is).
    `attachments=False` and `html=False` leave a templated row's attachments and HTML part
    unmade (the log shows neither)."""
    mail = dict(mail)
    if not mail.get("template"):
        return mail
    facts = json.loads(mail["facts"])
    mail["subject"], mail["text_body"], mail["html_body"] = render_mail(mail["template"], facts["context"],
                                                                            facts.get("locale"), html)
    if not attachments:
        return mail
    # An attachment's words in the recipient's language too (the .ics's summary and description).
    with i18n.use_locale(facts.get("locale") or i18n.get_locale()):
        mail["attachments"] = _attachments_json(
            Attachment(item["filename"], item["content_type"], _make(item["maker"], item["args"]))
            for item in facts["attachments"]) if facts["attachments"] else mail.get("attachments")
    return mail


# ---------------------------------------------------------------- delivering mail


def retry_delay(attempts: int) -> timedelta:
    """30 s after the first failed attempt, doubling each time, at most 30 minutes."""
    return min(FIRST_RETRY_DELAY * (2 ** max(attempts - 1, 0)), MAX_RETRY_DELAY)


class _EncodedSubject(str):
    """A non-ASCII Subject that folds itself with `email.header.Header`, which keeps every space
    inside an encoded word. Python 3.11's folder for `policy.SMTP` (what aiosmtplib sends with) can
    leave a space between two encoded words, and readers drop whitespace there (RFC 2047): about a
    quarter of Hindi subjects came out as "नलऔर लीकेज" (cpython#92081). The header object's own
    `fold` is what the policy calls, because it has a `name`."""

    name = "Subject"

    def fold(self, *, policy) -> str:
        encoded = Header(str(self), "utf-8", header_name=self.name).encode(linesep=policy.linesep)
        return f"{self.name}: {encoded}{policy.linesep}"


def build_message(mail: Mapping[str, Any], mail_from: str) -> EmailMessage:
    """The MIME message for one outbox row: text and HTML alternatives, then attachments."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "grihaseva.example"
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = mail["to_addr"]
    subject = mail["subject"]
    message["Subject"] = subject if subject.isascii() else _EncodedSubject(subject)
    message["Date"] = format_datetime(mail["created_at"])
    # Stable per outbox row, so a receiving system can spot a duplicate delivery.
    message["Message-ID"] = f"<outbox.{mail['id']}.{int(mail['created_at'].timestamp())}@{domain}>"
    message.set_content(mail["text_body"])
    message.add_alternative(mail["html_body"], subtype="html")
    for item in json.loads(mail["attachments"] or "[]"):
        maintype, _, subtype = item["content_type"].partition("/")
        if item.get("encoding") == "base64":
            message.add_attachment(base64.b64decode(item["content"]), maintype=maintype,
                                   subtype=subtype or "octet-stream", filename=item["filename"])
        else:
            message.add_attachment(item["content"], subtype=subtype or "plain", filename=item["filename"])
    return message


class SmtpUnreachable(Exception):
    """The SMTP server could not be reached or refused the session (connect, TLS, login)."""


class _SmtpTransport:
    """One SMTP connection, opened on the first mail and reused for a batch."""

    needs_attachments = needs_html = True

    def __init__(self, settings: Settings):
        self.settings = settings
        self.smtp: aiosmtplib.SMTP | None = None

    async def send(self, mail: Mapping[str, Any]) -> None:
        message = build_message(mail, self.settings.mail_from)
        if self.smtp is None:
            s = self.settings
            smtp = aiosmtplib.SMTP(
                hostname=s.smtp_host, port=s.smtp_port, timeout=SMTP_TIMEOUT,
                use_tls=s.smtp_port == 465, start_tls=False if s.smtp_port == 465 else s.smtp_starttls,
                username=s.smtp_user or None, password=s.smtp_password or None,
            )
            try:
                await smtp.connect()  # STARTTLS and login happen here when configured
            except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError) as error:
                raise SmtpUnreachable(f"{s.smtp_host}:{s.smtp_port}: {error}") from error
            self.smtp = smtp
        try:
            await self.smtp.send_message(message)
        except BaseException:
            await self.close()  # the session may be in any state: start afresh next time
            raise

    async def close(self) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is not None and smtp.is_connected:
            try:
                await smtp.quit()
            except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError):
                smtp.close()


class _LogTransport:
    """No SMTP host configured: the mail goes to the log (and stays listed at /dev/mail, which
    renders it whole). The log shows the subject and text only, so neither its attachments (a
    booking's .ics: about half a booking mail's rendering time in a profile) nor its HTML part
    are made for it."""

    needs_attachments = needs_html = False

    async def send(self, mail: Mapping[str, Any]) -> None:  # no MIME message to build: it is only logged
        logger.info("mail %s to %s (no SMTP host configured, so it is logged instead of sent)\n"
                    "Subject: %s\n\n%s", mail["id"], mail["to_addr"], mail["subject"], mail["text_body"])

    async def close(self) -> None:
        pass


class MailSender:
    """Delivers due outbox rows; `run_once()` is one round, `start()`/`stop()` the background loop."""

    def __init__(self, db, settings: Settings, clock: Callable[[], datetime] = utcnow, *,
                 worker_id: str | None = None, batch_size: int = 50, poll_seconds: float = 5.0,
                 gather_seconds: float = 0.1):
        self.db = db
        self.settings = settings
        self.clock = clock
        self.worker_id = worker_id or f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        # After a commit's wake-up, the round waits this long: the mail of a burst of bookings
        # then goes out in one round (its read, claim and done-mark shared) instead of one each.
        self.gather_seconds = gather_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._stopping = False
        self._failing = False

    def _transport(self):
        return _SmtpTransport(self.settings) if self.settings.smtp_host else _LogTransport()

    async def run_once(self) -> int:
        """Attempt every mail due now; returns how many this sender attempted.

        One round: read the due rows, claim them with one UPDATE, send them one by one (the claims'
        lease renewed every LEASE_RENEW_SECONDS meanwhile), and record the sent ones with one
        UPDATE at the end of the round, or sooner once the oldest unrecorded send is
        MARK_EVERY_SECONDS old. Mail left unsent by a stop or an unreachable server is handed back
        unattempted."""
        now = self.clock()
        due = await self.db.fetch_all("select_due_mail", {"now": now, "stale_before": now - CLAIM_LEASE,
                                                          "limit": self.batch_size})
        if not due:
            return 0
        mine = await self._claim(due, now)
        if not mine:
            return 0
        attempted = 0
        transport = self._transport()
        needs = {"attachments": getattr(transport, "needs_attachments", True), "html": getattr(transport, "needs_html", True)}
        sent: list[int] = []
        first_unrecorded = 0.0
        renewer = asyncio.create_task(self._renew_claims())
        try:
            for index, row in enumerate(mine):
                if self._stopping:
                    await self._hand_back(mine[index:])
                    break
                attempted += 1
                # The row as read before the claim: what a mail says never changes once written,
                # and the claim has just counted this attempt.
                mail = {**row, "attempts": row["attempts"] + 1}
                try:
                    # A row of facts: its text, HTML and .ics are made here.
                    await transport.send(rendered(mail, **needs))
                except SmtpUnreachable as error:
                    await self._failed_attempt(mail, error, now)
                    await self._hand_back(mine[index + 1:])  # they wait for the next round instead of each timing out
                    break
                except Exception as error:  # a refused message or a dropped connection: retry this one later
                    await self._failed_attempt(mail, error, now)
                else:
                    if not sent:
                        first_unrecorded = time.monotonic()
                    sent.append(mail["id"])
                    if time.monotonic() - first_unrecorded >= MARK_EVERY_SECONDS:
                        await self._mark_sent(sent)
                        sent = []
            if sent:
                await self._mark_sent(sent)
        finally:
            renewer.cancel()
            await asyncio.gather(renewer, return_exceptions=True)
            await transport.close()
        return attempted

    async def _claim(self, due: list[dict], now: datetime) -> list[dict]:
        """The rows of `due` this sender now holds (one UPDATE; a row another sender took between
        the read and the claim is left out, found by a second read only when the counts differ)."""
        ids = [row["id"] for row in due]
        sql, params = self.db.expand("claim_mails", {"ids": ids}, {"worker": self.worker_id, "now": now,
                                                                   "stale_before": now - CLAIM_LEASE})
        claimed = await self.db.execute(sql, params)
        if claimed.rowcount == len(ids):
            return due
        if claimed.rowcount == 0:
            return []
        sql, params = self.db.expand("select_mail_ids_claimed_by", {"ids": ids}, {"worker": self.worker_id})
        held = {row["id"] for row in await self.db.fetch_all(sql, params)}
        return [row for row in due if row["id"] in held]

    async def _renew_claims(self) -> None:
        """While a round lasts: every LEASE_RENEW_SECONDS this sender's claims start their lease
        again (one statement), so a slow SMTP exchange never lets another sender take a mail."""
        while True:
            await asyncio.sleep(LEASE_RENEW_SECONDS)
            try:
                await self.db.execute("renew_mail_claims", {"worker": self.worker_id, "now": self.clock()})
            except Exception as error:  # the database is away: the sends go on, the lease may lapse
                logger.warning("mail sender %s: could not renew its claims: %s", self.worker_id, error)

    async def _hand_back(self, rows: list[dict]) -> None:
        """Claimed rows not attempted after all: queued again as they were (the claim's count undone)."""
        if rows:
            sql, params = self.db.expand("release_mail_claims", {"ids": [row["id"] for row in rows]},
                                         {"worker": self.worker_id})
            await self.db.execute(sql, params)

    async def _mark_sent(self, mail_ids: list[int]) -> None:
        """The server has these mails: record it (one statement), retried until it sticks.
        A database that returns within the lease gets the mark before any sender may take the mails
        again, so none is delivered twice. A mark whose commit was lost in transit is recognised
        on the retry (the rows already say sent)."""
        delay = MARK_RETRY_FIRST
        sql, params = self.db.expand("mark_mails_sent", {"ids": mail_ids}, {"worker": self.worker_id})
        while True:
            try:  # one statement, in autocommit: no BEGIN and COMMIT round trips around it
                marked = await self.db.execute(sql, {**params, "now": self.clock()})
                if marked.rowcount != len(mail_ids):
                    for mail_id in mail_ids:
                        row = await self.db.fetch_one("select_mail", {"id": mail_id})
                        if row is None or row["status"] != "sent":
                            logger.warning("mail %s was delivered, but its claim had passed to %s: it may go out twice",
                                           mail_id, row and row["claimed_by"])
                return
            except Exception as error:
                logger.warning("mail %s was delivered; recording that failed (%s), retrying in %.1f s",
                               ", ".join(map(str, mail_ids)), error, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, MARK_RETRY_MAX)

    async def _failed_attempt(self, mail: Mapping[str, Any], error: Exception, now: datetime) -> None:
        reason = f"{type(error).__name__}: {error}"[:1000]
        deadline = mail["created_at"] + GIVE_UP_AFTER
        if now >= deadline:
            await self.db.execute("mark_mail_failed", {"id": mail["id"], "worker": self.worker_id, "error": reason})
            logger.error("mail %s to %s failed for good after %s attempts over 24 hours: %s",
                         mail["id"], mail["to_addr"], mail["attempts"], reason)
            return
        # The last retry lands on the deadline itself, so a mail gets its full 24 hours.
        next_attempt = min(now + retry_delay(mail["attempts"]), deadline)
        await self.db.execute("schedule_mail_retry", {"id": mail["id"], "worker": self.worker_id,
                                                      "error": reason, "next_attempt_at": next_attempt})
        logger.warning("mail %s to %s not sent (attempt %s), retrying at %s: %s",
                       mail["id"], mail["to_addr"], mail["attempts"], next_attempt.isoformat(), reason)

    # ------------------------------------------------------------ background loop

    def health(self) -> str:
        """For /healthz: ok, failing (its last round could not use the database), stopped, or off
        (not started, as in tests that deliver by hand)."""
        if self._task is None:
            return "off"
        if self._task.done():
            return "stopped"
        return "failing" if self._failing else "ok"

    def wake(self) -> None:
        self._wake.set()

    def on_commit(self, tx) -> None:
        """A `db.commit_listeners` entry: deliver at once when a local commit wrote mail."""
        if getattr(tx, "mail_enqueued", False):
            self.wake()

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run_forever(), name="mail-sender")

    async def stop(self, timeout: float = 10.0) -> None:
        """Let the mail being sent finish (up to `timeout`), then end the loop."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(task, timeout)
        except asyncio.TimeoutError:
            logger.warning("mail sender did not stop within %s s; its claimed mail will be retried", timeout)

    async def _run_forever(self) -> None:
        # Waits first: at start-up the schema may still be migrating, and a commit that
        # writes mail wakes the loop at once anyway.  Polling picks up mail written by
        # other processes and retries that have come due.
        while not self._stopping:
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            except asyncio.TimeoutError:
                pass
            if self._wake.is_set() and self.gather_seconds and not self._stopping:
                await asyncio.sleep(self.gather_seconds)
            self._wake.clear()
            if self._stopping:
                break
            try:
                while await self.run_once() >= self.batch_size and not self._stopping:
                    pass
            except Exception as error:
                if not self._failing:
                    logger.exception("mail sender: this round failed; trying again in %s s", self.poll_seconds)
                else:
                    logger.warning("mail sender: round failed again: %s", error)
                self._failing = True
            else:
                self._failing = False
