-- Bookings refused because the customer holds as many upcoming bookings as allowed
-- (booking.domain.BookingLimitReached): the admin console lists the accounts that hit a cap.
CREATE TABLE booking_limit_hits (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    customer_id BIGINT NOT NULL,
    provider_id BIGINT NULL,
    cap VARCHAR(20) NOT NULL,
    created_at DATETIME NOT NULL,
    KEY ix_booking_limit_hits_created (created_at),
    KEY ix_booking_limit_hits_customer (customer_id, created_at),
    CONSTRAINT fk_booking_limit_hits_customer FOREIGN KEY (customer_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT ck_booking_limit_hits_cap CHECK (cap IN ('upcoming', 'per_provider', 'new_account'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
