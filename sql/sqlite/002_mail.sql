-- The mail outbox: every mail is written here in the same transaction as the reason
-- for it, then delivered by the background sender (grihaseva/mail.py).
-- attachments: NULL, or JSON [{"filename", "content_type", "content", "encoding"}]
-- (encoding "text" or "base64"), e.g. an .ics invitation.
-- A password reset needs no table: its token signs a fingerprint of the password hash.
CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    attachments TEXT,
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at DATETIME NOT NULL,
    claimed_by TEXT,
    claimed_at DATETIME,
    last_error TEXT,
    created_at DATETIME NOT NULL,
    sent_at DATETIME
);
CREATE INDEX ix_mail_outbox_due ON mail_outbox (status, next_attempt_at);
CREATE INDEX ix_mail_outbox_created ON mail_outbox (created_at);
