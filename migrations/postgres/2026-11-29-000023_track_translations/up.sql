-- A track's name and description in other languages, as its organisers enter them: a JSON
-- object keyed by language (ISO 639-1), each with `name` and `description`.
ALTER TABLE tracks ADD COLUMN translations TEXT NOT NULL DEFAULT '{}';
