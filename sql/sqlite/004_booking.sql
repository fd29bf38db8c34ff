-- Catalogue, provider availability, bookings and in-app notifications.
CREATE TABLE categories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    women_only INTEGER NOT NULL DEFAULT 0,
    position INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE services (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    category_id INTEGER NOT NULL REFERENCES categories (id),
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    included TEXT NOT NULL DEFAULT '',
    duration_min INTEGER NOT NULL CHECK (duration_min > 0 AND duration_min <= 720),
    price_paise INTEGER NOT NULL CHECK (price_paise >= 0),
    women_only INTEGER NOT NULL DEFAULT 0,
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL
);

CREATE TABLE provider_services (
    provider_id INTEGER NOT NULL REFERENCES providers (user_id) ON DELETE CASCADE,
    service_id INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    PRIMARY KEY (provider_id, service_id)
);
CREATE INDEX ix_provider_services_service ON provider_services (service_id);

-- Several intervals per weekday (0 = Monday); the gaps between them are breaks.
CREATE TABLE working_hours (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id INTEGER NOT NULL REFERENCES providers (user_id) ON DELETE CASCADE,
    weekday INTEGER NOT NULL,
    start_min INTEGER NOT NULL,
    end_min INTEGER NOT NULL,
    CHECK (weekday BETWEEN 0 AND 6 AND start_min >= 0 AND end_min <= 1440 AND start_min < end_min)
);
CREATE INDEX ix_working_hours_provider ON working_hours (provider_id, weekday);

CREATE TABLE time_off (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id INTEGER NOT NULL REFERENCES providers (user_id) ON DELETE CASCADE,
    starts_at DATETIME NOT NULL,
    ends_at DATETIME NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    CHECK (starts_at < ends_at)
);
CREATE INDEX ix_time_off_provider ON time_off (provider_id, starts_at);

-- active_start is NULL for cancelled bookings, so the unique index allows one active
-- booking per provider and start (the same generated-column design as on MySQL).
CREATE TABLE bookings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL REFERENCES users (id),
    provider_id INTEGER NOT NULL REFERENCES providers (user_id),
    service_id INTEGER NOT NULL REFERENCES services (id),
    starts_at DATETIME NOT NULL,
    ends_at DATETIME NOT NULL,
    status TEXT NOT NULL DEFAULT 'confirmed' CHECK (status IN ('pending', 'confirmed', 'completed', 'cancelled')),
    address TEXT NOT NULL,
    phone TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    price_paise INTEGER NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    cancelled_at DATETIME NULL,
    cancelled_by TEXT NULL,
    cancel_reason TEXT NOT NULL DEFAULT '',
    active_start DATETIME GENERATED ALWAYS AS (CASE WHEN status = 'cancelled' THEN NULL ELSE starts_at END) VIRTUAL,
    CHECK (starts_at < ends_at)
);
CREATE UNIQUE INDEX uq_bookings_active_slot ON bookings (provider_id, active_start);
CREATE INDEX ix_bookings_provider_time ON bookings (provider_id, starts_at);
CREATE INDEX ix_bookings_customer ON bookings (customer_id, starts_at);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    booking_id INTEGER NULL,
    created_at DATETIME NOT NULL,
    read_at DATETIME NULL
);
CREATE INDEX ix_notifications_user ON notifications (user_id, read_at);
