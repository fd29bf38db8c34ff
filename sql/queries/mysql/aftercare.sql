-- name: ensure_receipt_counter
-- (not INSERT IGNORE: its duplicate-key warning would be logged on every completion)
INSERT INTO receipt_counters (year, last_number) VALUES (:year, 0) ON DUPLICATE KEY UPDATE year = year;
