"""What the bot says: a `BotReply` (plain paragraphs, links, buttons) and the
replies shared by every part of the conversation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..markup import safe_href

LOGIN_HREF = "/login?next=/chat"

CHOICES = (("Book a service", "Book a service"), ("Prices", "Prices"), ("My bookings", "My bookings"),
           ("Talk to a person", "Talk to a person"))


@dataclass
class BotReply:
    parts: list[str] = field(default_factory=list)             # paragraphs of plain text
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, href)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (label, value posted back as the message)

    def to_json(self) -> dict:
        return {"parts": self.parts, "links": [list(x) for x in self.links],
                "buttons": [list(x) for x in self.buttons]}

    @classmethod
    def from_json(cls, data: dict) -> "BotReply":
        return cls(list(data.get("parts", [])), [tuple(x) for x in data.get("links", [])],
                   [tuple(x) for x in data.get("buttons", [])])

    def link(self, label: str, href: str) -> None:
        if all(h != href for _, h in self.links):
            self.links.append((label, href))


def welcome() -> BotReply:
    """What an empty conversation shows (not stored)."""
    return BotReply(["Namaste! I can answer questions about GrihaSeva and book a verified professional for you. "
                     "Try: \"I need a plumber tomorrow evening\"."], [], list(CHOICES))


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
