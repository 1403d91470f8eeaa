DROP TABLE imports;
DROP INDEX pledges_external_ref;
ALTER TABLE pledges DROP COLUMN external_ref;
ALTER TABLE pledges DROP COLUMN confirmed_at;
ALTER TABLE pledges DROP COLUMN source;
ALTER TABLE pledges DROP COLUMN entered_by;
