-- name: select_rate_hits
-- Hits of one subject in one bucket since a moment, oldest first.
SELECT created_at FROM rate_hits
WHERE bucket = :bucket AND subject = :subject AND created_at > :since
ORDER BY created_at;

-- name: insert_rate_hit
INSERT INTO rate_hits (bucket, subject, created_at) VALUES (:bucket, :subject, :now);

-- name: delete_rate_hits
DELETE FROM rate_hits WHERE bucket = :bucket AND subject = :subject;

-- name: prune_rate_hits
DELETE FROM rate_hits WHERE created_at < :before;

-- name: delete_rate_hit
-- One attempt taken back: refused by the limit, or (for login per client) successful.
DELETE FROM rate_hits WHERE id = :id;
