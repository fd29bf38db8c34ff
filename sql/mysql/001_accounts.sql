-- Accounts, their login sessions, and the rate-limit hits that throttle abuse.
CREATE TABLE users (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    -- Byte-exact: the code stores addresses lower-cased (accounts.normalize_email), and a
    -- case- and accent-folding collation would make asha@exämple.com the same account as
    -- asha@example.com.
    email VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    name VARCHAR(100) NOT NULL,
    phone VARCHAR(20) NOT NULL,
    gender VARCHAR(10) NOT NULL,
    role VARCHAR(10) NOT NULL,
    password_hash VARCHAR(100) NOT NULL,
    is_active TINYINT NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL,
    password_changed_at DATETIME NOT NULL,
    UNIQUE KEY uq_users_email (email),
    CONSTRAINT ck_users_role CHECK (role IN ('customer', 'provider', 'admin')),
    CONSTRAINT ck_users_gender CHECK (gender IN ('female', 'male', 'other'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE sessions (
    id_hash CHAR(64) NOT NULL PRIMARY KEY,
    user_id BIGINT NOT NULL,
    created_at DATETIME NOT NULL,
    last_seen_at DATETIME NOT NULL,
    user_agent VARCHAR(200) NOT NULL DEFAULT '',
    KEY ix_sessions_user (user_id),
    CONSTRAINT fk_sessions_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE rate_hits (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    bucket VARCHAR(40) NOT NULL,
    subject VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,  -- an address or a client: exact
    created_at DATETIME NOT NULL,
    KEY ix_rate_hits (bucket, subject, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A provider's profile and booking rules; one row per provider account.
CREATE TABLE providers (
    user_id BIGINT NOT NULL PRIMARY KEY,
    bio VARCHAR(500) NOT NULL DEFAULT '',
    timezone VARCHAR(64) NOT NULL DEFAULT 'Asia/Kolkata',
    hourly_rate_paise BIGINT NOT NULL DEFAULT 0,
    buffer_min INT NOT NULL DEFAULT 15,
    min_notice_min INT NOT NULL DEFAULT 120,
    window_days INT NOT NULL DEFAULT 30,
    step_min INT NOT NULL DEFAULT 30,
    verified TINYINT NOT NULL DEFAULT 0,
    created_at DATETIME NOT NULL,
    CONSTRAINT fk_providers_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
