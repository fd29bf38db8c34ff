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
