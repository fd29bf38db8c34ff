"""Whether a provider may change anything: a suspended provider (`providers.suspended_at` set by
an admin) keeps read-only access to their jobs, and may not change availability or jobs."""

from __future__ import annotations

from ..i18n import lazy_gettext

SUSPENDED_MESSAGE = lazy_gettext("Your account is suspended by GrihaSeva, so your jobs and availability are read-only. "
                                 "Write to support@grihaseva.example to talk about it.")


class ProviderSuspended(Exception):
    """A change refused because the provider is suspended (answered with 403)."""

    status = 403

    def __init__(self, message: str | None = None):
        message = str(message or SUSPENDED_MESSAGE)  # in the language of the request refused
        super().__init__(message)
        self.message = message


async def is_suspended(db, provider_id: int) -> bool:
    return bool(await db.fetch_value("select_provider_suspended", {"provider_id": provider_id}))


async def refuse_if_suspended(tx, provider_id: int) -> None:
    """Inside a change's transaction (after `lock_provider` where the change takes it, so a
    suspension arriving meanwhile waits for the change): a suspension already committed refuses it."""
    if await is_suspended(tx, provider_id):
        raise ProviderSuspended()
