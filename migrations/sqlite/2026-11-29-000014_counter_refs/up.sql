-- The reference counts behind each scope's distinct figures (entities, governments, countries)
-- move out of the scope's stored value into one small row each, so that a counted change
-- rewrites only the rows of what it touches however many organisations and countries there
-- are. The scope keeps the distinct figures themselves.
CREATE TABLE counter_refs (
    scope TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('organisation', 'government', 'country')),
    key TEXT NOT NULL,
    pledges BIGINT NOT NULL CHECK (pledges > 0),
    -- Keyed so that a change finds the counts of its organisations and countries in every scope
    -- it touches by (scope, key), without reading the rest of a scope.
    PRIMARY KEY (scope, key, kind)
);

INSERT INTO counter_refs (scope, kind, key, pledges)
SELECT c.scope, 'organisation', r.key, r.value
FROM counter_scopes c, json_each(c.state, '$.figures.organisations') r
UNION ALL
SELECT c.scope, 'government', r.key, r.value
FROM counter_scopes c, json_each(c.state, '$.figures.governments') r
UNION ALL
SELECT c.scope, 'country', r.key, r.value
FROM counter_scopes c, json_each(c.state, '$.figures.countries') r;

UPDATE counter_scopes SET state = json_set(
    json_remove(state, '$.figures.organisations', '$.figures.governments', '$.figures.countries'),
    '$.figures.entities',
    (SELECT count(*) FROM json_each(state, '$.figures.organisations')),
    '$.figures.governments',
    (SELECT count(*) FROM json_each(state, '$.figures.governments')),
    '$.figures.countries',
    (SELECT count(*) FROM json_each(state, '$.figures.countries'))
);
