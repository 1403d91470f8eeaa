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
SELECT c.scope, k.kind, r.key, r.value::BIGINT
FROM counter_scopes c
CROSS JOIN (VALUES ('organisation', 'organisations'), ('government', 'governments'),
                   ('country', 'countries')) AS k (kind, field)
CROSS JOIN LATERAL jsonb_each_text(
    coalesce(c.state::jsonb -> 'figures' -> k.field, '{}'::jsonb)) r;

UPDATE counter_scopes SET state = (
    jsonb_set(state::jsonb, '{figures}',
        (state::jsonb -> 'figures') - 'organisations' - 'governments' - 'countries'
        || jsonb_build_object(
            'entities', (SELECT count(*) FROM jsonb_object_keys(
                coalesce(state::jsonb -> 'figures' -> 'organisations', '{}'::jsonb))),
            'governments', (SELECT count(*) FROM jsonb_object_keys(
                coalesce(state::jsonb -> 'figures' -> 'governments', '{}'::jsonb))),
            'countries', (SELECT count(*) FROM jsonb_object_keys(
                coalesce(state::jsonb -> 'figures' -> 'countries', '{}'::jsonb)))))
)::TEXT;
