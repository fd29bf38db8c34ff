-- The catalogue in Hindi beside English: a service's and a category's texts as a Hindi reader sees
-- them. Empty means "not translated yet": pages fall back to the English text (i18n.localized).
ALTER TABLE categories
    ADD COLUMN name_hi VARCHAR(100) NOT NULL DEFAULT '',
    ADD COLUMN description_hi VARCHAR(500) NOT NULL DEFAULT '';
ALTER TABLE services
    ADD COLUMN name_hi VARCHAR(120) NOT NULL DEFAULT '',
    ADD COLUMN summary_hi VARCHAR(300) NOT NULL DEFAULT '',
    ADD COLUMN included_hi VARCHAR(500) NOT NULL DEFAULT '';
