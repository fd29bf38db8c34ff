-- Chatbot conversations (per user, or per visitor cookie) and their messages.
-- `state` is the conversation's JSON memory (service, day, offered slots, ...);
-- `visitor_key` is the SHA-256 of the visitor's random cookie value.
CREATE TABLE chat_conversations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NULL REFERENCES users (id) ON DELETE CASCADE,
    visitor_key TEXT NULL,
    state TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX ix_chat_conversations_user ON chat_conversations (user_id, updated_at);
CREATE INDEX ix_chat_conversations_visitor ON chat_conversations (visitor_key);

CREATE TABLE chat_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES chat_conversations (id) ON DELETE CASCADE,
    sender TEXT NOT NULL CHECK (sender IN ('user', 'bot')),
    body TEXT NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX ix_chat_messages_conversation ON chat_messages (conversation_id, id);
