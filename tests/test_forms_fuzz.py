"""Every state-changing route the app registers, fed missing, empty, huge, wrong-type
and non-UTF-8 input by every role: never a 5xx, always a 4xx with a message a person
can read, and nothing written for input that was refused.

Routes come from `app.url_map`, so routes that later features add are covered
without touching this file; field names come from the templates' forms."""

from __future__ import annotations

import asyncio
import html
import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from werkzeug.exceptions import HTTPException
from werkzeug.routing import FloatConverter, IntegerConverter, UUIDConverter

from tests.conftest import TEST_CSRF, with_csrf
from tests.helpers import load_demo, session_client

TEMPLATES = Path(__file__).resolve().parent.parent / "grihaseva" / "templates"
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
# Routes whose whole purpose needs no input: an empty form is a valid request there.
EMPTY_FORM_OK = {
    "auth.logout", "auth.logout_everywhere",
    "admin.deactivate_service", "admin.reactivate_service",  # one-button actions on the admin console
}
# Tables written on purpose for refused input: failed logins and reset requests are
# counted there so that they can be throttled.
WRITTEN_ON_REFUSAL = {"rate_hits", "schema_migrations"}
ROLES = {None: None, "customer": "customer@example.com", "provider": "provider@example.com", "admin": "admin@example.com"}
CSRF_MESSAGE = "This form has expired or did not come from GrihaSeva."
MEGABYTE = "x" * (1024 * 1024)
URLENCODED = "application/x-www-form-urlencoded"


def template_field_names() -> list[str]:
    """Every input name the templates use (plain inputs and the field/choice macros)."""
    names = {"email", "password", "id", "provider", "service", "slot", "quantity", "rating"}
    for path in TEMPLATES.rglob("*.html"):
        source = path.read_text()
        names |= set(re.findall(r'\bname="([A-Za-z_][A-Za-z0-9_]*)"', source))
        names |= set(re.findall(r'\b(?:field|choice)\(\s*"([A-Za-z_][A-Za-z0-9_]*)"', source))
    names.discard("csrf_token")
    return sorted(names)


FIELDS = template_field_names()


def body(content_type: str, data: bytes, **headers: str) -> dict:
    return {"data": data, "headers": {"Content-Type": content_type, **headers}}


def form(pairs, **headers: str) -> dict:
    """A urlencoded body, encoded once here rather than on every request."""
    return body(URLENCODED, urlencode(pairs).encode(), **headers)


CASES = {
    "no fields": form({}),
    "empty values": form({name: "" for name in FIELDS}),
    "empty values from htmx": form({name: "" for name in FIELDS}, **{"HX-Request": "true"}),
    "1 MB value": form({**{name: "x" for name in FIELDS}, FIELDS[0]: MEGABYTE}),
    # under the body limit in all but wider than the VARCHAR columns: MySQL refuses what SQLite stores
    "long values": form({name: "x" * (200_000 // len(FIELDS)) for name in FIELDS}),
    "JSON body": body("application/json", json.dumps({name: [1, {"a": None}] for name in FIELDS}).encode()),
    "lists for scalars": form([(name, value) for name in FIELDS for value in ("abc", "1")]),
    "letters in numeric fields": form({name: "abc" for name in FIELDS}),
    "non-UTF-8 percent-encoded": body(URLENCODED, "&".join(f"{name}=%FF%FE" for name in FIELDS).encode()),
    "non-UTF-8 raw bytes": body(URLENCODED, b"&".join(name.encode() + b"=\xff\xfe" for name in FIELDS)),
    "non-UTF-8 multipart": body(
        "multipart/form-data; boundary=b",
        b"".join(b'--b\r\nContent-Disposition: form-data; name="' + name.encode() + b'"\r\n\r\n\xff\xfe\r\n'
                 for name in FIELDS) + b"--b--\r\n"),
}
REACHES_VALIDATION = {400, 401, 409, 422, 429}
# Text where a number was expected, a repeated field or a long text can be valid for a free-text form.
MAY_BE_VALID = {"lists for scalars", "letters in numeric fields", "long values"}


@dataclass
class Route:
    method: str
    path: str
    endpoint: str
    has_arguments: bool
    reached: set = field(default_factory=set)  # roles whose empty post reached the view's validation


def plausible(converter) -> object:
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, FloatConverter):
        return 1.0
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=1)
    return "x"


LINK = re.compile(r'\b(?:href|action|hx-get|hx-post|hx-put|hx-patch|hx-delete)="(/[^"]*)"')


async def crawl(app, pages: int = 25) -> set[str]:
    """Local paths linked from the pages each role can see, so URL variables get real values."""
    found: set[str] = set()
    for role in ROLES:
        client = await client_as(app, role)
        queue, seen = ["/", "/services", "/account", "/bookings", "/provider/dashboard", "/admin"], set()
        while queue and len(seen) < pages:
            path = queue.pop(0)
            if path in seen or path.startswith("/static/"):
                continue
            seen.add(path)
            response = await asyncio.wait_for(client.get(path), 5)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            for link in LINK.findall(await response.get_data(as_text=True)):
                link = html.unescape(link).split("#")[0].split("?")[0]
                found.add(link)
                queue.append(link)
    return found


def state_changing_routes(app, linked: set[str]) -> list[Route]:
    """Each POST/PUT/PATCH/DELETE rule, at a linked URL if the pages link one, else with 1 or "x" filled in."""
    adapter = app.url_map.bind("localhost")
    routes = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & STATE_CHANGING):
            path = None
            for candidate in sorted(linked):
                try:
                    matched_rule, _ = adapter.match(candidate, method=method, return_rule=True)
                except HTTPException:
                    continue
                if matched_rule is rule:
                    path = candidate
                    break
            if path is None:
                values = {name: plausible(converter) for name, converter in rule._converters.items()}
                path = rule.build(values, append_unknown=False)[1]
            routes.append(Route(method, path, rule.endpoint, bool(rule.arguments)))
    return routes


async def row_counts(db) -> dict[str, int]:
    if db.dialect == "sqlite":
        tables = [r["t"] for r in await db.fetch_all(
            "SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    else:
        tables = [r["t"] for r in await db.fetch_all(
            "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE()")]
    tables = sorted(set(tables) - WRITTEN_ON_REFUSAL)
    return await db.fetch_one("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {t}) AS {t}" for t in tables))


async def client_as(app, role: str | None):
    if role is None:
        client = app.test_client()
    else:
        row = await app.db.fetch_one("select_user_by_email", {"email": ROLES[role]})
        client = await session_client(app, row["id"])
    await with_csrf(client)
    return client


def has_human_message(body: str) -> bool:
    """A message shown for the refusal: a form error, an alert, or the error page."""
    return 'class="error"' in body or 'role="alert"' in body or 'class="card error-page"' in body


def login_redirect(response) -> bool:
    target = response.headers.get("HX-Redirect") or response.headers.get("Location") or ""
    return target.startswith("/login?next=")


async def test_every_state_changing_route_refuses_bad_input_with_a_message_and_never_a_5xx(app):
    await load_demo(app.db, app.settings)
    routes = state_changing_routes(app, await crawl(app))
    assert {"POST /register", "POST /login", "POST /account/profile"} <= {f"{r.method} {r.path}" for r in routes}
    problems: list[str] = []

    for route in routes:
        for role in ROLES:
            client = await client_as(app, role)
            counts = await row_counts(app.db)
            empty_status = None
            for case, request in {"no CSRF token": CASES["no fields"], **CASES}.items():
                if route.endpoint in EMPTY_FORM_OK:  # these may log the client out: start afresh
                    client = await client_as(app, role)
                    counts = await row_counts(app.db)
                headers = dict(request["headers"])
                if case != "no CSRF token":
                    headers["X-CSRF-Token"] = TEST_CSRF
                response = await client.open(route.path, method=route.method, headers=headers, data=request["data"])
                text = await response.get_data(as_text=True)
                before, counts = counts, await row_counts(app.db)
                status = response.status_code
                where = f"{route.method} {route.path} as {role or 'visitor'} with {case}: {status}"
                problems += judge(route, case, response, text, before, counts, app.config["CSRF_EXEMPT"], where)
                if case in ("no fields", "empty values") and (
                        status in REACHES_VALIDATION and CSRF_MESSAGE not in text
                        or route.has_arguments and status in (404, 410)):  # the view refused the URL's object
                    route.reached.add(role)
                if case == "no fields":
                    empty_status = status
                if case == "1 MB value" and status not in (413, empty_status) and route.endpoint not in EMPTY_FORM_OK:
                    # 413, unless the request was refused before its form was read (role, URL object)
                    problems.append(f"{where} (expected 413 for a 1 MB value)")

    for route in routes:
        if route.endpoint not in EMPTY_FORM_OK and not route.reached:
            problems.append(f"{route.method} {route.path}: no role reached the form's validation")
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def judge(route, case, response, text, before, after, csrf_exempt, where) -> list[str]:
    """What is wrong with one answer to one bad request."""
    status = response.status_code
    if status >= 500:
        return [f"{where} (a server error)"]
    if case == "no CSRF token":
        problems = []
        if route.endpoint not in csrf_exempt and (status != 400 or CSRF_MESSAGE not in text):
            problems.append(f"{where} (expected 400 with the CSRF message)")
        if after != before:
            problems.append(f"{where} (rows written without a CSRF token)")
        return problems
    problems = []
    if status >= 400 and not has_human_message(text):
        problems.append(f"{where} (no message for a person)")
    if status == 413 and "larger than we accept" not in text:
        problems.append(f"{where} (413 without its message)")
    accepted = status < 400 and not login_redirect(response)
    if route.endpoint in EMPTY_FORM_OK or accepted and case in MAY_BE_VALID:
        return problems  # valid input; what it writes is the route's business
    if accepted:
        problems.append(f"{where} (accepted bad input)")
    if after != before:
        problems.append(f"{where} (rows changed in {sorted(t for t in after if after[t] != before[t])} for refused input)")
    return problems


def test_the_fuzz_knows_the_fields_of_the_account_forms():
    assert {"name", "email", "phone", "gender", "role", "password", "password_confirm",
            "current_password", "new_password", "new_password_confirm", "next"} <= set(FIELDS)
