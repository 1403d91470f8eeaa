UPDATE counter_scopes SET state = (
    jsonb_set(state::jsonb, '{figures}',
        (state::jsonb -> 'figures') - 'entities' - 'governments' - 'countries'
        || jsonb_build_object(
            'organisations', (SELECT coalesce(jsonb_object_agg(key, pledges), '{}'::jsonb)
                FROM counter_refs r WHERE r.scope = counter_scopes.scope AND r.kind = 'organisation'),
            'governments', (SELECT coalesce(jsonb_object_agg(key, pledges), '{}'::jsonb)
                FROM counter_refs r WHERE r.scope = counter_scopes.scope AND r.kind = 'government'),
            'countries', (SELECT coalesce(jsonb_object_agg(key, pledges), '{}'::jsonb)
                FROM counter_refs r WHERE r.scope = counter_scopes.scope AND r.kind = 'country')))
)::TEXT;

DROP TABLE counter_refs;
