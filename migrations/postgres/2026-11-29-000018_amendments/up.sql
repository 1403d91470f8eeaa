-- Amendments to published pledges: the organisation proposes new content, the published
-- content stays what the public sees until a moderator approves the proposal (or refuses it
-- with a reason). `content` is the proposed pledge whole, as JSON of its validated form.
CREATE TABLE pledge_amendments (
    id TEXT PRIMARY KEY NOT NULL,
    pledge_id TEXT NOT NULL REFERENCES pledges (id),
    status TEXT NOT NULL CHECK (status IN ('proposed', 'approved', 'refused', 'withdrawn')),
    content TEXT NOT NULL,
    proposed_by TEXT NOT NULL REFERENCES users (id),
    proposed_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    decided_by TEXT REFERENCES users (id),
    decided_at TIMESTAMP,
    reason TEXT
);
-- One open amendment per pledge at a time.
CREATE UNIQUE INDEX pledge_amendments_open ON pledge_amendments (pledge_id)
    WHERE status = 'proposed';
CREATE INDEX pledge_amendments_pledge ON pledge_amendments (pledge_id, proposed_at);
-- The moderators' list of amendments waiting, oldest change first.
CREATE INDEX pledge_amendments_waiting ON pledge_amendments (status, updated_at, id);

-- What an amendment changed, field by field: JSON `[{"field", "before", "after"}]`.
ALTER TABLE pledge_events ADD COLUMN changes TEXT;
