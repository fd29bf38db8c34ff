"""The provider's pages: dashboard (live), job lifecycle, notifications, availability, earnings, calendar feed."""

from __future__ import annotations

from quart import Blueprint, Response, current_app, flash, render_template, request
from werkzeug.exceptions import BadRequest, NotFound

from ..i18n import gettext, ngettext, weekday_names
from ..auth.access import requires_role, the_user
from ..auth.accounts import ValidationError
from ..booking.addresses import provider_areas, set_provider_areas
from ..booking.domain import BookingRefused, local_today
from ..money import rupees_as_typed
from ..sse import event_watermark, page_event_id, sse_stream
from ..web import db, error_page, now, read_form, redirect_to, render
from ..booking import receipts, timeline
from ..booking.timeline import TimelineRefused
from . import appointments, availability_editor, calendar_feed, earnings, standing
from .availability_editor import AvailabilityRefused

blueprint = Blueprint("provider", __name__)


@blueprint.errorhandler(standing.ProviderSuspended)
async def suspended_refused(error: standing.ProviderSuspended):
    """A suspended provider's change: 403 with the reason (the domain refuses it under the lock)."""
    return await error_page(403, error.message)


@blueprint.context_processor
async def provider_standing() -> dict:
    """`suspended` for the banner and for hiding the controls of changes that would be refused."""
    user = the_user()
    if user is None or user.role != "provider":
        return {}
    return {"suspended": await standing.is_suspended(db(), user.id)}

ROWS = "partials/provider/_appointments.html"


async def _tz(provider_id: int) -> str:
    return (await db().fetch_one("select_provider", {"id": provider_id}))["timezone"]


# ---------------------------------------------------------------- dashboard


async def _dashboard_context() -> dict:
    provider_id = the_user().id
    provider = await db().fetch_one("select_provider", {"id": provider_id})
    context = await appointments.dashboard(db(), provider_id, provider["timezone"], now())
    context["available_today"] = availability_editor.available_today(provider, now())
    return context


@blueprint.get("/provider/dashboard")
@requires_role("provider")
async def dashboard():
    """Today's and upcoming appointments, the next job first; live over SSE."""
    watermark = event_watermark()  # before the rows are read: the stream opens from here
    context = await _dashboard_context()
    context["live_after"] = await page_event_id([f"provider:{the_user().id}"], watermark)
    context["feed"] = await calendar_feed.active_feed(db(), the_user().id)
    return await render("provider/dashboard.html", ROWS, **context)


@blueprint.get("/provider/dashboard/live")
@requires_role("provider")
async def dashboard_live():
    """SSE for the dashboard (topic provider:<id>): the rows re-rendered from the database."""
    async def fragment(_event) -> str:
        return await render_template(ROWS, **await _dashboard_context())

    return await sse_stream([f"provider:{the_user().id}"], fragment, "appointments")


async def _refused(refused):  # BookingRefused, TimelineRefused or PaymentRefused: .message, .status
    if refused.status == 404:
        raise NotFound(refused.message)
    context = await _dashboard_context()
    context["feed"] = await calendar_feed.active_feed(db(), the_user().id)
    return await render("provider/dashboard.html", ROWS, status=refused.status, message=refused.message, **context)


@blueprint.post("/provider/bookings/<int:booking_id>/on-the-way")
@requires_role("provider")
async def on_the_way(booking_id: int):
    """Say you have set off: the customer sees it live with your phone, and gets a mail."""
    if await standing.is_suspended(db(), the_user().id):  # the domain of these lives in booking/
        raise standing.ProviderSuspended()
    await read_form()
    try:
        await timeline.mark_on_the_way(db(), the_user().id, booking_id, now())
    except TimelineRefused as refused:
        return await _refused(refused)
    await flash("The customer can see you are on the way.", "success")
    return redirect_to("/provider/dashboard")


@blueprint.post("/provider/bookings/<int:booking_id>/start")
@requires_role("provider")
async def start(booking_id: int):
    """You have arrived and start the work (after "on the way")."""
    if await standing.is_suspended(db(), the_user().id):  # the domain of these lives in booking/
        raise standing.ProviderSuspended()
    await read_form()
    try:
        await timeline.mark_started(db(), the_user().id, booking_id, now())
    except TimelineRefused as refused:
        return await _refused(refused)
    await flash("Job started.", "success")
    return redirect_to("/provider/dashboard")


@blueprint.post("/provider/bookings/<int:booking_id>/complete")
@requires_role("provider")
async def complete(booking_id: int):
    """Mark a job completed (only once it has started); the customer gets the receipt."""
    await read_form()
    try:
        number = await appointments.complete_job(db(), the_user().id, booking_id, now())
    except BookingRefused as refused:
        return await _refused(refused)
    await flash(f"Job marked completed; receipt {number} is with the customer. It now counts in your earnings.", "success")
    return redirect_to("/provider/dashboard")


@blueprint.post("/provider/bookings/<int:booking_id>/paid")
@requires_role("provider")
async def mark_paid(booking_id: int):
    """Record the customer's payment: cash, or UPI with its reference."""
    if await standing.is_suspended(db(), the_user().id):  # the domain of these lives in booking/
        raise standing.ProviderSuspended()
    form = await read_form()
    try:
        await receipts.mark_paid(db(), the_user().id, booking_id, form.get("method"), form.get("reference"), now())
    except receipts.PaymentRefused as refused:
        return await _refused(refused)
    await flash("Marked paid.", "success")
    return redirect_to("/provider/dashboard")


@blueprint.post("/provider/bookings/<int:booking_id>/cancel")
@requires_role("provider")
async def cancel(booking_id: int):
    """Cancel a job with a reason; the customer is told live and by mail."""
    form = await read_form()
    try:
        await appointments.cancel_job(db(), the_user().id, booking_id, form.get("reason"), now())
    except BookingRefused as refused:
        return await _refused(refused)
    await flash(gettext("The booking is cancelled and the customer has been told."), "info")
    return redirect_to("/provider/dashboard")


@blueprint.get("/provider/notifications")
@requires_role("provider")
async def notification_list():
    """The newest notifications; opening the list marks them read."""
    rows = await appointments.notifications(db(), the_user().id, now())
    return await render("provider/notifications.html", notifications=rows, tz=await _tz(the_user().id))


# ---------------------------------------------------------------- availability


async def _availability_page(errors: dict | None = None, form=None, status: int = 200, typed: str = ""):
    """The editor; after a refusal, the refused form (`typed`: "hours", "time-off" or "services") shows what
    was typed, not what is stored, and `form` carries those values to the template."""
    state = await availability_editor.editor_state(db(), the_user().id, now())
    if typed == "hours":
        state["hours"] = {day: form.get(f"day{day}", "") for day in range(7)}
    elif typed == "services":
        state["offered"] = {int(v) for v in form.getlist("service") if v.isdecimal() and len(v) <= 12}
    areas = form.get("areas", "")[:2000] if typed == "areas" else " ".join(await provider_areas(db(), the_user().id))
    return await render("provider/availability.html", status=status, errors=errors or {}, form=form or {}, areas=areas,
                        weekdays=weekday_names(), buffer_choices=availability_editor.BUFFER_CHOICES,
                        notice_choices=availability_editor.NOTICE_CHOICES, **state)


@blueprint.get("/provider/availability")
@requires_role("provider")
async def availability():
    """Weekly hours with breaks, time off, buffer, notice and offered services."""
    return await _availability_page()


@blueprint.post("/provider/availability/hours")
@requires_role("provider")
async def save_hours():
    """Save weekly hours, buffer and notice, unless a confirmed booking would be stranded."""
    form = await read_form()
    try:
        weekly = availability_editor.parse_week(form)
        buffer_min, notice_min = availability_editor.parse_rules(form)
        await availability_editor.save_hours(db(), the_user().id, weekly, buffer_min, notice_min, now())
    except AvailabilityRefused as refused:
        return await _availability_page(refused.errors, form, refused.status, typed="hours")
    await flash(gettext("Your hours are saved. Customers see the new slots now."), "success")
    return redirect_to("/provider/availability")


@blueprint.post("/provider/available-today")
@requires_role("provider")
async def available_today():
    """The "available today" switch: off withdraws the rest of today's free times from every grid, live."""
    if await standing.is_suspended(db(), the_user().id):  # the domain of these lives in booking/
        raise standing.ProviderSuspended()
    form = await read_form()
    choice = form.get("available")
    if choice not in ("0", "1"):
        raise BadRequest("Use the switch on your dashboard: available today, yes or no.")
    await availability_editor.set_available_today(db(), the_user().id, choice == "1", now())
    await flash("You are taking jobs today again: your free times are back." if choice == "1" else
                "No more jobs today: the rest of today's free times are withdrawn. Confirmed jobs stay.", "info")
    return redirect_to("/provider/dashboard")


@blueprint.post("/provider/availability/time-off")
@requires_role("provider")
async def add_time_off():
    """Add time off, unless it overlaps a confirmed booking."""
    form = await read_form()
    provider = await db().fetch_one("select_provider", {"id": the_user().id})
    try:
        start, end, reason = availability_editor.parse_time_off(form, provider["timezone"], now(),
                                                                provider["window_days"])
        await availability_editor.add_time_off(db(), provider["id"], start, end, reason, now())
    except AvailabilityRefused as refused:
        return await _availability_page(refused.errors, form, refused.status, typed="time-off")
    await flash(gettext("Time off added."), "success")
    return redirect_to("/provider/availability")


@blueprint.post("/provider/availability/time-off/<int:time_off_id>/delete")
@requires_role("provider")
async def remove_time_off(time_off_id: int):
    """Remove one period of time off."""
    await read_form()
    if not await availability_editor.remove_time_off(db(), the_user().id, time_off_id, now()):
        raise NotFound(gettext("There is no such time off in your account."))
    await flash(gettext("Time off removed."), "info")
    return redirect_to("/provider/availability")


@blueprint.post("/provider/availability/services")
@requires_role("provider")
async def save_services():
    """Choose the services offered (women-only ones only for women providers)."""
    form = await read_form()
    try:
        await availability_editor.save_services(db(), the_user().id, form.getlist("service"), now())
    except AvailabilityRefused as refused:
        return await _availability_page(refused.errors, form, refused.status, typed="services")
    await flash(gettext("Your services are saved."), "success")
    return redirect_to("/provider/availability")


@blueprint.post("/provider/availability/areas")
@requires_role("provider")
async def save_areas():
    """The PIN codes the provider works in: only customers there are offered them."""
    form = await read_form()
    try:
        pins = await set_provider_areas(db(), the_user().id, form.get("areas", ""), now())
    except ValidationError as error:
        return await _availability_page(error.errors, form, 422, typed="areas")
    await flash(ngettext("Your service area is saved: %(num)s PIN code.", "Your service area is saved: %(num)s PIN codes.", len(pins)),
                "success")
    return redirect_to("/provider/availability")


# ---------------------------------------------------------------- earnings


async def _earnings_context(plan: earnings.Plan, errors: dict | None = None, form=None, upi_typed=None) -> dict:
    provider_id = the_user().id
    provider = await db().fetch_one("select_provider", {"id": provider_id})
    tz = provider["timezone"]
    today = local_today(now(), tz)
    actual = await earnings.actual_earnings(db(), provider_id, tz, now())
    values = form or {"rate": rupees_as_typed(plan.rate_paise), "hours": earnings.hours_text(plan.minutes_week),
                      "days": str(plan.days_week)}
    return {"plan": plan, "projection": earnings.project(plan, earnings.days_in_month(today)), "actual": actual,
            "bars": earnings.chart_bars(actual.weeks), "errors": errors or {}, "values": values, "today": today,
            "upi_value": provider["upi_id"] or "" if upi_typed is None else upi_typed}


@blueprint.get("/provider/earnings")
@requires_role("provider")
async def earnings_page():
    """Projections from the rate and planned hours, beside what completed jobs earned."""
    plan = await earnings.current_plan(db(), the_user().id)
    return await render("provider/earnings.html", **await _earnings_context(plan))


@blueprint.get("/provider/earnings/projection")
@requires_role("provider")
async def projection():
    """The projection partial for what is typed (htmx, as the provider types); nothing is saved."""
    try:
        plan = earnings.parse_plan(request.args)
    except earnings.EarningsInputError as error:
        # 422 like the form's POST; the page's htmx config swaps 4xx answers in, so the messages show
        return await render_template_response("partials/provider/_projection.html", status=422,
                                              errors=error.errors, projection=None)
    today = local_today(now(), await _tz(the_user().id))
    return await render_template_response("partials/provider/_projection.html", errors={}, plan=plan,
                                          projection=earnings.project(plan, earnings.days_in_month(today)))


async def render_template_response(template: str, status: int = 200, **context) -> Response:
    return Response(await render_template(template, **context), status=status, content_type="text/html; charset=utf-8")


@blueprint.post("/provider/earnings")
@requires_role("provider")
async def save_earnings_plan():
    """Save the hourly rate and planned hours."""
    form = await read_form()
    try:
        plan = earnings.parse_plan(form)
    except earnings.EarningsInputError as error:
        current = await earnings.current_plan(db(), the_user().id)
        return await render("provider/earnings.html", status=422,
                            **await _earnings_context(current, error.errors, form))
    await earnings.save_plan(db(), the_user().id, plan, now())
    await flash(gettext("Your rate and planned hours are saved."), "success")
    return redirect_to("/provider/earnings")


@blueprint.post("/provider/upi")
@requires_role("provider")
async def save_upi_id():
    """The UPI id receipts send customers' payments to (validated: name@bank); `remove=yes` removes it."""
    form = await read_form()
    try:
        upi_id = None if form.get("remove") == "yes" else receipts.clean_upi_id(form.get("upi_id"))
    except receipts.PaymentRefused as refused:
        plan = await earnings.current_plan(db(), the_user().id)
        return await render("provider/earnings.html", status=422, **await _earnings_context(
            plan, {"upi_id": refused.message}, upi_typed=(form.get("upi_id") or "")[:100]))
    await db().execute("update_upi_id", {"provider_id": the_user().id, "upi_id": upi_id})
    await flash("Your UPI id is saved: new receipts show it." if upi_id else "UPI id removed: receipts ask for cash.",
                "success")
    return redirect_to("/provider/earnings#upi")


@blueprint.get("/provider/earnings.csv")
@requires_role("provider")
async def earnings_csv():
    """Completed jobs as CSV."""
    provider_id = the_user().id
    body = await earnings.completed_jobs_csv(db(), provider_id, await _tz(provider_id))
    response = Response(body, content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="grihaseva-completed-jobs.csv"'
    return response


# ---------------------------------------------------------------- calendar feed


@blueprint.get("/provider/calendar")
@requires_role("provider")
async def calendar_settings():
    """The calendar feed settings: whether a link is active, and making a new one."""
    feed = await calendar_feed.active_feed(db(), the_user().id)
    return await render("provider/calendar.html", feed=feed, link=None, tz=await _tz(the_user().id))


@blueprint.post("/provider/calendar/new")
@requires_role("provider")
async def new_calendar_link():
    """Make a new private feed link; the old one stops working. The link is shown only now."""
    form = await read_form()
    if form.get("confirm") != "new":
        raise BadRequest(gettext("Use the button on the calendar page to make a new link."))
    secret = await calendar_feed.new_feed_secret(db(), the_user().id, now())
    # From GRIHASEVA_BASE_URL, never from the request's Host header (which the client chooses).
    link = f"{current_app.settings.base_url}/provider/calendar/{secret}.ics"
    feed = await calendar_feed.active_feed(db(), the_user().id)
    return await render("provider/calendar.html", feed=feed, link=link, tz=await _tz(the_user().id))


@blueprint.get("/provider/calendar/<secret>.ics")
async def calendar_ics(secret: str):
    """The private feed for phone calendar apps: upcoming jobs, no login (the secret is the key)."""
    body = await calendar_feed.feed_for_secret(db(), secret, now())
    if body is None:
        raise NotFound(gettext("This calendar link does not exist or was replaced by a newer one."))
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
