"""The demo blog: published posts by admin@example.com, added by `grihaseva seed-demo` (idempotent)."""

from __future__ import annotations

from datetime import datetime, timezone

from ..clock import utcnow
from ..db import Database
from .posts import render_markdown

AUTHOR_EMAIL = "admin@example.com"

POSTS = [
    {
        "slug": "fix-a-leaking-tap-in-20-minutes",
        "title": "Fix a leaking tap in 20 minutes",
        "category": "diy",
        "published_at": datetime(2026, 6, 12, 4, 30, tzinfo=timezone.utc),
        "summary": "A dripping tap wastes up to 30 litres a day. Most drips are a worn washer or cartridge, "
                   "and you can change one with a spanner and a screwdriver.",
        "body_md": """A tap that drips once a second wastes about 30 litres of water a day, and in a
city with alternate-day supply that adds up quickly. The good news: most drips are caused by a
worn rubber washer (in older screw-down taps) or a worn ceramic cartridge (in quarter-turn taps),
and both are cheap parts.

## What you need

- An adjustable spanner and a flat screwdriver
- A replacement washer or cartridge (take the old one to the hardware shop to match it)
- A cloth, to protect the chrome from the spanner's jaws
- Plumber's thread tape (PTFE tape)

## Step by step

1. **Shut off the water.** Close the isolation valve under the basin, or the main valve for
   the bathroom line. Open the tap fully to drain what is left in the pipe.
2. **Plug the drain** so small screws don't disappear.
3. **Take off the handle.** Prise off the decorative cap, undo the screw underneath and lift
   the handle off.
4. **Unscrew the headgear** with the spanner (wrap it in the cloth first).
5. **Replace the washer or cartridge.** A washer is held by a small nut at the bottom of the
   headgear; a cartridge simply lifts out.
6. **Reassemble** in reverse order, wrap thread tape on the threads, and open the valve slowly.

## When to call a plumber

If the tap still drips with a new washer, the valve seat inside the tap body is probably
pitted and needs reseating, or the tap is simply at the end of its life. Water leaking from
*under* the basin, or around the wall fitting, usually means a failed connector or a pipe
joint inside the wall: [book a tap and leak repair](/services/tap-leak-repair) rather than
opening the wall yourself.
""",
    },
    {
        "slug": "monsoon-home-care-checklist",
        "title": "The monsoon home-care checklist",
        "category": "home_improvement",
        "published_at": datetime(2026, 5, 28, 5, 0, tzinfo=timezone.utc),
        "summary": "Ten things to check before the first heavy rain: terrace drains, window seals, "
                   "wiring near damp walls, and the simple habits that keep mould away.",
        "body_md": """The first heavy shower of the monsoon finds every weak spot in a house. An hour
of checks in late May saves weeks of damp walls, peeling paint and tripped circuits.

## Outside and on the terrace

1. **Clear terrace and balcony drains** of leaves, plastic and silt. Pour a bucket of water
   down each one and watch it run away.
2. **Look for cracks in the terrace screed** and around the parapet. Hairline cracks can be
   sealed with a waterproof polymer coating; wider ones need a mason.
3. **Check the gutters and down pipes** for loose joints.

## Windows and doors

4. **Run a finger along window seals.** Dry, cracked silicone lets water in; re-seal with
   exterior-grade silicone on a dry day.
5. **Oil the hinges and locks** on doors that swell in the humidity.

## Electrical safety

6. **Check sockets on damp walls.** Any socket that feels warm, sparks or smells of burning
   needs an electrician *now*, not after the rains.
7. **Test the RCCB** (the breaker with a "T" test button) once a month; it trips when current
   leaks to earth, which is exactly the danger in a wet season.
8. **Keep the inverter and its battery off the floor.**

## Inside

9. **Keep air moving.** Run the exhaust fans in the bathroom and kitchen and open the windows
   for an hour on dry afternoons. Mould needs still, damp air.
10. **Store clothes with silica gel or neem leaves**, and leave cupboard doors ajar now and then.

> A damp patch that grows after each rain is a leak, not condensation: have it traced before
> it reaches the wiring.
""",
    },
    {
        "slug": "how-to-prepare-for-a-deep-cleaning",
        "title": "How to prepare your home for a deep cleaning",
        "category": "diy",
        "published_at": datetime(2026, 7, 3, 3, 45, tzinfo=timezone.utc),
        "summary": "Half an hour of preparation lets the cleaning team spend their time on grease and "
                   "grime instead of moving your things. Here is what to do the evening before.",
        "body_md": """A deep cleaning is priced by the job, not the hour, so every minute the team
spends moving piles of clothes is a minute not spent on the kitchen chimney. A little preparation
the evening before makes a visible difference.

## The evening before

- **Clear the counters** in the kitchen and bathrooms: the team cleans surfaces, not what is on them.
- **Put away valuables, cash and documents.** Our professionals are verified, but nobody should
  have to work around your jewellery box.
- **Empty the fridge** if it is part of the job, and switch it off an hour before.
- **Pick up clothes and toys from the floor** so floors can be scrubbed edge to edge.

## On the day

- **Show the team where the water and power points are**, and which taps give water at what time
  if your supply is timed.
- **Point out delicate surfaces**: natural stone, wooden floors, painted walls that mark easily.
- **Keep pets in one room.** Cleaning chemicals and wet floors are no place for paws.
- **Open the windows** for ventilation; most kitchens need an hour to dry fully.

## Afterwards

Walk through each room with the team lead before they leave. If a spot was missed, say so
then: it is easy to fix while everyone and their equipment is still there.
""",
    },
    {
        "slug": "review-bathroom-deep-clean-by-anita",
        "title": "Service review: a bathroom deep clean that was worth it",
        "category": "service_reviews",
        "published_at": datetime(2026, 7, 20, 6, 15, tzinfo=timezone.utc),
        "summary": "Hard-water stains, a blackened grout line and a shower head that barely sprayed: "
                   "what a three-hour bathroom deep clean in Indiranagar actually achieved.",
        "body_md": """Our second bathroom had years of hard-water scale on the tiles and glass, grout
that had gone from white to grey to black, and a shower head that sprayed in every direction
except down. We booked a bathroom deep clean for a Saturday morning.

## What happened

The professional arrived on time, checked what we wanted done, and asked which surfaces were
marble (none, luckily) before choosing her chemicals. She worked in this order:

1. Descaling the tiles and the glass partition with a mild acid cleaner
2. Scrubbing the grout lines with a stiff brush, then a mould treatment on the black patches
3. Soaking the shower head in descaler and clearing the nozzles
4. Cleaning the exhaust fan, the mirror, the fittings, and finally the floor

## The result

- **Tiles and glass:** about 90% of the scale came off; a few etched spots on the glass are
  permanent damage, which she pointed out before starting.
- **Grout:** much lighter, though not new-white. She suggested regrouting the floor corner.
- **Shower head:** sprays straight again.

## Would we book again?

Yes. It took just under three hours, the price matched the quote, and she left the room
ventilating with the exhaust on. Our one tip: clear the bathroom shelves beforehand, as our
[deep-cleaning checklist](/blog/how-to-prepare-for-a-deep-cleaning) suggests.
""",
    },
    {
        # Written in Hindi: on the English blog it carries lang="hi", and the reverse for the others.
        "slug": "pani-ki-tanki-ki-safai",
        "title": "पानी की टंकी की सफ़ाई: कब और कैसे",
        "category": "home_improvement",
        "published_at": datetime(2026, 8, 5, 5, 30, tzinfo=timezone.utc),
        "summary": "छत की टंकी में जमी काई और कीचड़ से पानी का स्वाद और सेहत दोनों बिगड़ते हैं। "
                   "हर तीन से छह महीने में सफ़ाई करवाएँ, और बीच में ये आसान बातें ध्यान रखें।",
        "body_md": """टंकी का पानी साफ़ दिखे, फिर भी उसकी तली और दीवारों पर धीरे-धीरे कीचड़ और काई जम
जाती है। बरसात के बाद और गर्मी शुरू होने से पहले यह सबसे ज़्यादा होता है।

## कब सफ़ाई करवाएँ

- पानी में मिट्टी जैसी गंध या हल्का हरा रंग दिखे
- नल से छोटे-छोटे कण निकलें
- पिछली सफ़ाई को छह महीने से ज़्यादा हो गए हों

## सफ़ाई में क्या होता है

1. **टंकी ख़ाली करना:** बचा हुआ पानी निकालकर कीचड़ हटाया जाता है।
2. **रगड़ाई:** दीवारें और तली ब्रश से रगड़ी जाती हैं।
3. **कीटाणुनाशक:** सुरक्षित घोल से धोकर टंकी को साफ़ पानी से खंगाला जाता है।

## बीच में ध्यान रखें

ढक्कन हमेशा कसकर बंद रखें और ओवरफ़्लो पाइप पर जाली लगाएँ, ताकि पत्ते और कीड़े अंदर न जाएँ।
बड़ी टंकी के लिए [पानी की टंकी की सफ़ाई](/services/water-tank-cleaning) बुक करें।
""",
    },
]


async def seed_posts(db: Database) -> int:
    """Add the demo posts that are missing; returns how many were added."""
    author = await db.fetch_one("select_user_by_email", {"email": AUTHOR_EMAIL})
    if author is None:
        return 0
    author_id = author["id"]
    now = utcnow()
    added = 0
    for post in POSTS:
        if await db.fetch_value("select_post_id_by_slug", {"slug": post["slug"]}) is not None:
            continue
        await db.execute("insert_post", {
            "author_id": author_id, "slug": post["slug"], "title": post["title"], "summary": post["summary"],
            "body_md": post["body_md"], "body_html": render_markdown(post["body_md"]),
            "category": post["category"], "status": "published", "published_at": post["published_at"], "now": now,
        })
        added += 1
    return added
