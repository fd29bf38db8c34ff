from __future__ import annotations

from tests.helpers import DEMO_NOW as NOW  # noqa: F401  (Monday 23 Nov 2026, 08:00 in Kolkata)
from tests.helpers import DEMO_PASSWORD, Clock, demo, logged_in, service_id, user_id  # noqa: F401  (demo is a fixture)


async def make_customer(app, email: str, gender: str = "female") -> int:
    from grihaseva.auth.accounts import create_user

    return await create_user(app.db, {"email": email, "name": "Test Customer", "phone": "+91 90000 00000",
                                      "gender": gender, "password": DEMO_PASSWORD}, NOW, 4, role="customer")
