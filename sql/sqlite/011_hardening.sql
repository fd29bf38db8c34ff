-- Bookings refused because the customer holds as many upcoming bookings as allowed
-- (booking.domain.BookingLimitReached): the admin console lists the accounts that hit a cap.
CREATE TABLE booking_limit_hits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider_id INTEGER NULL,
    cap VARCHAR(20) NOT NULL CHECK (cap IN ('upcoming', 'per_provider', 'new_account')),
    created_at DATETIME NOT NULL
);
CREATE INDEX ix_booking_limit_hits_created ON booking_limit_hits (created_at);
CREATE INDEX ix_booking_limit_hits_customer ON booking_limit_hits (customer_id, created_at);
