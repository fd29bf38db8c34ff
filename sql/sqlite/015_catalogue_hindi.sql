-- The catalogue in Hindi beside English: a service's and a category's texts as a Hindi reader sees
-- them. Empty means "not translated yet": pages fall back to the English text (i18n.localized).
ALTER TABLE categories ADD COLUMN name_hi TEXT NOT NULL DEFAULT '';
ALTER TABLE categories ADD COLUMN description_hi TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN name_hi TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN summary_hi TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN included_hi TEXT NOT NULL DEFAULT '';
