-- A standing schedule's title and description per language (`title = { en = "…", "zh-CN" = "…" }`
-- in `[[schedule]]`): `title`/`description` keep the community's default language, this JSON
-- object the per-language texts, {"zh-CN": {"title": "…", "description": "…"}}. NULL: one text.
ALTER TABLE events ADD COLUMN translations TEXT;
