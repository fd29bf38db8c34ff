"""What a customer sees to trust a professional: a photo (or initials), the verified badge, the real
average rating and its count, jobs completed and time on GrihaSeva; and the photo upload, resized
and stripped of metadata by Pillow (never parsed by hand).
"""

from __future__ import annotations

import asyncio
import base64
import io
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable

from ..i18n import gettext, ngettext
from ..reviews.domain import NO_RATINGS, RatingSummary, rating_summary
from ..refusal import Refused

AVATAR_SIZE = 256
MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000  # a 40-megapixel photo; more is a decompression bomb, not a portrait
FORMATS = {"JPEG", "PNG", "WEBP"}


class PhotoRefused(Refused):
    pass


@dataclass(frozen=True)
class Trust:
    rating: RatingSummary
    jobs_done: int
    since: datetime | None
    avatar_version: int | None  # None: initials

    def years_label(self, now: datetime) -> str:
        if self.since is None:
            return ""
        days = (now - self.since).days
        if days < 60:
            return gettext("New on GrihaSeva")
        if days < 365:
            return ngettext("%(num)s month on GrihaSeva", "%(num)s months on GrihaSeva", days // 30)
        years = days // 365
        return ngettext("%(num)s year on GrihaSeva", "%(num)s years on GrihaSeva", years)


def initials(name: str) -> str:
    parts = [p for p in name.split() if p[:1].isalpha()]
    return "".join(p[0] for p in (parts[:1] + parts[-1:] if len(parts) > 1 else parts)).upper() or "?"


async def trust(db, provider_ids: Iterable[int]) -> dict[int, Trust]:
    """{provider id: Trust} for each id (one query each for ratings, jobs and photos)."""
    ids = sorted({int(i) for i in provider_ids})
    if not ids:
        return {}
    ratings = await rating_summary(db, ids)
    jobs, since = {}, {}
    for row in await db.fetch_all(*db.expand("trust_select_completed_jobs", {"ids": ids})):
        jobs[int(row["provider_id"])] = int(row["n"])
        first = row["first"]
        if isinstance(first, str):  # SQLite hands an aggregate back as text, not as its column's type
            first = datetime.fromisoformat(first).replace(tzinfo=timezone.utc)
        since[int(row["provider_id"])] = first
    for row in await db.fetch_all(*db.expand("trust_select_provider_since", {"ids": ids})):
        # jobs done before the profile row (an imported history) count too
        first = since.get(int(row["user_id"]))
        if first is None or row["created_at"] < first:
            since[int(row["user_id"])] = row["created_at"]
    photos = {int(r["user_id"]): r["updated_at"]
              for r in await db.fetch_all(*db.expand("trust_select_photo_times", {"ids": ids}))}
    return {i: Trust(ratings.get(i, NO_RATINGS), jobs.get(i, 0), since.get(i),
                     int(photos[i].timestamp()) if i in photos else None) for i in ids}


def _square_jpeg(data: bytes) -> bytes:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in FORMATS:
                raise PhotoRefused(gettext("Upload a photo in JPEG, PNG or WebP format."))
            if image.width * image.height > MAX_PHOTO_PIXELS:
                raise PhotoRefused(gettext("That photo has too many pixels. Use one under 40 megapixels."))
            image = ImageOps.exif_transpose(image)  # turn it upright, then the EXIF goes with the copy
            fitted = ImageOps.fit(image.convert("RGB"), (AVATAR_SIZE, AVATAR_SIZE), Image.Resampling.LANCZOS)
            clean = Image.new("RGB", fitted.size)  # pixels only: a copy would carry EXIF, GPS, comments, ICC
            clean.paste(fitted)
            out = io.BytesIO()
            clean.save(out, "JPEG", quality=85, optimize=True)
            return out.getvalue()
    except PhotoRefused:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError):
        raise PhotoRefused(gettext("That file is not a photo we can read. Upload a JPEG, PNG or WebP image.")) from None


async def save_photo(db, user_id: int, data: bytes, now: datetime) -> None:
    if not data:
        raise PhotoRefused(gettext("Choose a photo to upload."))
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoRefused(gettext("That photo is larger than 8 MB. Use a smaller one."), 413)
    jpeg = await asyncio.to_thread(_square_jpeg, data)
    async with db.transaction() as tx:
        await tx.execute("trust_delete_photo", {"id": user_id})
        await tx.execute("trust_insert_photo",
                         {"id": user_id, "image": base64.b64encode(jpeg).decode("ascii"), "now": now})


async def delete_photo(db, user_id: int) -> None:
    await db.execute("trust_delete_photo", {"id": user_id})


async def photo(db, user_id: int) -> bytes | None:
    row = await db.fetch_one("trust_select_photo", {"id": user_id})
    return base64.b64decode(row["image_b64"]) if row else None
