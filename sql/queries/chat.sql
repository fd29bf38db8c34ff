-- name: insert_chat_conversation
INSERT INTO chat_conversations (user_id, visitor_key, state, created_at, updated_at)
VALUES (:user_id, :visitor_key, :state, :now, :now);

-- name: select_chat_conversation
SELECT id, user_id, visitor_key, state, created_at, updated_at FROM chat_conversations WHERE id = :id;

-- name: select_user_chat_conversation
-- A user's most recent conversation.
SELECT id, user_id, visitor_key, state, created_at, updated_at FROM chat_conversations
WHERE user_id = :user_id
ORDER BY updated_at DESC, id DESC
LIMIT 1;

-- name: select_visitor_chat_conversation
-- A visitor's conversation that no account has taken over yet.
SELECT id, user_id, visitor_key, state, created_at, updated_at FROM chat_conversations
WHERE visitor_key = :visitor_key AND user_id IS NULL
ORDER BY id DESC
LIMIT 1;

-- name: attach_chat_conversation
-- On login: the visitor's conversation becomes the user's.
UPDATE chat_conversations SET user_id = :user_id, updated_at = :now WHERE id = :id AND user_id IS NULL;

-- name: update_chat_state
UPDATE chat_conversations SET state = :state, updated_at = :now WHERE id = :id;

-- name: insert_chat_message
INSERT INTO chat_messages (conversation_id, sender, body, created_at) VALUES (:conversation_id, :sender, :body, :now);

-- name: select_chat_messages
-- The newest messages of a conversation, newest first (callers reverse them).
SELECT id, sender, body, created_at FROM chat_messages
WHERE conversation_id = :conversation_id
ORDER BY id DESC
LIMIT 60;

-- name: select_last_booking_address
-- The address of a customer's most recent booking, offered again in chat.
SELECT address FROM bookings WHERE customer_id = :customer_id ORDER BY created_at DESC, id DESC LIMIT 1;
