-- An approved pledge may wait for its reveal: `scheduled` until `reveal_at`, when it becomes
-- public (the counters' public figures move then; staff count it as scheduled meanwhile). A
-- pledge still awaiting its decision may carry the moment too, which its approval then keeps.
ALTER TABLE pledges DROP CONSTRAINT pledges_status_check;
ALTER TABLE pledges ADD CONSTRAINT pledges_status_check CHECK (status IN
    ('draft', 'submitted', 'changes_requested', 'published', 'rejected', 'withdrawn',
     'completed', 'inactive', 'scheduled'));

ALTER TABLE pledges ADD COLUMN reveal_at TIMESTAMP;

-- Every instance asks for the next reveal due: a handful of rows, found at once.
CREATE INDEX pledges_due_reveals ON pledges (reveal_at) WHERE status = 'scheduled';
