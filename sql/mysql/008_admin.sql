-- The admin console's audit trail, customers' reviews of completed jobs, and provider suspension.
-- Every admin change writes one audit_log row in the same transaction as the change.
CREATE TABLE audit_log (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    admin_id BIGINT NOT NULL,
    action VARCHAR(40) NOT NULL,
    subject_type VARCHAR(30) NOT NULL,
    subject_id BIGINT NULL,
    detail TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    KEY ix_audit_log_created (created_at, id),
    KEY ix_audit_log_subject (subject_type, subject_id),
    CONSTRAINT fk_audit_log_admin FOREIGN KEY (admin_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One review per booking; ratings are whole stars, so averages are exact from integer sums.
CREATE TABLE reviews (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    booking_id BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    provider_id BIGINT NOT NULL,
    rating TINYINT NOT NULL,
    body TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    reply TEXT NULL,
    replied_at DATETIME NULL,
    UNIQUE KEY uq_reviews_booking (booking_id),
    KEY ix_reviews_provider (provider_id, created_at),
    CONSTRAINT fk_reviews_booking FOREIGN KEY (booking_id) REFERENCES bookings (id),
    CONSTRAINT fk_reviews_customer FOREIGN KEY (customer_id) REFERENCES users (id),
    CONSTRAINT fk_reviews_provider FOREIGN KEY (provider_id) REFERENCES providers (user_id),
    CONSTRAINT ck_reviews_rating CHECK (rating BETWEEN 1 AND 5)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A suspended provider also has verified = 0, so every catalogue and booking check
-- (which already require verified) leaves them out; suspended_at tells a suspension
-- apart from a provider who was never verified.
ALTER TABLE providers ADD COLUMN suspended_at DATETIME NULL;
