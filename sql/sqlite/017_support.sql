-- Support requests: a complaint or a request for a person, opened in the chat (grihaseva/support/).
-- `customer_id` is NULL for a visitor, who leaves a contact instead; `conversation_id` is the chat
-- the answer is posted back to; `locale` is the language the customer wrote in (the answer mail's).
CREATE TABLE support_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NULL REFERENCES users (id) ON DELETE SET NULL,
    conversation_id INTEGER NULL REFERENCES chat_conversations (id) ON DELETE SET NULL,
    booking_id INTEGER NULL REFERENCES bookings (id) ON DELETE SET NULL,
    kind TEXT NOT NULL CHECK (kind IN ('complaint', 'human')),
    message TEXT NOT NULL,
    contact TEXT NOT NULL,
    locale TEXT NOT NULL DEFAULT 'en',
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered')),
    answer TEXT NULL,
    answered_by INTEGER NULL REFERENCES users (id) ON DELETE SET NULL,
    answered_at DATETIME NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX ix_support_requests_status ON support_requests (status, created_at);
CREATE INDEX ix_support_requests_customer ON support_requests (customer_id, created_at);
