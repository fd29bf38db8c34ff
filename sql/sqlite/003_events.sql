-- The event outbox: one row per change that someone may be watching, written in the
-- same transaction as the change.  Each process's broadcaster tails it by id.
-- AUTOINCREMENT so an id is never reused, even after the newest rows are pruned:
-- a reused id at or below a tailer's position would never be delivered.
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX ix_events_topic ON events (topic, id);
