"""The application as hypercorn's worker processes load it (`grihaseva serve --workers N`).

Each worker imports this module and builds its own app from the environment, with its own
database pool, event broadcaster, mail sender and housekeeper: the workers share only the
database, where the outbox tables carry events and mail between them. The access log's
target comes from `grihaseva serve` through GRIHASEVA_ACCESS_LOG (hypercorn hands a
worker the logger by name only, so it is set up again here, with its redaction).
"""

from __future__ import annotations

import os

from .access_log import access_logger
from .app import create_app

access_logger(os.environ.get("GRIHASEVA_ACCESS_LOG") or None)
app = create_app()
