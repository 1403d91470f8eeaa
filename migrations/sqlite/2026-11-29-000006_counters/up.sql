-- Live counters, one row per scope ('all', or 'track:<slug>'): the scope's figures with the
-- reference counts behind its distinct figures, kept up to date in the transaction of every
-- change, so that no reader ever scans the pledges.
CREATE TABLE counter_scopes (
    scope TEXT PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    state TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
