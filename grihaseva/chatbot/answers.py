"""Answers that need no booking dialogue: FAQ topics, the customer's bookings, a service's price
and what it includes, "we don't do that", and the fallback."""

from __future__ import annotations

import re

from ..booking import domain, slots
from ..i18n import DEFAULT_LOCALE, duration, get_locale, gettext, localized, rupees, status_label
from . import faq as faq_module
from .nlu import Understanding
from .replies import LOGIN_HREF, BotReply, answer_from_markdown, choices, person_button
from .turn import Turn


class Answers(Turn):
    def not_offered(self) -> BotReply:
        categories: dict[str, str] = {}
        for e in self.catalogue:
            categories.setdefault(e.category, localized(e, "category_name"))
        names = ", ".join(categories.values())
        return BotReply([gettext("Sorry, we don't offer that yet. GrihaSeva professionals do: %(names)s. "
                                 "Pick one, or talk to a person if you are not sure.", names=names)],
                        [(gettext("All services"), "/services")],
                        [(name, name) for name in categories.values()] + [person_button()])

    def faq(self, u: Understanding) -> BotReply:
        knowledge = faq_module.default_knowledge()
        entry = knowledge.get(u.faq or "")
        if entry is None:
            return self.fallback()
        translated = faq_module.translated_knowledge(get_locale()).get(entry.topic)
        if translated is not None:
            answer = answer_from_markdown(translated.answer_md, translated.title)
        else:
            answer = answer_from_markdown(entry.answer_md, entry.title)
            answer.lang = DEFAULT_LOCALE  # the admins' knowledge file is English
        extra = {"booking": [(gettext("Browse services"), "/services")], "prices": [(gettext("See prices"), "/services")],
                 "women_only": [(gettext("Beauty services"), "/services")],
                 "password_reset": [(gettext("Reset password"), "/password/forgot")],
                 "cancellation": [(gettext("My bookings"), "/bookings")]}.get(entry.topic, [])
        for label, href in extra:
            answer.link(label, href)
        if u.service:
            answer.link(self._name_of(u.service), f"/services/{u.service}")
        return answer

    def fallback(self) -> BotReply:
        return BotReply([gettext("Sorry, I did not understand that. I can help with these:")], [], choices())

    async def my_bookings(self) -> BotReply:
        if self.user is None:
            return BotReply([gettext("Log in to see your bookings; I will keep this conversation.")],
                            [(gettext("Log in"), LOGIN_HREF)])
        rows = await self.own_bookings()
        upcoming = [r for r in rows if r["ends_at"] > self.now and r["status"] == "confirmed"]
        if not upcoming:
            return BotReply([gettext("You have no upcoming bookings. Would you like to book a service?")],
                            [(gettext("My bookings"), "/bookings")], [choices()[0]])
        shown = upcoming[:5]
        lines = [gettext("%(service)s with %(name)s, %(when)s: %(status)s", service=localized(r, "service_name"),
                         name=r["provider_name"], when=slots.local_label(r["starts_at"], r["timezone"]),
                         status=status_label(r["status"])) for r in shown]
        if len(shown) > 1:
            # Numbered, and remembered for the next message: "cancel the first one", "2". The
            # booking discussed before is not "it" any more once the customer looks at them all.
            lines = [f"{n}. {line}" for n, line in enumerate(lines, 1)]
            self.state["listed"] = [r["id"] for r in shown]
            self.state.pop("booking", None)
        else:
            self.state["booking"] = shown[0]["id"]
        out = BotReply([gettext("Your upcoming bookings (%(count)s):", count=len(upcoming)), *lines])
        for r in shown:
            out.link(gettext("Booking #%(id)s", id=r["id"]), f"/bookings/{r['id']}")
        out.link(gettext("My bookings"), "/bookings")
        return out

    async def service_info(self, u: Understanding, text: str) -> BotReply:
        whole_list = not (u.service or u.category) and re.search(r"\b(services|offer|list|all)\b|सेवाएं|सेवाएँ", text.lower())
        slug = u.service or (self.state.get("service") if not (u.category or whole_list) else None)
        if slug:
            service = await domain.active_service(self.db, slug)
            if service:
                name = localized(service, "name")
                return BotReply(
                    [gettext("%(service)s: %(price)s, about %(duration)s.", service=name,
                             price=rupees(service.price_paise), duration=duration(service.duration_min)),
                     localized(service, "summary"),
                     gettext("Included: %(included)s.", included=localized(service, "included")),
                     gettext("You pay after the job is done, in cash or by UPI.")],
                    [(name, f"/services/{service.slug}")],
                    [(gettext("Book %(service)s", service=name), gettext("Book %(service)s", service=name))])
        category = None if whole_list else u.category or self.state.get("category")
        entries = [e for e in self.catalogue if category is None or e.category == category]
        rows = {r["slug"]: r for r in await self.services()}
        heading = (gettext("%(category)s services and prices:", category=localized(entries[0], "category_name")) if category and entries
                   else gettext("Our services and prices:"))
        lines = [f"{localized(rows[e.slug], 'name')}: {rupees(rows[e.slug]['price_paise'])}" for e in entries if e.slug in rows]
        out = BotReply([heading, *lines])
        for e in entries[:6] if category else []:
            out.link(localized(e, "name"), f"/services/{e.slug}")
        out.link(gettext("All services"), "/services")
        return out
