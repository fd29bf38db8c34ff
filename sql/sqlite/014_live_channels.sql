-- Streams held by Pushpin (GRIHASEVA_GRIP_URL): one row per channel, written when a stream is
-- held, so whichever process holds the publishing lease knows every channel to render for.
CREATE TABLE live_channels (
    channel TEXT NOT NULL PRIMARY KEY,
    path TEXT NOT NULL,
    session_hash TEXT NULL,
    held_at DATETIME NOT NULL
);
CREATE INDEX ix_live_channels_held ON live_channels (held_at);
