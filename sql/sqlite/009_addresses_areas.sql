-- A customer's address book, the PIN codes each provider serves, PIN codes customers left
-- for later (outside every area), and professionals' photos.
CREATE TABLE addresses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    house TEXT NOT NULL,
    street TEXT NOT NULL,
    area TEXT NOT NULL,
    city TEXT NOT NULL,
    pin_code TEXT NOT NULL,
    landmark TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    last_used_at DATETIME NULL
);
CREATE INDEX ix_addresses_user ON addresses (user_id, last_used_at);

CREATE TABLE provider_areas (
    provider_id INTEGER NOT NULL REFERENCES providers (user_id) ON DELETE CASCADE,
    pin_code TEXT NOT NULL,
    PRIMARY KEY (provider_id, pin_code)
);
CREATE INDEX ix_provider_areas_pin ON provider_areas (pin_code);

CREATE TABLE area_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pin_code TEXT NOT NULL,
    email TEXT NOT NULL,
    service_id INTEGER NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX ix_area_requests_pin ON area_requests (pin_code, created_at);

-- A professional's photo, already resized and stripped of metadata (JPEG, base64).
CREATE TABLE avatars (
    user_id INTEGER NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    image_b64 TEXT NOT NULL,  -- base64, as on MySQL
    updated_at DATETIME NOT NULL
);

-- The saved address a booking went to ("Book again" offers it again).
ALTER TABLE bookings ADD COLUMN address_id INTEGER NULL;
