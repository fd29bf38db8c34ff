"""Rating a completed job (customers) and replying to reviews (providers)."""

from __future__ import annotations

from quart import Blueprint, flash
from werkzeug.exceptions import BadRequest, Conflict, Forbidden, NotFound, UnprocessableEntity

from ..i18n import gettext
from . import domain as reviews
from ..auth.access import requires_role, the_user
from ..web import db, now, read_form, redirect_to, render

blueprint = Blueprint("reviews", __name__)


def _http(refused: reviews.ReviewRefused):
    return {403: Forbidden, 404: NotFound, 409: Conflict, 422: UnprocessableEntity}.get(refused.status, BadRequest)(refused.message)


async def _review_page(booking: dict, review: dict | None, form: dict, error: str | None = None, status: int = 200):
    can_edit = review is None or reviews.editable(review, now())
    return await render("reviews/review.html", status=status, booking=booking, review=review, form=form,
                        error=error, can_edit=can_edit, max_chars=reviews.BODY_MAX)


@blueprint.get("/bookings/<int:booking_id>/review")
@requires_role("customer")
async def review_form(booking_id: int):
    """Rate a completed job, or edit the rating within 7 days (until the provider replies)."""
    try:
        booking = await reviews.reviewable_booking(db(), the_user().id, booking_id)
    except reviews.ReviewRefused as refused:
        raise _http(refused) from None
    review = await reviews.review_of_booking(db(), booking_id)
    if reviews.has_reply(review):
        raise Conflict(str(reviews.REPLIED))
    form = {"rating": str(review["rating"]), "body": review["body"]} if review else {}
    return await _review_page(booking, review, form)


@blueprint.post("/bookings/<int:booking_id>/review")
@requires_role("customer")
async def save_review(booking_id: int):
    """Save a new rating (once per booking) or an edit (for 7 days, until the provider replies)."""
    form = await read_form()
    user_id = the_user().id
    try:
        booking = await reviews.reviewable_booking(db(), user_id, booking_id)
    except reviews.ReviewRefused as refused:
        raise _http(refused) from None
    existing = await reviews.review_of_booking(db(), booking_id)
    try:
        if existing is None:
            await reviews.leave_review(db(), user_id, booking_id, form, now())
        else:
            await reviews.edit_review(db(), user_id, booking_id, form, now())
    except reviews.ReviewRefused as refused:
        if refused.status == 422:
            return await _review_page(booking, existing, form, refused.message, status=422)
        raise _http(refused) from None
    await flash(gettext("Thank you: your review is saved.") if existing is None else gettext("Your review is updated."), "success")
    # The booking page, not the provider's: that one is a 404 while the provider is suspended.
    return redirect_to(f"/bookings/{booking_id}")


@blueprint.get("/provider/reviews")
@requires_role("provider")
async def received():
    """A provider's reviews, each with a form for their one reply."""
    rows = await reviews.recent_reviews(db(), the_user().id, limit=200)
    summary = (await reviews.rating_summary(db(), [the_user().id]))[the_user().id]
    return await render("reviews/received.html", rows=rows, summary=summary, max_chars=reviews.REPLY_MAX)


@blueprint.post("/reviews/<int:review_id>/reply")
@requires_role("provider")
async def reply(review_id: int):
    """Reply once to a review of one's work."""
    form = await read_form()
    try:
        await reviews.reply_to_review(db(), the_user().id, review_id, form, now())
    except reviews.ReviewRefused as refused:
        raise _http(refused) from None
    await flash(gettext("Your reply is published under the review."), "success")
    return redirect_to("/provider/reviews")
