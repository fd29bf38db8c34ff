-- After the booking: the job's timeline, late changes with a fee, receipts and payment,
-- a provider's UPI id and "not taking more jobs today".
-- Timeline: status stays 'confirmed' while the professional is on the way and working; the
-- instants say how far the job got (completed_at is set with status 'completed').
ALTER TABLE bookings
    ADD COLUMN on_the_way_at DATETIME NULL,
    ADD COLUMN started_at DATETIME NULL,
    ADD COLUMN completed_at DATETIME NULL,
    ADD COLUMN late_fee_paise BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN no_show TINYINT NOT NULL DEFAULT 0,
    ADD COLUMN receipt_number VARCHAR(20) NULL,
    ADD COLUMN receipt_at DATETIME NULL,
    ADD COLUMN paid_at DATETIME NULL,
    ADD COLUMN paid_method VARCHAR(4) NULL,
    ADD COLUMN paid_reference VARCHAR(40) NOT NULL DEFAULT '',
    ADD CONSTRAINT ck_bookings_late_fee CHECK (late_fee_paise >= 0),
    ADD CONSTRAINT ck_bookings_paid_method CHECK (paid_method IS NULL OR paid_method IN ('cash', 'upi')),
    ADD UNIQUE KEY uq_bookings_receipt (receipt_number);

-- The fee for cancelling or moving within the free window (3 hours), owed to the professional.
ALTER TABLE services
    ADD COLUMN late_fee_paise BIGINT NOT NULL DEFAULT 9900,
    ADD CONSTRAINT ck_services_late_fee CHECK (late_fee_paise >= 0);

-- upi_id: where customers pay (validated in the app). off_today: the provider-local date on which
-- the provider takes no more jobs (the rest of that day's free times are withdrawn).
ALTER TABLE providers
    ADD COLUMN upi_id VARCHAR(60) NULL,
    ADD COLUMN off_today DATE NULL;

-- Receipt numbers run 1, 2, 3, ... within each year: one row per year, raised under its row lock.
CREATE TABLE receipt_counters (
    year INT NOT NULL PRIMARY KEY,
    last_number INT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
