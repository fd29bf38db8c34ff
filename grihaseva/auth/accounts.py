"""Accounts: registration, login with throttling, sessions, profile and password changes.

Plain async functions over the `db` layer; nothing here knows about Quart.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Mapping

from itsdangerous import BadSignature, URLSafeSerializer

from ..i18n import lazy_gettext
from .. import i18n
from ..i18n import gettext
from ..db import Database, IntegrityError
from ..events import ACCESS_CHANGED, access_topic, publish
from ..plaintext import has_letters_or_digits, one_line
from ..ratelimit import Limit, clear_hits, forget_hit, minutes_text, take_hit
from .password_mail import enqueue_password_changed_mail
from .passwords import check_password, hash_password, password_problem, waste_a_check

ROLES = ("customer", "provider", "admin")
SELF_SERVICE_ROLES = ("customer", "provider")
GENDERS = ("female", "male", "other")
SESSION_LIFETIME = timedelta(days=14)

# Login throttling follows OWASP's "Slow Down Online Guessing Attacks with Device Cookies": a
# browser that has logged in to an account before carries a signed device cookie naming that
# account, and its failures count only against that cookie. Every other client ("untrusted")
# shares one allowance per account, plus one per client address. So guessing from anywhere else
# can lock out the untrusted clients of an account, never the owner's own browser.
LOGIN_FAILS_PER_ACCOUNT = Limit("login_fail_account", 5, timedelta(minutes=15))  # untrusted clients
LOGIN_FAILS_PER_CLIENT = Limit("login_fail_client", 5, timedelta(minutes=15))  # one address, any account
LOGIN_FAILS_PER_DEVICE = Limit("login_fail_device", 5, timedelta(minutes=15))  # one device cookie
DEVICE_COOKIE = "grihaseva_device"
DEVICE_COOKIE_SALT = "grihaseva login device"
DEVICE_COOKIE_LIFETIME = timedelta(days=365)
DUPLICATE_EMAIL = lazy_gettext("An account with this email already exists. Log in instead, or reset your password.")
# Each registration costs a bcrypt hash (about 0.25 s of a core) and makes a row: a household or
# an office behind one address registers a few accounts an hour, a script thousands.
REGISTRATIONS_PER_CLIENT = Limit("register_client", 10, timedelta(hours=1))

_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;.]{2,}$")
_PHONE_CHARS = re.compile(r"^\+?[0-9 ()\-]+$")

GENERIC_LOGIN_ERROR = lazy_gettext("That email and password do not match an account.")


@dataclass(frozen=True)
class User:
    id: int
    email: str
    name: str
    phone: str
    gender: str
    role: str
    locale: str = "en"

    @classmethod
    def from_row(cls, row: Mapping) -> "User":
        locale = row["locale"] if "locale" in row.keys() else "en"
        return cls(row["id"], row["email"], row["name"], row["phone"], row["gender"], row["role"], locale or "en")

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else self.name


class ValidationError(Exception):
    """Field-by-field messages for a form; `errors` maps field name to message."""

    def __init__(self, errors: dict[str, str]):
        errors = {key: str(value) for key, value in errors.items()}  # lazy messages become text now
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class LoginRefused(Exception):
    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.message, self.status = message, status


def normalize_email(email: str) -> str:
    return email.strip().lower()


def email_problem(email: str) -> str | None:
    if not email:
        return gettext("Enter your email address.")
    if len(email) > 254 or not _EMAIL.match(email):
        return gettext("Enter a valid email address, like name@example.com.")
    return None


def name_problem(name: str) -> str | None:
    if not name:
        return gettext("Enter your name.")
    if len(name) > 100:
        return gettext("Use at most 100 characters for your name.")
    if any(ord(ch) < 32 for ch in name):
        return gettext("Your name contains characters we cannot show.")
    if not has_letters_or_digits(name):
        return gettext("Enter your name in letters.")
    return None


def phone_problem(phone: str) -> str | None:
    if not phone:
        return gettext("Enter a phone number so providers can reach you.")
    digits = sum(ch.isdigit() for ch in phone)
    if len(phone) > 20 or not _PHONE_CHARS.match(phone) or not 7 <= digits <= 15:
        return gettext("Enter a phone number of 7 to 15 digits, like +91 98450 12345.")
    return None


def validate_registration(form: Mapping[str, str]) -> dict[str, str]:
    """Clean values of a registration form, or ValidationError naming every bad field."""
    clean = {
        "name": one_line(form.get("name", "")),
        "email": normalize_email(form.get("email", "")),
        "phone": " ".join(form.get("phone", "").split()),
        "gender": form.get("gender", "").strip(),
        "role": form.get("role", "").strip(),
        "locale": i18n.normalize(form.get("locale", "")) or "",
    }
    password, confirm = form.get("password", ""), form.get("password_confirm", "")
    errors = {}
    for field, problem in (
        ("name", name_problem(clean["name"])),
        ("email", email_problem(clean["email"])),
        ("phone", phone_problem(clean["phone"])),
    ):
        if problem:
            errors[field] = problem
    if clean["gender"] not in GENDERS:
        errors["gender"] = gettext("Choose female, male or other.")
    if clean["role"] not in SELF_SERVICE_ROLES:
        errors["role"] = gettext("Choose whether you are booking services (customer) or offering them (provider).")
    problem = password_problem(password)
    if problem:
        errors["password"] = problem
    elif password != confirm:
        errors["password_confirm"] = gettext("The two passwords do not match.")
    if errors:
        raise ValidationError(errors)
    clean["password"] = password
    return clean


async def create_user(db: Database, clean: Mapping[str, str], now: datetime, rounds: int, role: str | None = None) -> int:
    """Insert a validated account (and a provider profile for providers); returns its id."""
    role = role or clean["role"]
    password_hash = await hash_password(clean["password"], rounds)
    try:
        async with db.transaction() as tx:
            if await tx.fetch_one("select_user_by_email", {"email": clean["email"]}):
                raise ValidationError({"email": DUPLICATE_EMAIL})
            result = await tx.execute("insert_user", {
                "email": clean["email"], "name": clean["name"], "phone": clean["phone"],
                "gender": clean["gender"], "role": role, "password_hash": password_hash, "now": now,
            })
            user_id = result.lastrowid
            if clean.get("locale"):  # the language chosen at sign-up
                await tx.execute("update_user_locale", {"id": user_id, "locale": clean["locale"]})
            if role == "provider":
                await tx.execute("insert_provider_profile", {
                    "user_id": user_id, "bio": clean.get("bio", ""), "timezone": "Asia/Kolkata",
                    "hourly_rate_paise": 0, "verified": 0, "now": now,
                })
    except IntegrityError:  # a concurrent registration with the same email won the race
        raise ValidationError({"email": DUPLICATE_EMAIL}) from None
    return user_id


async def set_locale(db: Database, user_id: int, locale: str) -> None:
    """The language this person reads pages and mail in (a code from `i18n.LANGUAGES`)."""
    await db.execute("update_user_locale", {"id": user_id, "locale": locale})


class RegistrationThrottled(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


async def register(db: Database, form: Mapping[str, str], now: datetime, rounds: int, client: str = "unknown") -> int:
    """A new account from a valid form; only forms that pass validation count toward the limit."""
    clean = validate_registration(form)
    if await db.fetch_one("select_user_by_email", {"email": clean["email"]}):  # before the hash and the count
        raise ValidationError({"email": DUPLICATE_EMAIL})
    _, wait = await take_hit(db, REGISTRATIONS_PER_CLIENT, client[:254], now)
    if wait:
        raise RegistrationThrottled(gettext("Too many new accounts from your network. Try again in %(wait)s.", wait=minutes_text(wait)))
    return await create_user(db, clean, now, rounds)


def _device_serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=DEVICE_COOKIE_SALT)


def new_device_cookie(secret: str, email: str) -> str:
    """A device cookie for a browser that has just logged in to `email`: the account and a nonce, signed."""
    return _device_serializer(secret).dumps({"e": normalize_email(email), "n": secrets.token_urlsafe(18)})


def device_nonce(secret: str, cookie: str | None, email: str) -> str | None:
    """The nonce of a genuine device cookie for `email`, else None (no cookie, forged, another account)."""
    if not cookie:
        return None
    try:
        data = _device_serializer(secret).loads(cookie)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("e") != normalize_email(email) or not isinstance(data.get("n"), str):
        return None
    return data["n"][:64]


async def authenticate(db: Database, email: str, password: str, client: str, now: datetime, rounds: int,
                       device: str | None = None) -> User:
    """The account for these credentials, or LoginRefused (generic, or throttled with a wait).

    `device` is the nonce of this browser's device cookie for this account (`device_nonce`), or
    None for an untrusted client."""
    email = normalize_email(email)
    if not email or not password:
        raise LoginRefused(gettext("Enter your email and password."), 422)
    account = email[:254]  # the width of rate_hits.subject; a longer address is no account anyway
    if device:
        limits = ((LOGIN_FAILS_PER_DEVICE, device),)
    else:
        limits = ((LOGIN_FAILS_PER_ACCOUNT, account), (LOGIN_FAILS_PER_CLIENT, client))
    # Each attempt counts as a failure before its password is checked (and is taken back if it
    # succeeds): guesses sent all at once can't all slip under a check made before any was counted.
    hits = []
    for limit, subject in limits:
        hit_id, wait = await take_hit(db, limit, subject, now)
        if wait:
            for taken in hits:
                await forget_hit(db, taken)
            # The same bcrypt work as an answer for an unlocked account, so the time taken does
            # not tell a guesser which accounts are locked.
            await waste_a_check(password, rounds)
            raise LoginRefused(gettext("Too many failed logins. Try again in %(wait)s.", wait=minutes_text(wait)), 429)
        hits.append(hit_id)
    row = await db.fetch_one("select_user_by_email", {"email": email})
    if row is None:
        await waste_a_check(password, rounds)
        ok = False
    else:
        ok = await check_password(password, row["password_hash"]) and bool(row["is_active"])
    if not ok:
        raise LoginRefused(str(GENERIC_LOGIN_ERROR), 401)
    await clear_hits(db, LOGIN_FAILS_PER_ACCOUNT, account)
    if device:
        await clear_hits(db, LOGIN_FAILS_PER_DEVICE, device)
    else:
        await forget_hit(db, hits[1])  # a successful login is no failure of this client
    return User.from_row(row)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


async def start_session(db: Database, user_id: int, now: datetime, user_agent: str = "") -> str:
    """A new random auth id for the cookie; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    await db.execute("insert_session", {
        "id_hash": _hash_token(token), "user_id": user_id, "now": now, "user_agent": user_agent[:200],
    })
    return token


async def session_user(db: Database, token: str, now: datetime) -> User | None:
    return await session_user_by_hash(db, _hash_token(token), now)


def session_hash(token: str) -> str:
    """What `sessions` stores of an auth id (its SHA-256): names a session without revealing it."""
    return _hash_token(token)


async def session_user_by_hash(db: Database, id_hash: str, now: datetime) -> User | None:
    row = await db.fetch_one("select_session_user", {"id_hash": id_hash, "not_before": now - SESSION_LIFETIME})
    if row is None:
        return None
    if now - row["last_seen_at"] > timedelta(minutes=5):
        await db.execute("touch_session", {"id_hash": id_hash, "now": now})
    return User.from_row(row)


async def end_session(db: Database, token: str) -> None:
    await db.execute("delete_session", {"id_hash": _hash_token(token)})


async def end_all_sessions(tx, user_id: int, now: datetime) -> None:
    """Inside the caller's transaction: every session of the user ends, and their open live
    streams are told to re-check (an event on `access:<id>`), so they close at once."""
    await tx.execute("delete_user_sessions", {"user_id": user_id})
    await publish(tx, access_topic(user_id), ACCESS_CHANGED, {"user_id": user_id}, now)


async def end_other_sessions(tx, user_id: int, keep_token: str, now: datetime) -> None:
    await tx.execute("delete_other_user_sessions", {"user_id": user_id, "keep_id_hash": _hash_token(keep_token)})
    await publish(tx, access_topic(user_id), ACCESS_CHANGED, {"user_id": user_id}, now)


async def log_out_everywhere(db: Database, user_id: int, now: datetime) -> None:
    async with db.transaction() as tx:
        await end_all_sessions(tx, user_id, now)


async def update_profile(db: Database, user_id: int, form: Mapping[str, str]) -> dict[str, str]:
    clean = {"name": one_line(form.get("name", "")), "phone": " ".join(form.get("phone", "").split())}
    errors = {f: p for f, p in (("name", name_problem(clean["name"])), ("phone", phone_problem(clean["phone"]))) if p}
    gender = form.get("gender")  # only a customer's form has it (a sign-up from a booking does not ask it)
    if gender is not None and gender not in GENDERS:
        errors["gender"] = gettext("Choose female, male or other.")
    if errors:
        raise ValidationError(errors)
    await db.execute("update_user_profile", {"id": user_id, **clean})
    if gender is not None:
        await db.execute("update_user_gender", {"id": user_id, "gender": gender})
        clean["gender"] = gender
    return clean


def validate_new_password(form: Mapping[str, str], field: str = "new_password", confirm_field: str = "new_password_confirm") -> str:
    password, confirm = form.get(field, ""), form.get(confirm_field, "")
    problem = password_problem(password)
    if problem:
        raise ValidationError({field: problem})
    if password != confirm:
        raise ValidationError({confirm_field: gettext("The two passwords do not match.")})
    return password


async def change_password(db: Database, user_id: int, form: Mapping[str, str], keep_token: str, now: datetime, rounds: int,
                          base_url: str = "http://127.0.0.1:8000") -> None:
    """Check the current password, store the new one, end every other session, mail a notice."""
    row = await db.fetch_one("select_user_by_id", {"id": user_id})
    if row is None or not await check_password(form.get("current_password", ""), row["password_hash"]):
        raise ValidationError({"current_password": gettext("Your current password is not right.")})
    if form.get("new_password", "") == form.get("current_password", ""):
        raise ValidationError({"new_password": gettext("Choose a new password that is different from your current one.")})
    new_password = validate_new_password(form)
    password_hash = await hash_password(new_password, rounds)
    async with db.transaction() as tx:
        await tx.execute("update_user_password", {"id": user_id, "password_hash": password_hash, "now": now})
        await end_other_sessions(tx, user_id, keep_token, now)
        await enqueue_password_changed_mail(tx, row, now, base_url)
