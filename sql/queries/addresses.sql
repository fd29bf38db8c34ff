-- name: select_customer_addresses
-- A customer's saved addresses, the last used first (never used ones by age after them).
SELECT id, user_id, label, house, street, area, city, pin_code, landmark, created_at, last_used_at
FROM addresses
WHERE user_id = :user_id
ORDER BY CASE WHEN last_used_at IS NULL THEN 1 ELSE 0 END, last_used_at DESC, id DESC;

-- name: select_customer_address
SELECT id, user_id, label, house, street, area, city, pin_code, landmark, created_at, last_used_at
FROM addresses
WHERE id = :id AND user_id = :user_id;

-- name: count_customer_addresses
SELECT COUNT(*) AS n FROM addresses WHERE user_id = :user_id;

-- name: insert_address
INSERT INTO addresses (user_id, label, house, street, area, city, pin_code, landmark, created_at, last_used_at)
VALUES (:user_id, :label, :house, :street, :area, :city, :pin_code, :landmark, :now, :last_used_at);

-- name: touch_address
UPDATE addresses SET last_used_at = :now WHERE id = :id AND user_id = :user_id;

-- name: delete_address
DELETE FROM addresses WHERE id = :id AND user_id = :user_id;

-- name: select_provider_areas
SELECT pin_code FROM provider_areas WHERE provider_id = :provider_id ORDER BY pin_code;

-- name: select_providers_serving_pin
SELECT provider_id FROM provider_areas WHERE pin_code = :pin_code;

-- name: delete_provider_areas
DELETE FROM provider_areas WHERE provider_id = :provider_id;

-- name: insert_provider_area
INSERT INTO provider_areas (provider_id, pin_code) VALUES (:provider_id, :pin_code);

-- name: insert_area_request
INSERT INTO area_requests (pin_code, email, service_id, created_at) VALUES (:pin_code, :email, :service_id, :now);

-- name: count_recent_area_requests
SELECT COUNT(*) AS n FROM area_requests WHERE pin_code = :pin_code AND email = :email;

-- name: set_booking_address
UPDATE bookings SET address_id = :address_id WHERE id = :id;
