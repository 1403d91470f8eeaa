UPDATE counter_scopes SET state = json_set(
    json_remove(state, '$.figures.entities', '$.figures.governments', '$.figures.countries'),
    '$.figures.organisations',
    (SELECT json(coalesce(json_group_object(key, pledges), '{}')) FROM counter_refs r
     WHERE r.scope = counter_scopes.scope AND r.kind = 'organisation'),
    '$.figures.governments',
    (SELECT json(coalesce(json_group_object(key, pledges), '{}')) FROM counter_refs r
     WHERE r.scope = counter_scopes.scope AND r.kind = 'government'),
    '$.figures.countries',
    (SELECT json(coalesce(json_group_object(key, pledges), '{}')) FROM counter_refs r
     WHERE r.scope = counter_scopes.scope AND r.kind = 'country')
);

DROP TABLE counter_refs;
