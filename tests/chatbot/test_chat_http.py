"""The chatbot through the HTTP app: booking in conversation, taken slots, a visitor
who logs in mid-way, FAQ answers, the fallback, and bad input."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from grihaseva.booking import domain
from tests.chatbot.conftest import NOW, PASSWORD, buttons, links, said, say, user_id
from tests.conftest import login, text

ADDRESS = "12 MG Road, Indiranagar, Bengaluru 560038"
# Tue 24 Nov 2026, 16:00 in Kolkata: the first evening slot of the plumbers.
TUESDAY_4PM = datetime(2026, 11, 24, 10, 30, tzinfo=timezone.utc)


async def logged_in(app, email="customer@example.com"):
    client = app.test_client()
    response = await login(client, email, PASSWORD)
    assert response.status_code == 303
    return client


async def test_customer_books_a_plumber_in_four_turns(demo):
    client = await logged_in(demo)

    first = await text(await say(client, "I need a plumber tomorrow evening"))
    offered = buttons(first)[:3]
    assert offered == ["Tue 24 Nov, 4:00 pm IST with Imran Shaikh", "Tue 24 Nov, 4:30 pm IST with Imran Shaikh",
                       "Tue 24 Nov, 5:00 pm IST with Imran Shaikh"]
    assert "Tap and leak repair" in first and "₹349" in first

    second = await text(await say(client, offered[0]))
    assert "Where should Imran Shaikh come?" in second

    third = await text(await say(client, ADDRESS))
    for expected in ("Tap and leak repair", "Imran Shaikh", "Tue 24 Nov, 4:00 pm IST", "₹349", ADDRESS):
        assert expected in third
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM bookings") == 0  # nothing before the yes

    fourth = await text(await say(client, "yes"))
    assert "Booked!" in fourth
    booking = await demo.db.fetch_one("SELECT id, customer_id, provider_id, starts_at, address, notes, status FROM bookings")
    assert f"/bookings/{booking['id']}" in links(fourth)
    assert booking["customer_id"] == await user_id(demo, "customer@example.com")
    assert booking["provider_id"] == await user_id(demo, "imran.plumber@example.com")
    assert booking["starts_at"] == TUESDAY_4PM
    assert (booking["address"], booking["notes"], booking["status"]) == (ADDRESS, "Booked in chat", "confirmed")
    # place_booking wrote the provider's notification and the outbox events with the booking
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM notifications WHERE booking_id = :id", {"id": booking["id"]}) == 1


async def test_slot_taken_between_turns_gets_fresh_choices_and_is_sold_once(demo):
    client = await logged_in(demo)
    offered = buttons(await text(await say(client, "I need a plumber tomorrow evening")))
    await say(client, offered[0])
    await say(client, ADDRESS)

    # Someone else books Imran's 4 pm through the booking domain before our customer says yes.
    rival = await user_id(demo, "rahul@example.com")
    service = await domain.active_service(demo.db, "tap-leak-repair")
    imran = await user_id(demo, "imran.plumber@example.com")
    await domain.place_booking(demo.db, domain.Customer(rival, "male"), service, imran, TUESDAY_4PM,
                           {"address": "7 Residency Road, Bengaluru", "phone": "+91 99000 67890"}, NOW)

    response = await say(client, "yes")
    page = await text(response)
    assert response.status_code == 200
    assert "that slot was just taken" in page
    fresh = buttons(page)[:3]
    assert len(fresh) == 3 and offered[0] not in fresh
    assert "Tue 24 Nov, 4:00 pm IST with Ravi Kumar" in fresh  # Ravi is still free at 4 pm
    rows = await demo.db.fetch_all("SELECT customer_id FROM bookings WHERE provider_id = :p AND starts_at = :s",
                                   {"p": imran, "s": TUESDAY_4PM})
    assert [row["customer_id"] for row in rows] == [rival]


async def test_visitor_logs_in_mid_way_and_continues_the_same_conversation(demo):
    client = demo.test_client()
    first = await say(client, "I need a plumber tomorrow evening")
    assert "grihaseva_chat=" in first.headers.get("Set-Cookie", "")
    assert "HttpOnly" in first.headers["Set-Cookie"] and "SameSite=Lax" in first.headers["Set-Cookie"]
    offered = buttons(await text(first))

    ask = await text(await say(client, offered[1]))
    assert "please log in" in ask and "/login?next=/chat" in links(ask)
    visitor_conversation = await demo.db.fetch_value("SELECT id FROM chat_conversations")

    response = await login(client, "customer@example.com", PASSWORD)
    assert response.status_code == 303
    page = await text(await client.get("/chat"))
    assert said(page) == ["I need a plumber tomorrow evening", offered[1]]  # the visitor's messages are still there
    assert "Where should Imran Shaikh come?" in page  # and the bot carries on with the chosen slot

    summary = await text(await say(client, ADDRESS))
    assert "Tue 24 Nov, 4:30 pm IST" in summary
    booked = await text(await say(client, "yes"))
    assert "Booked!" in booked
    asha = await user_id(demo, "customer@example.com")
    conversations = await demo.db.fetch_all("SELECT id, user_id FROM chat_conversations")
    assert conversations == [{"id": visitor_conversation, "user_id": asha}]
    booking = await demo.db.fetch_one("SELECT customer_id, starts_at FROM bookings")
    assert booking == {"customer_id": asha, "starts_at": datetime(2026, 11, 24, 11, 0, tzinfo=timezone.utc)}


async def test_the_bot_remembers_the_service_when_the_day_changes(demo):
    client = await logged_in(demo)
    await say(client, "I need a plumber tomorrow evening")
    page = await text(await say(client, "what about Sunday?"))
    assert buttons(page)[:3] == ["Sun 29 Nov, 4:00 pm IST with Ravi Kumar", "Sun 29 Nov, 4:30 pm IST with Ravi Kumar",
                                 "Sun 29 Nov, 5:00 pm IST with Ravi Kumar"]


async def test_an_exact_time_offers_the_nearest_slots(demo):
    client = await logged_in(demo)
    page = await text(await say(client, "AC service tomorrow at 6 pm"))
    assert buttons(page)[:3] == ["Tue 24 Nov, 5:30 pm IST with Suresh Naidu", "Tue 24 Nov, 6:00 pm IST with Suresh Naidu",
                                 "Tue 24 Nov, 6:30 pm IST with Suresh Naidu"]


async def test_a_male_customer_asking_for_a_facial_gets_the_women_only_rule(demo):
    client = await logged_in(demo, "rahul@example.com")
    page = await text(await say(client, "book a facial tomorrow morning"))
    assert domain.WOMEN_ONLY_CUSTOMER.split(".")[0] in page
    assert buttons(page) == []


async def test_the_bot_asks_for_the_service_and_the_day_when_missing(demo):
    client = await logged_in(demo)
    page = await text(await say(client, "I want to book"))
    assert "Which service do you need?" in page
    assert buttons(page) == ["Cleaning", "Plumbing", "Electrical", "Beauty at home"]
    page = await text(await say(client, "Electrical"))
    assert "Which day suits you?" in page
    assert buttons(page)[:2] == ["Today", "Tomorrow"]


async def test_my_bookings_lists_upcoming_ones_with_links(demo):
    client = await logged_in(demo)
    asha = await user_id(demo, "customer@example.com")
    service = await domain.active_service(demo.db, "ac-service")
    suresh = await user_id(demo, "suresh.electric@example.com")
    booking_id = await domain.place_booking(demo.db, domain.Customer(asha, "female"), service, suresh, TUESDAY_4PM,
                                        {"address": ADDRESS, "phone": "+91 99000 12345"}, NOW)
    page = await text(await say(client, "show my bookings"))
    assert "AC service with Suresh Naidu, Tue 24 Nov, 4:00 pm IST: confirmed" in page
    assert f"/bookings/{booking_id}" in links(page) and "/bookings" in links(page)


async def test_faq_answers_come_with_links(demo):
    client = demo.test_client()
    page = await text(await say(client, "I forgot my password"))
    assert "enter your email and we send you a link" in page
    assert "/password/forgot" in links(page)
    page = await text(await say(client, "how do I cancel a booking?"))
    assert "free until 3 hours before the start" in page
    assert "/bookings" in links(page)
    page = await text(await say(client, "how much is AC service"))
    assert "₹599" in page and "1 h 30 min" in page and "Filter and coil cleaning" in page
    assert "/services/ac-service" in links(page)
    page = await text(await say(client, "I want to talk to a person"))
    assert "Please type your email address or phone number" in page  # a visitor: how to answer them


async def test_the_fallback_admits_it_and_offers_choices(demo):
    client = demo.test_client()
    page = await text(await say(client, "zxqv blorp"))
    assert "Sorry, I did not understand that." in page
    assert buttons(page) == ["Book a service", "Prices", "My bookings", "Talk to a person"]


async def test_without_javascript_the_form_posts_and_redirects_back_to_the_chat(demo):
    client = await logged_in(demo)
    response = await say(client, "hello", htmx=False)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/chat")
    page = await text(await client.get("/chat"))
    assert said(page) == ["hello"] and "Namaste, Asha!" in page
    assert 'action="/chat/message"' in page


async def test_over_long_and_empty_messages_are_refused_politely(demo):
    client = demo.test_client()
    response = await say(client, "a" * 1001)
    assert response.status_code == 422
    assert "under 1,000 characters" in await text(response)
    response = await say(client, "   ")
    assert response.status_code == 422
    assert "Type a message first." in await text(response)
    response = await say(client, "a" * 1001, htmx=False)
    assert response.status_code == 422
    assert "under 1,000 characters" in await text(response)
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM chat_messages") == 0


async def test_more_than_twenty_messages_a_minute_are_rate_limited(demo):
    client = demo.test_client()
    for _ in range(20):
        assert (await say(client, "hi")).status_code == 200
    response = await say(client, "hi")
    assert response.status_code == 429
    assert "Please wait 1 minute" in await text(response)
    assert response.headers["Retry-After"] == "60"  # the 20 messages were all sent at NOW
    demo.clock.now = NOW + timedelta(seconds=61)
    assert (await say(client, "hi")).status_code == 200


async def test_messages_sent_all_at_once_are_rate_limited_like_messages_sent_one_by_one(demo):
    async def hello() -> int:
        return (await say(demo.test_client(), "hi")).status_code

    statuses = list(await asyncio.gather(*(hello() for _ in range(30))))
    assert set(statuses) <= {200, 429}
    statuses += [await hello() for _ in range(21)]  # then one by one until the limit answers
    assert statuses.count(200) == 20
    assert statuses[-1] == 429


async def test_what_a_customer_types_is_escaped(demo):
    client = demo.test_client()
    page = await text(await say(client, "<script>alert('x')</script>"))
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    page = await text(await client.get("/chat"))
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page


async def test_conversations_are_private_to_their_visitor(demo):
    first, second = demo.test_client(), demo.test_client()
    await say(first, "I need a plumber tomorrow evening")
    page = await text(await second.get("/chat"))
    assert said(page) == []
    assert said(await text(await first.get("/chat"))) == ["I need a plumber tomorrow evening"]


async def test_the_widget_is_on_every_page_but_the_chat_page(demo):
    client = demo.test_client()
    home = await text(await client.get("/services"))
    assert 'id="chat-widget"' in home and 'hx-trigger="toggle once from:#chat-widget"' in home
    assert 'id="chat-widget"' not in await text(await client.get("/chat"))
    log = await client.get("/chat/log", headers={"HX-Request": "true"})
    assert "Namaste!" in await text(log)


async def test_a_date_past_the_booking_window_is_explained_and_not_kept(demo):
    client = demo.test_client()
    for message in ("plumber 31/12/9999", "plumber on 25 Dec at 3pm"):
        response = await say(client, message)
        assert response.status_code == 200, message
        page = await text(response)
        assert "We take bookings up to 30 days ahead, so" in page and "is too far out" in page
    # The far date was not kept: the next request is answered, not refused again.
    follow = await text(await say(client, "tomorrow evening"))
    assert "Free times for Tap and leak repair" in follow


async def test_a_far_date_said_alone_does_not_break_the_next_request(demo):
    client = demo.test_client()
    assert (await say(client, "31/12/9999")).status_code == 200
    response = await say(client, "plumber")
    assert response.status_code == 200
    assert "is too far out" in await text(response)
    assert (await say(client, "plumber tomorrow")).status_code == 200


async def test_no_free_times_without_a_time_of_day_does_not_mention_one(demo):
    await demo.db.execute("UPDATE providers SET verified = 0")  # nobody takes bookings
    page = await text(await say(demo.test_client(), "plumber tomorrow"))
    assert "there are no free times for Tap and leak repair in the next 30 days" in page
    assert "at that time of day" not in page and "Talk to a person" in buttons(page)


async def test_a_job_we_do_not_offer_is_told_so_with_what_we_do(demo):
    import html

    # (a geyser is an electrical job: test_conversation.py, docs/ARCHITECTURE.md "The geyser call")
    for message in ("painter needed tomorrow", "pest control", "carpenter tomorrow", "fridge repair chahiye"):
        page = html.unescape(await text(await say(demo.test_client(), message)))
        assert "Sorry, we don't offer that yet. GrihaSeva professionals do: " in page, message
        assert "Plumbing" in buttons(page) and "Talk to a person" in buttons(page)
    gibberish = await text(await say(demo.test_client(), "qwerty zxcv"))
    assert "Sorry, I did not understand that." in gibberish
