-- Housekeeping (grihaseva/housekeeping.py): old rows that nothing reads any more.

-- name: select_event_id_range_before
-- The events old enough to go: ids up to :upto at most, and never the newest row
-- (a starting broadcaster positions itself on the newest id).
SELECT MIN(id) AS first_id, MAX(id) AS last_id
FROM events
WHERE created_at < :before AND id < (SELECT MAX(id) FROM events);

-- name: delete_events_between
-- One batch by id range (portable: neither dialect needs DELETE ... LIMIT).
DELETE FROM events WHERE id >= :from_id AND id <= :to_id AND created_at < :before;

-- name: delete_expired_sessions
DELETE FROM sessions WHERE created_at < :before;

-- name: delete_old_mail
-- Delivered or given-up mail; queued and sending rows are never touched.
DELETE FROM mail_outbox WHERE status IN ('sent', 'failed') AND created_at < :before;

-- name: delete_old_booking_limit_hits
-- Refusals by a booking cap, long after the admin console stopped listing them.
DELETE FROM booking_limit_hits WHERE created_at < :before;
