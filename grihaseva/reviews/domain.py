"""Ratings and reviews: a customer rates a completed job once, 1 to 5 stars with
optional text, and may edit it for 7 days until the provider replies; the provider
may reply once, and the reply locks the review (it answers that text).

Averages are computed from integer sums and rounded half up to one decimal with
integer arithmetic, so 5, 4, 4 shows as 4.3 on every backend (no float or
DECIMAL rounding differences between SQLite and MySQL).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Iterable

from ..i18n import lazy_gettext
from ..i18n import gettext
from ..db import IntegrityError
from ..refusal import Refused

EDIT_WINDOW = timedelta(days=7)
BODY_MAX = 1000
REPLY_MAX = 1000
RECENT_LIMIT = 5

NOT_COMPLETED = lazy_gettext("Reviews open once the job is completed. You can rate it after the professional "
                             "has marked it completed.")
REPLIED = lazy_gettext("The professional has replied to this review, so it can no longer be changed.")


class ReviewRefused(Refused):
    """A review request that breaks a rule; `status` is the HTTP status to answer with."""


@dataclass(frozen=True)
class RatingSummary:
    count: int
    total: int

    @property
    def average(self) -> Fraction | None:
        return Fraction(self.total, self.count) if self.count else None

    @property
    def label(self) -> str:
        """The average to one decimal, rounded half up: "4.3"; "" when there are no reviews."""
        if not self.count:
            return ""
        tenths = (self.total * 20 + self.count) // (2 * self.count)
        return f"{tenths // 10}.{tenths % 10}"


NO_RATINGS = RatingSummary(0, 0)


# ---------------------------------------------------------------- reading


async def rating_summary(db, provider_ids: Iterable[int]) -> dict[int, RatingSummary]:
    """{provider id: RatingSummary} for each id asked for (zero counts included)."""
    ids = sorted({int(i) for i in provider_ids})
    if not ids:
        return {}
    rows = await db.fetch_all(*db.expand("review_select_summaries", {"ids": ids}))
    found = {int(row["provider_id"]): RatingSummary(int(row["n"]), int(row["total"])) for row in rows}
    return {provider_id: found.get(provider_id, NO_RATINGS) for provider_id in ids}


async def recent_reviews(db, provider_id: int, limit: int = RECENT_LIMIT) -> list[dict]:
    return await db.fetch_all("review_select_recent_for_provider", {"provider_id": provider_id, "limit": limit})


async def review_of_booking(db, booking_id: int) -> dict | None:
    return await db.fetch_one("review_select_by_booking", {"booking_id": booking_id})


def editable(review: dict, now: datetime) -> bool:
    return now - review["created_at"] < EDIT_WINDOW


def has_reply(review: dict | None) -> bool:
    return review is not None and review.get("reply") is not None


# ---------------------------------------------------------------- writing


def clean_review(form) -> tuple[int, str]:
    """(rating, body) from a form, or ReviewRefused 422 with one clear message."""
    raw = (form.get("rating") or "").strip()
    if raw not in {"1", "2", "3", "4", "5"}:
        raise ReviewRefused(gettext("Choose a rating from 1 to 5 stars."))
    body = (form.get("body") or "").replace("\r\n", "\n").strip()
    if len(body) > BODY_MAX:
        raise ReviewRefused(gettext("Keep the review to %(limit)s characters or fewer (this one has %(length)s).",
                                    limit=BODY_MAX, length=len(body)))
    return int(raw), body


async def reviewable_booking(db, customer_id: int, booking_id: int) -> dict:
    """The customer's own completed booking, or ReviewRefused (404 for anyone else's)."""
    booking = await db.fetch_one("review_select_booking", {"booking_id": booking_id})
    if booking is None or booking["customer_id"] != customer_id:
        raise ReviewRefused(gettext("There is no such booking in your account."), 404)
    if booking["status"] != "completed":
        raise ReviewRefused(str(NOT_COMPLETED), 409)
    return booking


async def leave_review(db, customer_id: int, booking_id: int, form, now: datetime) -> int:
    """Rate one's own completed booking, once; returns the review id."""
    rating, body = clean_review(form)
    async with db.transaction() as tx:
        booking = await reviewable_booking(tx, customer_id, booking_id)
        if await tx.fetch_one("review_select_by_booking", {"booking_id": booking_id}):
            raise ReviewRefused(gettext("You have already rated this job. You can edit your review instead."), 409)
        try:
            result = await tx.execute("review_insert", {
                "booking_id": booking_id, "customer_id": customer_id, "provider_id": booking["provider_id"],
                "rating": rating, "body": body, "now": now})
        except IntegrityError:  # a second submit raced this one
            raise ReviewRefused(gettext("You have already rated this job. You can edit your review instead."), 409) from None
    return int(result.lastrowid)


async def edit_review(db, customer_id: int, booking_id: int, form, now: datetime) -> None:
    """Change one's own review within 7 days of writing it, as long as the provider has not replied."""
    rating, body = clean_review(form)
    async with db.transaction() as tx:
        await reviewable_booking(tx, customer_id, booking_id)
        review = await tx.fetch_one("review_lock_by_booking", {"booking_id": booking_id})
        if review is None:
            raise ReviewRefused(gettext("You have not rated this job yet."), 404)
        if has_reply(review):  # the reply answers this text; changing it would leave the reply answering nothing
            raise ReviewRefused(str(REPLIED), 409)
        # Checked here rather than by rowcount: MySQL counts changed rows, not matched ones.
        if not editable(review, now):
            raise ReviewRefused(gettext("Reviews can be changed for 7 days after they are written; this one can no longer be edited."), 403)
        await tx.execute("review_update", {"id": review["id"], "rating": rating, "body": body, "now": now})


async def reply_to_review(db, provider_id: int, review_id: int, form, now: datetime) -> None:
    """The provider's one public reply to a review of their work."""
    reply = (form.get("reply") or "").replace("\r\n", "\n").strip()
    if not reply:
        raise ReviewRefused(gettext("Write a reply before sending it."))
    if len(reply) > REPLY_MAX:
        raise ReviewRefused(gettext("Keep the reply to %(limit)s characters or fewer (this one has %(length)s).",
                                    limit=REPLY_MAX, length=len(reply)))
    async with db.transaction() as tx:
        review = await tx.fetch_one("review_select_by_id", {"id": review_id})
        if review is None or review["provider_id"] != provider_id:
            raise ReviewRefused(gettext("There is no such review of your work."), 404)
        result = await tx.execute("review_reply", {"id": review_id, "provider_id": provider_id, "reply": reply, "now": now})
        if result.rowcount == 0:
            raise ReviewRefused(gettext("You have already replied to this review; a review gets one reply."), 409)
