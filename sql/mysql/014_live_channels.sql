-- Streams held by Pushpin (GRIHASEVA_GRIP_URL): one row per channel, written when a stream is
-- held, so whichever process holds the publishing lease knows every channel to render for.
CREATE TABLE live_channels (
    channel VARCHAR(80) NOT NULL PRIMARY KEY,
    path VARCHAR(600) NOT NULL,
    session_hash VARCHAR(64) NULL,
    held_at DATETIME NOT NULL,
    KEY ix_live_channels_held (held_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
