"""The conversation state machine on its own (no HTTP): memory across turns and
what counts as an answer while the bot waits for one."""

from __future__ import annotations

import pytest

from grihaseva.auth.accounts import User
from grihaseva.chatbot import conversation
from grihaseva.demo.seed import seed_demo
from tests.chatbot.conftest import NOW


@pytest.fixture
async def seeded(db, settings):
    await seed_demo(db, settings)
    return db


async def customer(db, email="customer@example.com") -> User:
    return User.from_row(await db.fetch_one("select_user_by_email", {"email": email}))


async def chat(db, user, *messages):
    state: dict = {}
    bot = None
    for text in messages:
        bot, state = await conversation.reply(db, state, user, text, NOW)
    return bot, state


async def test_hinglish_request_offers_evening_slots_for_the_category(seeded):
    bot, state = await chat(seeded, None, "kal shaam plumber chahiye")
    assert state["service"] == "tap-leak-repair" and state["day"] == "2026-11-24" and state["part"] == "evening"
    assert [label for label, _ in bot.buttons] == [
        "Tue 24 Nov, 4:00 pm IST with Imran Shaikh", "Tue 24 Nov, 4:30 pm IST with Imran Shaikh",
        "Tue 24 Nov, 5:00 pm IST with Imran Shaikh",
        "Toilet and flush repair", "Drain unblocking", "Water tank cleaning"]


async def test_an_ordinal_picks_an_offered_slot(seeded):
    bot, state = await chat(seeded, await customer(seeded), "I need a plumber tomorrow evening", "the second one")
    assert state["awaiting"] == "address"
    assert state["chosen"]["label"] == "Tue 24 Nov, 4:30 pm IST with Imran Shaikh"


async def test_a_new_request_while_waiting_for_the_address_is_not_taken_as_the_address(seeded):
    bot, state = await chat(seeded, await customer(seeded), "I need a plumber tomorrow evening", "1",
                            "facial this saturday at 10")
    assert state["service"] == "facial-at-home" and state["awaiting"] == "slot"
    assert "address" not in state
    assert bot.buttons[0][0] == "Sat 28 Nov, 9:30 am IST with Meena Iyer"


async def test_an_address_that_mentions_a_service_word_is_still_an_address(seeded):
    bot, state = await chat(seeded, await customer(seeded), "I need a plumber tomorrow evening", "1",
                            "Flat 3, near the water tank, Andheri West")
    assert state["awaiting"] == "confirm"
    assert "Address: Flat 3, near the water tank, Andheri West" in bot.parts


async def test_saying_no_to_the_summary_books_nothing_and_keeps_the_address(seeded):
    bot, state = await chat(seeded, await customer(seeded), "I need a plumber tomorrow evening", "1",
                            "12 MG Road, Indiranagar, Bengaluru", "no", "Show other times", "2")
    assert await seeded.fetch_value("SELECT COUNT(*) AS n FROM bookings") == 0
    # the address said before is not asked again: the summary of the new time names it
    assert state["awaiting"] == "confirm" and "Address: 12 MG Road, Indiranagar, Bengaluru" in bot.parts


async def test_the_last_booking_address_is_offered_again(seeded):
    user = await customer(seeded)
    await chat(seeded, user, "I need a plumber tomorrow evening", "1", "12 MG Road, Indiranagar, Bengaluru", "yes")
    bot, state = await chat(seeded, user, "AC service on Thursday morning", "1")
    assert state["prefill"] == "12 MG Road, Indiranagar, Bengaluru"
    bot, state = await conversation.reply(seeded, state, user, "yes", NOW)
    assert state["awaiting"] == "confirm" and state["address"] == "12 MG Road, Indiranagar, Bengaluru"


async def test_nothing_free_that_day_offers_the_nearest_later_day(seeded):
    # Both cleaners (Anita Desai, Joseph Fernandes) work Monday to Saturday only.
    bot, state = await chat(seeded, None, "bathroom cleaning on Sunday")
    assert bot.parts[0] == "Nothing is free on Sun 29 Nov. The nearest free times for Bathroom cleaning:"
    assert [label for label, _ in bot.buttons] == [
        "Mon 30 Nov, 9:00 am IST with Anita Desai", "Mon 30 Nov, 9:30 am IST with Anita Desai",
        "Mon 30 Nov, 10:00 am IST with Anita Desai", "Another day"]


async def test_no_slot_at_that_time_of_day_all_week_offers_other_times_of_day(seeded):
    # Home deep cleaning takes 4 hours and Anita stops at 19:00: it never starts in the evening.
    bot, state = await chat(seeded, None, "home deep cleaning tomorrow evening")
    assert bot.parts[0] == ("Nothing is free on Tue 24 Nov in the evening in the next 7 days. The nearest free "
                            "times for Home deep cleaning at any time of day:")
    offered = [label for label, _ in bot.buttons]
    assert len(offered) >= 2 and offered[-1] == "Another day"
    assert all(label.startswith("Tue 24 Nov") and "with Anita Desai" in label for label in offered[:-1])
    assert state["awaiting"] == "slot" and ("Home deep cleaning", "/services/home-deep-cleaning") in bot.links


@pytest.mark.parametrize(("said", "label"), [
    ("2", "Tue 24 Nov, 4:30 pm IST with Imran Shaikh"),
    ("option 3", "Tue 24 Nov, 5:00 pm IST with Imran Shaikh"),
    ("the first one please", "Tue 24 Nov, 4:00 pm IST with Imran Shaikh"),
    ("Tue 24 Nov, 5:00 PM IST with Imran Shaikh", "Tue 24 Nov, 5:00 pm IST with Imran Shaikh"),
    # Hindi ordinals: Python's \w splits "दूसरी" at its vowel signs, so they once never matched
    ("दूसरी वाली", "Tue 24 Nov, 4:30 pm IST with Imran Shaikh"),
    ("तीसरा", "Tue 24 Nov, 5:00 pm IST with Imran Shaikh"),
])
async def test_offered_slots_can_be_picked_by_label_number_or_ordinal(seeded, said, label):
    bot, state = await chat(seeded, await customer(seeded), "I need a plumber tomorrow evening", said)
    assert state["chosen"]["label"] == label


async def test_an_address_starting_with_a_number_is_not_a_slot_pick(seeded):
    bot, state = await chat(seeded, await customer(seeded), "I need a plumber tomorrow evening", "3",
                            "1, MG Road, Indiranagar")
    assert state["chosen"]["label"] == "Tue 24 Nov, 5:00 pm IST with Imran Shaikh"
    assert state["address"] == "1, MG Road, Indiranagar" and state["awaiting"] == "confirm"


@pytest.mark.parametrize("address", [
    "Flat 5, 2nd Main, 10th Cross, Indiranagar",  # ordinals a date reader takes for days
    "B-204 Sunrise Apartments, 3rd Avenue, Chennai",
    "Plot 9, Monday Market Road, Pune",  # a weekday in a street name
    "17 Morning Glory Apartments, Koramangala",  # a time of day in a building name
    "8 Saturday Club Road, Kolkata 700019",
    "No. 3, Station Road, Thane",  # "No." is a number here, not a no
    "42 Church St, near 2nd signal, Pune",
])
async def test_indian_street_addresses_are_taken_as_the_address(seeded, address):
    bot, state = await chat(seeded, await customer(seeded), "I need a plumber tomorrow evening", "1", address)
    assert state["awaiting"] == "confirm" and state["address"] == address
    assert f"Address: {address}" in bot.parts
    assert state["chosen"]["label"] == "Tue 24 Nov, 4:00 pm IST with Imran Shaikh"


async def test_a_plain_no_while_waiting_for_the_address_still_stops_the_booking(seeded):
    bot, state = await chat(seeded, await customer(seeded), "I need a plumber tomorrow evening", "1", "no")
    assert bot.parts == ["OK, I have stopped this booking. Anything else?"]
    assert "chosen" not in state


async def test_a_switch_of_service_keeps_the_day_and_time_unless_the_message_brings_its_own(seeded):
    bot, state = await chat(seeded, None, "kal shaam plumber chahiye", "bijli ka kaam")
    assert state["category"] == "electrical" and state["day"] == "2026-11-24" and state["part"] == "evening"
    assert state["awaiting"] == "slot"  # offered at once, not asked again
    bot, state = await chat(seeded, None, "next Monday morning electrician", "AC service in 2 days")
    assert state["service"] == "ac-service" and state["day"] == "2026-11-25"
    assert state.get("part") is None and state.get("at") is None  # its own day: the old time of day went with it


async def test_another_job_of_the_same_kind_keeps_the_time(seeded):
    bot, state = await chat(seeded, None, "I need a plumber tomorrow evening", "Drain unblocking")
    assert state["service"] == "drain-unblocking" and state["day"] == "2026-11-24" and state["part"] == "evening"


async def test_a_day_said_before_the_service_is_kept(seeded):
    bot, state = await chat(seeded, None, "tomorrow evening", "plumber")
    assert state["day"] == "2026-11-24" and state["part"] == "evening" and state["awaiting"] == "slot"


async def test_no_to_the_offered_times_asks_for_another_day(seeded):
    bot, state = await chat(seeded, None, "I need a plumber tomorrow evening", "no")
    assert bot.parts == ["OK, none of those. Tell me another day or time, or pick something else."]
    assert "options" not in state and state["service"] == "tap-leak-repair"


async def test_a_provider_is_told_before_any_times_are_offered(seeded):
    ravi = User.from_row(await seeded.fetch_one("select_user_by_email", {"email": "provider@example.com"}))
    bot, state = await chat(seeded, ravi, "I need a plumber tomorrow evening")
    assert bot.parts[0].startswith("You are logged in as a provider; bookings are made from a customer account.")
    assert bot.buttons == [] and "options" not in state


async def test_next_week_offers_times_within_next_week(seeded):
    # NOW is Monday 23 Nov 2026: next week is Monday 30 Nov to Sunday 6 Dec.
    bot, state = await chat(seeded, None, "plumber next week")
    assert (state["from_day"], state["day_to"]) == ("2026-11-30", "2026-12-06")
    assert bot.buttons[0][0].startswith("Mon 30 Nov") and state["awaiting"] == "slot"
    bot, state = await conversation.reply(seeded, state, None, "Tue 1 Dec", NOW)
    assert state["day"] == "2026-12-01" and bot.buttons[0][0].startswith("Tue 1 Dec")


async def test_the_weekend_offers_saturday_and_sunday_times_and_a_time_searches_within_the_range(seeded):
    bot, state = await chat(seeded, None, "facial this weekend")
    assert bot.buttons and all(label.startswith(("Sat 28 Nov", "Sun 29 Nov")) for label, _ in bot.buttons)
    bot, state = await chat(seeded, None, "plumber agle hafte shaam ko")
    assert all(label.startswith(("Mon 30 Nov", "Tue 1 Dec", "Wed 2 Dec")) for label, _ in bot.buttons[:3])
    assert all(", 4:" in label or ", 5:" in label or ", 6:" in label for label, _ in bot.buttons[:3])


async def test_after_five_offers_only_times_after_five(seeded):
    bot, state = await chat(seeded, None, "plumber after 5 tomorrow")
    assert state["after"] == "17:00" and bot.buttons[0][0] == "Tue 24 Nov, 5:00 pm IST with Imran Shaikh"
    assert "after 5:00 pm" in bot.parts[0]


async def test_an_impossible_date_is_named_with_the_nearest_sensible_day(seeded):
    bot, state = await chat(seeded, None, "plumber on 31st November")
    assert bot.parts[0] == "There is no such date as \"31st november\", so I looked at Mon 30 Nov instead."
    assert bot.buttons[0][0].startswith("Mon 30 Nov")
    bot, state = await chat(seeded, None, "plumber yesterday evening")
    assert bot.parts[0].startswith("\"yesterday\" has already passed, so I looked from Mon 23 Nov instead.")


async def test_asking_to_move_a_booking_asks_which_one_then_offers_that_professionals_times(seeded):
    user = await customer(seeded)
    await chat(seeded, user, "I need a plumber tomorrow evening", "1", "12 MG Road, Indiranagar, Bengaluru", "yes")
    await chat(seeded, user, "AC service on Thursday morning", "1", "12 MG Road, Indiranagar, Bengaluru", "yes")
    booked = {r["service_slug"]: r["id"] for r in await seeded.fetch_all("select_customer_bookings", {"customer_id": user.id})}
    bot, state = await chat(seeded, user, "can you move my AC service to friday")
    assert state["action"]["kind"] == "move_pick" and state["action"]["booking_id"] == booked["ac-service"]
    assert all(label.startswith("Fri 27 Nov") and label.endswith("with Suresh Naidu") for label, _ in bot.buttons)
    visitor, _ = await chat(seeded, None, "cancel my booking")
    assert visitor.links == [("Log in", "/login?next=/chat")]


async def test_the_cancellation_rule_asked_in_hindi_is_an_answer_not_a_cancel(seeded):
    user = await customer(seeded)
    await chat(seeded, user, "I need a plumber tomorrow evening", "1", "12 MG Road, Indiranagar, Bengaluru", "yes")
    bot, state = await chat(seeded, user, "रद्द करने का नियम क्या है?")
    assert "3 घंटे पहले तक रद्द करना मुफ़्त" in " ".join(bot.parts)
    assert "action" not in state and "awaiting" not in state
    rows = await seeded.fetch_all("select_customer_bookings", {"customer_id": user.id})
    assert [r["status"] for r in rows] == ["confirmed"]
    bot, state = await chat(seeded, user, "मेरी बुकिंग रद्द करो")  # asking for the cancel itself still is one
    assert state["action"]["kind"] == "cancel"


async def test_a_hindi_day_button_is_read_as_that_date(seeded):
    """The Hindi day buttons show "बुध 25 नव॰" and post "25 नवंबर"; both are that day."""
    bot, state = await chat(seeded, None, "मुझे प्लंबर चाहिए")
    assert state["awaiting"] == "day" and ("बुध 25 नव॰", "25 नवंबर") in bot.buttons
    for said in ("25 नवंबर", "बुध 25 नव॰"):  # the button's value, and its label typed back
        offered, after = await conversation.reply(seeded, state, None, said, NOW)
        assert after["day"] == "2026-11-25" and after["awaiting"] == "slot" and after["lang"] == "hi"
        assert offered.buttons[0][0] == "बुध 25 नव॰, सुबह 9:00 IST, Imran Shaikh के साथ"


async def test_a_hindi_day_button_moves_a_booking_to_that_date(seeded):
    user = await customer(seeded)
    await chat(seeded, user, "AC service on Thursday morning", "1", "12 MG Road, Indiranagar, Bengaluru", "yes")
    bot, state = await chat(seeded, user, "मेरी बुकिंग का समय बदलना है")
    assert state["action"]["kind"] == "move_when" and ("बुध 25 नव॰", "25 नवंबर") in bot.buttons
    bot, state = await conversation.reply(seeded, state, user, "25 नवंबर", NOW)
    assert state["action"]["kind"] == "move_pick"
    assert bot.buttons and all(label.startswith("बुध 25 नव॰") for label, _ in bot.buttons)


@pytest.mark.parametrize("said", ["geyser repair", "geyser not heating", "गीजर ठीक करवाना है"])
async def test_a_geyser_is_an_electrical_job(seeded, said):
    """The catalogue has no geyser service: either phrase is the electrical category, whose
    everyday job (Switch and socket repair, diagnosis included) is offered first."""
    bot, state = await chat(seeded, None, said)
    assert (state["category"], state["service"], state["awaiting"]) == ("electrical", "switchboard-repair", "day")


async def test_a_geyser_with_a_day_offers_electrical_times_and_the_other_electrical_jobs(seeded):
    for said in ("geyser repair tomorrow", "geyser not heating, can someone come tomorrow evening"):
        bot, state = await chat(seeded, None, said)
        assert state["awaiting"] == "slot" and state["day"] == "2026-11-24", said
        labels = [label for label, _ in bot.buttons]
        assert labels[0].startswith("Tue 24 Nov") and labels[-3:] == ["Fan installation", "AC service",
                                                                      "Wiring inspection"], said


async def test_a_move_or_cancel_the_domain_refuses_is_told_in_the_domains_words(seeded):
    from datetime import timedelta

    user = await customer(seeded)
    await chat(seeded, user, "I need a plumber tomorrow evening", "1", "12 MG Road, Indiranagar, Bengaluru", "yes")
    [row] = await seeded.fetch_all("select_customer_bookings", {"customer_id": user.id})
    no_show = row["starts_at"] + timedelta(minutes=20)  # Imran has not set off 15 minutes after the start
    bot, state = await conversation.reply(seeded, {}, user, "move my booking to friday", no_show)
    assert bot.parts == ["Imran Shaikh has not set off, so this booking cannot be moved; you can cancel it free of "
                         "charge and book again."] and "action" not in state
    bot, state = await conversation.reply(seeded, {}, user, "cancel my booking", no_show)
    assert state["action"] == {"kind": "cancel", "booking_id": row["id"], "fee": 0}  # cancelling is free
    for step in ("mark_on_the_way", "mark_started"):
        await seeded.execute(step, {"id": row["id"], "provider_id": row["provider_id"], "now": no_show})
    bot, state = await conversation.reply(seeded, {}, user, "cancel my booking", no_show)
    assert bot.parts[1] == "The job has started, so it can no longer be cancelled online. Talk to Imran Shaikh."
    assert bot.parts[0].startswith("I cannot cancel Tap and leak repair on ") and "action" not in state
    bot, state = await conversation.reply(seeded, {}, user, "move my booking to friday", no_show)
    assert bot.parts == ["The job has started, so it can no longer be moved online. Talk to Imran Shaikh."]


async def _two_bookings_listed(db, user) -> tuple[list[dict], dict]:
    """A plumber on Tuesday and a deep cleaning on Saturday, booked in that order, then "my bookings"."""
    state: dict = {}
    for text in ("I need a plumber tomorrow evening", "1", "Flat 3, Andheri West", "yes",
                 "house cleaning on saturday morning", "1", "Flat 3, Andheri West", "yes"):
        _, state = await conversation.reply(db, state, user, text, NOW)
    rows = sorted(await db.fetch_all("select_customer_bookings", {"customer_id": user.id}), key=lambda r: r["starts_at"])
    bot, state = await conversation.reply(db, state, user, "my bookings", NOW)
    assert bot.parts == ["Your upcoming bookings (2):",
                         "1. Tap and leak repair with Imran Shaikh, Tue 24 Nov, 4:00 pm IST: confirmed",
                         "2. Home deep cleaning with Anita Desai, Sat 28 Nov, 2:00 pm IST: confirmed"]
    return rows, state


@pytest.mark.parametrize("said", ["cancel the first one", "cancel booking 1", "पहली बुकिंग रद्द करो", "cancel number 1"])
async def test_a_booking_named_by_its_place_in_the_list_just_shown_is_the_one_changed(seeded, said):
    """Not the one booked last, which the conversation was about before the list."""
    user = await customer(seeded)
    (plumber, cleaning), state = await _two_bookings_listed(seeded, user)
    assert state["listed"] == [plumber["id"], cleaning["id"]] and "booking" not in state
    bot, state = await conversation.reply(seeded, state, user, said, NOW)
    assert state["action"]["kind"] == "cancel" and state["action"]["booking_id"] == plumber["id"], bot.parts
    assert "listed" not in state  # good for the one message after the list


async def test_after_a_list_an_unnamed_booking_is_asked_about_and_a_later_place_word_is_not_a_pick(seeded):
    user = await customer(seeded)
    (plumber, cleaning), state = await _two_bookings_listed(seeded, user)
    bot, after = await conversation.reply(seeded, state, user, "cancel my booking", NOW)
    assert bot.parts == ["Which booking should I cancel?"] and "action" not in after  # not the one booked last
    assert [value for _, value in bot.buttons] == [f"cancel booking #{plumber['id']}", f"cancel booking #{cleaning['id']}"]
    _, later = await conversation.reply(seeded, after, user, "hello", NOW)
    bot, later = await conversation.reply(seeded, later, user, "cancel the first one", NOW)
    assert bot.parts == ["Which booking should I cancel?"]  # no list just shown: "first" picks nothing


@pytest.mark.parametrize(("said", "which", "lang"), [("2", 1, "en"), ("the second one", 1, "en"),
                                                     ("दूसरी वाली", 1, "hi"), ("1", 0, "en")])
async def test_a_place_alone_after_the_list_shows_that_booking_with_what_can_be_done(seeded, said, which, lang):
    user = await customer(seeded)
    rows, state = await _two_bookings_listed(seeded, user)
    picked = rows[which]
    bot, state = await conversation.reply(seeded, state, user, said, NOW)
    assert state["booking"] == picked["id"] and "action" not in state
    assert bot.lang == lang and picked["provider_name"] in bot.parts[0]
    from grihaseva.chatbot.actions import action_button_kind
    from grihaseva.i18n import use_locale

    with use_locale(lang):  # the values are in the reply's language, as a tap posts them
        kinds = [(action_button_kind(value), value.rsplit("#", 1)[1].split()[0]) for _, value in bot.buttons]
    assert kinds == [("cancel", str(picked["id"])), ("reschedule", str(picked["id"]))]
    if lang == "hi":
        assert [label for label, _ in bot.buttons] == ["इसे रद्द करें", "समय बदलें"]
    bot, state = await conversation.reply(seeded, state, user, bot.buttons[0][1], NOW)  # the tap on "Cancel it"
    assert state["action"] == {"kind": "cancel", "booking_id": picked["id"], "fee": 0}


async def test_a_time_or_a_date_after_the_list_is_not_taken_for_a_place(seeded):
    from grihaseva.chatbot.actions import listed_position

    for said in ("move my booking to 2 pm", "move it to 2nd December", "cancel booking 12", "बुकिंग 5 बजे से पहले",
                 "first and second", "3"):
        assert listed_position(said, 2) is None, said
    assert listed_position("move the second one to 2 pm", 2) == 1
