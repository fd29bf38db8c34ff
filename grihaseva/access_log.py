"""hypercorn's access log without the secrets that travel in URL paths.

A password-reset link (`/password/reset/<token>`) and a provider's calendar feed
(`/provider/calendar/<secret>.ics`) carry their secret in the path, and an access log is read
by more people, and kept longer, than the database. `grihaseva serve` hands hypercorn a logger
whose filter replaces those path segments with `[redacted]` in every line (the request line
and the Referer alike), keeping the rest of the line for operations.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import Mapping

from hypercorn.logging import AccessLogAtoms
from hypercorn.logging import Logger as HypercornLogger

REDACTED = "[redacted]"
_SECRET_PATHS = re.compile(r"(/password/reset/|/provider/calendar/)[^\s\"?/]+")


def redact(line: str) -> str:
    return _SECRET_PATHS.sub(lambda m: m.group(1) + REDACTED, line)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def access_logger(target: str | None) -> logging.Logger | None:
    """The logger hypercorn's `accesslog` setting asks for ("-" is stdout, else a file path),
    with secrets redacted; None when the access log is off."""
    if not target:
        return None
    logger = logging.getLogger("grihaseva.access")
    handler = logging.StreamHandler(sys.stdout) if target == "-" else logging.FileHandler(target)
    handler.setFormatter(logging.Formatter("%(asctime)s [%(process)d] [%(levelname)s] %(message)s",
                                           "[%Y-%m-%d %H:%M:%S %z]"))  # hypercorn's own format
    handler.addFilter(RedactSecrets())
    logger.handlers = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger


class AccessLogger(HypercornLogger):
    """hypercorn's logger (`config.logger_class`), with each line's fields made only when its
    format asks for them: hypercorn's own `AccessLogAtoms` copies every environment variable and
    every header into a dict for every request, a twelfth of the time a `/healthz` took in a
    py-spy profile under load."""

    def atoms(self, request, response, request_time):
        return LazyAtoms(request, response, request_time)


def _header(headers, name: bytes) -> str:
    for key, value in headers or ():
        if key.lower() == name:
            return value.decode("latin1")
    return "-"


def _remote(request) -> str:
    client = request.get("client")
    if not client:
        return "-"
    return f"{client[0]}:{client[1]}" if len(client) == 2 else str(client[0])


def _request_line(request) -> str:
    method = request["method"] if request["type"] == "http" else "GET"
    return f"{method} {request['path']} {request.get('http_version', 'ws')}"


class LazyAtoms(Mapping):
    """The fields of hypercorn's default access-log format (`h l t "r" s b "f" "a"`) made on
    demand; any other field hypercorn knows comes from its own `AccessLogAtoms`."""

    _FIELDS = {
        "h": _remote,
        "l": lambda request: "-",
        "t": lambda request: time.strftime("[%d/%b/%Y:%H:%M:%S %z]"),
        "r": _request_line,
        "f": lambda request: _header(request.get("headers"), b"referer"),
        "a": lambda request: _header(request.get("headers"), b"user-agent"),
    }

    def __init__(self, request, response, request_time: float):
        self.request, self.response, self.request_time = request, response, request_time
        self._all = None

    def __getitem__(self, key: str) -> str:
        field = self._FIELDS.get(key)
        if field is not None:
            return field(self.request)
        if key == "s" and self.response is not None:
            return str(self.response["status"])
        if key == "b" and self.response is not None:
            return _header(self.response.get("headers"), b"content-length")
        if self._all is None:
            self._all = AccessLogAtoms(self.request, self.response, self.request_time)
        return self._all[key]

    def __iter__(self):  # only looked up by key; never listed
        return iter(())

    def __len__(self) -> int:
        return 1  # logging takes an empty mapping for "no arguments"
