"""Who is asking: the logged-in user behind the Quart-Auth cookie, and the
one role check every protected view uses."""

from __future__ import annotations

from functools import wraps
from typing import Callable
from urllib.parse import urlencode

from quart import current_app, g, request
from quart_auth import AuthUser, current_user, logout_user
from werkzeug.exceptions import Forbidden

from ..i18n import gettext
from ..web import redirect_to
from .accounts import User, session_user

HOME_BY_ROLE = {
    "customer": "/bookings",
    "provider": "/provider/dashboard",
    "admin": "/admin",
}


async def load_current_user() -> None:
    """before_request: resolve the cookie's auth id to an active account, or nobody."""
    g.user = None
    token = current_user.auth_id
    if not token:
        return
    user = await session_user(current_app.db, token, current_app.clock())
    if user is None:  # ended elsewhere (logout everywhere, password reset, expiry)
        logout_user()
        return
    g.user = user


def the_user() -> User | None:
    return g.get("user")


def home_for(user: User | None) -> str:
    return HOME_BY_ROLE.get(user.role, "/") if user else "/"


def login_redirect():
    target = request.full_path.rstrip("?") if request.method == "GET" else request.headers.get("HX-Current-URL", "/")
    if target.startswith("http"):
        from urllib.parse import urlsplit
        parts = urlsplit(target)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
    return redirect_to("/login?" + urlencode({"next": target}))


def requires_login(view: Callable) -> Callable:
    @wraps(view)
    async def wrapper(*args, **kwargs):
        if the_user() is None:
            return login_redirect()
        return await view(*args, **kwargs)

    return wrapper


def _role_refusal(roles: tuple[str, ...], role: str) -> str:
    names = {"customer": gettext("customers"), "provider": gettext("providers"), "admin": gettext("admins")}
    mine = {"customer": gettext("a customer"), "provider": gettext("a provider"), "admin": gettext("an admin")}
    return gettext("This page is for %(roles)s. You are logged in as %(role)s.",
                   roles=gettext(" and ").join(names.get(r, r) for r in roles), role=mine.get(role, role))


def requires_role(*roles: str) -> Callable:
    """Visitors go to the login page (and back afterwards); other roles get a friendly 403."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        async def wrapper(*args, **kwargs):
            user = the_user()
            if user is None:
                return login_redirect()
            if user.role not in roles:
                raise Forbidden(_role_refusal(roles, user.role))
            return await view(*args, **kwargs)

        return wrapper

    return decorate


def auth_user(token: str) -> AuthUser:
    return AuthUser(token)
