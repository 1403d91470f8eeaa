CREATE TABLE pledges (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    created_by TEXT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'submitted', 'changes_requested', 'published', 'rejected', 'withdrawn')),
    version INTEGER NOT NULL DEFAULT 1,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    description TEXT NOT NULL,
    pledge_type TEXT NOT NULL CHECK (pledge_type IN ('financial', 'policy', 'programmatic', 'advocacy')),
    -- Money is integer: minor units of the pledged currency, and whole US dollars.
    value_currency TEXT,
    value_amount_minor BIGINT CHECK (value_amount_minor IS NULL OR value_amount_minor >= 0),
    value_usd BIGINT CHECK (value_usd IS NULL OR value_usd >= 0),
    start_date DATE,
    end_date DATE,
    targets_global BOOLEAN NOT NULL DEFAULT 0,
    -- Derived from the target countries and the UN lists, for filtering and counting.
    ldc BOOLEAN NOT NULL DEFAULT 0,
    lldc BOOLEAN NOT NULL DEFAULT 0,
    sids BOOLEAN NOT NULL DEFAULT 0,
    -- JSON arrays of strings: shown, not filtered on.
    pillars TEXT NOT NULL DEFAULT '[]',
    regions TEXT NOT NULL DEFAULT '[]',
    beneficiary_groups TEXT NOT NULL DEFAULT '[]',
    partners TEXT NOT NULL DEFAULT '[]',
    contact_name TEXT,
    contact_email TEXT,
    -- Lowercased title, summary and description, for the `q` filter.
    search_text TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    submitted_at TIMESTAMP,
    published_at TIMESTAMP,
    CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);
CREATE INDEX pledges_status_id ON pledges (status, id);
CREATE INDEX pledges_organisation ON pledges (organisation_id, id);
CREATE INDEX pledges_queue ON pledges (status, submitted_at, id);

CREATE TABLE pledge_tracks (
    pledge_id TEXT NOT NULL REFERENCES pledges (id),
    track TEXT NOT NULL REFERENCES tracks (slug),
    PRIMARY KEY (pledge_id, track)
);
CREATE INDEX pledge_tracks_track ON pledge_tracks (track, pledge_id);

CREATE TABLE pledge_sdgs (
    pledge_id TEXT NOT NULL REFERENCES pledges (id),
    sdg INTEGER NOT NULL REFERENCES sdgs (number),
    PRIMARY KEY (pledge_id, sdg)
);
CREATE INDEX pledge_sdgs_sdg ON pledge_sdgs (sdg, pledge_id);

CREATE TABLE pledge_focus_areas (
    pledge_id TEXT NOT NULL REFERENCES pledges (id),
    focus_area TEXT NOT NULL REFERENCES focus_areas (slug),
    PRIMARY KEY (pledge_id, focus_area)
);
CREATE INDEX pledge_focus_areas_area ON pledge_focus_areas (focus_area, pledge_id);

CREATE TABLE pledge_countries (
    pledge_id TEXT NOT NULL REFERENCES pledges (id),
    country TEXT NOT NULL REFERENCES countries (alpha3),
    PRIMARY KEY (pledge_id, country)
);
CREATE INDEX pledge_countries_country ON pledge_countries (country, pledge_id);

-- The audit trail: append-only, one row per change, written in the change's transaction.
CREATE TABLE pledge_events (
    id TEXT PRIMARY KEY NOT NULL,
    pledge_id TEXT NOT NULL REFERENCES pledges (id),
    actor_id TEXT NOT NULL REFERENCES users (id),
    actor_role TEXT NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    reason TEXT,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX pledge_events_pledge ON pledge_events (pledge_id, id);

-- Moderators limited to some tracks; none listed means all tracks.
CREATE TABLE moderator_tracks (
    user_id TEXT NOT NULL REFERENCES users (id),
    track TEXT NOT NULL REFERENCES tracks (slug),
    PRIMARY KEY (user_id, track)
);

-- Idempotency-Key records for POST /pledges, kept 24 hours.
CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL REFERENCES users (id),
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response_status INTEGER,
    response_body TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, idempotency_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
