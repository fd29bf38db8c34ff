"""The booking flow in Hindi, beyond the main pages: the confirm step, the booking page with its
cancel disclosure and late fee, moving a booking, the refusals, and the booking's own words
(service name, status) are Hindi; only names, places and the brand stay in Latin letters."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from grihaseva.booking.slots import slot_token
from grihaseva.demo.data import OUTSIDE_PIN
from tests.booking.conftest import NOW, logged_in, user_id
from tests.conftest import post
from tests.conftest import text as raw_text
from tests.test_i18n import _latin_words

TUE_5PM = NOW.replace(day=24, hour=11, minute=30)  # Tuesday 24 Nov, 17:00 in Kolkata
DETAILS = {"address": "12 MG Road, Indiranagar, Bengaluru", "phone": "+91 99000 12345", "notes": ""}
CONTENT = {"Asha", "Menon", "Ravi", "Kumar", "Rahul", "Verma", "MG", "Road", "Indiranagar", "Bengaluru", "RK"}


async def hindi_page(client, path: str, status: int = 200) -> str:
    response = await client.get(path)
    page = html.unescape(await raw_text(response))
    assert response.status_code == status, (path, response.status_code)
    assert '<html lang="hi"' in page, path
    page = re.sub(r'<(\w+)[^>]* lang="en"[^>]*>.*?</\1>', " ", page, flags=re.S)  # content marked English
    # the job timeline's stage names are issue 16's to translate (see PENDING in the browser test)
    page = re.sub(r'<ol class="timeline".*?</ol>', " ", page, flags=re.S)
    left = _latin_words(page) - CONTENT
    assert not left, f"{path}: English left: {sorted(left)}"
    return page


async def test_booking_moving_and_cancelling_late_read_in_hindi(demo):
    ravi = await user_id(demo, "provider@example.com")
    asha = await logged_in(demo, "customer@example.com")
    await post(asha, "/language", {"lang": "hi", "next": "/"})
    confirm = await hindi_page(asha, f"/book/tap-leak-repair/confirm?provider={ravi}&slot={slot_token(TUE_5PM)}")
    assert "नल और लीकेज की मरम्मत" in confirm and "मंगल 24 नव॰, शाम 5:00 IST" in confirm
    booked = await post(asha, "/book/tap-leak-repair", {"provider": str(ravi), "slot": slot_token(TUE_5PM), **DETAILS})
    assert booked.status_code == 303
    booking = booked.headers["Location"]
    page = await hindi_page(asha, booking)
    assert "बुकिंग पक्की हो गई" in page and "नल और लीकेज की मरम्मत" in page and "रद्द करें…" in page
    moved = TUE_5PM + timedelta(hours=1, minutes=30)
    await hindi_page(asha, f"{booking}/reschedule")
    move = await hindi_page(asha, f"{booking}/reschedule/confirm?slot={slot_token(moved)}")
    assert "बुकिंग का समय बदलें?" in move and "हाँ, समय बदलें" in move
    demo.clock.now = TUE_5PM - timedelta(hours=2)  # inside the 3 hours: a late fee
    late = await hindi_page(asha, booking)
    assert "देर का शुल्क" in late and "₹99" in late and "हाँ, रद्द करें और ₹99 दें" in late
    refused = await post(asha, f"{booking}/cancel", {"reason": ""})  # without accepting the fee
    assert refused.status_code == 409
    said = html.unescape(await raw_text(refused))
    assert "3 घंटे से कम बचे हैं, इसलिए यह बुकिंग रद्द करने पर ₹99 का देर का शुल्क लगेगा" in said


async def test_refusals_before_the_grid_are_in_hindi(demo):
    rahul = await logged_in(demo, "rahul@example.com")
    await post(rahul, "/language", {"lang": "hi", "next": "/"})
    women = await hindi_page(rahul, "/book/facial-at-home?provider=any", 403)
    assert "घर पर फ़ेशियल" in women
    visitor = demo.test_client()
    await post(visitor, "/language", {"lang": "hi", "next": "/"})
    outside = await hindi_page(visitor, f"/book/tap-leak-repair?provider=any&pin={OUTSIDE_PIN}")
    assert "नल और लीकेज की मरम्मत" in outside
