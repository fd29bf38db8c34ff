"""Emoji reactions on blog posts: a fixed set, each on or off once per reader.

A reaction is one row (post, reader, emoji) under a primary key, so counts are
`COUNT(*) GROUP BY emoji` and exact however many readers click at once.  A toggle is
one transaction that adds or removes the row and publishes an event on `post:<id>`,
which re-renders the reaction bar on every open page (grihaseva/sse.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..db import Database, IntegrityError
from ..events import publish
from ..i18n import gettext, lazy_gettext as _
from ..ratelimit import Limit, minutes_text, take_hit


@dataclass(frozen=True)
class Reaction:
    code: str
    glyph: str
    name: str  # the accessible name


REACTIONS = (
    Reaction("helpful", "👍", _("helpful")),
    Reaction("love", "❤️", _("love")),
    Reaction("funny", "😂", _("funny")),
    Reaction("surprised", "😮", _("surprised")),
    Reaction("confused", "😕", _("confused")),
    Reaction("applause", "👏", _("applause")),
)
BY_CODE = {reaction.code: reaction for reaction in REACTIONS}

# Plenty for a person clicking; stops a script from flooding every open page with events.
TOGGLE_LIMIT = Limit("reaction", 30, timedelta(minutes=1))


class TooManyReactions(Exception):
    def __init__(self, wait: timedelta):
        self.wait = wait
        super().__init__(gettext("You are reacting very quickly. Please wait %(wait)s and try again.", wait=minutes_text(wait)))


def topic(post_id: int) -> str:
    return f"post:{post_id}"


async def toggle(db: Database, post_id: int, user_id: int, emoji: str, now: datetime,
                 want: bool | None = None) -> bool:
    """Turn the reader's `emoji` on this post on or off; returns whether it is now on.

    `want=None` flips it by whether the row exists; True or False sets it, so a form sent
    twice by a double click leaves the state the reader saw and asked for.  Two requests
    racing to add the same row both end with it on: the loser's duplicate key is caught.
    """
    if emoji not in BY_CODE:
        raise ValueError(f"unknown reaction {emoji!r}")
    _, wait = await take_hit(db, TOGGLE_LIMIT, str(user_id), now)  # counted first: a burst can't slip under
    if wait is not None:
        raise TooManyReactions(wait)
    key = {"post_id": post_id, "user_id": user_id, "emoji": emoji}
    try:
        async with db.transaction() as tx:
            present = await tx.fetch_one("select_reaction", key) is not None
            on = (not present) if want is None else want
            if on and not present:
                await tx.execute("insert_reaction", {**key, "now": now})
                changed = True
            elif not on and present:
                changed = (await tx.execute("delete_reaction", key)).rowcount > 0
            else:
                changed = False
            if changed:
                await publish(tx, topic(post_id), "reaction", {"emoji": emoji, "on": on, "user_id": user_id}, now)
    except IntegrityError:
        return True  # a concurrent click added the same row first, and announced it
    return on


async def counts(db: Database, post_id: int) -> dict[str, int]:
    rows = await db.fetch_all("select_reaction_counts", {"post_id": post_id})
    return {row["emoji"]: int(row["n"]) for row in rows}


async def reader_reactions(db: Database, post_id: int, user_id: int | None) -> set[str]:
    if user_id is None:
        return set()
    return {row["emoji"] for row in await db.fetch_all("select_reader_reactions", {"post_id": post_id, "user_id": user_id})}


@dataclass(frozen=True)
class BarItem:
    reaction: Reaction
    count: int
    pressed: bool
    top: bool  # the most-used emoji (ties share it), drawn with more weight


def bar_items(counted: dict[str, int], mine: set[str]) -> list[BarItem]:
    most = max(counted.values(), default=0)
    return [BarItem(r, counted.get(r.code, 0), r.code in mine, most > 0 and counted.get(r.code, 0) == most)
            for r in REACTIONS]


async def reaction_bar(db: Database, post_id: int, user_id: int | None) -> list[BarItem]:
    """The bar as one reader sees it: every emoji's count, and which are theirs."""
    return bar_items(await counts(db, post_id), await reader_reactions(db, post_id, user_id))
