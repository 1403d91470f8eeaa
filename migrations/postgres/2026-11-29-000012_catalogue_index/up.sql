-- The catalogue's index, written from each pledge's content (see db::pledges::write_facets).
--
-- pledge_facets: one row per value a pledge can be filtered on (track, sdg, focus_area,
-- country, region, pillar, beneficiary_group, year, type, ldc, lldc, sids, organisation,
-- organisation_kind), carrying the pledge's status. `pledge_facets_page` serves any one filter
-- newest first for a given status, so a page reads only its own rows however deep it is; the
-- primary key answers "does this pledge have that value" for the other filters of a query.
CREATE TABLE pledge_facets (
    pledge_id TEXT NOT NULL REFERENCES pledges (id),
    facet TEXT NOT NULL,
    value TEXT NOT NULL,
    status TEXT NOT NULL,
    PRIMARY KEY (pledge_id, facet, value)
);
CREATE INDEX pledge_facets_page ON pledge_facets (facet, value, status, pledge_id);

INSERT INTO pledge_facets (pledge_id, facet, value, status)
SELECT p.id, f.facet, f.value, p.status
FROM pledges p, LATERAL (
    SELECT 'track', jsonb_array_elements_text(p.content::jsonb -> 'tracks')
    UNION ALL SELECT 'sdg', jsonb_array_elements_text(p.content::jsonb -> 'sdgs')
    UNION ALL SELECT 'focus_area', jsonb_array_elements_text(p.content::jsonb -> 'focus_areas')
    UNION ALL SELECT 'country', jsonb_array_elements_text(p.content::jsonb -> 'countries')
    UNION ALL SELECT 'region', jsonb_array_elements_text(p.content::jsonb -> 'regions')
    UNION ALL SELECT 'pillar', jsonb_array_elements_text(p.content::jsonb -> 'pillars')
    UNION ALL SELECT 'beneficiary_group',
        jsonb_array_elements_text(p.content::jsonb -> 'beneficiary_groups')
    UNION ALL SELECT 'type', p.content::jsonb ->> 'type'
    UNION ALL SELECT 'ldc', p.content::jsonb ->> 'ldc'
    UNION ALL SELECT 'lldc', p.content::jsonb ->> 'lldc'
    UNION ALL SELECT 'sids', p.content::jsonb ->> 'sids'
    UNION ALL SELECT 'organisation', p.organisation_id
    UNION ALL SELECT 'organisation_kind', (SELECT kind FROM organisations o
                                           WHERE o.id = p.organisation_id)
    -- A pledge's years (domain::pledge::ValidPledge::years): from its start date's year to its
    -- end date's, at most 50; the year of its one date; with no date, the year it was published.
    UNION ALL SELECT 'year', y::text FROM (
        SELECT EXTRACT(YEAR FROM COALESCE((p.content::jsonb ->> 'start_date')::date,
                                          (p.content::jsonb ->> 'end_date')::date,
                                          p.published_at))::int AS first,
               EXTRACT(YEAR FROM COALESCE((p.content::jsonb ->> 'end_date')::date,
                                          (p.content::jsonb ->> 'start_date')::date,
                                          p.published_at))::int AS last
    ) b, generate_series(b.first, LEAST(b.last, b.first + 49)) y
) AS f (facet, value);

-- Full-text search over title (weight A), summary and organisation (B), description and
-- partners (C): the `simple` configuration (no stemming: every language alike) over text with
-- its accents removed, so "donnees" finds "Données" and words match whole.
CREATE EXTENSION IF NOT EXISTS unaccent;
ALTER TABLE pledges ADD COLUMN search_vector tsvector NOT NULL DEFAULT ''::tsvector;
UPDATE pledges p SET search_vector =
    setweight(to_tsvector('simple', unaccent(p.content::jsonb ->> 'title')), 'A')
    || setweight(to_tsvector('simple', unaccent(p.content::jsonb ->> 'summary')), 'B')
    || setweight(to_tsvector('simple', unaccent(o.name)), 'B')
    || setweight(to_tsvector('simple', unaccent(p.content::jsonb ->> 'description')), 'C')
    || setweight(to_tsvector('simple', unaccent(COALESCE((
        SELECT string_agg(x, E'\n') FROM jsonb_array_elements_text(p.content::jsonb -> 'partners') x
    ), ''))), 'C')
FROM organisations o WHERE o.id = p.organisation_id;
CREATE INDEX pledges_search ON pledges USING GIN (search_vector);

-- The LIKE search it replaces.
ALTER TABLE pledges DROP COLUMN search_text;
