"""The audit log: every admin change writes one row, in the same transaction as the change."""

from __future__ import annotations

from datetime import datetime

from .db import Database

PAGE_SIZE = 100


async def record(tx, admin_id: int, action: str, subject_type: str, subject_id: int | None, detail: str,
                 now: datetime) -> None:
    """Who (admin_id) did what (action on subject, with a readable detail) and when (now)."""
    if isinstance(tx, Database):
        raise TypeError("audit.record() needs a transaction: async with db.transaction() as tx")
    await tx.execute("audit_insert", {"admin_id": admin_id, "action": action, "subject_type": subject_type,
                                      "subject_id": subject_id, "detail": detail[:2000], "now": now})


async def recent(db, page: int = 1) -> list[dict]:
    return await db.fetch_all("audit_select_recent", {"limit": PAGE_SIZE, "offset": (max(page, 1) - 1) * PAGE_SIZE})
