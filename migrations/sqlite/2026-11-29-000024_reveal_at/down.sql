DROP INDEX pledges_due_reveals;
UPDATE pledges SET status = 'published', published_at = COALESCE(published_at, reveal_at)
WHERE status = 'scheduled';
ALTER TABLE pledges DROP COLUMN reveal_at;
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql, '''completed'', ''inactive'', ''scheduled'')',
                  '''completed'', ''inactive'')')
WHERE type = 'table' AND name = 'pledges';
PRAGMA writable_schema = RESET;
