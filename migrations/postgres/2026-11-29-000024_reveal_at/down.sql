DROP INDEX pledges_due_reveals;
UPDATE pledges SET status = 'published', published_at = COALESCE(published_at, reveal_at)
WHERE status = 'scheduled';
ALTER TABLE pledges DROP COLUMN reveal_at;
ALTER TABLE pledges DROP CONSTRAINT pledges_status_check;
ALTER TABLE pledges ADD CONSTRAINT pledges_status_check CHECK (status IN
    ('draft', 'submitted', 'changes_requested', 'published', 'rejected', 'withdrawn',
     'completed', 'inactive'));
