-- After the booking: the job's timeline, late changes with a fee, receipts and payment,
-- a provider's UPI id and "not taking more jobs today".
-- Timeline: status stays 'confirmed' while the professional is on the way and working; the
-- instants say how far the job got (completed_at is set with status 'completed').
ALTER TABLE bookings ADD COLUMN on_the_way_at DATETIME NULL;
ALTER TABLE bookings ADD COLUMN started_at DATETIME NULL;
ALTER TABLE bookings ADD COLUMN completed_at DATETIME NULL;
ALTER TABLE bookings ADD COLUMN late_fee_paise INTEGER NOT NULL DEFAULT 0 CHECK (late_fee_paise >= 0);
ALTER TABLE bookings ADD COLUMN no_show INTEGER NOT NULL DEFAULT 0;
ALTER TABLE bookings ADD COLUMN receipt_number TEXT NULL;
ALTER TABLE bookings ADD COLUMN receipt_at DATETIME NULL;
ALTER TABLE bookings ADD COLUMN paid_at DATETIME NULL;
ALTER TABLE bookings ADD COLUMN paid_method TEXT NULL CHECK (paid_method IS NULL OR paid_method IN ('cash', 'upi'));
ALTER TABLE bookings ADD COLUMN paid_reference TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX uq_bookings_receipt ON bookings (receipt_number);

-- The fee for cancelling or moving within the free window (3 hours), owed to the professional.
ALTER TABLE services ADD COLUMN late_fee_paise INTEGER NOT NULL DEFAULT 9900 CHECK (late_fee_paise >= 0);

-- upi_id: where customers pay (validated in the app). off_today: the provider-local date on which
-- the provider takes no more jobs (the rest of that day's free times are withdrawn).
ALTER TABLE providers ADD COLUMN upi_id TEXT NULL;
ALTER TABLE providers ADD COLUMN off_today DATE NULL;

-- Receipt numbers run 1, 2, 3, ... within each year: one row per year, raised under its row lock.
CREATE TABLE receipt_counters (
    year INTEGER NOT NULL PRIMARY KEY,
    last_number INTEGER NOT NULL
);
