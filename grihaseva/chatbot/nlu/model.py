"""What understanding returns: the intents, an `Understanding`, and the catalogue it reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

INTENTS = ("greeting", "thanks_bye", "faq", "service_info", "find_slots", "book", "my_bookings",
           "status", "cancel", "reschedule", "book_again", "human", "complaint", "confirm", "deny",
           "fallback")
PARTS_OF_DAY = ("morning", "afternoon", "evening", "night")
DATE_PROBLEMS = ("impossible", "past")
LANGUAGES = ("hi", "en")

@dataclass(frozen=True)
class CatalogueEntry:
    slug: str
    name: str
    category: str
    category_name: str
    women_only: bool
    # The catalogue's Hindi names (migration 015), empty when not translated: what the bot shows a
    # Hindi reader (`i18n.localized`), and understood when they come back (a tapped button).
    name_hi: str = ""
    category_name_hi: str = ""


@dataclass
class Understanding:
    intent: str                     # one of INTENTS
    service: str | None = None      # service slug, when one service is meant
    category: str | None = None     # category slug when only the category is known
    day: date | None = None         # provider-local calendar date meant (None for a range)
    part_of_day: str | None = None  # "morning" | "afternoon" | "evening" | "night"
    at: time | None = None          # exact clock time when given
    yes: bool = False
    no: bool = False
    faq: str | None = None          # FAQ topic id when intent == "faq"
    women: bool = False             # asked for a woman professional ("lady electrician", "महिला")
    day_from: date | None = None    # a range of days ("this weekend", "next week"), both ends included
    day_to: date | None = None
    after: time | None = None       # "after 5" -> 17:00
    before: time | None = None      # "before noon" -> 12:00
    date_problem: str | None = None  # "impossible" ("30 Feb") or "past" ("yesterday evening"); then
    #                                  `day` is the nearest sensible choice
    date_text: str | None = None    # the date phrase as written, when date_problem is set
    language: str | None = None     # "hi" mostly Devanagari, "en" plain English, None Hinglish/unknown


def catalogue_from_demo() -> list[CatalogueEntry]:
    """The demo catalogue as CatalogueEntry rows (what the seeded database holds)."""
    from ...demo import data as demo_data

    cats = {c["slug"]: c for c in demo_data.CATEGORIES}
    return [
        CatalogueEntry(slug=s["slug"], name=s["name"], category=s["category"],
                       category_name=cats[s["category"]]["name"],
                       women_only=bool(cats[s["category"]]["women_only"]),
                       name_hi=s.get("name_hi", ""), category_name_hi=cats[s["category"]].get("name_hi", ""))
        for s in demo_data.SERVICES
    ]
