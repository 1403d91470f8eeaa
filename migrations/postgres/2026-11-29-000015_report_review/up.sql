-- A progress report is reviewed: its figures count once a moderator accepts it, and a moderator
-- may send it back with a reason. Reports filed before review existed had counted already:
-- they stay accepted. A report gives the value reached for each deliverable of its pledge (JSON
-- `[{"deliverable": 0, "value": 120}]`), and may be the pledge's final report.
ALTER TABLE progress_reports ADD COLUMN review TEXT NOT NULL DEFAULT 'accepted'
    CHECK (review IN ('submitted', 'accepted', 'returned'));
ALTER TABLE progress_reports ADD COLUMN deliverable_values TEXT NOT NULL DEFAULT '[]';
ALTER TABLE progress_reports ADD COLUMN is_final BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE progress_reports ADD COLUMN reviewed_by TEXT REFERENCES users (id);
ALTER TABLE progress_reports ADD COLUMN reviewed_at TIMESTAMP;
ALTER TABLE progress_reports ADD COLUMN return_reason TEXT;
-- The moderators' queue of reports to review, oldest first.
CREATE INDEX progress_reports_review ON progress_reports (review, updated_at);
