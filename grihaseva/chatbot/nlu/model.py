"""What understanding returns: the intents, an `Understanding`, and the catalogue it reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

INTENTS = ("greeting", "thanks_bye", "faq", "service_info", "find_slots", "book", "my_bookings",
           "cancel_reschedule", "human", "confirm", "deny", "fallback")
PARTS_OF_DAY = ("morning", "afternoon", "evening", "night")


@dataclass(frozen=True)
class CatalogueEntry:
    slug: str
    name: str
    category: str
    category_name: str
    women_only: bool


@dataclass
class Understanding:
    intent: str                     # one of INTENTS
    service: str | None = None      # service slug, when one service is meant
    category: str | None = None     # category slug when only the category is known
    day: date | None = None         # provider-local calendar date meant
    part_of_day: str | None = None  # "morning" | "afternoon" | "evening" | "night"
    at: time | None = None          # exact clock time when given
    yes: bool = False
    no: bool = False
    faq: str | None = None          # FAQ topic id when intent == "faq"


def catalogue_from_demo() -> list[CatalogueEntry]:
    """The demo catalogue as CatalogueEntry rows (what the seeded database holds)."""
    from ...demo import data as demo_data

    cats = {c["slug"]: c for c in demo_data.CATEGORIES}
    return [
        CatalogueEntry(slug=s["slug"], name=s["name"], category=s["category"],
                       category_name=cats[s["category"]]["name"],
                       women_only=bool(cats[s["category"]]["women_only"]))
        for s in demo_data.SERVICES
    ]

