"""Support requests: opened from the chat (a complaint, or "talk to a person"), answered by an admin.

`open_request` writes the request and announces it on the admins' topic `support` in one
transaction; `answer_request` records the one answer, posts it into the customer's chat (a bot
message in `chat_messages`, in the BotReply JSON the chat shows: parts, links, buttons), announces
it on `chat:<conversation>` (the open chat shows it live) and `support` (every admin's queue), and
queues the answer mail in the language the customer wrote in, all in one transaction.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Mapping

from .. import i18n
from ..auth.accounts import email_problem, normalize_email, phone_problem
from ..events import publish
from ..i18n import gettext
from ..mail import enqueue_mail
from ..plaintext import has_letters_or_digits, one_line
from ..refusal import Refused

QUEUE_TOPIC = "support"
KINDS = ("complaint", "human")
MAX_MESSAGE = 1000
MAX_ANSWER = 2000
ANSWERED_SHOWN_FOR = timedelta(days=7)  # the queue keeps a week of answered requests below the open ones
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


class SupportRefused(Refused):
    """Bad input or a request that cannot be answered; `status` is the HTTP status to answer with."""


def chat_topic(conversation_id: int) -> str:
    return f"chat:{conversation_id}"


@dataclass(frozen=True)
class Contact:
    text: str          # what the admin reads: an email or a phone number
    email: str | None  # where the answer mail goes, when there is one


def parse_contact(text: str) -> Contact:
    """A visitor's contact typed in the chat: an email address or a phone number (SupportRefused otherwise)."""
    cleaned = one_line(text or "")
    found = _EMAIL.search(cleaned)
    if found:
        email = normalize_email(found.group(0))
        if email_problem(email) is None:
            return Contact(email, email)
    phone = " ".join(cleaned.split())
    if phone and phone_problem(phone) is None:
        return Contact(phone, None)
    raise SupportRefused(gettext("Please type an email address or a phone number, so our team can answer you."))


def clean_message(text: str) -> str:
    message = " ".join((text or "").split())
    if not message or not has_letters_or_digits(message):
        raise SupportRefused(gettext("Please say what happened, in a few words."))
    return message[:MAX_MESSAGE]


async def open_request(db, *, customer_id: int | None, conversation_id: int | None, booking_id: int | None,
                       kind: str, message: str, contact: str, locale: str, now: datetime) -> int:
    """Write a support request and tell the admins' live queue; returns its id."""
    if kind not in KINDS:
        raise ValueError(f"unknown support request kind: {kind!r}")
    message = clean_message(message)
    async with db.transaction() as tx:
        result = await tx.execute("insert_support_request", {
            "customer_id": customer_id, "conversation_id": conversation_id, "booking_id": booking_id, "kind": kind,
            "message": message, "contact": contact[:200], "locale": i18n.normalize(locale) or i18n.DEFAULT_LOCALE,
            "now": now})
        request_id = result.lastrowid
        await publish(tx, QUEUE_TOPIC, "opened", {"request_id": request_id}, now)
    return request_id


async def open_request_in(db, conversation_id: int) -> bool:
    """Does this conversation wait for an answer from support (so the chat widget listens for it)?"""
    return await db.fetch_one("select_open_support_request_for_conversation",
                              {"conversation_id": conversation_id}) is not None


async def queue(db, now: datetime) -> list[dict]:
    """Open requests (oldest first) and the week's answered ones, for the admins' queue."""
    return await db.fetch_all("select_support_queue", {"since": now - ANSWERED_SHOWN_FOR})


def clean_answer(text: str) -> str:
    answer = "\n".join(line.rstrip() for line in (text or "").strip().splitlines())
    if not answer or not has_letters_or_digits(answer):
        raise SupportRefused(gettext("Write an answer first."))
    if len(answer) > MAX_ANSWER:
        raise SupportRefused(gettext("Keep the answer under %(count)s characters.", count=i18n.number(MAX_ANSWER)))
    return answer


def _mail_address(row: Mapping) -> str | None:
    if row["customer_email"]:
        return row["customer_email"]
    found = _EMAIL.fullmatch(row["contact"] or "")
    return found.group(0) if found else None


async def answer_request(db, admin, request_id: int, text: str, now: datetime) -> dict:
    """Record an admin's answer, post it into the customer's chat and mail it; returns the request."""
    async with db.transaction() as tx:
        row = await tx.fetch_one("select_support_request", {"id": request_id})
        if row is None:
            raise SupportRefused(gettext("There is no such support request."), 404)
        answer = clean_answer(text)
        if (await tx.execute("answer_support_request", {"id": request_id, "answer": answer, "admin_id": admin.id,
                                                         "now": now})).rowcount != 1:
            raise SupportRefused(gettext("This request has already been answered."), 409)
        locale = i18n.normalize(row["locale"]) or i18n.DEFAULT_LOCALE
        if row["conversation_id"]:
            with i18n.use_locale(locale):
                heading = gettext("An answer from GrihaSeva support (request #%(id)s):", id=request_id)
            body = {"parts": [heading, *[p for p in answer.split("\n") if p.strip()]], "links": [], "buttons": [],
                    "lang": i18n.text_language(answer)}  # the answer as the admin wrote it
            await tx.execute("insert_chat_message", {"conversation_id": row["conversation_id"], "sender": "bot",
                                                     "body": json.dumps(body), "now": now})
            await publish(tx, chat_topic(row["conversation_id"]), "support_answer", {"request_id": request_id}, now)
        await publish(tx, QUEUE_TOPIC, "answered", {"request_id": request_id}, now)
        to = _mail_address(row)
        if to:
            name = (row["customer_name"] or "").split()[0] if row["customer_name"] else ""
            await enqueue_mail(tx, to, "support_answer", {"name": name, "request_id": request_id,
                                                           "message": row["message"], "answer": answer}, now,
                               locale=locale)
    return dict(row)
