DROP TABLE lifecycle_notices;
ALTER TABLE pledges DROP COLUMN withdrawn_at;
UPDATE pledges SET status = 'published' WHERE status IN ('completed', 'inactive');
ALTER TABLE pledges DROP CONSTRAINT pledges_status_check;
ALTER TABLE pledges ADD CONSTRAINT pledges_status_check CHECK (status IN
    ('draft', 'submitted', 'changes_requested', 'published', 'rejected', 'withdrawn'));
