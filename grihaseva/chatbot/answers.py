"""Answers that need no booking dialogue: FAQ topics, a person to talk to, the
customer's bookings, how to cancel or move one, a service's price and what it
includes, and "we don't do that"."""

from __future__ import annotations

import re

from ..booking import domain, slots
from ..money import rupees
from . import faq as faq_module
from .nlu import Understanding
from .replies import CHOICES, LOGIN_HREF, BotReply, answer_from_markdown
from .turn import Turn


class Answers(Turn):
    def not_offered(self) -> BotReply:
        categories: dict[str, str] = {}
        for e in self.catalogue:
            categories.setdefault(e.category, e.category_name)
        names = ", ".join(categories.values())
        return BotReply([f"Sorry, we don't offer that yet. GrihaSeva professionals do: {names}. "
                         "Pick one, or talk to a person if you are not sure."],
                        [("All services", "/services")],
                        [(name, name) for name in categories.values()] + [CHOICES[3]])

    def faq(self, u: Understanding) -> BotReply:
        knowledge = faq_module.default_knowledge()
        entry = knowledge.get(u.faq or "")
        if entry is None:
            return self.fallback()
        answer = answer_from_markdown(entry.answer_md, entry.title)
        extra = {"booking": [("Browse services", "/services")], "prices": [("See prices", "/services")],
                 "women_only": [("Beauty services", "/services")], "password_reset": [("Reset password", "/password/forgot")],
                 "cancellation": [("My bookings", "/bookings")]}.get(entry.topic, [])
        for label, href in extra:
            answer.link(label, href)
        if u.service:
            entry_name = self._name_of(u.service)
            answer.link(entry_name, f"/services/{u.service}")
        return answer

    def human(self) -> BotReply:
        contact = faq_module.default_knowledge().get("contact")
        text = answer_from_markdown(contact.answer_md).parts if contact else []
        out = BotReply(["You can talk to a person at GrihaSeva support.", *text])
        if contact:
            email = re.search(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", contact.answer_md)
            phone = re.search(r"\+[\d ]{8,}\d", contact.answer_md)
            if email:
                out.link(f"Email {email.group(0)}", f"mailto:{email.group(0)}")
            if phone:
                out.link(f"Call {phone.group(0)}", "tel:" + phone.group(0).replace(" ", ""))
        return out

    async def cancel_help(self, u: Understanding) -> BotReply:
        """The rule, and for a logged-in customer a direct link to move or cancel each upcoming
        booking (the one for the service named first). The change itself is made on the booking's
        own pages, which ask before they change anything."""
        out = BotReply(["Cancelling is free until 3 hours before the start. Open the booking under My bookings to "
                        "cancel it or to pick a new time (the same 3-hour rule applies). Closer to the start, "
                        "please call the professional."], [("My bookings", "/bookings")])
        if self.user is None or self.user.role != "customer":
            return out
        rows = await self.db.fetch_all("select_customer_bookings", {"customer_id": self.user.id})
        changeable = [r for r in rows if domain.changeable(r, self.now)]
        changeable.sort(key=lambda r: (r["service_slug"] != u.service, r["starts_at"]))  # the named service first
        if changeable:
            out.parts.append("Your bookings you can still change:")
        for r in changeable[:3]:
            when = slots.local_label(r["starts_at"], r["timezone"])
            out.link(f"Move {r['service_name']}, {when}", f"/bookings/{r['id']}/reschedule")
            out.link(f"Cancel {r['service_name']}, {when}", f"/bookings/{r['id']}")
        return out

    def fallback(self) -> BotReply:
        return BotReply(["Sorry, I did not understand that. I can help with these:"], [], list(CHOICES))

    async def my_bookings(self) -> BotReply:
        if self.user is None:
            return BotReply(["Log in to see your bookings; I will keep this conversation."],
                            [("Log in", LOGIN_HREF)])
        rows = await self.db.fetch_all("select_customer_bookings", {"customer_id": self.user.id})
        upcoming = [r for r in rows if r["ends_at"] > self.now and r["status"] == "confirmed"]
        if not upcoming:
            out = BotReply(["You have no upcoming bookings. Would you like to book a service?"],
                           [("My bookings", "/bookings")], [CHOICES[0]])
            return out
        lines = [f"{r['service_name']} with {r['provider_name']}, {slots.local_label(r['starts_at'], r['timezone'])}: "
                 f"{r['status']}" for r in upcoming[:5]]
        out = BotReply([f"Your upcoming bookings ({len(upcoming)}):", *lines])
        for r in upcoming[:5]:
            out.link(f"Booking #{r['id']}", f"/bookings/{r['id']}")
        out.link("My bookings", "/bookings")
        return out

    async def service_info(self, u: Understanding, text: str) -> BotReply:
        whole_list = not (u.service or u.category) and re.search(r"\b(services|offer|list|all)\b", text.lower())
        slug = u.service or (self.state.get("service") if not (u.category or whole_list) else None)
        if slug:
            service = await domain.active_service(self.db, slug)
            if service:
                return BotReply(
                    [f"{service.name}: {rupees(service.price_paise)}, about {_duration(service.duration_min)}. "
                     f"{service.summary}", f"Included: {service.included}.",
                     "You pay after the job is done, in cash or by UPI."],
                    [(service.name, f"/services/{service.slug}")],
                    [(f"Book {service.name}", f"Book {service.name}")])
        category = None if whole_list else u.category or self.state.get("category")
        entries = [e for e in self.catalogue if category is None or e.category == category]
        rows = {r["slug"]: r for r in await self.db.fetch_all("select_active_services")}
        heading = (f"{entries[0].category_name} services and prices:" if category and entries
                   else "Our services and prices:")
        lines = [f"{rows[e.slug]['name']}: {rupees(rows[e.slug]['price_paise'])}" for e in entries if e.slug in rows]
        out = BotReply([heading, *lines])
        for e in entries[:6] if category else []:
            out.link(e.name, f"/services/{e.slug}")
        out.link("All services", "/services")
        return out


def _duration(minutes: int) -> str:
    hours, rest = divmod(int(minutes), 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"
