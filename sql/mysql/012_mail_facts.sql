-- Mail rendered by the sender: a row may hold the name of its templates and the facts to fill
-- them with (JSON: {"context": {...}, "attachments": [{"filename", "content_type", "maker", "args"}]})
-- instead of finished bodies, so the transaction that writes it does not render mail or .ics.
-- subject, text_body and html_body stay empty for such a row until it is sent.
ALTER TABLE mail_outbox ADD COLUMN template VARCHAR(60) NULL;
ALTER TABLE mail_outbox ADD COLUMN facts MEDIUMTEXT NULL;
