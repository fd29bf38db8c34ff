-- The language a person reads GrihaSeva in ("en", "hi"): their pages after login and their mail.
ALTER TABLE users ADD COLUMN locale VARCHAR(5) NOT NULL DEFAULT 'en';
