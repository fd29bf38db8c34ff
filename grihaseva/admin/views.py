"""The admin console at /admin: catalogue, providers, bookings, customers, blog queue, FAQ, audit log.

Every view is for admins only (`requires_role("admin")`); every change goes
through a domain function that writes its audit row in the same transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from quart import Blueprint, current_app, flash, request
from werkzeug.exceptions import BadRequest, Conflict, NotFound, UnprocessableEntity

from ..auth.access import requires_role, the_user
from ..auth.accounts import ValidationError
from ..i18n import gettext, ngettext
from ..money import rupees_as_typed
from ..reviews.domain import rating_summary
from ..web import db, now, read_form, redirect_to, render
from .. import audit
from . import bookings, catalogue, faq_editor, people

blueprint = Blueprint("admin", __name__)


def _refused(refused: people.AdminRefused):
    return {404: NotFound, 409: Conflict, 422: UnprocessableEntity}.get(refused.status, BadRequest)(refused.message)


def _page(value: str | None) -> int:
    return int(value) if value and value.isdecimal() and len(value) < 6 and int(value) > 0 else 1


@blueprint.get("/admin")
@requires_role("admin")
async def home():
    """The console's home: what is waiting for an admin, and the latest changes."""
    providers = await db().fetch_all("admin_select_providers")
    waiting = [p for p in providers if not p["verified"] and p["suspended_at"] is None]
    posts = await _pending_posts()
    return await render("admin/home.html", waiting=waiting, posts=posts, recent=(await audit.recent(db()))[:10])


# ---------------------------------------------------------------- catalogue


async def _catalogue_page(category_form=None, category_errors=None, service_form=None, service_errors=None, status=200):
    return await render("admin/catalogue.html", status=status,
                        categories=await db().fetch_all("select_categories"),
                        services=await db().fetch_all("admin_select_services"),
                        category_form=category_form or {}, category_errors=category_errors or {},
                        service_form=service_form or {}, service_errors=service_errors or {})


@blueprint.get("/admin/catalogue")
@requires_role("admin")
async def catalogue_page():
    """Categories and every service, active or not, with the forms to add more."""
    return await _catalogue_page()


@blueprint.post("/admin/categories")
@requires_role("admin")
async def create_category():
    """Add a category."""
    form = await read_form()
    try:
        await catalogue.create_category(db(), the_user().id, form, now())
    except ValidationError as error:
        return await _catalogue_page(category_form=form, category_errors=error.errors, status=422)
    await flash(gettext("Category added."), "success")
    return redirect_to("/admin/catalogue")


async def _category_or_404(category_id: int) -> dict:
    row = await db().fetch_one("admin_select_category", {"id": category_id})
    if row is None:
        raise NotFound(gettext("There is no such category."))
    return row


@blueprint.get("/admin/categories/<int:category_id>")
@requires_role("admin")
async def edit_category(category_id: int):
    """The form to change a category."""
    category = await _category_or_404(category_id)
    return await render("admin/category.html", category=category, form=category, errors={})


@blueprint.post("/admin/categories/<int:category_id>")
@requires_role("admin")
async def update_category(category_id: int):
    """Save a category's name, description and women-only flag."""
    category = await _category_or_404(category_id)
    form = await read_form()
    try:
        await catalogue.update_category(db(), the_user().id, category_id, form, now())
    except ValidationError as error:
        return await render("admin/category.html", status=422, category=category, form=form, errors=error.errors)
    await flash(gettext("Category saved."), "success")
    return redirect_to("/admin/catalogue")


@blueprint.post("/admin/services")
@requires_role("admin")
async def create_service():
    """Add a service (price in rupees, stored in paise)."""
    form = await read_form()
    try:
        await catalogue.create_service(db(), the_user().id, form, now())
    except ValidationError as error:
        return await _catalogue_page(service_form=form, service_errors=error.errors, status=422)
    await flash(gettext("Service added. Link providers to it from their profiles."), "success")
    return redirect_to("/admin/catalogue")


async def _service_or_404(service_id: int) -> dict:
    row = await db().fetch_one("admin_select_service", {"id": service_id})
    if row is None:
        raise NotFound(gettext("There is no such service."))
    return row


def _service_form(service: dict) -> dict:
    return {**service, "price_rupees": rupees_as_typed(service["price_paise"]),
            "late_fee_rupees": rupees_as_typed(service["late_fee_paise"]),
            "category_id": str(service["category_id"]), "duration_min": str(service["duration_min"])}


@blueprint.get("/admin/services/<int:service_id>")
@requires_role("admin")
async def edit_service(service_id: int):
    """The form to change a service's price, duration, women-only flag and texts."""
    service = await _service_or_404(service_id)
    return await render("admin/service.html", service=service, form=_service_form(service), errors={},
                        categories=await db().fetch_all("select_categories"))


@blueprint.post("/admin/services/<int:service_id>")
@requires_role("admin")
async def update_service(service_id: int):
    """Save a service."""
    service = await _service_or_404(service_id)
    form = await read_form()
    try:
        await catalogue.update_service(db(), the_user().id, service_id, form, now())
    except ValidationError as error:
        return await render("admin/service.html", status=422, service=service, form=form, errors=error.errors,
                            categories=await db().fetch_all("select_categories"))
    await flash(gettext("Service saved."), "success")
    return redirect_to("/admin/catalogue")


@blueprint.post("/admin/services/<int:service_id>/deactivate")
@requires_role("admin")
async def deactivate_service(service_id: int):
    """Stop new bookings of a service; its bookings' history stays."""
    await read_form()
    await _service_or_404(service_id)
    changed = await catalogue.set_service_active(db(), the_user().id, service_id, False, now())
    await flash(gettext("Service deactivated: it takes no new bookings.") if changed
                else gettext("That service was already deactivated."), "info")
    return redirect_to("/admin/catalogue")


@blueprint.post("/admin/services/<int:service_id>/reactivate")
@requires_role("admin")
async def reactivate_service(service_id: int):
    """Offer a deactivated service again."""
    await read_form()
    await _service_or_404(service_id)
    changed = await catalogue.set_service_active(db(), the_user().id, service_id, True, now())
    await flash(gettext("Service reactivated.") if changed else gettext("That service was already taking bookings."),
                "success" if changed else "info")
    return redirect_to("/admin/catalogue")


# ---------------------------------------------------------------- providers


@blueprint.get("/admin/providers")
@requires_role("admin")
async def providers_page():
    """Every provider with their state: awaiting verification, verified or suspended."""
    rows = await db().fetch_all("admin_select_providers")
    ratings = await rating_summary(db(), [row["id"] for row in rows])
    providers = [{**row, "state": people.provider_state(row), "rating": ratings[row["id"]]} for row in rows]
    return await render("admin/providers.html", providers=providers, state_labels=people.STATE_LABELS)


@blueprint.get("/admin/providers/<int:provider_id>")
@requires_role("admin")
async def provider_page(provider_id: int):
    """One provider: verify or suspend, and their future bookings to cancel after a suspension."""
    provider = await db().fetch_one("admin_select_provider", {"id": provider_id})
    if provider is None:
        raise NotFound(gettext("There is no such provider."))
    upcoming = await people.future_bookings(db(), provider_id, now())
    rating = (await rating_summary(db(), [provider_id]))[provider_id]
    from ..booking.addresses import provider_areas
    return await render("admin/provider.html", provider=provider, state=people.provider_state(provider), state_labels=people.STATE_LABELS,
                        upcoming=upcoming, rating=rating, areas=await provider_areas(db(), provider_id))


@blueprint.post("/admin/providers/<int:provider_id>/verify")
@requires_role("admin")
async def verify_provider(provider_id: int):
    """Verify (or reinstate) a provider: they appear in the catalogue and the slot grids."""
    await read_form()  # a one-button form, read so that an oversized body is refused like any other
    try:
        await people.verify_provider(db(), the_user().id, provider_id, now())
    except people.AdminRefused as refused:
        raise _refused(refused) from None
    await flash(gettext("Provider verified: they now appear in the catalogue."), "success")
    return redirect_to(f"/admin/providers/{provider_id}")


@blueprint.post("/admin/providers/<int:provider_id>/suspend")
@requires_role("admin")
async def suspend_provider(provider_id: int):
    """Suspend a provider: gone from the catalogue and live grids; their future bookings listed to cancel."""
    form = await read_form()
    try:
        await people.suspend_provider(db(), the_user().id, provider_id, form.get("reason", ""), now())
    except people.AdminRefused as refused:
        raise _refused(refused) from None
    await flash(gettext("Provider suspended. Cancel their upcoming bookings below, with notice to each customer."), "info")
    return redirect_to(f"/admin/providers/{provider_id}")


@blueprint.post("/admin/bookings/<int:booking_id>/cancel")
@requires_role("admin")
async def cancel_booking(booking_id: int):
    """Cancel a booking as GrihaSeva; the customer gets a mail, the provider a notification."""
    form = await read_form()
    try:
        row = await people.cancel_booking_as_admin(db(), the_user().id, booking_id, form.get("reason", ""), now())
    except people.AdminRefused as refused:
        raise _refused(refused) from None
    await flash(gettext("Booking #%(id)s cancelled; %(name)s has been told by mail.", id=booking_id, name=row["customer_name"]),
                "info")
    back = form.get("back", "")
    return redirect_to(back if back.startswith("/admin/") and "//" not in back else "/admin/bookings")


# ---------------------------------------------------------------- bookings


@blueprint.get("/admin/bookings")
@requires_role("admin")
async def bookings_page():
    """Search bookings by date range, provider, customer email and status."""
    providers = await db().fetch_all("admin_select_providers")
    errors, rows, status = {}, [], 200
    try:
        params = bookings.clean_search(request.args)
        rows = await bookings.search_bookings(db(), params)
    except ValidationError as error:
        errors, status = error.errors, 422
    return await render("admin/bookings.html", status=status, rows=rows, errors=errors, args=request.args,
                        providers=providers, statuses=bookings.STATUSES, limit=bookings.SEARCH_LIMIT)


# ---------------------------------------------------------------- customers


@blueprint.get("/admin/customers")
@requires_role("admin")
async def customers_page():
    """Customer accounts, searchable by email."""
    q = " ".join((request.args.get("q") or "").split())[:100]
    # Addresses are stored lower-cased and compared byte for byte; "_" stays a wildcard (harmless).
    pattern = "%" + q.lower().replace("%", "") + "%" if q else None
    customers = await db().fetch_all("admin_select_customers", {"q": pattern, "limit": 200})
    # Accounts refused a booking by a cap (booking.domain.BookingCaps) in the last 30 days:
    # a household that needs more, or someone holding calendars.
    limit_hits = await db().fetch_all("admin_select_booking_limit_hits",
                                      {"since": now() - timedelta(days=30), "limit": 50})
    for hit in limit_hits:  # SQLite gives MAX() of a DATETIME column back as text
        if isinstance(hit["last_at"], str):
            hit["last_at"] = datetime.fromisoformat(hit["last_at"]).replace(tzinfo=timezone.utc)
    return await render("admin/customers.html", customers=customers, q=q, limit_hits=limit_hits)


@blueprint.post("/admin/customers/<int:customer_id>/deactivate")
@requires_role("admin")
async def deactivate_customer(customer_id: int):
    """Deactivate an abusive account: it can't log in, and its sessions end at once."""
    form = await read_form()
    try:
        cancelled = await people.set_customer_active(db(), the_user().id, customer_id, False, form.get("reason", ""), now())
    except people.AdminRefused as refused:
        raise _refused(refused) from None
    message = gettext("Account deactivated and logged out everywhere.")
    if cancelled:
        message += " " + ngettext("%(num)s upcoming booking was cancelled and the professional told.",
                                  "%(num)s upcoming bookings were cancelled and the professionals told.", cancelled)
    await flash(message, "info")
    return redirect_to("/admin/customers")


@blueprint.post("/admin/customers/<int:customer_id>/reactivate")
@requires_role("admin")
async def reactivate_customer(customer_id: int):
    """Let a deactivated customer log in again."""
    form = await read_form()
    try:
        await people.set_customer_active(db(), the_user().id, customer_id, True, form.get("reason", ""), now())
    except people.AdminRefused as refused:
        raise _refused(refused) from None
    await flash(gettext("Account reactivated."), "success")
    return redirect_to("/admin/customers")


# ---------------------------------------------------------------- blog queue


async def _pending_posts() -> list[dict]:
    return await db().fetch_all("admin_select_pending_posts")


@blueprint.get("/admin/posts")
@requires_role("admin")
async def posts_page():
    """Blog posts that providers sent for review, each with the blog's own publish action."""
    return await render("admin/posts.html", posts=await _pending_posts())


# ---------------------------------------------------------------- chatbot FAQ


@blueprint.get("/admin/faq")
@requires_role("admin")
async def faq_page():
    """The chatbot's FAQ knowledge file, as markdown in a textarea."""
    return await render("admin/faq.html", text=faq_editor.current_text(current_app.settings.var_dir), errors=[],
                        required=faq_editor.REQUIRED_TOPICS)


@blueprint.post("/admin/faq")
@requires_role("admin")
async def save_faq():
    """Save the FAQ knowledge file if it still parses into every required topic."""
    form = await read_form()
    text = form.get("text", "")
    try:
        await faq_editor.save(db(), the_user().id, text, now(), current_app.settings.var_dir)
    except faq_editor.KnowledgeInvalid as invalid:
        return await render("admin/faq.html", status=422, text=text, errors=invalid.problems,
                            required=faq_editor.REQUIRED_TOPICS)
    await flash(gettext("FAQ saved. The chatbot answers from it now."), "success")
    return redirect_to("/admin/faq")


# ---------------------------------------------------------------- audit log


@blueprint.get("/admin/audit")
@requires_role("admin")
async def audit_page():
    """Every admin change: who, what, when."""
    page = _page(request.args.get("page"))
    rows = await audit.recent(db(), page)
    return await render("admin/audit.html", rows=rows, page_number=page, more=len(rows) == audit.PAGE_SIZE)
