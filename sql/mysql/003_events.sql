-- The event outbox: one row per change that someone may be watching, written in the
-- same transaction as the change.  Each process's broadcaster tails it by id.
CREATE TABLE events (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    topic VARCHAR(120) NOT NULL,
    kind VARCHAR(40) NOT NULL,
    payload TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    KEY ix_events_topic (topic, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
