-- A notification in the reader's language: which message it is (`message_key`, one of
-- booking/notifications.py's MESSAGES) and its values as JSON (`message_params`: service names in
-- each language, the time as UTC with its zone, money in paise), rendered through gettext when it
-- is read. `message` keeps the English text; rows written before this have no key and show that.
ALTER TABLE notifications ADD COLUMN message_key VARCHAR(40) NULL;
ALTER TABLE notifications ADD COLUMN message_params TEXT NULL;
