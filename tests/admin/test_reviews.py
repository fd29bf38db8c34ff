"""Ratings and reviews: one per completed booking, by its own customer; editable for 7 days; exact averages;
escaped text; one provider reply; "any available provider" prefers the better rated of equally free providers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from grihaseva.reviews import domain as reviews
from grihaseva.booking import domain
from grihaseva.booking.slots import slot_token
from tests.admin.conftest import NOW, logged_in, make_booking, make_customer, text, user_id
from tests.conftest import post
from tests.conftest import text as raw_text

LAST_WEEK = NOW - timedelta(days=7)


async def completed_job(app, customer="customer@example.com", provider="provider@example.com", days_ago=7) -> int:
    return await make_booking(app, customer, provider, "tap-leak-repair", NOW - timedelta(days=days_ago), status="completed")


async def rate(client, booking_id: int, rating, body: str = ""):
    return await post(client, f"/bookings/{booking_id}/review", {"rating": str(rating), "body": body})


async def test_customer_rates_a_completed_job_and_the_provider_page_shows_it(demo):
    ravi = await user_id(demo, "provider@example.com")
    job = await completed_job(demo)
    client = await logged_in(demo, "customer@example.com")
    assert "Rate this job" in await text(await client.get(f"/bookings/{job}"))
    assert (await client.get(f"/bookings/{job}/review")).status_code == 200
    response = await rate(client, job, 4, "Fixed the kitchen tap in twenty minutes.")
    assert response.status_code == 303 and response.headers["Location"] == f"/bookings/{job}"
    row = await demo.db.fetch_one("review_select_by_booking", {"booking_id": job})
    assert (row["rating"], row["provider_id"], row["customer_id"], row["created_at"]) == (4, ravi, await user_id(demo, "customer@example.com"), NOW)
    page = await text(await demo.test_client().get(f"/providers/{ravi}"))
    assert "★ 4.0" in page and "(1 review)" in page and "Fixed the kitchen tap in twenty minutes." in page
    assert "new on GrihaSeva" not in page
    service_page = await text(await demo.test_client().get("/services/tap-leak-repair"))
    assert "★ 4.0" in service_page


async def test_a_job_is_rated_only_once(demo):
    job = await completed_job(demo)
    client = await logged_in(demo, "customer@example.com")
    assert (await rate(client, job, 5)).status_code == 303
    with pytest.raises(reviews.ReviewRefused) as refused:
        await reviews.leave_review(demo.db, await user_id(demo, "customer@example.com"), job, {"rating": "1"}, NOW)
    assert refused.value.status == 409
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM reviews") == 1
    assert await demo.db.fetch_value("SELECT rating FROM reviews") == 5


async def test_only_ones_own_completed_booking_can_be_rated(demo):
    job = await completed_job(demo)
    upcoming = await make_booking(demo, "customer@example.com", "provider@example.com", "tap-leak-repair", NOW + timedelta(days=1))
    await make_customer(demo, "other@example.com")
    other = await logged_in(demo, "other@example.com")
    response = await rate(other, job, 1, "I was never there")
    assert response.status_code == 404 and "no such booking" in await text(response)
    assert (await other.get(f"/bookings/{job}/review")).status_code == 404
    owner = await logged_in(demo, "customer@example.com")
    not_done = await rate(owner, upcoming, 5)
    assert not_done.status_code == 409 and "Reviews open once the job is completed." in await text(not_done)
    assert (await rate(owner, 99999, 5)).status_code == 404
    provider = await logged_in(demo, "provider@example.com")
    assert (await rate(provider, job, 5)).status_code == 403
    visitor = await rate(demo.test_client(), job, 5)
    assert visitor.status_code == 303 and visitor.headers["Location"].startswith("/login?next=")
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM reviews") == 0


@pytest.mark.parametrize(("rating", "body", "message"), [
    ("0", "", "Choose a rating from 1 to 5"),
    ("6", "", "Choose a rating from 1 to 5"),
    ("4.5", "", "Choose a rating from 1 to 5"),
    ("", "Great", "Choose a rating from 1 to 5"),
    ("5", "x" * 1001, "1000 characters or fewer"),
])
async def test_bad_ratings_are_a_422_with_the_message(demo, rating, body, message):
    job = await completed_job(demo)
    client = await logged_in(demo, "customer@example.com")
    response = await post(client, f"/bookings/{job}/review", {"rating": rating, "body": body})
    assert response.status_code == 422
    assert message in await text(response)
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM reviews") == 0


async def test_a_review_of_exactly_1000_characters_is_kept(demo):
    job = await completed_job(demo)
    client = await logged_in(demo, "customer@example.com")
    assert (await rate(client, job, 3, "é" * 1000)).status_code == 303
    assert await demo.db.fetch_value("SELECT body FROM reviews") == "é" * 1000


async def test_review_is_editable_for_seven_days_and_refused_after(demo):
    job = await completed_job(demo)
    client = await logged_in(demo, "customer@example.com")
    await rate(client, job, 2, "Late by an hour")
    demo.clock.now = NOW + timedelta(days=6, hours=23)
    assert (await rate(client, job, 4, "Late, but the repair held up")).status_code == 303
    row = await demo.db.fetch_one("review_select_by_booking", {"booking_id": job})
    assert (row["rating"], row["body"], row["created_at"], row["updated_at"]) == (4, "Late, but the repair held up", NOW, demo.clock.now)
    demo.clock.now = NOW + timedelta(days=7)
    late = await rate(client, job, 1, "Changed my mind")
    assert late.status_code == 403 and "can no longer be edited" in await text(late)
    assert "can no longer be edited" in await text(await client.get(f"/bookings/{job}/review"))
    assert (await demo.db.fetch_one("review_select_by_booking", {"booking_id": job}))["rating"] == 4


async def test_averages_are_exact_to_one_decimal(demo):
    ravi = await user_id(demo, "provider@example.com")
    for n, stars in enumerate((5, 4, 4)):
        email = f"rater{n}@example.com"
        await make_customer(demo, email)
        job = await completed_job(demo, customer=email, days_ago=n + 1)
        await reviews.leave_review(demo.db, await user_id(demo, email), job, {"rating": str(stars)}, NOW)
    summary = (await reviews.rating_summary(demo.db, [ravi]))[ravi]
    assert (summary.count, summary.total, summary.label) == (3, 13, "4.3")
    page = await text(await demo.test_client().get(f"/providers/{ravi}"))
    assert "★ 4.3" in page and "(3 reviews)" in page


@pytest.mark.parametrize(("stars", "label"), [
    ((5, 4, 4), "4.3"), ((4, 5), "4.5"), ((1, 2, 2), "1.7"), ((5,), "5.0"), ((3, 4, 4, 4, 4, 4, 4, 4), "3.9"),
    ((1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2), "1.1"),  # 1.1 exactly
    ((2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3), "2.1"),  # 2.05 rounds half up
])
def test_average_label_rounds_half_up_from_integer_sums(stars, label):
    assert reviews.RatingSummary(len(stars), sum(stars)).label == label


async def test_review_text_is_escaped_on_every_page(demo):
    ravi = await user_id(demo, "provider@example.com")
    job = await completed_job(demo)
    client = await logged_in(demo, "customer@example.com")
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    await rate(client, job, 5, attack)
    pages = [await raw_text(await demo.test_client().get(f"/providers/{ravi}")),
             await raw_text(await client.get(f"/bookings/{job}/review")),
             await raw_text(await (await logged_in(demo, "provider@example.com")).get("/provider/reviews"))]
    for page in pages:
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in page


async def test_provider_replies_once_and_only_to_their_own_reviews(demo):
    ravi = await user_id(demo, "provider@example.com")
    job = await completed_job(demo)
    await rate(await logged_in(demo, "customer@example.com"), job, 3, "Okay work")
    review_id = (await demo.db.fetch_one("review_select_by_booking", {"booking_id": job}))["id"]
    imran = await logged_in(demo, "imran.plumber@example.com")
    stranger = await post(imran, f"/reviews/{review_id}/reply", {"reply": "Not my job"})
    assert stranger.status_code == 404
    provider = await logged_in(demo, "provider@example.com")
    assert "Okay work" in await text(await provider.get("/provider/reviews"))
    empty = await post(provider, f"/reviews/{review_id}/reply", {"reply": "  "})
    assert empty.status_code == 422 and "Write a reply" in await text(empty)
    assert (await post(provider, f"/reviews/{review_id}/reply", {"reply": "Thanks, we will be quicker next time."})).status_code == 303
    second = await post(provider, f"/reviews/{review_id}/reply", {"reply": "Another reply"})
    assert second.status_code == 409 and "already replied" in await text(second)
    row = await demo.db.fetch_one("review_select_by_id", {"id": review_id})
    assert (row["reply"], row["replied_at"]) == ("Thanks, we will be quicker next time.", NOW)
    assert "Thanks, we will be quicker next time." in await text(await demo.test_client().get(f"/providers/{ravi}"))
    customer = await logged_in(demo, "customer@example.com")
    assert (await post(customer, f"/reviews/{review_id}/reply", {"reply": "me too"})).status_code == 403


async def test_any_available_provider_prefers_the_better_rated_of_equally_free_providers(demo):
    ravi = await user_id(demo, "provider@example.com")
    imran = await user_id(demo, "imran.plumber@example.com")
    tuesday_11am = NOW.replace(day=24, hour=5, minute=30)  # 11:00 IST: both work then, neither is booked that day
    service = await domain.active_service(demo.db, "tap-leak-repair")
    # Unrated, the tie goes to the lower id: Ravi (seeded first).
    assert ravi < imran
    assert await domain.pick_provider(demo.db, service, tuesday_11am, NOW) == ravi
    for n, (provider, stars) in enumerate((("provider@example.com", 4), ("imran.plumber@example.com", 5))):
        job = await completed_job(demo, provider=provider, days_ago=n + 1)
        await reviews.leave_review(demo.db, await user_id(demo, "customer@example.com"), job, {"rating": str(stars)}, NOW)
    assert await domain.pick_provider(demo.db, service, tuesday_11am, NOW) == imran
    # Fewer bookings that day still comes first: give Imran one on Tuesday morning.
    await make_booking(demo, "customer@example.com", "imran.plumber@example.com", "tap-leak-repair", NOW.replace(day=24, hour=4))
    assert await domain.pick_provider(demo.db, service, tuesday_11am, NOW) == ravi


async def test_booking_any_provider_over_http_gets_the_better_rated_one(demo):
    imran = await user_id(demo, "imran.plumber@example.com")
    job = await completed_job(demo, provider="imran.plumber@example.com")
    await reviews.leave_review(demo.db, await user_id(demo, "customer@example.com"), job, {"rating": "5"}, NOW)
    client = await logged_in(demo, "customer@example.com")
    tuesday_11am = NOW.replace(day=24, hour=5, minute=30)
    response = await post(client, "/book/tap-leak-repair", {"provider": "any", "slot": slot_token(tuesday_11am),
                                                            "address": "12 MG Road, Indiranagar, Bengaluru", "phone": "+91 99000 12345"})
    assert response.status_code == 303
    assert await demo.db.fetch_value("SELECT provider_id FROM bookings WHERE starts_at = :s", {"s": tuesday_11am}) == imran


async def test_the_review_form_of_a_job_not_yet_completed_is_a_409_page_not_a_form_error(demo):
    upcoming = await make_booking(demo, "customer@example.com", "provider@example.com", "tap-leak-repair", NOW + timedelta(days=1))
    client = await logged_in(demo, "customer@example.com")
    response = await client.get(f"/bookings/{upcoming}/review")
    page = await text(response)
    assert response.status_code == 409
    assert "Reviews open once the job is completed. You can rate it after the professional has marked it completed." in page
    assert "Please check the form" not in page and 'name="rating"' not in page


async def test_a_review_with_a_reply_can_no_longer_be_changed(demo):
    ravi = await user_id(demo, "provider@example.com")
    job = await completed_job(demo)
    customer = await logged_in(demo, "customer@example.com")
    await rate(customer, job, 5, "Quick and tidy")
    review_id = (await demo.db.fetch_one("review_select_by_booking", {"booking_id": job}))["id"]
    provider = await logged_in(demo, "provider@example.com")
    assert (await post(provider, f"/reviews/{review_id}/reply", {"reply": "Thank you, see you again."})).status_code == 303
    demo.clock.now = NOW + timedelta(days=1)  # well inside the 7 days
    sentence = "The professional has replied to this review, so it can no longer be changed."
    form = await customer.get(f"/bookings/{job}/review")
    assert form.status_code == 409 and sentence in await text(form)
    changed = await rate(customer, job, 1, "Terrible, never again")
    assert changed.status_code == 409 and sentence in await text(changed)
    row = await demo.db.fetch_one("review_select_by_booking", {"booking_id": job})
    assert (row["rating"], row["body"], row["reply"]) == (5, "Quick and tidy", "Thank you, see you again.")
    with pytest.raises(reviews.ReviewRefused) as refused:
        await reviews.edit_review(demo.db, await user_id(demo, "customer@example.com"), job, {"rating": "2"}, NOW)
    assert refused.value.status == 409
    assert "Terrible" not in await text(await demo.test_client().get(f"/providers/{ravi}"))


async def test_saving_a_review_of_a_suspended_provider_lands_on_the_booking_with_the_thank_you(demo):
    ravi = await user_id(demo, "provider@example.com")
    job = await completed_job(demo)
    await demo.db.execute("UPDATE providers SET suspended_at = :now WHERE user_id = :id", {"now": NOW, "id": ravi})
    client = await logged_in(demo, "customer@example.com")
    response = await rate(client, job, 5, "good work")
    assert response.status_code == 303 and response.headers["Location"] == f"/bookings/{job}"
    landing = await client.get(response.headers["Location"])
    assert landing.status_code == 200
    assert "Thank you: your review is saved." in await text(landing)
    assert await demo.db.fetch_value("SELECT rating FROM reviews WHERE booking_id = :id", {"id": job}) == 5
