-- name: insert_user
-- A new account; the email is already lower-cased.
INSERT INTO users (email, name, phone, gender, role, password_hash, is_active, created_at, password_changed_at)
VALUES (:email, :name, :phone, :gender, :role, :password_hash, 1, :now, :now);

-- name: select_user_by_email
SELECT id, email, name, phone, gender, role, locale, password_hash, is_active, created_at, password_changed_at
FROM users WHERE email = :email;

-- name: select_user_by_id
SELECT id, email, name, phone, gender, role, locale, password_hash, is_active, created_at, password_changed_at
FROM users WHERE id = :id;

-- name: update_user_profile
UPDATE users SET name = :name, phone = :phone WHERE id = :id;

-- name: update_user_gender
UPDATE users SET gender = :gender WHERE id = :id AND role = 'customer';

-- name: update_user_password
UPDATE users SET password_hash = :password_hash, password_changed_at = :now WHERE id = :id;

-- name: insert_session
INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, user_agent)
VALUES (:id_hash, :user_id, :now, :now, :user_agent);

-- name: select_session_user
-- The account behind a login session that has not expired, if it is still active (read for every
-- request of a logged-in user: only what User and the touch need; each column's description costs
-- the driver as much as a short row).
SELECT u.id, u.email, u.name, u.phone, u.gender, u.role, u.locale, s.last_seen_at
FROM sessions s JOIN users u ON u.id = s.user_id
WHERE s.id_hash = :id_hash AND s.created_at > :not_before AND u.is_active = 1;

-- name: touch_session
UPDATE sessions SET last_seen_at = :now WHERE id_hash = :id_hash;

-- name: delete_session
DELETE FROM sessions WHERE id_hash = :id_hash;

-- name: delete_user_sessions
DELETE FROM sessions WHERE user_id = :user_id;

-- name: delete_other_user_sessions
DELETE FROM sessions WHERE user_id = :user_id AND id_hash <> :keep_id_hash;

-- name: count_user_sessions
SELECT COUNT(*) AS n FROM sessions WHERE user_id = :user_id;

-- name: insert_provider_profile
INSERT INTO providers (user_id, bio, timezone, hourly_rate_paise, verified, created_at)
VALUES (:user_id, :bio, :timezone, :hourly_rate_paise, :verified, :now);

-- name: update_user_locale
UPDATE users SET locale = :locale WHERE id = :id;

-- name: select_locale_by_email
-- The language to write a mail in.
SELECT locale FROM users WHERE email = :email;
