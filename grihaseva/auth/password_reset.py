"""Password reset by email: the token, asking for a link, and setting a new password.

The token is an itsdangerous URLSafeTimedSerializer value under its own salt,
valid for 30 minutes, whose payload is the user id and a fingerprint: an HMAC
(keyed with the app secret) of the user's id, email and current bcrypt hash.
A reset or any other password change stores a new hash (bcrypt salts every
hash afresh), so every token issued before it stops matching: a used token
dies without any table of used tokens.  The final UPDATE is conditional on the
old hash, so two requests racing with one token can't both succeed.

Plain async functions over the `db` layer; nothing here knows about Quart.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from .password_mail import enqueue_password_changed_mail
from .accounts import ValidationError, email_problem, end_all_sessions, normalize_email, validate_new_password
from .passwords import hash_password
from ..mail import enqueue_mail
from ..ratelimit import Limit, take_hit

PASSWORD_RESET_SALT = "grihaseva password reset"
RESET_LINK_LIFETIME = timedelta(minutes=30)
MAX_TOKEN_LENGTH = 400

RESET_MAILS_PER_ADDRESS = Limit("reset_mail_address", 3, timedelta(hours=1))
RESET_REQUESTS_PER_CLIENT = Limit("reset_request_client", 10, timedelta(hours=1))

MAIL_TIME_ZONE = ZoneInfo("Asia/Kolkata")


class ResetLinkInvalid(Exception):
    """Malformed, tampered with, already used, or issued before the password last changed."""


class ResetLinkExpired(Exception):
    """Genuine, but older than RESET_LINK_LIFETIME."""


class _NothingToSend(Exception):
    """Rolls back the stand-in mail written for an unknown or rate-limited address."""


# ---------------------------------------------------------------- the token


class _ClockedSigner(TimestampSigner):
    # itsdangerous reads time.time(); this reads the caller's `now`, so the app's
    # injectable clock decides both the issue time and the age check.
    def __init__(self, *args: Any, now: datetime, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.now = now

    def get_timestamp(self) -> int:
        return int(self.now.timestamp())


CLOCK_SKEW = timedelta(minutes=5)  # how far apart the clocks of two app servers may be


def _serializer(secret: str, now: datetime) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=PASSWORD_RESET_SALT, signer=_ClockedSigner,
                                  signer_kwargs={"now": now})


def password_fingerprint(secret: str, user: Mapping[str, Any]) -> str:
    """Changes whenever the password (or the email) changes; reveals nothing about the hash."""
    message = f"{user['id']}\n{user['email']}\n{user['password_hash']}".encode()
    key = f"{PASSWORD_RESET_SALT}\n{secret}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def make_reset_token(secret: str, user: Mapping[str, Any], now: datetime) -> str:
    return _serializer(secret, now).dumps({"u": user["id"], "f": password_fingerprint(secret, user)})


async def user_for_reset_token(db, secret: str, token: str, now: datetime) -> dict[str, Any]:
    """The account a token may reset, or ResetLinkExpired / ResetLinkInvalid."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise ResetLinkInvalid("malformed")
    max_age = int(RESET_LINK_LIFETIME.total_seconds())
    try:
        payload = _serializer(secret, now).loads(token, max_age=max_age)
    except SignatureExpired as expired:
        signed = expired.date_signed
        if signed is None or not now < signed <= now + CLOCK_SKEW:
            raise ResetLinkExpired() from None
        # Signed "in the future": another server whose clock runs a little ahead issued it.
        # The signature has been checked; read it as of its signing time.
        payload = _serializer(secret, signed).loads(token, max_age=max_age)
    except (BadData, UnicodeError):
        raise ResetLinkInvalid("bad signature") from None
    if not isinstance(payload, dict) or type(payload.get("u")) is not int or not isinstance(payload.get("f"), str):
        raise ResetLinkInvalid("unexpected payload")
    user = await db.fetch_one("select_user_by_id", {"id": payload["u"]})
    if user is None or not user["is_active"]:
        raise ResetLinkInvalid("no such account")
    if not hmac.compare_digest(payload["f"], password_fingerprint(secret, user)):
        raise ResetLinkInvalid("the password changed since the link was sent")
    return user


# ---------------------------------------------------------------- asking for a link


async def request_password_reset(db, email: str, client: str, now: datetime, secret: str, base_url: str) -> bool:
    """Mail a reset link if the address has an account and no limit is reached.

    Returns whether a mail was queued; callers must not show it.  Known or unknown,
    limited or not, the same statements run: both limits count the request, and the
    mail is written in a transaction that is committed only when the mail should go, so
    the response takes about the same time either way (no bcrypt on either path).
    """
    email = normalize_email(email)
    problem = email_problem(email)
    if problem:
        raise ValidationError({"email": problem})
    user = await db.fetch_one("select_user_by_email", {"email": email})
    # Each request is counted before it is checked, so a burst sent at once can't slip under
    # the limits (a refused request is not counted).  An unknown address's hits are kept too:
    # the same statements run either way.
    _, client_wait = await take_hit(db, RESET_REQUESTS_PER_CLIENT, client, now)
    _, address_wait = await take_hit(db, RESET_MAILS_PER_ADDRESS, email, now)
    send = user is not None and bool(user["is_active"]) and client_wait is None and address_wait is None
    account = user if send else {"id": 0, "email": email, "name": "", "password_hash": ""}
    try:
        async with db.transaction() as tx:
            token = make_reset_token(secret, account, now)
            # The account's own address: a lookalike that the collation matched must not get the link.
            await enqueue_mail(tx, account["email"], "password_reset", {
                "name": account["name"],
                "reset_url": f"{base_url}/password/reset/{token}",
                "expires_minutes": int(RESET_LINK_LIFETIME.total_seconds() // 60),
            }, now)
            if not send:
                raise _NothingToSend()
    except _NothingToSend:
        return False
    return True


# ---------------------------------------------------------------- setting the new password


async def reset_password(db, secret: str, token: str, form: Mapping[str, str], now: datetime,
                         rounds: int, base_url: str) -> dict[str, Any]:
    """Store the new password, end every session of the account, mail the notice; one transaction."""
    user = await user_for_reset_token(db, secret, token, now)
    new_password = validate_new_password(form)
    password_hash = await hash_password(new_password, rounds)
    async with db.transaction() as tx:
        changed = await tx.execute("update_password_if_unchanged", {
            "id": user["id"], "old_hash": user["password_hash"], "password_hash": password_hash, "now": now,
        })
        if changed.rowcount != 1:  # another request used this link (or changed the password) first
            raise ResetLinkInvalid("used meanwhile")
        await end_all_sessions(tx, user["id"], now)
        await enqueue_password_changed_mail(tx, user, now, base_url)
    return user
