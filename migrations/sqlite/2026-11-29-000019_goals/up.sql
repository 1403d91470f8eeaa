-- Goals per counter scope (`all`, or `track:<slug>` as counter_scopes keys them): the whole set
-- as JSON (domain::goals::Goal), replaced at once. `revision` goes up with every change, so
-- every instance's live counters see which scopes to re-render from one small read.
CREATE TABLE goal_sets (
    scope TEXT PRIMARY KEY,
    revision BIGINT NOT NULL,
    goals TEXT NOT NULL,
    updated_by TEXT NOT NULL REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL
);

-- Private big-screen links: a capability URL per track showing the pending figures too. Only
-- the SHA-256 of the secret is kept; a revoked link stays listed with its date.
CREATE TABLE screen_links (
    id TEXT PRIMARY KEY,
    scope TEXT NOT NULL,
    label TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX screen_links_scope ON screen_links (scope, id);

-- The big screen's ticker: the latest published pledges, newest first.
CREATE INDEX pledges_published ON pledges (status, published_at);
