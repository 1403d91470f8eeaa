ALTER TABLE tracks DROP COLUMN translations;
