-- Provider dashboard: calendar SEQUENCE per booking, private calendar feeds, earnings plans.
-- calendar_sequence is the iCalendar SEQUENCE of the booking's event: raised on every
-- reschedule and cancel, so calendar apps replace the entry with the same UID.
ALTER TABLE bookings ADD COLUMN calendar_sequence INT NOT NULL DEFAULT 0;

-- A provider's private calendar feed URL; only the SHA-256 of its secret is stored.
-- "Make a new link" revokes the active one (revoked_at) and inserts another.
CREATE TABLE calendar_feeds (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    provider_id BIGINT NOT NULL,
    secret_hash CHAR(64) NOT NULL,
    created_at DATETIME NOT NULL,
    revoked_at DATETIME NULL,
    UNIQUE KEY uq_calendar_feeds_secret (secret_hash),
    KEY ix_calendar_feeds_provider (provider_id),
    CONSTRAINT fk_calendar_feeds_provider FOREIGN KEY (provider_id) REFERENCES providers (user_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Planned working time for the earnings projection (the hourly rate is providers.hourly_rate_paise).
CREATE TABLE earnings_plans (
    provider_id BIGINT NOT NULL PRIMARY KEY,
    planned_minutes_week INT NOT NULL,
    working_days_week INT NOT NULL,
    updated_at DATETIME NOT NULL,
    CONSTRAINT fk_earnings_plans_provider FOREIGN KEY (provider_id) REFERENCES providers (user_id) ON DELETE CASCADE,
    CONSTRAINT ck_earnings_plans CHECK (planned_minutes_week BETWEEN 0 AND 10080 AND working_days_week BETWEEN 0 AND 7)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
