-- Each account's language (ISO 639-1, one of the six UN languages): the emails it receives
-- and the pages its links open speak it.
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'en'
    CHECK (language IN ('ar', 'zh', 'en', 'fr', 'ru', 'es'));
