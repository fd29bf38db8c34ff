"""A booking's transaction is short: few statements, no mail rendered inside it, and the slot
grid's schedule cache drops a provider's week when an event for that provider arrives."""

from __future__ import annotations

import pytest

from grihaseva.booking import domain
from grihaseva.db import open_database
from grihaseva.events import publish
from grihaseva.mail import rendered
from tests.booking.conftest import demo  # noqa: F401
from tests.provider.conftest import DETAILS, NOW, TUE_5PM, TUE_7PM, user_id


async def _customer(app, email: str = "customer@example.com") -> domain.Customer:
    row = await app.db.fetch_one("select_user_by_email", {"email": email})
    return domain.Customer(row["id"], row["gender"])


class _Counting:
    """Counts the statements the database layer sends (both dialects), BEGIN and COMMIT aside."""

    def __init__(self, db):
        self.db, self.statements = db, []
        self._original = db._run_on

    async def _run_on(self, conn, sql, params, want, **how):
        self.statements.append(sql.split()[0].upper())
        return await self._original(conn, sql, params, want, **how)

    def __enter__(self):
        self.db._run_on = self._run_on
        return self

    def __exit__(self, *exc):
        self.db._run_on = self._original


async def test_a_booking_with_a_chosen_provider_sends_seven_statements_besides_begin_and_commit(demo):
    service = await domain.active_service(demo.db, "tap-leak-repair")
    ravi = await user_id(demo, "provider@example.com")
    customer = await _customer(demo)
    await demo.broadcaster.stop()  # its timed poll of the events would be counted too, now and then
    await demo.mail_sender.stop()
    with _Counting(demo.db) as counted:
        booking_id = await domain.place_booking(demo.db, customer, service, ravi, TUE_5PM, DETAILS, NOW)
    # two locks (the second with the service's terms and the same-service check), the schedule;
    # booking, notification, events, mails
    assert counted.statements == ["SELECT"] * 3 + ["INSERT"] * 4
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM events WHERE payload LIKE :p",
                                     {"p": f'%"booking_id":{booking_id}%'}) == 3
    mails = await demo.db.fetch_all("SELECT * FROM mail_outbox ORDER BY id")
    assert [m["template"] for m in mails] == ["booking_confirmed", "booking_confirmed"]
    assert all(m["text_body"] == "" for m in mails)  # the sender renders it, not the transaction
    sent = rendered(mails[0])
    assert sent["subject"] == "Booking confirmed: Tap and leak repair, Tue 24 Nov, 5:00 pm IST"
    assert "BEGIN:VCALENDAR" in sent["attachments"] and f"booking-{booking_id}@grihaseva" in sent["attachments"]


async def test_mariadb_counts_nine_statements_for_a_booking(demo):
    if demo.db.dialect != "mysql":
        pytest.skip("Com_* status counters are MariaDB's")
    service = await domain.active_service(demo.db, "tap-leak-repair")
    ravi = await user_id(demo, "provider@example.com")
    customer = await _customer(demo)
    demo.db.pool.close()  # one connection, so its session counters see the whole booking
    await demo.db.pool.wait_closed()
    demo.db.pool = None
    demo.db.minsize = demo.db.maxsize = 1
    await demo.db.connect()

    async def counters() -> dict[str, int]:
        rows = await demo.db.fetch_all("SHOW SESSION STATUS LIKE 'Com\\_%'")
        return {row["Variable_name"]: int(row["Value"]) for row in rows}

    before = await counters()
    await domain.place_booking(demo.db, customer, service, ravi, TUE_5PM, DETAILS, NOW)
    after = await counters()
    sent = {name: after[name] - before[name] for name in after if after[name] != before[name]}
    sent["Com_show_status"] -= 1  # the second SHOW itself
    sent = {name: n for name, n in sent.items() if n}
    assert sent == {"Com_begin": 1, "Com_select": 3, "Com_insert": 4, "Com_commit": 1}


async def test_the_grid_reads_a_providers_week_once_until_an_event_for_them(demo):
    service = await domain.active_service(demo.db, "tap-leak-repair")
    ravi = await user_id(demo, "provider@example.com")
    cache = demo.db.grid_cache

    async def grid_free(start) -> bool:
        grid = await domain.slot_grid(demo.db, service, ravi, TUE_5PM.date(), NOW)
        return dict(cell for _, cells in grid.days for cell in cells)[start]

    assert await grid_free(TUE_7PM)
    misses = cache.misses
    assert await grid_free(TUE_7PM) and cache.misses == misses  # served from the cache

    # Another process books it: no commit here, so only its event can tell this one.
    other = open_database(demo.settings.database)
    await other.connect()
    try:
        customer = await _customer(demo)
        await domain.place_booking(other, customer, service, ravi, TUE_7PM, DETAILS, NOW)
        assert await grid_free(TUE_7PM)  # not heard of yet: the cached week
        await demo.broadcaster.poll()  # the event arrives
        assert not await grid_free(TUE_7PM)
        # An event on another provider's topic leaves Ravi's week cached.
        misses = cache.misses
        async with other.transaction() as tx:
            await publish(tx, "slots:999999", "availability", {}, NOW)
        await demo.broadcaster.poll()
        assert not await grid_free(TUE_7PM) and cache.misses == misses
    finally:
        await other.close()


async def test_a_local_booking_drops_the_cached_week_at_its_commit(demo):
    service = await domain.active_service(demo.db, "tap-leak-repair")
    ravi = await user_id(demo, "provider@example.com")
    grid = await domain.slot_grid(demo.db, service, ravi, TUE_5PM.date(), NOW)
    assert dict(cell for _, cells in grid.days for cell in cells)[TUE_5PM]
    await domain.place_booking(demo.db, await _customer(demo), service, ravi, TUE_5PM, DETAILS, NOW)
    grid = await domain.slot_grid(demo.db, service, ravi, TUE_5PM.date(), NOW)  # no poll needed
    assert not dict(cell for _, cells in grid.days for cell in cells)[TUE_5PM]


async def test_mail_that_is_only_logged_makes_no_calendar_file(demo, monkeypatch):
    import grihaseva.mail as mail

    assert not demo.settings.smtp_host  # the log transport
    await demo.mail_sender.stop()  # this test's own sender delivers, so none is left half-way
    made = []
    real = mail._make
    monkeypatch.setattr(mail, "_make", lambda maker, args: made.append(maker) or real(maker, args))
    service = await domain.active_service(demo.db, "tap-leak-repair")
    ravi = await user_id(demo, "provider@example.com")
    await domain.place_booking(demo.db, await _customer(demo), service, ravi, TUE_5PM, DETAILS, NOW)
    while await mail.MailSender(demo.db, demo.settings, demo.clock).run_once():
        pass
    rows = await demo.db.fetch_all("SELECT * FROM mail_outbox ORDER BY id")
    assert [row["status"] for row in rows] == ["sent", "sent"]
    assert made == []  # nothing reads a logged mail's .ics
    assert "BEGIN:VCALENDAR" in rendered(rows[0])["attachments"] and len(made) == 1  # /dev/mail still shows it


async def test_a_booking_takes_the_services_terms_as_committed_not_as_the_page_read_them(demo):
    """The booking POST hands the domain the page's cached service; what the booking charges and
    checks is read again under its locks."""
    from datetime import timedelta

    page = await domain.active_service(demo.db, "tap-leak-repair")  # as the page read it
    ravi = await user_id(demo, "provider@example.com")
    await demo.db.execute("UPDATE services SET price_paise = :p, duration_min = :d WHERE id = :id",
                          {"p": page.price_paise + 10000, "d": page.duration_min + 30, "id": page.id})
    booking_id = await domain.place_booking(demo.db, await _customer(demo), page, ravi, TUE_5PM, DETAILS, NOW)
    row = await demo.db.fetch_one("SELECT price_paise, starts_at, ends_at FROM bookings WHERE id = :id", {"id": booking_id})
    assert row["price_paise"] == page.price_paise + 10000
    assert row["ends_at"] - row["starts_at"] == timedelta(minutes=page.duration_min + 30)


async def test_a_service_withdrawn_after_the_page_read_it_is_not_booked(demo):
    page = await domain.active_service(demo.db, "tap-leak-repair")
    ravi = await user_id(demo, "provider@example.com")
    await demo.db.execute("UPDATE services SET is_active = 0 WHERE id = :id", {"id": page.id})
    with pytest.raises(domain.BookingRefused) as refused:
        await domain.place_booking(demo.db, await _customer(demo), page, ravi, TUE_5PM, DETAILS, NOW)
    assert refused.value.status == 404
    assert await demo.db.fetch_value("SELECT COUNT(*) AS n FROM bookings") == 0


async def test_the_same_service_check_under_the_lock_uses_the_services_length_as_committed(demo):
    """A second booking of the service that overlaps the first only at the service's new, longer
    length is refused as already booked, even when the caller's copy has the old length."""
    from datetime import timedelta

    page = await domain.active_service(demo.db, "tap-leak-repair")
    ravi = await user_id(demo, "provider@example.com")
    customer = await _customer(demo)
    later = TUE_5PM + page.duration + timedelta(minutes=30)  # clear of 5 pm at the old length
    first = await domain.place_booking(demo.db, customer, page, ravi, later, DETAILS, NOW)
    await demo.db.execute("UPDATE services SET duration_min = :d WHERE id = :id", {"d": page.duration_min + 60, "id": page.id})
    with pytest.raises(domain.AlreadyBooked) as already:
        await domain.place_booking(demo.db, customer, page, ravi, TUE_5PM, DETAILS, NOW)
    assert already.value.booking_id == first
