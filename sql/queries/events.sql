-- The event outbox (grihaseva/events.py).  `:topics` and `:ids` are lists: call the
-- queries that take them only through grihaseva/events.py, which expands each list
-- into one parameter per value.

-- name: insert_event
-- One outbox row, inside the transaction of the change it announces.
INSERT INTO events (topic, kind, payload, created_at)
VALUES (:topic, :kind, :payload, :created_at);

-- name: select_last_event_id
-- Where a broadcaster starts tailing.
SELECT COALESCE(MAX(id), 0) AS last_id FROM events;

-- name: select_events_after
-- The tailer's read: the next committed rows above the last id it saw.
SELECT id, topic, kind, payload, created_at
FROM events
WHERE id > :after_id
ORDER BY id
LIMIT :limit;

-- name: select_events_by_ids
-- The tailer's second look at ids it skipped (holes) that may have committed late.
SELECT id, topic, kind, payload, created_at
FROM events
WHERE id IN (:ids)
ORDER BY id;

-- name: select_last_event_id_for_topics
-- The id an SSE snapshot carries, so the browser's Last-Event-ID means something.
SELECT COALESCE(MAX(id), 0) AS last_id
FROM events
WHERE topic IN (:topics);

-- name: select_recent_events_for_topics
-- Replay after Last-Event-ID: the newest rows first, bounded by :limit.
SELECT id, topic, kind, payload, created_at
FROM events
WHERE topic IN (:topics) AND id > :after_id
ORDER BY id DESC
LIMIT :limit;

-- name: insert_live_channel
-- A stream held by Pushpin: its channel and what to render for it.
INSERT INTO live_channels (channel, path, session_hash, held_at) VALUES (:channel, :path, :session_hash, :held_at);

-- name: touch_live_channel
UPDATE live_channels SET held_at = :held_at WHERE channel = :channel;

-- name: select_live_channels
SELECT channel, path, session_hash, held_at FROM live_channels ORDER BY held_at;

-- name: select_live_channel
SELECT channel, path, session_hash, held_at FROM live_channels WHERE channel = :channel;

-- name: delete_live_channel
DELETE FROM live_channels WHERE channel = :channel;

-- name: select_events_since_time
-- Recent events, oldest first: what a new publisher re-publishes when it takes the lease over.
SELECT id, topic, kind, payload, created_at FROM events WHERE created_at >= :since ORDER BY id LIMIT 5000;
