-- Pledges entered on an organisation's behalf: who entered one and where it was announced,
-- until the organisation confirms it (its contact accepts the ownership invitation).
ALTER TABLE pledges ADD COLUMN entered_by TEXT REFERENCES users (id);
ALTER TABLE pledges ADD COLUMN source TEXT;
ALTER TABLE pledges ADD COLUMN confirmed_at TIMESTAMP;
-- The reference a pledge was imported under (another registry's id), so that importing the same
-- file again creates nothing twice.
ALTER TABLE pledges ADD COLUMN external_ref TEXT;
CREATE UNIQUE INDEX pledges_external_ref ON pledges (external_ref);

-- Bulk imports: one row per committed import, its progress written with every batch.
CREATE TABLE imports (
    id TEXT PRIMARY KEY NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    publish BOOLEAN NOT NULL DEFAULT FALSE,
    status TEXT NOT NULL,
    rows_done BIGINT NOT NULL DEFAULT 0,
    created BIGINT NOT NULL DEFAULT 0,
    skipped BIGINT NOT NULL DEFAULT 0,
    errors BIGINT NOT NULL DEFAULT 0,
    -- The rows' errors as JSON (row, column, code, message), the first thousand.
    problems TEXT NOT NULL DEFAULT '[]',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
