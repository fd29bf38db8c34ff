-- name: review_select_booking
-- The booking a review is about: who booked it, who did it, and whether it is done.
SELECT b.id, b.customer_id, b.provider_id, b.status, b.starts_at, s.name AS service_name, s.name_hi AS service_name_hi, pu.name AS provider_name,
       p.timezone
FROM bookings b
JOIN services s ON s.id = b.service_id
JOIN providers p ON p.user_id = b.provider_id
JOIN users pu ON pu.id = b.provider_id
WHERE b.id = :booking_id;

-- name: review_select_by_booking
SELECT id, booking_id, customer_id, provider_id, rating, body, created_at, updated_at, reply, replied_at
FROM reviews WHERE booking_id = :booking_id;

-- name: review_select_by_id
SELECT id, booking_id, customer_id, provider_id, rating, body, created_at, updated_at, reply, replied_at
FROM reviews WHERE id = :id;

-- name: review_insert
INSERT INTO reviews (booking_id, customer_id, provider_id, rating, body, created_at, updated_at)
VALUES (:booking_id, :customer_id, :provider_id, :rating, :body, :now, :now);

-- name: review_update
UPDATE reviews SET rating = :rating, body = :body, updated_at = :now WHERE id = :id;

-- name: review_reply
-- A provider replies once: the reply is set only where there is none yet.
UPDATE reviews SET reply = :reply, replied_at = :now
WHERE id = :id AND provider_id = :provider_id AND reply IS NULL;

-- name: review_select_recent_for_provider
SELECT r.id, r.booking_id, r.rating, r.body, r.created_at, r.updated_at, r.reply, r.replied_at,
       cu.name AS customer_name, s.name AS service_name, s.name_hi AS service_name_hi
FROM reviews r
JOIN users cu ON cu.id = r.customer_id
JOIN bookings b ON b.id = r.booking_id
JOIN services s ON s.id = b.service_id
WHERE r.provider_id = :provider_id
ORDER BY r.created_at DESC, r.id DESC
LIMIT :limit;

-- name: review_lock_by_booking
-- The review about to be edited, locked (MySQL overrides with FOR UPDATE) so a reply cannot
-- land between the "no reply yet" check and the update.
SELECT id, booking_id, customer_id, provider_id, rating, body, created_at, updated_at, reply, replied_at
FROM reviews WHERE booking_id = :booking_id;

-- name: review_select_summaries
-- Count and sum of ratings per provider; `:ids` is a list (call through db.expand).
SELECT provider_id, COUNT(*) AS n, SUM(rating) AS total FROM reviews
WHERE provider_id IN (:ids)
GROUP BY provider_id;
