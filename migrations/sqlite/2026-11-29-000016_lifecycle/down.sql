DROP TABLE lifecycle_notices;
ALTER TABLE pledges DROP COLUMN withdrawn_at;
UPDATE pledges SET status = 'published' WHERE status IN ('completed', 'inactive');
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql, '''rejected'', ''withdrawn'', ''completed'', ''inactive'')',
                  '''rejected'', ''withdrawn'')')
WHERE type = 'table' AND name = 'pledges';
PRAGMA writable_schema = RESET;
