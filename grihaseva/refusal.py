"""The one shape of a refusal: a rule said no, with a message for the person and an HTTP status.

Every feature's refusal (a booking that breaks a rule, a post the reader may not touch, a photo
that is not a photo...) is a subclass, so views answer them all the same way: the message, shown
where the person acted, with `status` (a 4xx). Subclasses set `default_status` when their usual
answer is not 422.
"""

from __future__ import annotations


class Refused(Exception):
    default_status = 422

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = self.default_status if status is None else status
