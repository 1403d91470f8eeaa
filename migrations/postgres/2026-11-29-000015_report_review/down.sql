DROP INDEX progress_reports_review;
ALTER TABLE progress_reports DROP COLUMN return_reason;
ALTER TABLE progress_reports DROP COLUMN reviewed_at;
ALTER TABLE progress_reports DROP COLUMN reviewed_by;
ALTER TABLE progress_reports DROP COLUMN is_final;
ALTER TABLE progress_reports DROP COLUMN deliverable_values;
ALTER TABLE progress_reports DROP COLUMN review;
