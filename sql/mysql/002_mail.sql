-- The mail outbox: every mail is written here in the same transaction as the reason
-- for it, then delivered by the background sender (grihaseva/mail.py).
-- attachments: NULL, or JSON [{"filename", "content_type", "content", "encoding"}]
-- (encoding "text" or "base64"), e.g. an .ics invitation.
-- A password reset needs no table: its token signs a fingerprint of the password hash.
CREATE TABLE mail_outbox (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    to_addr VARCHAR(254) NOT NULL,
    subject VARCHAR(200) NOT NULL,
    text_body MEDIUMTEXT NOT NULL,
    html_body MEDIUMTEXT NOT NULL,
    attachments MEDIUMTEXT NULL,
    status VARCHAR(10) NOT NULL DEFAULT 'queued',
    attempts INT NOT NULL DEFAULT 0,
    next_attempt_at DATETIME NOT NULL,
    claimed_by VARCHAR(100) NULL,
    claimed_at DATETIME NULL,
    last_error VARCHAR(1000) NULL,
    created_at DATETIME NOT NULL,
    sent_at DATETIME NULL,
    KEY ix_mail_outbox_due (status, next_attempt_at),
    KEY ix_mail_outbox_created (created_at),
    CONSTRAINT ck_mail_outbox_status CHECK (status IN ('queued', 'sending', 'sent', 'failed'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
