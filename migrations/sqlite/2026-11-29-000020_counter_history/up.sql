-- Figures over time. Each scope's figures as they stood at the end of every day on which they
-- changed, written by the first counted change of a later day (the stored figures are the
-- end-of-day figures of their last day until then), so that the figures of any past date are
-- read back exactly and the live path writes at most one row per scope and day.
CREATE TABLE counter_days (
    scope TEXT NOT NULL,
    day DATE NOT NULL,
    state TEXT NOT NULL,
    -- The row this upgrade wrote from the figures it found: the figures before its day were
    -- never recorded.
    history_starts BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (scope, day)
);

INSERT INTO counter_days (scope, day, state, history_starts)
SELECT scope, date(updated_at), state, TRUE FROM counter_scopes;

-- The annual report pack of a closed year, sealed the first time it is asked for, so that it
-- reads the same byte for byte however often it is downloaded again.
CREATE TABLE annual_packs (
    year INTEGER PRIMARY KEY NOT NULL,
    generated_at TIMESTAMP NOT NULL,
    body TEXT NOT NULL
);
