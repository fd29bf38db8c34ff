-- name: select_provider_appointments
-- A provider's appointments from a moment on (today's and upcoming, cancelled ones included so they show as such).
SELECT b.id, b.customer_id, b.starts_at, b.ends_at, b.status, b.address, b.phone, b.notes, b.price_paise,
       b.created_at, b.updated_at, b.cancelled_by, b.cancel_reason,
       b.on_the_way_at, b.started_at, b.completed_at, b.late_fee_paise, b.receipt_number, b.paid_at, b.paid_method,
       s.name AS service_name, s.name_hi AS service_name_hi, cu.name AS customer_name
FROM bookings b
JOIN services s ON s.id = b.service_id
JOIN users cu ON cu.id = b.customer_id
WHERE b.provider_id = :provider_id AND b.ends_at > :from_at
ORDER BY b.starts_at, b.id;

-- name: select_provider_overdue
-- "Needs completing": confirmed jobs that ended before the start of today (:before) and started at most
-- 30 days ago (:since), oldest first; :limit is one more than the dashboard shows.
SELECT b.id, b.customer_id, b.starts_at, b.ends_at, b.status, b.address, b.phone, b.price_paise,
       b.on_the_way_at, b.started_at, b.completed_at, b.late_fee_paise, b.receipt_number, b.paid_at, b.paid_method,
       s.name AS service_name, s.name_hi AS service_name_hi, cu.name AS customer_name
FROM bookings b
JOIN services s ON s.id = b.service_id
JOIN users cu ON cu.id = b.customer_id
WHERE b.provider_id = :provider_id AND b.status = 'confirmed' AND b.ends_at <= :before AND b.starts_at >= :since
ORDER BY b.starts_at, b.id
LIMIT :limit;

-- name: select_provider_booking
-- One booking of one provider (NULL for another provider's booking).
SELECT b.id, b.customer_id, b.provider_id, b.starts_at, b.ends_at, b.status, b.price_paise,
       b.on_the_way_at, b.started_at, b.late_fee_paise, b.receipt_number, b.paid_at,
       s.name AS service_name, s.name_hi AS service_name_hi, p.timezone
FROM bookings b
JOIN services s ON s.id = b.service_id
JOIN providers p ON p.user_id = b.provider_id
WHERE b.id = :id AND b.provider_id = :provider_id;

-- name: complete_booking
UPDATE bookings SET status = 'completed', completed_at = :now, updated_at = :now WHERE id = :id AND status = 'confirmed';

-- name: bump_calendar_sequence
-- A reschedule or cancel: calendar apps replace the event with the same UID and a higher SEQUENCE.
UPDATE bookings SET calendar_sequence = calendar_sequence + 1 WHERE id = :id;

-- name: count_unread_notifications
SELECT COUNT(*) AS n FROM notifications WHERE user_id = :user_id AND read_at IS NULL;

-- name: select_notifications
SELECT id, kind, message, message_key, message_params, booking_id, created_at, read_at FROM notifications
WHERE user_id = :user_id ORDER BY id DESC LIMIT :limit;

-- name: mark_notifications_read
UPDATE notifications SET read_at = :now WHERE user_id = :user_id AND read_at IS NULL AND id <= :up_to;

-- name: select_upcoming_confirmed
-- Confirmed bookings of a provider that end after a moment (stranding checks, the calendar feed).
SELECT b.id, b.service_id, b.starts_at, b.ends_at, b.address, b.phone, b.notes, b.calendar_sequence, b.status,
       s.name AS service_name, s.name_hi AS service_name_hi, cu.name AS customer_name
FROM bookings b
JOIN services s ON s.id = b.service_id
JOIN users cu ON cu.id = b.customer_id
WHERE b.provider_id = :provider_id AND b.status = 'confirmed' AND b.ends_at > :from_at
ORDER BY b.starts_at;

-- name: delete_working_hours
DELETE FROM working_hours WHERE provider_id = :provider_id;

-- name: update_provider_rules
UPDATE providers SET buffer_min = :buffer_min, min_notice_min = :min_notice_min WHERE user_id = :provider_id;

-- name: select_upcoming_time_off
SELECT id, starts_at, ends_at, reason FROM time_off
WHERE provider_id = :provider_id AND ends_at > :from_at ORDER BY starts_at;

-- name: delete_time_off
DELETE FROM time_off WHERE id = :id AND provider_id = :provider_id;

-- name: delete_provider_services
DELETE FROM provider_services WHERE provider_id = :provider_id;

-- name: select_all_services_for_editor
SELECT s.id, s.name, s.name_hi, s.women_only, c.name AS category_name, c.name_hi AS category_name_hi
FROM services s JOIN categories c ON c.id = s.category_id
WHERE s.is_active = 1
ORDER BY c.position, s.name;

-- name: update_hourly_rate
UPDATE providers SET hourly_rate_paise = :rate WHERE user_id = :provider_id;

-- name: select_earnings_plan
SELECT planned_minutes_week, working_days_week FROM earnings_plans WHERE provider_id = :provider_id;

-- name: delete_earnings_plan
DELETE FROM earnings_plans WHERE provider_id = :provider_id;

-- name: insert_earnings_plan
INSERT INTO earnings_plans (provider_id, planned_minutes_week, working_days_week, updated_at)
VALUES (:provider_id, :planned_minutes_week, :working_days_week, :now);

-- name: select_completed_jobs
-- Completed jobs of a provider, oldest first (actual earnings and the CSV export).
SELECT b.id, b.starts_at, b.ends_at, b.price_paise, s.name AS service_name, s.name_hi AS service_name_hi, cu.name AS customer_name
FROM bookings b
JOIN services s ON s.id = b.service_id
JOIN users cu ON cu.id = b.customer_id
WHERE b.provider_id = :provider_id AND b.status = 'completed' AND b.starts_at >= :from_at
ORDER BY b.starts_at, b.id;

-- name: revoke_calendar_feeds
UPDATE calendar_feeds SET revoked_at = :now WHERE provider_id = :provider_id AND revoked_at IS NULL;

-- name: insert_calendar_feed
INSERT INTO calendar_feeds (provider_id, secret_hash, created_at) VALUES (:provider_id, :secret_hash, :now);

-- name: select_calendar_feed
SELECT id, provider_id FROM calendar_feeds WHERE secret_hash = :secret_hash AND revoked_at IS NULL;

-- name: select_active_calendar_feed
SELECT id, created_at FROM calendar_feeds WHERE provider_id = :provider_id AND revoked_at IS NULL;

-- name: select_provider_suspended
-- When the provider was suspended (NULL while not suspended); read under lock_provider by changes.
SELECT suspended_at FROM providers WHERE user_id = :provider_id;
