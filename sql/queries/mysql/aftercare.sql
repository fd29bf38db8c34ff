-- name: ensure_receipt_counter
INSERT IGNORE INTO receipt_counters (year, last_number) VALUES (:year, 0);
