-- Yearly progress on a published pledge, reported by its organisation.
CREATE TABLE progress_reports (
    id TEXT PRIMARY KEY NOT NULL,
    pledge_id TEXT NOT NULL REFERENCES pledges (id),
    year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    implementation_status TEXT NOT NULL
        CHECK (implementation_status IN ('not_started', 'in_progress', 'completed', 'discontinued')),
    narrative TEXT NOT NULL,
    -- Whole US dollars disbursed during the year.
    usd_disbursed BIGINT NOT NULL DEFAULT 0 CHECK (usd_disbursed >= 0),
    people_reached BIGINT CHECK (people_reached IS NULL OR people_reached >= 0),
    reported_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (pledge_id, year)
);
