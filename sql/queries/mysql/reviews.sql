-- name: review_lock_by_booking
SELECT id, booking_id, customer_id, provider_id, rating, body, created_at, updated_at, reply, replied_at
FROM reviews WHERE booking_id = :booking_id FOR UPDATE;
