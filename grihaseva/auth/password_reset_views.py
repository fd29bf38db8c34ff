"""Forgot password and reset pages (see password_reset.py for the design)."""

from __future__ import annotations

from quart import Blueprint, Response, current_app, flash, request

from ..i18n import gettext
from . import password_reset
from .accounts import ValidationError, normalize_email
from ..web import db, now, read_form, redirect_to, render, rotate_csrf_token

blueprint = Blueprint("password", __name__, url_prefix="/password")


@blueprint.after_request
async def no_referrer(response: Response) -> Response:
    # The reset URL carries the token: never hand it to another site in a Referer.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _client() -> str:
    return request.remote_addr or "unknown"


@blueprint.route("/forgot", methods=["GET", "POST"])
async def forgot():
    """Ask for a reset link; the answer never tells whether the address has an account."""
    if request.method == "GET":
        return await render("password/forgot.html", email="", errors={})
    form = await read_form()
    email = form.get("email", "")
    settings = current_app.settings
    try:
        await password_reset.request_password_reset(db(), email, _client(), now(), settings.secret_key, settings.base_url)
    except ValidationError as error:
        return await render("password/forgot.html", email=email[:254], errors=error.errors, status=422)
    return await render("password/sent.html", email=normalize_email(email))


async def _bad_link(expired: bool) -> Response:
    # 410 Gone: the link was good and has run out; 400: it never was (or no longer is) a link we honour.
    return await render("password/invalid.html", expired=expired, status=410 if expired else 400)


@blueprint.route("/reset/<token>", methods=["GET", "POST"])
async def reset(token: str):
    """Choose a new password with the link from the mail; then log in again everywhere."""
    settings = current_app.settings
    try:
        user = await password_reset.user_for_reset_token(db(), settings.secret_key, token, now())
        if request.method == "GET":
            return await render("password/reset.html", token=token, email=user["email"], errors={})
        form = await read_form()
        await password_reset.reset_password(db(), settings.secret_key, token, form, now(), settings.bcrypt_rounds,
                                            settings.base_url)
    except password_reset.ResetLinkExpired:
        return await _bad_link(expired=True)
    except password_reset.ResetLinkInvalid:
        return await _bad_link(expired=False)
    except ValidationError as error:
        return await render("password/reset.html", token=token, email=user["email"], errors=error.errors, status=422)
    rotate_csrf_token()
    await flash(gettext("Your password is changed and every device has been logged out. Log in with your new password."), "success")
    return redirect_to("/login")
