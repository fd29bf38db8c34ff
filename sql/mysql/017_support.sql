-- Support requests: a complaint or a request for a person, opened in the chat (grihaseva/support/).
-- `customer_id` is NULL for a visitor, who leaves a contact instead; `conversation_id` is the chat
-- the answer is posted back to; `locale` is the language the customer wrote in (the answer mail's).
CREATE TABLE support_requests (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    customer_id BIGINT NULL,
    conversation_id BIGINT NULL,
    booking_id BIGINT NULL,
    kind VARCHAR(10) NOT NULL,
    message TEXT NOT NULL,
    contact VARCHAR(200) NOT NULL,
    locale VARCHAR(5) NOT NULL DEFAULT 'en',
    status VARCHAR(10) NOT NULL DEFAULT 'open',
    answer TEXT NULL,
    answered_by BIGINT NULL,
    answered_at DATETIME NULL,
    created_at DATETIME NOT NULL,
    KEY ix_support_requests_status (status, created_at),
    KEY ix_support_requests_customer (customer_id, created_at),
    CONSTRAINT fk_support_requests_customer FOREIGN KEY (customer_id) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT fk_support_requests_conversation FOREIGN KEY (conversation_id) REFERENCES chat_conversations (id) ON DELETE SET NULL,
    CONSTRAINT fk_support_requests_booking FOREIGN KEY (booking_id) REFERENCES bookings (id) ON DELETE SET NULL,
    CONSTRAINT fk_support_requests_answered_by FOREIGN KEY (answered_by) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT ck_support_requests_kind CHECK (kind IN ('complaint', 'human')),
    CONSTRAINT ck_support_requests_status CHECK (status IN ('open', 'answered'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
