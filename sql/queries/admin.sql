-- name: audit_insert
INSERT INTO audit_log (admin_id, action, subject_type, subject_id, detail, created_at)
VALUES (:admin_id, :action, :subject_type, :subject_id, :detail, :now);

-- name: audit_select_recent
-- The newest audit rows with who made each change.
SELECT a.id, a.admin_id, a.action, a.subject_type, a.subject_id, a.detail, a.created_at,
       u.name AS admin_name, u.email AS admin_email
FROM audit_log a JOIN users u ON u.id = a.admin_id
ORDER BY a.created_at DESC, a.id DESC
LIMIT :limit OFFSET :offset;

-- name: admin_select_services
-- Every service, active or not, with its category, for the catalogue page.
SELECT s.id, s.slug, s.name, s.summary, s.included, s.name_hi, s.summary_hi, s.included_hi, s.duration_min, s.price_paise, s.women_only, s.is_active,
       s.category_id, c.name AS category_name, c.name_hi AS category_name_hi, c.slug AS category_slug
FROM services s JOIN categories c ON c.id = s.category_id
ORDER BY c.position, c.name, s.name;

-- name: admin_select_category
SELECT id, slug, name, description, name_hi, description_hi, women_only, position FROM categories WHERE id = :id;

-- name: admin_next_category_position
SELECT COALESCE(MAX(position), -1) + 1 AS n FROM categories;

-- name: admin_update_category
UPDATE categories SET name = :name, description = :description, name_hi = :name_hi, description_hi = :description_hi,
       women_only = :women_only
WHERE id = :id;

-- name: admin_update_service
UPDATE services SET category_id = :category_id, name = :name, summary = :summary, included = :included,
       name_hi = :name_hi, summary_hi = :summary_hi, included_hi = :included_hi,
       duration_min = :duration_min, price_paise = :price_paise, women_only = :women_only,
       late_fee_paise = :late_fee_paise
WHERE id = :id;

-- name: admin_set_service_late_fee
UPDATE services SET late_fee_paise = :late_fee_paise WHERE id = :id;

-- name: admin_set_service_active
UPDATE services SET is_active = :is_active WHERE id = :id;

-- name: admin_select_providers
-- Every provider with their verification and suspension state.
SELECT u.id, u.name, u.email, u.gender, u.is_active, p.verified, p.suspended_at, p.created_at
FROM providers p JOIN users u ON u.id = p.user_id
ORDER BY p.verified, u.name, u.id;

-- name: admin_select_provider
SELECT u.id, u.name, u.email, u.phone, u.gender, u.is_active, p.bio, p.timezone, p.verified, p.suspended_at,
       p.created_at
FROM providers p JOIN users u ON u.id = p.user_id
WHERE p.user_id = :id;

-- name: admin_set_provider_state
UPDATE providers SET verified = :verified, suspended_at = :suspended_at WHERE user_id = :id;

-- name: admin_select_future_bookings
-- A provider's confirmed bookings that have not started yet.
SELECT b.id, b.starts_at, b.ends_at, b.status, s.name AS service_name, s.name_hi AS service_name_hi, cu.name AS customer_name,
       cu.email AS customer_email, p.timezone
FROM bookings b
JOIN services s ON s.id = b.service_id
JOIN users cu ON cu.id = b.customer_id
JOIN providers p ON p.user_id = b.provider_id
WHERE b.provider_id = :provider_id AND b.status = 'confirmed' AND b.starts_at > :now
ORDER BY b.starts_at;

-- name: admin_search_bookings
-- Bookings by start period, provider, customer email and status; a NULL filter matches all.
SELECT b.id, b.starts_at, b.status, b.price_paise, b.cancelled_by, s.name AS service_name, s.name_hi AS service_name_hi,
       pu.name AS provider_name, cu.name AS customer_name, cu.email AS customer_email, p.timezone
FROM bookings b
JOIN services s ON s.id = b.service_id
JOIN providers p ON p.user_id = b.provider_id
JOIN users pu ON pu.id = b.provider_id
JOIN users cu ON cu.id = b.customer_id
WHERE (:from_at IS NULL OR b.starts_at >= :from_at)
  AND (:to_at IS NULL OR b.starts_at < :to_at)
  AND (:provider_id IS NULL OR b.provider_id = :provider_id)
  AND (:customer_email IS NULL OR cu.email = :customer_email)
  AND (:status IS NULL OR b.status = :status)
ORDER BY b.starts_at DESC, b.id DESC
LIMIT :limit;

-- name: admin_select_customers
-- Customer accounts, optionally those whose email contains :q.
SELECT u.id, u.name, u.email, u.phone, u.is_active, u.created_at,
       (SELECT COUNT(*) FROM sessions s WHERE s.user_id = u.id) AS sessions
FROM users u
WHERE u.role = 'customer' AND (:q IS NULL OR u.email LIKE :q)
ORDER BY u.created_at DESC, u.id DESC
LIMIT :limit;

-- name: admin_set_user_active
UPDATE users SET is_active = :is_active WHERE id = :id AND role = :role;

-- name: admin_select_pending_posts
-- Blog posts that providers sent for review.
SELECT p.id, p.slug, p.title, p.updated_at, u.name AS author_name
FROM posts p JOIN users u ON u.id = p.author_id
WHERE p.status = 'pending'
ORDER BY p.updated_at, p.id;

-- name: admin_select_service
SELECT s.id, s.slug, s.name, s.summary, s.included, s.name_hi, s.summary_hi, s.included_hi, s.duration_min, s.price_paise, s.women_only, s.is_active,
       s.late_fee_paise, s.category_id, c.name AS category_name, c.name_hi AS category_name_hi
FROM services s JOIN categories c ON c.id = s.category_id
WHERE s.id = :id;

-- name: admin_select_services_not_women_only
-- The services of a category about to become women-only that are not yet.
SELECT id, name FROM services WHERE category_id = :category_id AND women_only = 0 ORDER BY id;

-- name: admin_make_category_services_women_only
UPDATE services SET women_only = 1 WHERE category_id = :category_id AND women_only = 0;

-- name: admin_select_customer_future_bookings
-- A customer's confirmed bookings that have not started yet, soonest first.
SELECT id FROM bookings
WHERE customer_id = :customer_id AND status = 'confirmed' AND starts_at > :now
ORDER BY starts_at, id;

-- name: admin_select_booking_limit_hits
-- Accounts refused a booking by a cap since a moment: how often, which caps, the last time.
SELECT u.id, u.name, u.email, u.is_active, COUNT(*) AS hits, MAX(h.created_at) AS last_at,
       MIN(h.cap) AS first_cap, MAX(h.cap) AS last_cap
FROM booking_limit_hits h JOIN users u ON u.id = h.customer_id
WHERE h.created_at >= :since
GROUP BY u.id, u.name, u.email, u.is_active
ORDER BY MAX(h.created_at) DESC
LIMIT :limit;
