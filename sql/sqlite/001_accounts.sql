-- Accounts, their login sessions, and the rate-limit hits that throttle abuse.
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL,  -- byte-exact, as on MySQL: the code stores addresses lower-cased
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    gender TEXT NOT NULL CHECK (gender IN ('female', 'male', 'other')),
    role TEXT NOT NULL CHECK (role IN ('customer', 'provider', 'admin')),
    password_hash TEXT NOT NULL,
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL,
    password_changed_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_users_email ON users (email);

CREATE TABLE sessions (
    id_hash TEXT NOT NULL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at DATETIME NOT NULL,
    last_seen_at DATETIME NOT NULL,
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ix_sessions_user ON sessions (user_id);

CREATE TABLE rate_hits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    bucket TEXT NOT NULL,
    subject TEXT NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX ix_rate_hits ON rate_hits (bucket, subject, created_at);

-- A provider's profile and booking rules; one row per provider account.
CREATE TABLE providers (
    user_id INTEGER NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    bio TEXT NOT NULL DEFAULT '',
    timezone TEXT NOT NULL DEFAULT 'Asia/Kolkata',
    hourly_rate_paise INTEGER NOT NULL DEFAULT 0,
    buffer_min INTEGER NOT NULL DEFAULT 15,
    min_notice_min INTEGER NOT NULL DEFAULT 120,
    window_days INTEGER NOT NULL DEFAULT 30,
    step_min INTEGER NOT NULL DEFAULT 30,
    verified INTEGER NOT NULL DEFAULT 0,
    created_at DATETIME NOT NULL
);
