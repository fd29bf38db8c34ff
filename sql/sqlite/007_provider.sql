-- Provider dashboard: calendar SEQUENCE per booking, private calendar feeds, earnings plans.
-- calendar_sequence is the iCalendar SEQUENCE of the booking's event: raised on every
-- reschedule and cancel, so calendar apps replace the entry with the same UID.
ALTER TABLE bookings ADD COLUMN calendar_sequence INTEGER NOT NULL DEFAULT 0;

-- A provider's private calendar feed URL; only the SHA-256 of its secret is stored.
-- "Make a new link" revokes the active one (revoked_at) and inserts another.
CREATE TABLE calendar_feeds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id INTEGER NOT NULL REFERENCES providers (user_id) ON DELETE CASCADE,
    secret_hash TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    revoked_at DATETIME NULL
);
CREATE UNIQUE INDEX uq_calendar_feeds_secret ON calendar_feeds (secret_hash);
CREATE INDEX ix_calendar_feeds_provider ON calendar_feeds (provider_id);

-- Planned working time for the earnings projection (the hourly rate is providers.hourly_rate_paise).
CREATE TABLE earnings_plans (
    provider_id INTEGER NOT NULL PRIMARY KEY REFERENCES providers (user_id) ON DELETE CASCADE,
    planned_minutes_week INTEGER NOT NULL CHECK (planned_minutes_week BETWEEN 0 AND 10080),
    working_days_week INTEGER NOT NULL CHECK (working_days_week BETWEEN 0 AND 7),
    updated_at DATETIME NOT NULL
);
