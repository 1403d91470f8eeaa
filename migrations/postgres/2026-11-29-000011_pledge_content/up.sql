-- A pledge's content is kept whole, as the JSON of its validated form: a field added to the
-- pledge needs no new column. The columns and tag tables that stay are the facets the
-- catalogue filters, searches and counts on, written from the same content.
ALTER TABLE pledges ADD COLUMN content TEXT NOT NULL DEFAULT '{}';

UPDATE pledges SET content = jsonb_build_object(
    'title', title,
    'summary', summary,
    'description', description,
    'type', pledge_type,
    'focus_areas', COALESCE((SELECT jsonb_agg(focus_area ORDER BY focus_area)
                             FROM pledge_focus_areas WHERE pledge_id = pledges.id), '[]'::jsonb),
    'pillars', pillars::jsonb,
    'sdgs', COALESCE((SELECT jsonb_agg(sdg ORDER BY sdg)
                      FROM pledge_sdgs WHERE pledge_id = pledges.id), '[]'::jsonb),
    'tracks', COALESCE((SELECT jsonb_agg(track ORDER BY track)
                        FROM pledge_tracks WHERE pledge_id = pledges.id), '[]'::jsonb),
    'countries', COALESCE((SELECT jsonb_agg(country ORDER BY country)
                           FROM pledge_countries WHERE pledge_id = pledges.id), '[]'::jsonb),
    'regions', regions::jsonb,
    'global', targets_global,
    'beneficiary_groups', beneficiary_groups::jsonb,
    'value', CASE WHEN value_currency IS NULL THEN 'null'::jsonb ELSE jsonb_build_object(
        'currency', value_currency, 'amount_minor', value_amount_minor, 'usd', value_usd) END,
    'start_date', start_date,
    'end_date', end_date,
    'partners', partners::jsonb,
    'contact', CASE WHEN contact_name IS NULL THEN 'null'::jsonb ELSE jsonb_build_object(
        'name', contact_name, 'email', contact_email) END,
    'ldc', ldc,
    'lldc', lldc,
    'sids', sids
)::text;

ALTER TABLE pledges
    DROP COLUMN title,
    DROP COLUMN summary,
    DROP COLUMN description,
    DROP COLUMN value_currency,
    DROP COLUMN value_amount_minor,
    DROP COLUMN pillars,
    DROP COLUMN regions,
    DROP COLUMN beneficiary_groups,
    DROP COLUMN partners,
    DROP COLUMN contact_name,
    DROP COLUMN contact_email;
