"""Registration, login, logout and the account page."""

from __future__ import annotations

from quart import Blueprint, current_app, flash, g, request
from quart_auth import current_user, login_user, logout_user

from ..i18n import gettext
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


@blueprint.route("/register", methods=["GET", "POST"])
async def register():
    """Create a customer or provider account."""
    if request.method == "GET":
        return await render("auth/register.html", form={}, errors={})
    form = await read_form()
    try:
        user_id = await accounts.register(db(), form, now(), _rounds(), _client())
    except accounts.ValidationError as error:
        return await render("auth/register.html", form=form, errors=error.errors, status=422)
    except accounts.RegistrationThrottled as refused:
        return await render("auth/register.html", form=form, errors={}, refused=refused.message, status=429)
    user = accounts.User.from_row(await db().fetch_one("select_user_by_id", {"id": user_id}))
    await _log_in(user)
    await flash(gettext("Welcome to GrihaSeva, %(name)s! Your account is ready.", name=user.first_name), "success")
    return redirect_to(home_for(user))


@blueprint.route("/login", methods=["GET", "POST"])
async def login():
    """Log in with email and password; throttled after repeated failures."""
    next_url = safe_next(request.args.get("next"), "")
    if request.method == "GET":
        if the_user():
            return redirect_to(next_url or home_for(the_user()))
        return await render("auth/login.html", email="", next_url=next_url, error=None)
    form = await read_form()
    next_url = safe_next(form.get("next"), "")
    email, secret = form.get("email", ""), current_app.settings.secret_key
    device = accounts.device_nonce(secret, request.cookies.get(accounts.DEVICE_COOKIE), email)
    try:
        user = await accounts.authenticate(db(), email, form.get("password", ""), _client(), now(), _rounds(), device)
    except accounts.LoginRefused as refused:
        return await render("auth/login.html", email=email[:254], next_url=next_url, error=refused.message, status=refused.status)
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
    await accounts.end_all_sessions(db(), the_user().id)
    logout_user()
    rotate_csrf_token()
    await flash(gettext("You are logged out on every device."), "info")
    return redirect_to("/login")
