"""Trust on every professional (issue 15, item 6): a photo resized and stripped of its metadata by
Pillow, or initials; verified badge, the real rating and its count, jobs completed, time on GrihaSeva."""

from __future__ import annotations

import html
import io
from datetime import timedelta

from quart.datastructures import FileStorage

from tests.booking.conftest import NOW, logged_in, user_id
from tests.conftest import TEST_CSRF, with_csrf
from tests.conftest import text as raw_text


async def text(response) -> str:
    return html.unescape(await raw_text(response))


def photo_with_location(width=1200, height=900) -> bytes:
    from PIL import Image

    image = Image.new("RGB", (width, height), (200, 80, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x010E] = "Home at 12.9716 N, 77.5946 E"  # ImageDescription
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"secret comment")
    return out.getvalue()


async def upload(client, content: bytes, filename="me.jpg", content_type="image/jpeg"):
    await with_csrf(client)
    return await client.post("/account/photo", form={"csrf_token": TEST_CSRF},
                             files={"photo": FileStorage(io.BytesIO(content), filename=filename, content_type=content_type)})


async def test_a_photo_is_squared_small_and_without_metadata(demo):
    from PIL import Image

    ravi = await user_id(demo, "provider@example.com")
    client = await logged_in(demo, "provider@example.com")
    original = photo_with_location()
    assert b"PhoneMaker" in original
    response = await upload(client, original)
    assert response.status_code == 303
    served = await demo.test_client().get(f"/providers/{ravi}/photo.jpg")
    assert served.status_code == 200 and served.content_type == "image/jpeg"
    body = await served.get_data()
    stored = Image.open(io.BytesIO(body))
    assert stored.size == (256, 256) and stored.format == "JPEG"
    assert not stored.getexif() and b"PhoneMaker" not in body and b"secret comment" not in body and b"12.9716" not in body
    page = await text(await demo.test_client().get("/services/tap-leak-repair"))
    assert f'src="/providers/{ravi}/photo.jpg?v=' in page


async def test_bad_photos_get_a_clear_message_never_a_500(demo):
    client = await logged_in(demo, "provider@example.com")
    not_image = await upload(client, b"%PDF-1.4 not a photo at all" * 100, "cv.pdf", "application/pdf")
    assert not_image.status_code == 422 and "not a photo we can read" in await text(not_image)
    gif = io.BytesIO()
    from PIL import Image
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    assert "JPEG, PNG or WebP" in await text(await upload(client, gif.getvalue(), "a.gif", "image/gif"))
    huge = await upload(client, b"\xff\xd8" + b"0" * (20 * 1024 * 1024))
    assert huge.status_code == 413 and "larger than 8 MB" in await text(huge)
    empty = await upload(client, b"")
    assert empty.status_code == 422 and "Choose a photo" in await text(empty)
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM avatars") == 0
    customer = await logged_in(demo, "customer@example.com")
    assert (await upload(customer, photo_with_location())).status_code == 403


async def test_service_page_shows_initials_verified_jobs_and_the_real_rating(demo):
    ravi = await user_id(demo, "provider@example.com")
    asha = await user_id(demo, "customer@example.com")
    service = await demo.db.fetch_one("select_service_by_slug", {"slug": "tap-leak-repair"})
    for n, rating in enumerate((5, 4, 4)):
        start = NOW - timedelta(days=3 + n)
        result = await demo.db.execute("insert_booking", {
            "customer_id": asha, "provider_id": ravi, "service_id": service["id"], "starts_at": start,
            "ends_at": start + timedelta(hours=1), "address": "12 MG Road, Bengaluru 560038", "phone": "+91 99000 12345",
            "notes": "", "price_paise": 34900, "now": start})
        await demo.db.execute("UPDATE bookings SET status = 'completed' WHERE id = :id", {"id": result.lastrowid})
        await demo.db.execute("INSERT INTO reviews (booking_id, customer_id, provider_id, rating, body, created_at, updated_at) "
                              "VALUES (:b, :c, :p, :r, '', :now, :now)", {"b": result.lastrowid, "c": asha, "p": ravi, "r": rating, "now": NOW})
    page = await text(await demo.test_client().get("/services/tap-leak-repair"))
    assert '<span class="avatar initials" aria-hidden="true">RK</span>' in page
    assert "✓ Verified" in page and "★ 4.3" in page and "(3 reviews)" in page and "3 jobs done" in page
    grid = await text(await demo.test_client().get("/book/tap-leak-repair?provider=any"))
    assert "Ravi Kumar · ★ 4.3 (3) · 3 jobs" in grid
