-- A pledge's content is kept whole, as the JSON of its validated form: a field added to the
-- pledge needs no new column. The columns and tag tables that stay are the facets the
-- catalogue filters, searches and counts on, written from the same content.
ALTER TABLE pledges ADD COLUMN content TEXT NOT NULL DEFAULT '{}';

UPDATE pledges SET content = json_object(
    'title', title,
    'summary', summary,
    'description', description,
    'type', pledge_type,
    'focus_areas', (SELECT json_group_array(focus_area ORDER BY focus_area)
                    FROM pledge_focus_areas WHERE pledge_id = pledges.id),
    'pillars', json(pillars),
    'sdgs', (SELECT json_group_array(sdg ORDER BY sdg) FROM pledge_sdgs WHERE pledge_id = pledges.id),
    'tracks', (SELECT json_group_array(track ORDER BY track)
               FROM pledge_tracks WHERE pledge_id = pledges.id),
    'countries', (SELECT json_group_array(country ORDER BY country)
                  FROM pledge_countries WHERE pledge_id = pledges.id),
    'regions', json(regions),
    'global', json(CASE WHEN targets_global THEN 'true' ELSE 'false' END),
    'beneficiary_groups', json(beneficiary_groups),
    'value', json(CASE WHEN value_currency IS NULL THEN 'null' ELSE json_object(
        'currency', value_currency, 'amount_minor', value_amount_minor, 'usd', value_usd) END),
    'start_date', start_date,
    'end_date', end_date,
    'partners', json(partners),
    'contact', json(CASE WHEN contact_name IS NULL THEN 'null' ELSE json_object(
        'name', contact_name, 'email', contact_email) END),
    'ldc', json(CASE WHEN ldc THEN 'true' ELSE 'false' END),
    'lldc', json(CASE WHEN lldc THEN 'true' ELSE 'false' END),
    'sids', json(CASE WHEN sids THEN 'true' ELSE 'false' END)
);

ALTER TABLE pledges DROP COLUMN title;
ALTER TABLE pledges DROP COLUMN summary;
ALTER TABLE pledges DROP COLUMN description;
ALTER TABLE pledges DROP COLUMN value_currency;
ALTER TABLE pledges DROP COLUMN value_amount_minor;
ALTER TABLE pledges DROP COLUMN pillars;
ALTER TABLE pledges DROP COLUMN regions;
ALTER TABLE pledges DROP COLUMN beneficiary_groups;
ALTER TABLE pledges DROP COLUMN partners;
ALTER TABLE pledges DROP COLUMN contact_name;
ALTER TABLE pledges DROP COLUMN contact_email;
