-- A published pledge lives on: `completed` once its final report is accepted, `inactive` while
-- its organisation owes two reporting years (lifted by the next accepted report). A pledge
-- withdrawn after publication stays public, as withdrawn, with the date.
--
-- Widening the status check changes nothing stored, so the table's definition is edited in
-- place: SQLite's documented procedure for constraints that every stored row still meets.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql, '''rejected'', ''withdrawn'')',
                  '''rejected'', ''withdrawn'', ''completed'', ''inactive'')')
WHERE type = 'table' AND name = 'pledges';
PRAGMA writable_schema = RESET;

ALTER TABLE pledges ADD COLUMN withdrawn_at TIMESTAMP;
UPDATE pledges SET withdrawn_at = updated_at WHERE status = 'withdrawn';

-- The lifecycle's notices sent: once per pledge, kind and reporting year.
CREATE TABLE lifecycle_notices (
    pledge_id TEXT NOT NULL REFERENCES pledges (id),
    kind TEXT NOT NULL CHECK (kind IN ('second_reminder', 'inactive')),
    year INTEGER NOT NULL,
    sent_at TIMESTAMP NOT NULL,
    PRIMARY KEY (pledge_id, kind, year)
);
