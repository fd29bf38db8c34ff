"""Registration, login, logout and the account page."""

from __future__ import annotations

from quart import Blueprint, current_app, flash, g, request
from quart_auth import current_user, login_user, logout_user

from ..i18n import get_locale, gettext
from ..web import db, now, read_form, redirect_to, render, rotate_csrf_token, safe_next
from . import accounts
from .access import auth_user, home_for, requires_login, the_user

blueprint = Blueprint("auth", __name__)


def _rounds() -> int:
    return current_app.settings.bcrypt_rounds


def _client() -> str:
    return request.remote_addr or "unknown"


async def _log_in(user: accounts.User):
    if current_user.auth_id:  # a new session id at every login (registering logs in too); the old one ends
        await accounts.end_session(db(), current_user.auth_id)
    token = await accounts.start_session(db(), user.id, now(), request.headers.get("User-Agent", ""))
    login_user(auth_user(token), remember=True)
    rotate_csrf_token()
    g.user = user


# Features that can say in words what a `next` address was about register a reader here
# (booking: "You are booking …", booking.intent); auth imports no feature.
INTENT_READERS: list = []


async def _intent(next_url: str):
    """What the visitor was doing when asked to log in, read back from `next`, or None."""
    for read in INTENT_READERS:
        found = await read(db(), next_url)
        if found is not None:
            return found
    return None


def _booking_signup(form, intent) -> dict:
    """Sign-up from a booking asks only what the booking needs: name, mobile, email, one password
    (and gender only for a women-only service). The rest is implied: a customer account."""
    # and the language: the one the page is read in, for the account's pages and mail
    filled = {**form, "role": "customer", "password_confirm": form.get("password", ""), "locale": get_locale()}
    if not intent.asks_gender:
        filled["gender"] = "other"  # not asked; the account page lets her set it
    return filled


@blueprint.route("/register", methods=["GET", "POST"])
async def register():
    """Create a customer or provider account; from a booking, a short customer form that returns to it."""
    next_url = safe_next(request.args.get("next"), "")
    if request.method == "GET":
        intent = await _intent(next_url)
        return await render("auth/register.html", form={}, errors={}, next_url=next_url, intent=intent)
    form = await read_form()
    next_url = safe_next(form.get("next"), "")
    intent = await _intent(next_url)
    submitted = _booking_signup(form, intent) if intent else form
    try:
        user_id = await accounts.register(db(), submitted, now(), _rounds(), _client())
    except accounts.ValidationError as error:
        return await render("auth/register.html", form=form, errors=error.errors, status=422, next_url=next_url, intent=intent)
    except accounts.RegistrationThrottled as refused:
        return await render("auth/register.html", form=form, errors={}, refused=refused.message, status=429,
                            next_url=next_url, intent=intent)
    user = accounts.User.from_row(await db().fetch_one("select_user_by_id", {"id": user_id}))
    await _log_in(user)
    await flash(gettext("Welcome to GrihaSeva, %(name)s! Your account is ready.", name=user.first_name), "success")
    if next_url and (intent or user.role == "customer"):
        return redirect_to(next_url)
    return redirect_to(home_for(user))


@blueprint.route("/login", methods=["GET", "POST"])
async def login():
    """Log in with email and password; throttled after repeated failures."""
    next_url = safe_next(request.args.get("next"), "")
    if request.method == "GET":
        if the_user():
            return redirect_to(next_url or home_for(the_user()))
        return await render("auth/login.html", email="", next_url=next_url, error=None, intent=await _intent(next_url))
    form = await read_form()
    next_url = safe_next(form.get("next"), "")
    email, secret = form.get("email", ""), current_app.settings.secret_key
    device = accounts.device_nonce(secret, request.cookies.get(accounts.DEVICE_COOKIE), email)
    try:
        user = await accounts.authenticate(db(), email, form.get("password", ""), _client(), now(), _rounds(), device)
    except accounts.LoginRefused as refused:
        return await render("auth/login.html", email=email[:254], next_url=next_url, error=refused.message,
                            status=refused.status, intent=await _intent(next_url))
    await _log_in(user)
    response = redirect_to(next_url or home_for(user))
    # A fresh device cookie at every successful login: this browser keeps its own allowance of
    # failed logins for this account (accounts.authenticate).
    response.set_cookie(accounts.DEVICE_COOKIE, accounts.new_device_cookie(secret, user.email),
                        max_age=int(accounts.DEVICE_COOKIE_LIFETIME.total_seconds()), httponly=True,
                        samesite="Lax", secure=not current_app.settings.development, path="/login")
    return response


@blueprint.post("/logout")
async def logout():
    """End this session (the row in `sessions` is deleted, not only the cookie)."""
    if current_user.auth_id:
        await accounts.end_session(db(), current_user.auth_id)
    logout_user()
    rotate_csrf_token()
    await flash(gettext("You are logged out."), "info")
    return redirect_to("/login")


@blueprint.route("/account", methods=["GET"])
@requires_login
async def account():
    """Profile, password and sessions."""
    return await render("auth/account.html", form={}, errors={})


@blueprint.post("/account/profile")
@requires_login
async def update_profile():
    """Edit name and phone."""
    form = await read_form()
    try:
        await accounts.update_profile(db(), the_user().id, form)
    except accounts.ValidationError as error:
        return await render("auth/account.html", form=form, errors=error.errors, status=422)
    await flash(gettext("Your details are saved."), "success")
    return redirect_to("/account")


@blueprint.post("/account/password")
@requires_login
async def change_password():
    """Change the password (the current one is required); other devices are logged out."""
    form = await read_form()
    try:
        await accounts.change_password(db(), the_user().id, form, current_user.auth_id, now(), _rounds(),
                                       current_app.settings.base_url)
    except accounts.ValidationError as error:
        return await render("auth/account.html", form={}, errors=error.errors, status=422)
    rotate_csrf_token()
    await flash(gettext("Your password is changed. Other devices have been logged out."), "success")
    return redirect_to("/account")


@blueprint.post("/account/logout-everywhere")
@requires_login
async def logout_everywhere():
    """End every session of this account, this one included."""
    await accounts.log_out_everywhere(db(), the_user().id, now())
    logout_user()
    rotate_csrf_token()
    await flash(gettext("You are logged out on every device."), "info")
    return redirect_to("/login")
