"""Catalogue pages, the live slot grid, booking, and a customer's bookings."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urlencode
from functools import lru_cache

from markupsafe import Markup
from quart import Blueprint, Response, flash, render_template, request
from werkzeug.exceptions import BadRequest, NotFound

from .. import i18n
from ..i18n import gettext
from ..auth.access import requires_role, the_user
from ..auth.views import INTENT_READERS
from ..auth.accounts import ValidationError
from ..reviews.domain import rating_summary, recent_reviews
from ..sse import Part, event_watermark, page_event_id, sse_stream
from ..web import db, now, read_form, redirect_to, render, wants_partial
from . import addresses, domain, intent, receipts, slots, timeline, trust

blueprint = Blueprint("booking", __name__)
INTENT_READERS.append(intent.describe)  # /login and /register name the booking being made
MAX_WEEK_AHEAD = timedelta(days=366)


# ---------------------------------------------------------------- input parsing


def _provider_choice(value: str | None) -> int | None:
    """`any` (or nothing) means any available provider; otherwise a provider id."""
    if value in (None, "", "any"):
        return None
    if not value.isdecimal() or len(value) > 12:  # isdigit() also passes "²", which int() refuses
        raise BadRequest(gettext("Choose a provider from the list."))
    return int(value)


def _week(value: str | None) -> date | None:
    """The day asked for (`day=`, or `week=` from older links), or None for the first day with a
    free time; the grid moves a past day up to the provider's today."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise BadRequest(gettext("That day is not a valid date.")) from None
    if day > now().date() + MAX_WEEK_AHEAD:  # also keeps the grid's day arithmetic clear of date.max
        raise BadRequest(gettext("That day is too far ahead: no one takes bookings that early."))
    return day


def _day_arg(args) -> date | None:
    return _week(args.get("day") or args.get("week"))


async def _pin_arg(args) -> tuple[str | None, str | None]:
    """(PIN code, message): the one in the link, else the customer's last used address's."""
    raw = args.get("pin")
    if raw:
        pin = addresses.clean_pin(raw)
        return (pin, None) if pin else (None, addresses.PIN_MESSAGE)
    user = the_user()
    if user is not None and user.role == "customer":
        return await addresses.last_pin(db(), user.id), None
    return None, None


def _slot(value: str | None):
    start = slots.parse_slot(value or "")
    if start is None:
        raise BadRequest(gettext("That time slot is not valid. Please pick a time from the grid."))
    return start


async def _service_or_404(slug: str) -> domain.Service:
    service = await domain.active_service(db(), slug)
    if service is None:
        raise NotFound(gettext("We don't offer that service (any more). See all services."))
    return service


# ---------------------------------------------------------------- catalogue


@blueprint.get("/services")
async def services():
    """All categories and their services."""
    categories = await db().fetch_all("select_categories")
    rows = await db().fetch_all("select_active_services")
    by_category = {c["slug"]: [] for c in categories}
    for row in rows:
        by_category.setdefault(row["category_slug"], []).append(row)
    return await render("booking/services.html", categories=categories, by_category=by_category)


@blueprint.get("/services/<slug>")
async def service_page(slug: str):
    """One service and the providers who offer it (at the customer's PIN code), each with their next free slot."""
    service = await _service_or_404(slug)
    pin, pin_message = await _pin_arg(request.args)
    providers = []
    qualified = await domain.qualified_providers(db(), service, pin)
    trusted = await trust.trust(db(), [p["id"] for p in qualified])
    for provider in qualified:
        start = await domain.next_free(db(), service, provider["id"], now())
        providers.append({**provider, "next_free": start, "rating": trusted[provider["id"]].rating,
                          "trust": trusted[provider["id"]]})
    return await render("booking/service.html", service=service, providers=providers, pin=pin, current_time=now(),
                        pin_message=pin_message, women_notice=_women_notice(service))


def _women_notice(service: domain.Service) -> bool:
    """True when the logged-in customer's profile rules this service out (told before any time)."""
    user = the_user()
    return service.women_only and user is not None and user.role == "customer" and user.gender != "female"


@blueprint.get("/providers/<int:provider_id>")
async def provider_page(provider_id: int):
    """A provider's public profile."""
    provider = await db().fetch_one("select_provider", {"id": provider_id})
    if provider is None or not provider["verified"] or not provider["is_active"]:
        raise NotFound(gettext("There is no such provider."))
    offered = await db().fetch_all("select_provider_services", {"provider_id": provider_id})
    if provider["gender"] != "female":
        offered = [s for s in offered if not s["women_only"]]
    rating = (await rating_summary(db(), [provider_id]))[provider_id]
    return await render("booking/provider.html", provider=provider, offered=offered, rating=rating,
                        reviews=await recent_reviews(db(), provider_id))


# ---------------------------------------------------------------- slot grid


async def _grid_context(service: domain.Service, provider_id: int | None, week: date | None, reschedule: dict | None = None,
                        pin: str | None = None) -> dict:
    grid = await domain.slot_grid(db(), service, provider_id, week, now(), reschedule["id"] if reschedule else None, pin)
    providers = await domain.qualified_providers(db(), service, pin)
    if provider_id is not None and provider_id not in {p["id"] for p in providers}:
        if pin and provider_id in {p["id"] for p in await domain.qualified_providers(db(), service)}:
            raise NotFound(gettext("That professional does not work at PIN code %(pin)s. Choose \"Any available provider\".",
                                   pin=pin))
        raise NotFound(gettext("That provider does not offer this service."))
    trusted = await trust.trust(db(), [p["id"] for p in providers])
    providers = [{**p, "rating": trusted[p["id"]].rating, "trust": trusted[p["id"]]} for p in providers]
    again = request.args.get("again", "")
    query = {"provider": provider_id or "any", **({"pin": pin} if pin else {}),
             **({"again": again} if again.isdecimal() and len(again) < 12 and not reschedule else {})}
    return {"grid": grid, "service": service, "providers": providers, "provider_id": provider_id,
            "reschedule": reschedule, "pin": pin, "query": urlencode(query), "grid_now": now(),
            "provider_ids": [p["id"] for p in providers if provider_id in (None, p["id"])]}


async def _women_only_page(service: domain.Service):
    """A women-only service, a customer whose profile is not female: said before any time, with what
    they can book instead."""
    rows = await db().fetch_all("select_active_services")
    instead = [r for r in rows if not r["women_only"]][:6]
    return await render("booking/women_only.html", status=403, service=service, instead=instead,
                        message=str(domain.WOMEN_ONLY_CUSTOMER))


@blueprint.get("/book/<slug>")
async def book(slug: str):
    """The slot grid: a strip of 14 days, one day's free start times."""
    service = await _cached_service(slug)
    if _women_notice(service):
        return await _women_only_page(service)
    provider_id = _provider_choice(request.args.get("provider"))
    watermark = event_watermark()
    pin, pin_message = await _pin_arg(request.args)
    if not request.args.get("pin") and (again := await _again_address(request.args.get("again", ""))):
        pin = again.pin_code  # "Book again": the PIN code of the address that booking went to
    if pin and not await domain.qualified_providers(db(), service, pin):
        return await render("booking/outside_area.html", status=200, service=service, pin=pin, form={}, errors={},
                            message=domain.outside_area(pin))
    section = await _grid_section(service, provider_id, _day_arg(request.args), pin, pin_message, watermark)
    if wants_partial():
        return Response(section, content_type="text/html; charset=utf-8")
    return await render("booking/book.html", service=service, reschedule=None, grid_section=Markup(section))


async def _cached_service(slug: str) -> domain.Service:
    """`_service_or_404` for the grid page and the booking POST, kept in the SectionCache until the
    service changes (admins' catalogue changes publish on its topic). A booking takes what it
    charges and checks (active, length, price, women-only) as its locked transaction reads them
    (`domain.place_booking`), not from this copy."""
    cache = getattr(db(), "section_cache", None)
    if cache is None:
        return await _service_or_404(slug)
    key = ("service", slug)
    if (found := cache.get(key)) is not None:
        return found
    version = cache.version()
    service = await _service_or_404(slug)
    cache.put(key, [domain.service_topic(service.id)], service, version)
    return service


async def _grid_section(service: domain.Service, provider_id: int | None, day: date | None, pin: str | None,
                        pin_message, watermark: int) -> str:
    """The rendered grid section, from the app's SectionCache (booking/grid_cache.py) until an
    event for the service or one of the professionals it shows; rendered afresh otherwise."""
    cache = getattr(db(), "section_cache", None)
    again = request.args.get("again", "")
    minute = now().replace(second=0, microsecond=0)  # starts pass their notice as time goes on
    key = (service.id, provider_id, day, pin, str(pin_message) if pin_message else None, again, i18n.get_locale(), minute)
    if cache is not None and (found := cache.get(key)) is not None:
        return found
    version = cache.version() if cache is not None else 0
    context = await _grid_context(service, provider_id, day, pin=pin)
    section = await render_template("partials/booking/_grid_section.html", pin_message=pin_message,
                                    live_after=await page_event_id(_live_topics(service, context), watermark), **context)
    if cache is not None:
        owners = [domain.service_topic(service.id), *(f"provider:{p['id']}" for p in context["providers"])]
        cache.put(key, owners, section, version)
    return section


def _live_topics(service: domain.Service, context: dict) -> list[str]:
    # service:<id> carries the admin's catalogue changes (price, duration, deactivation).
    return [domain.service_topic(service.id), *domain.grid_topics(context["grid"], context["provider_ids"])]


async def _again_address(booking_id: str):
    """The saved address a past booking of this customer went to (for "Book again"), or None."""
    user = the_user()
    if user is None or user.role != "customer" or not booking_id.isdecimal() or len(booking_id) > 12:
        return None
    row = await db().fetch_one("select_booking", {"id": int(booking_id)})
    if row is None or row["customer_id"] != user.id or not row["address_id"]:
        return None
    return await addresses.customer_address(db(), user.id, row["address_id"])


@blueprint.post("/book/<slug>/later")
async def leave_pin(slug: str):
    """Outside every area: keep the PIN code and an email to tell when a professional serves it."""
    service = await _service_or_404(slug)
    form = await read_form()
    try:
        pin = await addresses.leave_pin_for_later(db(), form, service.id, request.remote_addr or "unknown", now())
    except ValidationError as error:
        pin = addresses.clean_pin(form.get("pin")) or ""
        return await render("booking/outside_area.html", status=422, service=service, pin=pin, form=form,
                            errors=error.errors, message=domain.outside_area(pin) if pin else None)
    await flash(gettext("Thank you. We will write to you when a professional serves PIN code %(pin)s.", pin=pin), "success")
    return redirect_to(f"/services/{service.slug}")


@blueprint.get("/book/<slug>/live")
async def book_live(slug: str):
    """SSE: the grid re-rendered whenever a booking, cancel or schedule change touches it."""
    service = await _service_or_404(slug)
    provider_id = _provider_choice(request.args.get("provider"))
    week = _day_arg(request.args)
    pin = addresses.clean_pin(request.args.get("pin"))
    reschedule = None
    if request.args.get("reschedule"):
        reschedule = await _own_booking(request.args["reschedule"])
    context = await _grid_context(service, provider_id, week, reschedule, pin)
    week = context["grid"].first_day  # the day first shown stays shown
    topics = _live_topics(service, context)

    async def fresh_context() -> dict | None:
        current = await domain.active_service(db(), slug)
        if current is None:  # deactivated while the page was open
            return None
        try:
            return await _grid_context(current, provider_id, week, reschedule, pin)
        except NotFound:  # the chosen provider no longer offers it
            return None

    async def fragment(_event) -> str:
        from quart import render_template
        fresh = await fresh_context()
        if fresh is None:
            return await render_template("partials/booking/_service_closed.html", service=service)
        return await render_template("partials/booking/_slot_grid.html", **fresh)

    async def changed_days(days: str) -> str:
        # Only the grid itself: the professionals' list, ratings and jobs done are not in a part
        # (py-spy: they were a third of a part's render).
        from quart import render_template
        current = await domain.active_service(db(), slug)
        if current is None:
            return await render_template("partials/booking/_service_closed.html", service=service)
        grid = await domain.slot_grid(db(), current, provider_id, week, now(), reschedule["id"] if reschedule else None, pin)
        wanted = {date.fromisoformat(day) for day in days.split(",")}
        return await render_template("partials/booking/_slot_news.html", changed_days=wanted, grid=grid, service=current,
                                     query=context["query"], reschedule=reschedule)

    # Without a booking being moved, the grid is the same for every reader of this address: one
    # render per change (the name holds everything the render reads from the request).
    shared = None if reschedule else f"{slug}:{week.isoformat()}:{context['query']}"
    # A booking, cancel or move changes some days: only those days' chips and times go out.
    part = Part("slots-day", _days_changed, changed_days)
    return await sse_stream(topics, fragment, "slots", share=None if shared is None else lambda _burst: shared,
                            part=part)


_DAY_TOPIC = re.compile(r"slots:[0-9]+:([0-9]{4}-[0-9]{2}-[0-9]{2})")


def _days_changed(burst) -> str | None:
    """The days a burst changed when every event in it is about one provider's day (a booking,
    cancel, move or "stop for today"), else None: the whole grid goes out."""
    days = set()
    for event in burst:
        found = _DAY_TOPIC.fullmatch(event.topic)
        if found is None:
            return None
        days.add(found.group(1))
    return ",".join(sorted(days)) if days else None


@blueprint.get("/book/<slug>/confirm")
@requires_role("customer")
async def confirm(slug: str):
    """Step two: the details of the chosen slot, where (a saved address or a new one) and phone, then confirm."""
    service = await _service_or_404(slug)
    provider_id = _provider_choice(request.args.get("provider"))
    start = _slot(request.args.get("slot"))
    pin = addresses.clean_pin(request.args.get("pin"))
    form = {"pin_code": pin} if pin else {}
    again = request.args.get("again", "")
    if again.isdecimal() and len(again) < 12:  # "Book again": the address that booking went to
        form["again"] = again
    return await _confirm_page(service, provider_id, start, form, {}, check_slot=True, pin=pin)


async def _confirm_page(service, provider_id, start, form, errors, status=200, message=None, check_slot=False, pin=None):
    user = the_user()
    provider = None
    if provider_id is not None:
        try:
            provider = await domain.check_can_book(db(), domain.Customer(user.id, user.gender), service, provider_id)
        except domain.BookingRefused as refused:
            return await _refused(refused, service, provider_id, start)
    elif service.women_only and user.gender != "female":
        return await _women_only_page(service)
    if check_slot:  # a past, off-grid or taken time is said before the form, not after it
        try:
            await domain.check_bookable(db(), service, provider_id, start, now(), pin, customer_id=user.id)
        except domain.BookingRefused as refused:
            return await _refused(refused, service, provider_id, start, pin)
    saved = await addresses.customer_addresses(db(), user.id)
    chosen = form.get("address_id")
    if chosen is None and saved:
        chosen = await _preselected(saved, form, pin)
    tz = provider["timezone"] if provider else "Asia/Kolkata"
    return await render("booking/confirm.html", service=service, provider=provider, provider_id=provider_id,
                        start=start, slot=slots.slot_token(start), label=slots.local_label(start, tz),
                        form=form, errors=errors, message=message, status=status, saved=saved,
                        chosen=str(chosen or "new"), pin=pin, fields=addresses.FIELDS)


async def _preselected(saved: list, form, pin: str | None):
    """The saved address to tick: the one "Book again" names, else the last used one (at the grid's
    PIN code when one was given), else a new address."""
    if form.get("again"):
        row = await db().fetch_one("select_booking", {"id": int(form["again"])})
        if row and row["customer_id"] == the_user().id and row["address_id"]:
            if any(a.id == row["address_id"] for a in saved):
                return row["address_id"]
    matching = [a for a in saved if pin is None or a.pin_code == pin]
    return matching[0].id if matching else "new"


async def _refused(refused: domain.BookingRefused, service, provider_id, start, pin=None):
    if isinstance(refused, domain.SlotTaken):
        today = domain.local_today(now(), "Asia/Kolkata")
        week = max(domain.local_today(start, "Asia/Kolkata"), today)
        context = await _grid_context(service, provider_id, week, pin=pin)
        return await render("booking/book.html", "partials/booking/_grid_section.html", status=409,
                            message=refused.message, **context)
    return await render("booking/refused.html", status=refused.status, message=refused.message, service=service)


async def _where(form, user, service: domain.Service, provider_id: int | None) -> dict:
    """The address part of the booking: a saved address, a new one (fields), or one line typed as
    before. ValidationError names the field; a PIN code no one (or not this professional) serves too."""
    choice = form.get("address_id", "")
    if choice and choice != "new":
        address = await addresses.customer_address(db(), user.id, int(choice)) if choice.isdecimal() and len(choice) < 12 else None
        if address is None:
            raise ValidationError({"address_id": gettext("Choose one of your saved addresses, or a new one.")})
        where, field = {"address": address.text, "pin": address.pin_code, "address_id": address.id}, "address_id"
    elif choice == "new" or form.get("pin_code") or form.get("house"):
        address = addresses.validate_address(form)
        where, field = {"address": address.text, "pin": address.pin_code, "save": form.get("save") == "1",
                        "new_address": address}, "pin_code"
    else:
        return {"address": form.get("address", "")}
    pin = where["pin"]
    if provider_id is not None:
        if not await addresses.serves(db(), provider_id, pin):
            raise ValidationError({field: gettext("This professional does not work at PIN code %(pin)s. "
                                                  "Pick another time with \"Any available provider\".", pin=pin)})
    elif not await domain.qualified_providers(db(), service, pin):
        raise ValidationError({field: domain.outside_area(pin)})
    return where


@blueprint.post("/book/<slug>")
@requires_role("customer")
async def place_booking(slug: str):
    """Confirm a booking. A lost race answers 409 with the fresh grid."""
    service = await _cached_service(slug)
    form = await read_form()
    provider_id = _provider_choice(form.get("provider"))
    start = _slot(form.get("slot"))
    user = the_user()
    customer = domain.Customer(user.id, user.gender)
    try:
        where = await _where(form, user, service, provider_id)
        details = {"phone": form.get("phone", ""), "notes": form.get("notes", ""), **where}
        booking_id = await domain.place_booking(db(), customer, service, provider_id, start, details, now())
    except ValidationError as error:
        return await _confirm_page(service, provider_id, start, form, error.errors, status=422,
                                   pin=addresses.clean_pin(form.get("pin_code")))
    except domain.AlreadyBooked as already:  # a double tap or a resubmit: show the booking they have
        await flash(already.message, "info")
        return redirect_to(f"/bookings/{already.booking_id}")
    except domain.BookingRefused as refused:
        return await _refused(refused, service, provider_id, start)
    await _remember_address(user.id, booking_id, where)
    await flash(gettext("Booking confirmed. Your professional has been notified."), "success")
    return redirect_to(f"/bookings/{booking_id}")


async def _remember_address(user_id: int, booking_id: int, where: dict) -> None:
    """After the booking: the saved address used moves first; a new one ticked "save" joins the book."""
    if where.get("address_id"):
        await addresses.mark_used(db(), user_id, where["address_id"], now())
    elif where.get("save"):
        try:
            address_id = await addresses.save_address(db(), user_id, where["new_address"], now(), used=True)
        except ValidationError as full:
            await flash(full.errors["save"], "info")
            return
        await db().execute("set_booking_address", {"id": booking_id, "address_id": address_id})


# ---------------------------------------------------------------- my bookings


def _split(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    current = now()
    upcoming = [r for r in rows if r["status"] == "confirmed" and (r["ends_at"] > current or r.get("started_at"))]
    past = [r for r in rows if r not in upcoming]
    past.reverse()
    return upcoming, past


async def _bookings_context() -> dict:
    rows = await db().fetch_all("select_customer_bookings", {"customer_id": the_user().id})
    current = now()
    rows = [{**row, "stage": timeline.stage(row), "terms": domain.change_terms(row, current)} for row in rows]
    upcoming, past = _split(rows)
    return {"upcoming": upcoming, "past": past, "cutoff": current + domain.CANCEL_CUTOFF, "current_time": current}


@blueprint.get("/bookings")
@requires_role("customer")
async def my_bookings():
    """A customer's upcoming and past bookings, live."""
    watermark = event_watermark()  # before the rows are read: the stream opens from here
    context = await _bookings_context()
    return await render("booking/bookings.html", "partials/booking/_bookings.html", **context,
                        live_after=await page_event_id([f"user:{the_user().id}"], watermark))


@blueprint.get("/bookings/live")
@requires_role("customer")
async def my_bookings_live():
    """SSE for /bookings (topic user:<id>)."""
    user_id = the_user().id

    async def fragment(_event) -> str:
        from quart import render_template
        return await render_template("partials/booking/_bookings.html", **await _bookings_context())

    return await sse_stream([f"user:{user_id}"], fragment, "bookings")


async def _own_booking(booking_id) -> dict:
    if the_user() is None:  # the live grid is public; its reschedule view is not
        raise NotFound(gettext("There is no such booking in your account."))
    try:
        return await domain.booking_for(db(), int(booking_id), the_user())
    except (ValueError, TypeError):
        raise NotFound(gettext("There is no such booking in your account.")) from None
    except domain.BookingRefused as refused:
        raise NotFound(refused.message) from None


async def _booking_context(booking_id: int) -> dict:
    booking = await _own_booking(booking_id)
    current = now()
    own = booking["customer_id"] == the_user().id
    return {"booking": booking, "label": slots.local_label(booking["starts_at"], booking["timezone"]),
            "steps": timeline.steps(booking), "stage": timeline.stage(booking),
            "terms": domain.change_terms(booking, current) if own else None, "own": own,
            "upi_link": receipts.booking_upi_link(booking), "total": receipts.total_paise(booking),
            "can_change": domain.changeable(booking, current) and own,
            "awaiting_completion": booking["status"] == "confirmed" and booking["ends_at"] <= current
                                   and not booking["started_at"]}


@blueprint.get("/bookings/<int:booking_id>")
@requires_role("customer", "provider", "admin")
async def booking_page(booking_id: int):
    """One booking: its timeline (live), what a change costs now, the receipt once there is one."""
    watermark = event_watermark()  # before the booking is read: the stream opens from here
    context = await _booking_context(booking_id)
    booking = context["booking"]
    topics = [f"user:{booking['customer_id']}", f"provider:{booking['provider_id']}"]
    return await render("booking/booking.html", "partials/booking/_booking.html", **context,
                        live_after=await page_event_id(topics, watermark))


@blueprint.get("/bookings/<int:booking_id>/live")
@requires_role("customer", "provider", "admin")
async def booking_live(booking_id: int):
    """SSE for one booking: its card re-rendered on every change of its customer's or provider's bookings."""
    booking = await _own_booking(booking_id)

    async def fragment(_event) -> str:
        from quart import render_template
        return await render_template("partials/booking/_booking.html", **await _booking_context(booking_id))

    return await sse_stream([f"user:{booking['customer_id']}", f"provider:{booking['provider_id']}"], fragment, "booking")


@blueprint.get("/bookings/<int:booking_id>/receipt")
@requires_role("customer", "provider", "admin")
async def receipt_page(booking_id: int):
    """The printable receipt (A4 and a phone screen), with the UPI link and its QR code while unpaid."""
    context = await _booking_context(booking_id)
    if not context["booking"]["receipt_number"]:
        raise NotFound(gettext("There is no receipt for this booking yet: it comes when the job is completed."))
    return await render("booking/receipt.html", **context)


@blueprint.get("/bookings/<int:booking_id>/receipt/upi-qr.svg")
@requires_role("customer", "provider", "admin")
async def receipt_qr(booking_id: int):
    """The `upi://pay` link as a QR code, for paying from another phone."""
    from quart import Response

    booking = await _own_booking(booking_id)
    link = receipts.booking_upi_link(booking)
    if link is None:
        raise NotFound(gettext("This receipt has no UPI payment: pay the professional in cash."))
    response = Response(receipts.qr_svg(link), content_type="image/svg+xml")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _accepted_fee(form) -> int | None:
    """The late fee (paise) the form showed the customer, or None when it showed none."""
    value = (form.get("late_fee") or "").strip()
    return int(value) if re.fullmatch(r"[0-9]{1,9}", value, re.ASCII) else None  # not "９９00": isdecimal() takes it


@blueprint.post("/bookings/<int:booking_id>/cancel")
@requires_role("customer")
async def cancel(booking_id: int):
    """Cancel a booking: free until 3 hours before the start, then with the late fee shown on the page."""
    form = await read_form()
    try:
        row = await domain.cancel_booking(db(), the_user(), booking_id, now(), form.get("reason", ""),
                                          accepted_fee=_accepted_fee(form))
    except domain.BookingRefused as refused:
        return await _change_refused(refused, booking_id)
    if row["starts_at"] - now() < domain.CANCEL_CUTOFF and _accepted_fee(form):
        await flash(gettext("Your booking is cancelled. The late fee is on your receipt."), "info")
        return redirect_to(f"/bookings/{booking_id}")
    await flash(gettext("Your booking is cancelled."), "info")
    return redirect_to("/bookings")


async def _change_refused(refused: domain.BookingRefused, booking_id: int):
    """A refused cancel or move: a late fee not yet seen shows the booking page with the fee to confirm."""
    if isinstance(refused, domain.LateFeeToConfirm):
        try:
            context = await _booking_context(booking_id)
        except NotFound:
            context = None
        if context:
            return await render("booking/booking.html", "partials/booking/_booking.html", status=409,
                                message=refused.message, open_cancel=True, **context)
    return await render("booking/refused.html", status=refused.status, message=refused.message, service=None)


@blueprint.get("/bookings/<int:booking_id>/reschedule")
@requires_role("customer")
async def reschedule_grid(booking_id: int):
    """Pick a new slot for a booking, from the same kind of grid."""
    booking = await _own_booking(booking_id)
    if booking["customer_id"] != the_user().id:
        raise NotFound(gettext("There is no such booking in your account."))
    service = domain.Service.from_row(await db().fetch_one("select_service_by_id", {"id": booking["service_id"]}))
    day = _day_arg(request.args) or domain.local_today(booking["starts_at"], booking["timezone"])
    context = await _grid_context(service, booking["provider_id"], day, booking)
    return await render("booking/book.html", "partials/booking/_grid_section.html", **context)


@blueprint.get("/bookings/<int:booking_id>/reschedule/confirm")
@requires_role("customer")
async def reschedule_confirm(booking_id: int):
    """The step between tapping a new time and moving the booking: from, to, and a yes."""
    booking = await _own_booking(booking_id)
    start = _slot(request.args.get("slot"))
    if booking["customer_id"] != the_user().id:
        raise NotFound(gettext("There is no such booking in your account."))
    if start == booking["starts_at"]:
        return redirect_to(f"/bookings/{booking_id}/reschedule")
    service = domain.Service.from_row(await db().fetch_one("select_service_by_id", {"id": booking["service_id"]}))
    try:  # a time that cannot be had is said now, not after "Yes, move it"
        await domain.check_reschedulable(db(), booking, service, start, now())
    except domain.BookingRefused as refused:
        return await _reschedule_refused(refused, booking, service, start)
    return await render("booking/reschedule_confirm.html", booking=booking, new_start=start,
                        terms=domain.change_terms(booking, now()))


async def _reschedule_refused(refused: domain.BookingRefused, booking: dict, service: domain.Service, start):
    """A lost slot: 409 with the fresh grid of the week asked for; any other rule: its page."""
    if isinstance(refused, domain.SlotTaken):
        week = max(domain.local_today(start, booking["timezone"]), domain.local_today(now(), booking["timezone"]))
        context = await _grid_context(service, booking["provider_id"], week, booking)
        return await render("booking/book.html", "partials/booking/_grid_section.html", status=409,
                            message=refused.message, **context)
    return await render("booking/refused.html", status=refused.status, message=refused.message, service=None)


@blueprint.post("/bookings/<int:booking_id>/reschedule")
@requires_role("customer")
async def reschedule(booking_id: int):
    """Move a booking to a new slot, atomically."""
    form = await read_form()
    start = _slot(form.get("slot"))
    try:
        await domain.reschedule_booking(db(), the_user(), booking_id, start, now(), accepted_fee=_accepted_fee(form))
    except domain.LateFeeToConfirm as refused:  # the fee came due after the confirm step: show it, then a yes
        booking = await _own_booking(booking_id)
        return await render("booking/reschedule_confirm.html", status=409, booking=booking, new_start=start,
                            terms=domain.change_terms(booking, now()), message=refused.message)
    except domain.SlotTaken as taken:
        booking = await _own_booking(booking_id)
        service = domain.Service.from_row(await db().fetch_one("select_service_by_id", {"id": booking["service_id"]}))
        return await _reschedule_refused(taken, booking, service, start)
    except domain.BookingRefused as refused:
        return await render("booking/refused.html", status=refused.status, message=refused.message, service=None)
    await flash(gettext("Your booking is moved to the new time."), "success")
    return redirect_to(f"/bookings/{booking_id}")


# ---------------------------------------------------------------- template filters


@blueprint.app_template_filter("rupees")
def _rupees(paise: int) -> str:
    from ..money import rupees
    return rupees(paise)


@blueprint.app_template_filter("duration")
def _duration(minutes: int) -> str:
    from .. import i18n
    return i18n.duration(minutes)


@blueprint.app_template_filter("slot_label")
def _slot_label(start, tz: str) -> str:
    return slots.local_label(start, tz)


@blueprint.app_template_filter("local_time")
def _local_time(start, tz: str) -> str:
    from .. import i18n
    return _time_in(start, tz, i18n.get_locale())


@lru_cache(maxsize=8192)  # a grid shows the same few hundred starts to every viewer, in each language
def _time_in(start, tz: str, locale: str, heading: str | None = None) -> str:
    from .. import i18n
    with i18n.use_locale(locale):
        return i18n.time_under_heading(start, tz, heading) if heading else i18n.time_label(start, tz)


@blueprint.app_template_filter("time_under")
def _time_under(start, tz: str, heading: str) -> str:
    """A grid's time under its part-of-day heading (no "सुबह" repeated under "सुबह")."""
    from .. import i18n
    return _time_in(start, tz, i18n.get_locale(), str(heading))


@blueprint.app_template_filter("initials")
def _initials(name: str) -> str:
    return trust.initials(name)


@blueprint.app_template_filter("slot_token")
def _slot_token(start) -> str:
    return slots.slot_token(start)


@blueprint.app_template_filter("zone_abbr")
def _zone_abbr(day, tz: str) -> str:
    from datetime import datetime, time
    from zoneinfo import ZoneInfo
    return datetime.combine(day, time(12), ZoneInfo(tz)).tzname() or tz


# ---------------------------------------------------------------- address book


@blueprint.get("/addresses")
@requires_role("customer")
async def address_book():
    """A customer's saved addresses, with a form to add one."""
    saved = await addresses.customer_addresses(db(), the_user().id)
    return await render("booking/addresses.html", saved=saved, form={}, errors={}, fields=addresses.FIELDS)


@blueprint.post("/addresses")
@requires_role("customer")
async def add_address():
    form = await read_form()
    try:
        address = addresses.validate_address(form)
        await addresses.save_address(db(), the_user().id, address, now())
    except ValidationError as error:
        saved = await addresses.customer_addresses(db(), the_user().id)
        return await render("booking/addresses.html", saved=saved, form=form, errors=error.errors,
                            fields=addresses.FIELDS, status=422)
    await flash(gettext("Address saved."), "success")
    return redirect_to("/addresses")


@blueprint.post("/addresses/<int:address_id>/delete")
@requires_role("customer")
async def delete_address(address_id: int):
    if not await addresses.delete_address(db(), the_user().id, address_id):
        raise NotFound(gettext("There is no such address in your account."))
    await flash(gettext("Address deleted."), "info")
    return redirect_to("/addresses")


# ---------------------------------------------------------------- professionals' photos


@blueprint.get("/providers/<int:provider_id>/photo.jpg")
async def provider_photo(provider_id: int):
    """A professional's photo (256 px JPEG, no metadata); cached a day, the address changes with it."""
    from quart import Response

    image = await trust.photo(db(), provider_id)
    if image is None:
        raise NotFound(gettext("This professional has no photo."))
    response = Response(image, content_type="image/jpeg")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@blueprint.post("/account/photo")
@requires_role("provider")
async def upload_photo():
    """A professional's photo: any JPEG, PNG or WebP up to 8 MB, stored square, small and without metadata."""
    from werkzeug.exceptions import RequestEntityTooLarge

    try:
        form = await read_form()
        files = await request.files
    except RequestEntityTooLarge:
        return await _photo_refused(trust.PhotoRefused(gettext("That photo is larger than 8 MB. Use a smaller one."), 413))
    if form.get("remove") == "1":
        await trust.delete_photo(db(), the_user().id)
        await flash(gettext("Your photo is removed; customers see your initials."), "info")
        return redirect_to("/account")
    upload = files.get("photo")
    try:
        await trust.save_photo(db(), the_user().id, upload.read() if upload else b"", now())
    except trust.PhotoRefused as refused:
        return await _photo_refused(refused)
    await flash(gettext("Your photo is saved. Customers see it next to your name."), "success")
    return redirect_to("/account")


async def _photo_refused(refused):
    return await render("auth/account.html", form={}, errors={"photo": refused.message}, status=refused.status)


@blueprint.app_template_filter("short_moment")
def _short_moment(moment, tz: str) -> str:
    """"Mon 23 Nov, 4:05 pm": a moment of the job's timeline, in the provider's zone."""
    from zoneinfo import ZoneInfo
    from .. import i18n
    return f"{i18n.day_label(moment.astimezone(ZoneInfo(tz)).date())}, {i18n.time_label(moment, tz)}"


@blueprint.app_template_filter("job_day")
def _job_day(moment, tz: str) -> str:
    """"Wed 2 Dec": the day of a job in the provider's zone (the row's times follow in 12-hour form)."""
    from zoneinfo import ZoneInfo
    from .. import i18n
    return i18n.day_label(moment.astimezone(ZoneInfo(tz)).date())


@blueprint.app_template_filter("stage")
def _stage(booking) -> str:
    return timeline.stage(booking)


@blueprint.app_template_filter("stage_label")
def _stage_label(stage: str) -> str:
    label = timeline.STAGE_LABELS.get(stage)
    return str(label) if label is not None else stage


@blueprint.app_template_filter("timeline_steps")
def _timeline_steps(booking) -> list:
    return timeline.steps(booking)


@blueprint.app_template_filter("next_move")
def _next_move(booking, current) -> str | None:
    return timeline.next_move(booking, current)


@blueprint.app_template_filter("amount_due")
def _amount_due(booking) -> int:
    """Price plus late fee of a job (a cancelled one: its late fee)."""
    return receipts.total_paise(booking)
