"""A real hand-off to a person: a complaint, or a request for a human, opens a support request
(`support.requests.open_request`) that the admins see at once in their live queue, with the
booking it is about (the one named, or discussed, or the latest), the customer's words and a
contact. A logged-in customer's contact is their account; a visitor is asked for an email or a
phone number first. The answer comes back into this conversation (live) and by mail.
"""

from __future__ import annotations

import re

from ..i18n import get_locale, gettext
from ..support import requests as support
from . import faq
from .actions import BookingActions
from .nlu import Understanding
from .replies import BotReply, answer_from_markdown


class Handoff(BookingActions):
    async def hand_off(self, u: Understanding, text: str, kind: str) -> tuple[BotReply, dict]:
        s = self.state
        if self.user is not None and self.user.role != "customer":
            return BotReply([gettext("Our support team is at support@grihaseva.example.")],
                            [("support@grihaseva.example", "mailto:support@grihaseva.example")]), s
        booking_id = await self._about_booking(u, text) if self.user is not None else None
        if self.user is None:
            s["support"] = {"kind": kind, "message": text[:support.MAX_MESSAGE]}
            s["awaiting"] = "contact"
            lead = (gettext("I am sorry to hear that.") if kind == "complaint" else
                    gettext("I will pass you to a person from our team."))
            out = BotReply([lead, gettext("Please type your email address or phone number, so they can answer you. "
                                          "Or log in, and they will answer here and by mail.")],
                           [(gettext("Log in"), "/login?next=/chat")])
            return self._with_direct_contact(out), s
        out, s = await self.open_support(kind, text, self.user.email, booking_id)
        return self._with_direct_contact(out), s

    def _with_direct_contact(self, out: BotReply) -> BotReply:
        """Support's own phone and mail as well (the FAQ's contact answer): for what cannot wait."""
        contact = faq.translated_knowledge(get_locale()).get("contact") or faq.default_knowledge().get("contact")
        if contact is None:
            return out
        out.parts.append(gettext("If it cannot wait:"))
        out.parts.extend(answer_from_markdown(contact.answer_md).parts)
        email = re.search(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", contact.answer_md)
        phone = re.search(r"\+[\d ]{8,}\d", contact.answer_md)
        if phone:
            out.link(gettext("Call %(phone)s", phone=phone.group(0)), "tel:" + phone.group(0).replace(" ", ""))
        if email:
            out.link(email.group(0), f"mailto:{email.group(0)}")
        return out

    async def contact_answer(self, text: str) -> tuple[BotReply, dict] | None:
        """A visitor's contact, typed after we asked for it; None when the message is something else."""
        s = self.state
        pending = s.get("support") or {}
        try:
            contact = support.parse_contact(text)
        except support.SupportRefused as refused:
            if len(text.split()) > 4:
                return None  # a new question: answer that instead
            return BotReply([refused.message]), s
        return await self.open_support(pending.get("kind", "human"), pending.get("message") or text, contact.text, None)

    async def open_support(self, kind: str, message: str, contact: str, booking_id: int | None) -> tuple[BotReply, dict]:
        s = self.state
        s.pop("support", None)
        if s.get("awaiting") == "contact":
            s.pop("awaiting")
        request_id = await support.open_request(
            self.db, customer_id=self.user.id if self.user else None, conversation_id=self.conversation_id,
            booking_id=booking_id, kind=kind, message=message, contact=contact, locale=get_locale(), now=self.now)
        return self.support_opened(request_id, contact, kind), s

    def support_opened(self, request_id: int, contact: str, kind: str) -> BotReply:
        lead = gettext("I am sorry about this.") if kind == "complaint" else gettext("Of course.")
        if "@" in contact:
            how = gettext("I have passed it to a person from our support team (request #%(id)s). They will answer "
                          "here in this chat and by mail to %(contact)s, usually within a few hours.",
                          id=request_id, contact=contact)
        else:
            how = gettext("I have passed it to a person from our support team (request #%(id)s). They will answer "
                          "here in this chat or call you on %(contact)s, usually within a few hours.",
                          id=request_id, contact=contact)
        return BotReply([lead, how])

    async def _about_booking(self, u: Understanding, text: str) -> int | None:
        """The booking a complaint is about: named by number or service, or discussed, or the latest one."""
        rows = await self.own_bookings()
        if not rows:
            return None
        from .actions import booking_number

        number = booking_number(text)
        if number and any(r["id"] == number for r in rows):
            return number
        if u.service or u.category:
            named = [r for r in rows if r["service_slug"] == u.service
                     or (u.category and self._category_of(r["service_slug"]) == u.category)]
            if named:  # the one nearest to now: today's job rather than last month's
                return min(named, key=lambda r: abs((r["starts_at"] - self.now).total_seconds()))["id"]
        if self.state.get("booking") and any(r["id"] == self.state["booking"] for r in rows):
            return self.state["booking"]
        started = [r for r in rows if r["starts_at"] <= self.now]
        return (max(started, key=lambda r: r["starts_at"]) if started else rows[0])["id"]
