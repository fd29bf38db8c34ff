-- name: insert_mail
-- A mail to deliver, written in the caller's transaction.
INSERT INTO mail_outbox (to_addr, subject, text_body, html_body, attachments, status, attempts,
                         next_attempt_at, created_at)
VALUES (:to_addr, :subject, :text_body, :html_body, :attachments, 'queued', 0, :now, :now);

-- name: select_due_mail
-- Mail ready for an attempt: queued and due, or claimed by a sender that went quiet; the whole
-- row, so the sender needs no second read once its claim succeeds.
SELECT id, to_addr, subject, text_body, html_body, attachments, template, facts, status, attempts,
       next_attempt_at, created_at FROM mail_outbox
WHERE (status = 'queued' AND next_attempt_at <= :now)
   OR (status = 'sending' AND claimed_at < :stale_before)
ORDER BY next_attempt_at, id
LIMIT :limit;

-- name: claim_mail
-- Take one mail for this sender; rowcount 1 means it is ours and no other sender's.
-- The WHERE is re-checked against the committed row, so two senders can't both win.
UPDATE mail_outbox
SET status = 'sending', claimed_by = :worker, claimed_at = :now, attempts = attempts + 1
WHERE id = :id
  AND ((status = 'queued' AND next_attempt_at <= :now)
       OR (status = 'sending' AND claimed_at < :stale_before));

-- name: claim_mails
-- claim_mail for a round's due mail in one statement: the rows it changes are this sender's
-- (select_mail_ids_claimed_by names them when another sender took some in between).
UPDATE mail_outbox
SET status = 'sending', claimed_by = :worker, claimed_at = :now, attempts = attempts + 1
WHERE id IN (:ids)
  AND ((status = 'queued' AND next_attempt_at <= :now)
       OR (status = 'sending' AND claimed_at < :stale_before));

-- name: select_mail_ids_claimed_by
SELECT id FROM mail_outbox WHERE id IN (:ids) AND status = 'sending' AND claimed_by = :worker;

-- name: release_mail_claims
-- Claimed but not attempted (the sender stopped, or the SMTP server was unreachable): queued
-- again as before the claim.
UPDATE mail_outbox SET status = 'queued', claimed_by = NULL, claimed_at = NULL, attempts = attempts - 1
WHERE id IN (:ids) AND status = 'sending' AND claimed_by = :worker;

-- name: select_mail
SELECT id, to_addr, subject, text_body, html_body, attachments, template, facts, status, attempts, next_attempt_at,
       claimed_by, claimed_at, last_error, created_at, sent_at
FROM mail_outbox WHERE id = :id;

-- name: mark_mail_sent
UPDATE mail_outbox SET status = 'sent', sent_at = :now, last_error = NULL
WHERE id = :id AND status = 'sending' AND claimed_by = :worker;

-- name: mark_mails_sent
UPDATE mail_outbox SET status = 'sent', sent_at = :now, last_error = NULL
WHERE id IN (:ids) AND status = 'sending' AND claimed_by = :worker;

-- name: schedule_mail_retry
UPDATE mail_outbox
SET status = 'queued', next_attempt_at = :next_attempt_at, last_error = :error, claimed_by = NULL, claimed_at = NULL
WHERE id = :id AND status = 'sending' AND claimed_by = :worker;

-- name: mark_mail_failed
UPDATE mail_outbox SET status = 'failed', last_error = :error
WHERE id = :id AND status = 'sending' AND claimed_by = :worker;

-- name: select_recent_mail
-- The newest mail first, for the development page /dev/mail.
SELECT id, to_addr, subject, text_body, html_body, attachments, template, facts, status, attempts, last_error,
       created_at, sent_at
FROM mail_outbox ORDER BY id DESC LIMIT :limit;

-- name: renew_mail_claims
-- The sender is still at work on the mail it holds (a long SMTP exchange): their leases start again.
UPDATE mail_outbox SET claimed_at = :now
WHERE claimed_by = :worker AND status = 'sending';
