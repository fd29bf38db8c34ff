"""What the bot says: a `BotReply` (plain paragraphs, links, buttons) and the
replies shared by every part of the conversation. Every text is translated when
the reply is made, in the language of the turn (`conversation.reply`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..i18n import gettext
from ..markup import safe_href

LOGIN_HREF = "/login?next=/chat"


def choices() -> list[tuple[str, str]]:
    """The four things the bot offers when it has nothing better to say."""
    return [(gettext("Book a service"), gettext("Book a service")), (gettext("Prices"), gettext("Prices")),
            (gettext("My bookings"), gettext("My bookings")), person_button()]


def person_button() -> tuple[str, str]:
    return (gettext("Talk to a person"), gettext("Talk to a person"))


@dataclass
class BotReply:
    parts: list[str] = field(default_factory=list)             # paragraphs of plain text
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, href)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (label, value posted back as the message)
    lang: str | None = None  # the language it is written in ("hi", "en"), for `lang` on the page

    def to_json(self) -> dict:
        data = {"parts": self.parts, "links": [list(x) for x in self.links],
                "buttons": [list(x) for x in self.buttons]}
        if self.lang:
            data["lang"] = self.lang
        return data

    @classmethod
    def from_json(cls, data: dict) -> "BotReply":
        return cls(list(data.get("parts", [])), [tuple(x) for x in data.get("links", [])],
                   [tuple(x) for x in data.get("buttons", [])], data.get("lang"))

    def link(self, label: str, href: str) -> None:
        if all(h != href for _, h in self.links):
            self.links.append((label, href))


def welcome() -> BotReply:
    """What an empty conversation shows (not stored)."""
    return BotReply([gettext("Namaste! I can answer questions about GrihaSeva and book a verified professional for "
                             "you. Try: \"I need a plumber tomorrow evening\".")], [], choices())


_MD_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def answer_from_markdown(markdown: str, title: str = "More") -> BotReply:
    """A knowledge-file answer as plain paragraphs plus its links (no markup reaches the page)."""
    out = BotReply()
    for label, href in _MD_LINK.findall(markdown):
        # The blog's sanitiser and scheme allow-list (http, https, mailto, tel; relative links):
        # a javascript:, data: or vbscript: link typed into the FAQ editor is dropped, its words kept.
        href = safe_href(href)
        if href is not None:
            out.link(title if label.startswith("/") else label, href)
    plain = _MD_LINK.sub(r"\1", markdown).replace("**", "").replace("*", "")
    out.parts = [" ".join(p.split()) for p in re.split(r"\n\s*\n", plain) if p.strip()]
    return out
