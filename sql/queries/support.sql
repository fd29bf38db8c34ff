-- name: insert_support_request
INSERT INTO support_requests (customer_id, conversation_id, booking_id, kind, message, contact, locale, status, created_at)
VALUES (:customer_id, :conversation_id, :booking_id, :kind, :message, :contact, :locale, 'open', :now);

-- name: select_support_request
-- What answering a request needs: where the answer goes (the chat, the mail) and in which language.
SELECT r.id, r.customer_id, r.conversation_id, r.message, r.contact, r.locale, r.status,
       u.name AS customer_name, u.email AS customer_email
FROM support_requests r
LEFT JOIN users u ON u.id = r.customer_id
WHERE r.id = :id;

-- name: select_support_queue
-- Open requests oldest first, then the latest answered ones (newest first), for the admins' queue.
SELECT r.id, r.customer_id, r.conversation_id, r.booking_id, r.kind, r.message, r.contact, r.locale, r.status,
       r.answer, r.answered_at, r.created_at, u.name AS customer_name,
       s.name AS service_name, s.name_hi AS service_name_hi, b.starts_at AS booking_starts_at, p.timezone AS booking_timezone,
       pu.name AS provider_name, au.name AS answered_by_name
FROM support_requests r
LEFT JOIN users u ON u.id = r.customer_id
LEFT JOIN users au ON au.id = r.answered_by
LEFT JOIN bookings b ON b.id = r.booking_id
LEFT JOIN services s ON s.id = b.service_id
LEFT JOIN providers p ON p.user_id = b.provider_id
LEFT JOIN users pu ON pu.id = b.provider_id
WHERE r.status = 'open' OR r.answered_at >= :since
ORDER BY CASE WHEN r.status = 'open' THEN 0 ELSE 1 END, 
         CASE WHEN r.status = 'open' THEN r.id ELSE -r.id END
LIMIT 100;

-- name: select_open_support_request_for_conversation
SELECT id FROM support_requests WHERE conversation_id = :conversation_id AND status = 'open' ORDER BY id DESC LIMIT 1;

-- name: answer_support_request
-- Only an open request is answered, once: a second admin's answer finds nothing to update.
UPDATE support_requests SET status = 'answered', answer = :answer, answered_by = :admin_id, answered_at = :now
WHERE id = :id AND status = 'open';
