-- name: select_categories
SELECT id, slug, name, description, name_hi, description_hi, women_only FROM categories ORDER BY position, name;

-- name: select_active_services
-- Every bookable service with its category, in catalogue order.
SELECT s.id, s.slug, s.name, s.summary, s.included, s.name_hi, s.summary_hi, s.included_hi, s.duration_min, s.price_paise, s.women_only,
       c.slug AS category_slug, c.name AS category_name, c.name_hi AS category_name_hi
FROM services s JOIN categories c ON c.id = s.category_id
WHERE s.is_active = 1
ORDER BY c.position, c.name, s.price_paise, s.name;

-- name: select_service_by_slug
SELECT s.id, s.slug, s.name, s.summary, s.included, s.name_hi, s.summary_hi, s.included_hi, s.duration_min, s.price_paise, s.women_only, s.is_active,
       s.late_fee_paise, c.slug AS category_slug, c.name AS category_name, c.name_hi AS category_name_hi
FROM services s JOIN categories c ON c.id = s.category_id
WHERE s.slug = :slug;

-- name: select_service_by_id
SELECT s.id, s.slug, s.name, s.summary, s.included, s.name_hi, s.summary_hi, s.included_hi, s.duration_min, s.price_paise, s.women_only, s.is_active,
       s.late_fee_paise, c.slug AS category_slug, c.name AS category_name, c.name_hi AS category_name_hi
FROM services s JOIN categories c ON c.id = s.category_id
WHERE s.id = :id;

-- name: select_service_providers
-- Verified, active providers who offer a service, with their booking rules.
SELECT u.id, u.name, u.gender, p.bio, p.timezone, p.buffer_min, p.min_notice_min, p.window_days, p.step_min,
       p.off_today
FROM provider_services ps
JOIN providers p ON p.user_id = ps.provider_id
JOIN users u ON u.id = p.user_id
WHERE ps.service_id = :service_id AND p.verified = 1 AND u.is_active = 1
ORDER BY u.name;

-- name: select_provider
SELECT u.id, u.name, u.gender, u.phone, u.is_active, u.locale, p.bio, p.timezone, p.verified, p.hourly_rate_paise,
       p.buffer_min, p.min_notice_min, p.window_days, p.step_min, p.upi_id, p.off_today
FROM providers p JOIN users u ON u.id = p.user_id
WHERE p.user_id = :id;

-- name: select_provider_services
SELECT s.id, s.slug, s.name, s.summary, s.name_hi, s.summary_hi, s.duration_min, s.price_paise, s.women_only
FROM provider_services ps JOIN services s ON s.id = ps.service_id
WHERE ps.provider_id = :provider_id AND s.is_active = 1
ORDER BY s.name;

-- name: provider_offers_service
SELECT 1 AS yes FROM provider_services WHERE provider_id = :provider_id AND service_id = :service_id;

-- name: select_working_hours
SELECT weekday, start_min, end_min FROM working_hours WHERE provider_id = :provider_id ORDER BY weekday, start_min;

-- name: select_time_off
-- Time off that touches a period.
SELECT id, starts_at, ends_at, reason FROM time_off
WHERE provider_id = :provider_id AND ends_at > :from_at AND starts_at < :to_at
ORDER BY starts_at;

-- name: insert_category
INSERT INTO categories (slug, name, description, name_hi, description_hi, women_only, position)
VALUES (:slug, :name, :description, :name_hi, :description_hi, :women_only, :position);

-- name: select_category_by_slug
SELECT id, slug, name, description, name_hi, description_hi, women_only FROM categories WHERE slug = :slug;

-- name: insert_service
INSERT INTO services (category_id, slug, name, summary, included, name_hi, summary_hi, included_hi,
                      duration_min, price_paise, women_only, is_active, created_at)
VALUES (:category_id, :slug, :name, :summary, :included, :name_hi, :summary_hi, :included_hi,
        :duration_min, :price_paise, :women_only, 1, :now);

-- name: fill_category_hindi
-- The demo's Hindi texts for a category that has none yet (an admin's own wording stays).
UPDATE categories SET name_hi = :name_hi, description_hi = :description_hi WHERE slug = :slug AND name_hi = '';

-- name: fill_service_hindi
-- The demo's Hindi texts for a service that has none yet (an admin's own wording stays).
UPDATE services SET name_hi = :name_hi, summary_hi = :summary_hi, included_hi = :included_hi
WHERE slug = :slug AND name_hi = '';

-- name: insert_provider_service
INSERT INTO provider_services (provider_id, service_id) VALUES (:provider_id, :service_id);

-- name: insert_working_hours
INSERT INTO working_hours (provider_id, weekday, start_min, end_min) VALUES (:provider_id, :weekday, :start_min, :end_min);

-- name: insert_time_off
INSERT INTO time_off (provider_id, starts_at, ends_at, reason) VALUES (:provider_id, :starts_at, :ends_at, :reason);
