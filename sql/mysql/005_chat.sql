-- Chatbot conversations (per user, or per visitor cookie) and their messages.
-- `state` is the conversation's JSON memory (service, day, offered slots, ...);
-- `visitor_key` is the SHA-256 of the visitor's random cookie value.
CREATE TABLE chat_conversations (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id BIGINT NULL,
    visitor_key CHAR(64) NULL,
    state TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    KEY ix_chat_conversations_user (user_id, updated_at),
    KEY ix_chat_conversations_visitor (visitor_key),
    CONSTRAINT fk_chat_conversations_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE chat_messages (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    conversation_id BIGINT NOT NULL,
    sender VARCHAR(4) NOT NULL,
    body TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    KEY ix_chat_messages_conversation (conversation_id, id),
    CONSTRAINT fk_chat_messages_conversation FOREIGN KEY (conversation_id) REFERENCES chat_conversations (id) ON DELETE CASCADE,
    CONSTRAINT ck_chat_messages_sender CHECK (sender IN ('user', 'bot'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
