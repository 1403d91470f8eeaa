-- An approved pledge may wait for its reveal: `scheduled` until `reveal_at`, when it becomes
-- public (the counters' public figures move then; staff count it as scheduled meanwhile). A
-- pledge still awaiting its decision may carry the moment too, which its approval then keeps.
--
-- Widening the status check changes nothing stored, so the table's definition is edited in
-- place, as the lifecycle's migration did.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql, '''completed'', ''inactive'')',
                  '''completed'', ''inactive'', ''scheduled'')')
WHERE type = 'table' AND name = 'pledges';
PRAGMA writable_schema = RESET;

ALTER TABLE pledges ADD COLUMN reveal_at TIMESTAMP;

-- Every instance asks for the next reveal due: a handful of rows, found at once.
CREATE INDEX pledges_due_reveals ON pledges (reveal_at) WHERE status = 'scheduled';
