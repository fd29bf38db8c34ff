-- name: lock_provider
-- Row lock on the provider's existing row (not a range of bookings: an empty range
-- takes gap locks that don't exclude each other, and two inserts then deadlock).
SELECT user_id, verified FROM providers WHERE user_id = :provider_id FOR UPDATE;

-- name: lock_customer
SELECT id FROM users WHERE id = :customer_id FOR UPDATE;
