-- The admin console's audit trail, customers' reviews of completed jobs, and provider suspension.
-- Every admin change writes one audit_log row in the same transaction as the change.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    admin_id INTEGER NOT NULL REFERENCES users (id),
    action TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id INTEGER NULL,
    detail TEXT NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX ix_audit_log_created ON audit_log (created_at, id);
CREATE INDEX ix_audit_log_subject ON audit_log (subject_type, subject_id);

-- One review per booking; ratings are whole stars, so averages are exact from integer sums.
CREATE TABLE reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    booking_id INTEGER NOT NULL UNIQUE REFERENCES bookings (id),
    customer_id INTEGER NOT NULL REFERENCES users (id),
    provider_id INTEGER NOT NULL REFERENCES providers (user_id),
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    body TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    reply TEXT NULL,
    replied_at DATETIME NULL
);
CREATE INDEX ix_reviews_provider ON reviews (provider_id, created_at);

-- A suspended provider also has verified = 0, so every catalogue and booking check
-- (which already require verified) leaves them out; suspended_at tells a suspension
-- apart from a provider who was never verified.
ALTER TABLE providers ADD COLUMN suspended_at DATETIME NULL;
