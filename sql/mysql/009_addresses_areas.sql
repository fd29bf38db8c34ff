-- A customer's address book, the PIN codes each provider serves, PIN codes customers left
-- for later (outside every area), and professionals' photos.
CREATE TABLE addresses (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    label VARCHAR(30) NOT NULL,
    house VARCHAR(80) NOT NULL,
    street VARCHAR(100) NOT NULL,
    area VARCHAR(60) NOT NULL,
    city VARCHAR(40) NOT NULL,
    pin_code CHAR(6) NOT NULL,
    landmark VARCHAR(80) NOT NULL,
    created_at DATETIME NOT NULL,
    last_used_at DATETIME NULL,
    KEY ix_addresses_user (user_id, last_used_at),
    CONSTRAINT fk_addresses_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE provider_areas (
    provider_id BIGINT NOT NULL,
    pin_code CHAR(6) NOT NULL,
    PRIMARY KEY (provider_id, pin_code),
    KEY ix_provider_areas_pin (pin_code),
    CONSTRAINT fk_provider_areas_provider FOREIGN KEY (provider_id) REFERENCES providers (user_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE area_requests (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    pin_code CHAR(6) NOT NULL,
    email VARCHAR(254) NOT NULL,
    service_id BIGINT NULL,
    created_at DATETIME NOT NULL,
    KEY ix_area_requests_pin (pin_code, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A professional's photo, already resized and stripped of metadata (JPEG, base64).
CREATE TABLE avatars (
    user_id BIGINT NOT NULL PRIMARY KEY,
    image_b64 MEDIUMTEXT NOT NULL,  -- base64: aiomysql 0.3.2 cannot send bytes parameters
    updated_at DATETIME NOT NULL,
    CONSTRAINT fk_avatars_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The saved address a booking went to ("Book again" offers it again).
ALTER TABLE bookings ADD COLUMN address_id BIGINT NULL;
