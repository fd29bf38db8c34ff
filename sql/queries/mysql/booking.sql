-- name: lock_provider
-- Row lock on the provider's existing row (not a range of bookings: an empty range
-- takes gap locks that don't exclude each other, and two inserts then deadlock).
SELECT user_id, verified FROM providers WHERE user_id = :provider_id FOR UPDATE;

-- name: lock_customer
SELECT id FROM users WHERE id = :customer_id FOR UPDATE;

-- name: lock_customer_for_booking
-- The counts are subqueries on the locked row, so they run after its lock is granted and (READ
-- COMMITTED) see every booking committed by a transaction that held the lock before.
SELECT u.id, u.name, u.email, u.locale, u.created_at,
       (SELECT COUNT(*) FROM bookings b
        WHERE b.customer_id = u.id AND b.status = 'confirmed' AND b.ends_at > :now) AS upcoming,
       (SELECT COUNT(*) FROM bookings b
        WHERE b.customer_id = u.id AND b.provider_id = :provider_id AND b.status = 'confirmed' AND b.ends_at > :now) AS with_provider,
       EXISTS (SELECT 1 FROM bookings b WHERE b.customer_id = u.id AND b.status = 'completed') AS has_completed
FROM users u WHERE u.id = :customer_id FOR UPDATE;

-- name: lock_provider_for_booking
-- Locks the provider's row like lock_provider (and its users row, and the provider_services row:
-- a locking read sees the latest commit, so a service dropped meanwhile reads as not offered).
-- The service's own columns are subqueries: a locking read does not lock a subquery's rows
-- (MariaDB, like MySQL), so bookings of one service never queue on its row.
SELECT p.user_id, p.verified, p.timezone, p.buffer_min, p.min_notice_min, p.window_days, p.step_min, p.off_today,
       u.name, u.email, u.locale, u.gender, u.is_active, ps.service_id IS NOT NULL AS offers,
       (SELECT s.is_active FROM services s WHERE s.id = :service_id) AS service_active,
       (SELECT s.duration_min FROM services s WHERE s.id = :service_id) AS service_duration_min,
       (SELECT s.price_paise FROM services s WHERE s.id = :service_id) AS service_price_paise,
       (SELECT s.women_only FROM services s WHERE s.id = :service_id) AS service_women_only,
       (SELECT b.id FROM bookings b
        WHERE b.customer_id = :customer_id AND b.service_id = :service_id AND b.status = 'confirmed'
          AND b.starts_at < :starts_at + INTERVAL (SELECT s.duration_min FROM services s WHERE s.id = :service_id) MINUTE AND b.ends_at > :starts_at
        LIMIT 1) AS same_service_booking
FROM providers p
JOIN users u ON u.id = p.user_id
LEFT JOIN provider_services ps ON ps.provider_id = p.user_id AND ps.service_id = :service_id
WHERE p.user_id = :provider_id FOR UPDATE;
