-- name: update_password_if_unchanged
-- Set a new password only if the hash is still the one the reset link was made for,
-- so one link can't be used twice, even by two requests at the same moment.
UPDATE users SET password_hash = :password_hash, password_changed_at = :now
WHERE id = :id AND password_hash = :old_hash;
