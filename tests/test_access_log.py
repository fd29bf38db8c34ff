"""The access log of a real `grihaseva serve` keeps secrets out of its lines."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from pathlib import Path

from grihaseva.access_log import REDACTED, RedactSecrets, redact
from tests.helpers_server import LiveServer

TOKEN = "eyJ1IjoxMn0.Zx1Y2w.k3n5Wq-secret_token"


def get(url: str, headers: dict | None = None) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_served_reset_link_and_calendar_secret_are_redacted_in_the_access_log(tmp_path):
    server = LiveServer({"GRIHASEVA_DATABASE_URL": f"sqlite:///{tmp_path}/app.db", "GRIHASEVA_VAR_DIR": str(tmp_path)})
    server.run("migrate")
    server.start()
    try:
        assert get(f"{server.url}/password/reset/{TOKEN}") == 400  # not a valid token: still logged
        assert get(f"{server.url}/provider/calendar/cal-{TOKEN}.ics") == 404
        assert get(f"{server.url}/healthz", {"Referer": f"{server.url}/password/reset/{TOKEN}"}) == 200
    finally:
        server.stop()
    log = Path(server.log.name).read_text()
    assert "secret_token" not in log
    assert f'"GET /password/reset/{REDACTED} 1.1" 400' in log
    assert f'"GET /provider/calendar/{REDACTED} 1.1" 404' in log
    assert f'"GET /healthz 1.1" 200' in log and f"/password/reset/{REDACTED}" in log


def test_redact_keeps_everything_but_the_secret_segment():
    assert redact(f'"GET /password/reset/{TOKEN}?x=1 1.1" 200') == f'"GET /password/reset/{REDACTED}?x=1 1.1" 200'
    assert redact('"GET /password/forgot 1.1" 200') == '"GET /password/forgot 1.1" 200'
    record = logging.LogRecord("a", logging.INFO, __file__, 1, '%s "%s"', ("1.2.3.4", f"GET /password/reset/{TOKEN}"), None)
    assert RedactSecrets().filter(record) and record.getMessage() == f'1.2.3.4 "GET /password/reset/{REDACTED}"'


def test_the_lazy_fields_give_hypercorns_own_line():
    from hypercorn.config import Config
    from hypercorn.logging import AccessLogAtoms

    from grihaseva.access_log import LazyAtoms

    request = {"type": "http", "method": "POST", "path": "/login", "query_string": b"next=%2Fbookings",
               "http_version": "1.1", "scheme": "http", "client": ("10.0.0.7", 51234),
               "headers": [(b"host", b"x"), (b"Referer", b"http://x/login"), (b"user-agent", b"Phone/1.0")]}
    response = {"status": 303, "headers": [(b"content-length", b"0"), (b"location", b"/bookings")]}
    line_format = Config().access_log_format.replace("%(t)s", "")  # the clock may tick between the two
    ours, theirs = LazyAtoms(request, response, 0.01), AccessLogAtoms(request, response, 0.01)
    assert line_format % ours == line_format % theirs
    assert ours["{location}o"] == "/bookings" and ours["{x-missing}i"] == "-"  # any other field, as hypercorn's
    no_answer = {**request, "headers": []}
    assert line_format % LazyAtoms(no_answer, None, 0.0) == line_format % AccessLogAtoms(no_answer, None, 0.0)
