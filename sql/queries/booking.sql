-- name: lock_provider
-- Serialises bookings of one provider (SQLite's BEGIN IMMEDIATE already does; MySQL overrides with FOR UPDATE).
SELECT user_id, verified FROM providers WHERE user_id = :provider_id;

-- name: select_busy
-- Active bookings of a provider that touch [from_at, to_at) (for free-slot computation), bounded
-- on both sides of the (provider_id, active_start) index: busy_after is from_at less 12 hours,
-- the longest job there can be.
SELECT id, starts_at, ends_at FROM bookings
WHERE provider_id = :provider_id AND active_start > :busy_after AND active_start < :to_at AND ends_at > :from_at
ORDER BY active_start;

-- name: count_provider_bookings_between
SELECT COUNT(*) AS n FROM bookings
WHERE provider_id = :provider_id AND status <> 'cancelled' AND starts_at >= :from_at AND starts_at < :to_at;

-- name: insert_booking
INSERT INTO bookings (customer_id, provider_id, service_id, starts_at, ends_at, status, address, phone, notes,
                      price_paise, created_at, updated_at)
VALUES (:customer_id, :provider_id, :service_id, :starts_at, :ends_at, 'confirmed', :address, :phone, :notes,
        :price_paise, :now, :now);

-- name: select_booking
-- One booking with what its pages and its mails show.
SELECT b.id, b.customer_id, b.provider_id, b.service_id, b.starts_at, b.ends_at, b.status, b.address, b.phone,
       b.notes, b.price_paise, b.created_at, b.cancelled_at, b.cancelled_by, b.cancel_reason, b.calendar_sequence,
       b.on_the_way_at, b.started_at, b.completed_at, b.late_fee_paise, b.no_show, b.receipt_number, b.receipt_at,
       b.paid_at, b.paid_method, b.paid_reference, b.address_id,
       s.name AS service_name, s.name_hi AS service_name_hi, s.slug AS service_slug, s.duration_min, s.late_fee_paise AS service_late_fee_paise,
       pu.name AS provider_name, pu.email AS provider_email, pu.phone AS provider_phone, p.timezone, p.upi_id,
       cu.name AS customer_name, cu.email AS customer_email,
       pu.locale AS provider_locale, cu.locale AS customer_locale
FROM bookings b
JOIN services s ON s.id = b.service_id
JOIN providers p ON p.user_id = b.provider_id
JOIN users pu ON pu.id = b.provider_id
JOIN users cu ON cu.id = b.customer_id
WHERE b.id = :id;

-- name: select_customer_bookings
SELECT b.id, b.provider_id, b.starts_at, b.ends_at, b.status, b.address, b.price_paise, b.cancel_reason,
       b.cancelled_by, b.on_the_way_at, b.started_at, b.completed_at, b.late_fee_paise, b.no_show, b.receipt_number,
       b.paid_at, s.late_fee_paise AS service_late_fee_paise, pu.phone AS provider_phone,
       s.name AS service_name, s.name_hi AS service_name_hi, s.slug AS service_slug, pu.name AS provider_name, p.timezone,
       (SELECT COUNT(*) FROM reviews r WHERE r.booking_id = b.id) AS reviewed
FROM bookings b
JOIN services s ON s.id = b.service_id
JOIN providers p ON p.user_id = b.provider_id
JOIN users pu ON pu.id = b.provider_id
WHERE b.customer_id = :customer_id
ORDER BY b.starts_at;

-- name: cancel_booking
UPDATE bookings SET status = 'cancelled', cancelled_at = :now, cancelled_by = :by, cancel_reason = :reason, updated_at = :now
WHERE id = :id AND status = 'confirmed';

-- name: move_booking
UPDATE bookings SET starts_at = :starts_at, ends_at = :ends_at, updated_at = :now
WHERE id = :id AND status = 'confirmed';

-- name: insert_notification
INSERT INTO notifications (user_id, kind, message, message_key, message_params, booking_id, created_at)
VALUES (:user_id, :kind, :message, :message_key, :message_params, :booking_id, :now);

-- name: select_overlapping_active_pairs
-- Integrity check: two active bookings of one provider that overlap (must be empty).
SELECT a.id AS a_id, b.id AS b_id FROM bookings a
JOIN bookings b ON a.provider_id = b.provider_id AND a.id < b.id
WHERE a.status <> 'cancelled' AND b.status <> 'cancelled' AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at;

-- name: lock_customer
-- Serialises one customer's bookings (MySQL overrides with FOR UPDATE): two "any provider"
-- requests pick different providers, so the provider lock alone cannot see a double submit.
-- Always taken before lock_provider.
SELECT id FROM users WHERE id = :customer_id;

-- name: select_customer_same_service_overlap
-- The customer's confirmed booking of this service that overlaps [starts_at, ends_at), if any.
SELECT b.id, b.starts_at, p.name AS provider_name, pr.timezone
FROM bookings b
JOIN users p ON p.id = b.provider_id
JOIN providers pr ON pr.user_id = b.provider_id
WHERE b.customer_id = :customer_id AND b.service_id = :service_id AND b.status = 'confirmed'
  AND b.starts_at < :ends_at AND b.ends_at > :starts_at AND b.id <> :ignore_booking
ORDER BY b.starts_at
LIMIT 1;

-- name: lock_customer_for_booking
-- lock_customer with what the booking's mail needs and what its caps count (booking.domain.
-- refuse_over_cap): the customer's confirmed bookings that have not ended, overall and with the
-- provider, the account's age and whether a job of it was completed (MySQL overrides with FOR UPDATE).
SELECT u.id, u.name, u.email, u.locale, u.created_at,
       (SELECT COUNT(*) FROM bookings b
        WHERE b.customer_id = u.id AND b.status = 'confirmed' AND b.ends_at > :now) AS upcoming,
       (SELECT COUNT(*) FROM bookings b
        WHERE b.customer_id = u.id AND b.provider_id = :provider_id AND b.status = 'confirmed' AND b.ends_at > :now) AS with_provider,
       EXISTS (SELECT 1 FROM bookings b WHERE b.customer_id = u.id AND b.status = 'completed') AS has_completed
FROM users u WHERE u.id = :customer_id;

-- name: select_customer_caps
-- What refuse_over_cap counts, read without a lock, before the confirm step: a customer at a cap
-- is told before filling in the form (the booking counts again under the lock).
SELECT u.created_at,
       (SELECT COUNT(*) FROM bookings b
        WHERE b.customer_id = u.id AND b.status = 'confirmed' AND b.ends_at > :now) AS upcoming,
       (SELECT COUNT(*) FROM bookings b
        WHERE b.customer_id = u.id AND b.provider_id = :provider_id AND b.status = 'confirmed' AND b.ends_at > :now) AS with_provider,
       EXISTS (SELECT 1 FROM bookings b WHERE b.customer_id = u.id AND b.status = 'completed') AS has_completed
FROM users u WHERE u.id = :customer_id;

-- name: lock_provider_for_booking
-- lock_provider with everything a booking checks and shows: the provider's standing, booking
-- rules, name and address, whether they offer the service, and what the booking takes from the
-- service as it is now (whether it is still offered, its length, price and women-only rule: the
-- booking page gives the service as it was read for the page, booking.views._cached_service);
-- and the customer's confirmed booking of the same service that overlaps the new one at the
-- service's length as it is now (select_customer_same_service_overlap's test, read after both
-- locks: the customer's are taken first). MySQL overrides with FOR UPDATE.
SELECT p.user_id, p.verified, p.timezone, p.buffer_min, p.min_notice_min, p.window_days, p.step_min, p.off_today,
       u.name, u.email, u.locale, u.gender, u.is_active, ps.service_id IS NOT NULL AS offers,
       (SELECT s.is_active FROM services s WHERE s.id = :service_id) AS service_active,
       (SELECT s.duration_min FROM services s WHERE s.id = :service_id) AS service_duration_min,
       (SELECT s.price_paise FROM services s WHERE s.id = :service_id) AS service_price_paise,
       (SELECT s.women_only FROM services s WHERE s.id = :service_id) AS service_women_only,
       (SELECT b.id FROM bookings b
        WHERE b.customer_id = :customer_id AND b.service_id = :service_id AND b.status = 'confirmed'
          AND b.starts_at < datetime(:starts_at, '+' || (SELECT s.duration_min FROM services s WHERE s.id = :service_id) || ' minutes') AND b.ends_at > :starts_at
        LIMIT 1) AS same_service_booking
FROM providers p
JOIN users u ON u.id = p.user_id
LEFT JOIN provider_services ps ON ps.provider_id = p.user_id AND ps.service_id = :service_id
WHERE p.user_id = :provider_id;

-- name: select_schedule
-- A provider's whole schedule around a period in one read: active bookings that touch
-- [from_at, to_at) ('busy'; bounded on both sides of the (provider_id, active_start) index:
-- no job is longer than 12 hours, so none that starts before busy_after reaches from_at),
-- time off that touches [off_from, off_to) ('off'), and the weekly working hours ('hours').
-- The 'busy' rows come first: SQLite types the columns by the first SELECT.
SELECT 'busy' AS kind, b.id, b.starts_at, b.ends_at, NULL AS weekday, NULL AS start_min, NULL AS end_min
FROM bookings b
WHERE b.provider_id = :provider_id AND b.active_start > :busy_after AND b.active_start < :to_at AND b.ends_at > :from_at
UNION ALL
SELECT 'off', t.id, t.starts_at, t.ends_at, NULL, NULL, NULL
FROM time_off t
WHERE t.provider_id = :provider_id AND t.ends_at > :off_from AND t.starts_at < :off_to
UNION ALL
SELECT 'hours', NULL, NULL, NULL, w.weekday, w.start_min, w.end_min
FROM working_hours w
WHERE w.provider_id = :provider_id;

-- name: insert_booking_limit_hit
INSERT INTO booking_limit_hits (customer_id, provider_id, cap, created_at)
VALUES (:customer_id, :provider_id, :cap, :now);

-- Trust signals on provider cards (booking/trust.py).  `:ids` is a list: call these only
-- through db.expand, which binds one parameter per id.

-- name: trust_select_completed_jobs
SELECT provider_id, COUNT(*) AS n, MIN(starts_at) AS first FROM bookings
WHERE status = 'completed' AND provider_id IN (:ids)
GROUP BY provider_id;

-- name: trust_select_provider_since
SELECT user_id, created_at FROM providers WHERE user_id IN (:ids);

-- name: trust_select_photo_times
SELECT user_id, updated_at FROM avatars WHERE user_id IN (:ids);

-- name: trust_delete_photo
DELETE FROM avatars WHERE user_id = :id;

-- name: trust_insert_photo
INSERT INTO avatars (user_id, image_b64, updated_at) VALUES (:id, :image, :now);

-- name: trust_select_photo
SELECT image_b64 FROM avatars WHERE user_id = :id;
