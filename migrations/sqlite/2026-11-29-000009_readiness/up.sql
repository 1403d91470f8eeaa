-- What /readyz writes to learn that the database still takes writes (a full disk does not).
CREATE TABLE readiness_probes (
    instance TEXT PRIMARY KEY NOT NULL,
    checked_at TIMESTAMP NOT NULL
);
