-- After the booking: the job's timeline, late fees, receipts and payment.

-- name: mark_on_the_way
UPDATE bookings SET on_the_way_at = :now, updated_at = :now
WHERE id = :id AND provider_id = :provider_id AND status = 'confirmed' AND on_the_way_at IS NULL;

-- name: mark_started
UPDATE bookings SET started_at = :now, updated_at = :now
WHERE id = :id AND provider_id = :provider_id AND status = 'confirmed' AND on_the_way_at IS NOT NULL
  AND started_at IS NULL;

-- name: charge_late_fee
-- A booking carries at most one late fee: a second late change (or a double submit) adds nothing.
UPDATE bookings SET late_fee_paise = :fee WHERE id = :id AND late_fee_paise = 0;

-- name: mark_no_show
UPDATE bookings SET no_show = 1 WHERE id = :id;

-- name: ensure_receipt_counter
-- Run outside the completing transaction, so the transaction only ever takes the row's lock.
INSERT OR IGNORE INTO receipt_counters (year, last_number) VALUES (:year, 0);

-- name: next_receipt_number
UPDATE receipt_counters SET last_number = last_number + 1 WHERE year = :year;

-- name: insert_receipt_counter
INSERT INTO receipt_counters (year, last_number) VALUES (:year, 1);

-- name: select_receipt_counter
SELECT last_number FROM receipt_counters WHERE year = :year;

-- name: set_receipt
UPDATE bookings SET receipt_number = :number, receipt_at = :now WHERE id = :id AND receipt_number IS NULL;

-- name: mark_paid
UPDATE bookings SET paid_at = :now, paid_method = :method, paid_reference = :reference, updated_at = :now
WHERE id = :id AND provider_id = :provider_id AND receipt_number IS NOT NULL AND paid_at IS NULL;

-- name: select_admin_ids
SELECT id, email, name FROM users WHERE role = 'admin' AND is_active = 1 ORDER BY id;

-- name: select_owed_jobs
-- What a provider has earned since :from_at: completed jobs (price and any late fee) and
-- cancelled ones that carry a late fee, with whether they are paid; oldest first.
SELECT b.id, b.starts_at, b.status, b.price_paise, b.late_fee_paise, b.paid_at, b.receipt_number,
       s.name AS service_name, s.name_hi AS service_name_hi, cu.name AS customer_name
FROM bookings b
JOIN services s ON s.id = b.service_id
JOIN users cu ON cu.id = b.customer_id
WHERE b.provider_id = :provider_id AND b.starts_at >= :from_at
  AND (b.status = 'completed' OR (b.status = 'cancelled' AND b.late_fee_paise > 0))
ORDER BY b.starts_at, b.id;

-- name: update_upi_id
UPDATE providers SET upi_id = :upi_id WHERE user_id = :provider_id;

-- name: set_off_today
UPDATE providers SET off_today = :day WHERE user_id = :provider_id;

-- name: select_provider_unpaid
-- "Waiting for payment": jobs with a receipt and no payment recorded, from the last 30 days, oldest first.
SELECT b.id, b.customer_id, b.starts_at, b.ends_at, b.status, b.price_paise, b.late_fee_paise, b.receipt_number,
       b.paid_at, b.paid_method, s.name AS service_name, s.name_hi AS service_name_hi, cu.name AS customer_name
FROM bookings b
JOIN services s ON s.id = b.service_id
JOIN users cu ON cu.id = b.customer_id
WHERE b.provider_id = :provider_id AND b.receipt_number IS NOT NULL AND b.paid_at IS NULL AND b.starts_at >= :since
ORDER BY b.starts_at, b.id
LIMIT 20;
