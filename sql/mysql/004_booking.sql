-- Catalogue, provider availability, bookings and in-app notifications.
CREATE TABLE categories (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    slug VARCHAR(60) NOT NULL,
    name VARCHAR(100) NOT NULL,
    description VARCHAR(500) NOT NULL DEFAULT '',
    women_only TINYINT NOT NULL DEFAULT 0,
    position INT NOT NULL DEFAULT 0,
    UNIQUE KEY uq_categories_slug (slug)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE services (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    category_id BIGINT NOT NULL,
    slug VARCHAR(80) NOT NULL,
    name VARCHAR(120) NOT NULL,
    summary VARCHAR(300) NOT NULL DEFAULT '',
    included VARCHAR(500) NOT NULL DEFAULT '',
    duration_min INT NOT NULL,
    price_paise BIGINT NOT NULL,
    women_only TINYINT NOT NULL DEFAULT 0,
    is_active TINYINT NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL,
    UNIQUE KEY uq_services_slug (slug),
    CONSTRAINT fk_services_category FOREIGN KEY (category_id) REFERENCES categories (id),
    CONSTRAINT ck_services_duration CHECK (duration_min > 0 AND duration_min <= 720),
    CONSTRAINT ck_services_price CHECK (price_paise >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE provider_services (
    provider_id BIGINT NOT NULL,
    service_id BIGINT NOT NULL,
    PRIMARY KEY (provider_id, service_id),
    KEY ix_provider_services_service (service_id),
    CONSTRAINT fk_ps_provider FOREIGN KEY (provider_id) REFERENCES providers (user_id) ON DELETE CASCADE,
    CONSTRAINT fk_ps_service FOREIGN KEY (service_id) REFERENCES services (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Several intervals per weekday (0 = Monday); the gaps between them are breaks.
CREATE TABLE working_hours (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    provider_id BIGINT NOT NULL,
    weekday TINYINT NOT NULL,
    start_min INT NOT NULL,
    end_min INT NOT NULL,
    KEY ix_working_hours_provider (provider_id, weekday),
    CONSTRAINT fk_wh_provider FOREIGN KEY (provider_id) REFERENCES providers (user_id) ON DELETE CASCADE,
    CONSTRAINT ck_wh_range CHECK (weekday BETWEEN 0 AND 6 AND start_min >= 0 AND end_min <= 1440 AND start_min < end_min)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE time_off (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    provider_id BIGINT NOT NULL,
    starts_at DATETIME NOT NULL,
    ends_at DATETIME NOT NULL,
    reason VARCHAR(200) NOT NULL DEFAULT '',
    KEY ix_time_off_provider (provider_id, starts_at),
    CONSTRAINT fk_to_provider FOREIGN KEY (provider_id) REFERENCES providers (user_id) ON DELETE CASCADE,
    CONSTRAINT ck_to_range CHECK (starts_at < ends_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- active_start is NULL for cancelled bookings, so the unique key allows one active
-- booking per provider and start (MySQL has no partial unique index).
CREATE TABLE bookings (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    customer_id BIGINT NOT NULL,
    provider_id BIGINT NOT NULL,
    service_id BIGINT NOT NULL,
    starts_at DATETIME NOT NULL,
    ends_at DATETIME NOT NULL,
    status VARCHAR(12) NOT NULL DEFAULT 'confirmed',
    address VARCHAR(300) NOT NULL,
    phone VARCHAR(20) NOT NULL,
    notes VARCHAR(500) NOT NULL DEFAULT '',
    price_paise BIGINT NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    cancelled_at DATETIME NULL,
    cancelled_by VARCHAR(12) NULL,
    cancel_reason VARCHAR(300) NOT NULL DEFAULT '',
    active_start DATETIME AS (IF(status = 'cancelled', NULL, starts_at)) VIRTUAL,
    UNIQUE KEY uq_bookings_active_slot (provider_id, active_start),
    KEY ix_bookings_provider_time (provider_id, starts_at),
    KEY ix_bookings_customer (customer_id, starts_at),
    CONSTRAINT fk_bookings_customer FOREIGN KEY (customer_id) REFERENCES users (id),
    CONSTRAINT fk_bookings_provider FOREIGN KEY (provider_id) REFERENCES providers (user_id),
    CONSTRAINT fk_bookings_service FOREIGN KEY (service_id) REFERENCES services (id),
    CONSTRAINT ck_bookings_status CHECK (status IN ('pending', 'confirmed', 'completed', 'cancelled')),
    CONSTRAINT ck_bookings_range CHECK (starts_at < ends_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE notifications (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    kind VARCHAR(30) NOT NULL,
    message VARCHAR(300) NOT NULL,
    booking_id BIGINT NULL,
    created_at DATETIME NOT NULL,
    read_at DATETIME NULL,
    KEY ix_notifications_user (user_id, read_at),
    CONSTRAINT fk_notifications_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
