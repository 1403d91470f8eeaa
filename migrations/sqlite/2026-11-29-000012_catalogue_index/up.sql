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
) WITHOUT ROWID;
CREATE INDEX pledge_facets_page ON pledge_facets (facet, value, status, pledge_id);

INSERT INTO pledge_facets (pledge_id, facet, value, status)
SELECT p.id, 'track', j.value, p.status FROM pledges p, json_each(p.content, '$.tracks') j
UNION ALL
SELECT p.id, 'sdg', CAST(j.value AS TEXT), p.status FROM pledges p, json_each(p.content, '$.sdgs') j
UNION ALL
SELECT p.id, 'focus_area', j.value, p.status FROM pledges p, json_each(p.content, '$.focus_areas') j
UNION ALL
SELECT p.id, 'country', j.value, p.status FROM pledges p, json_each(p.content, '$.countries') j
UNION ALL
SELECT p.id, 'region', j.value, p.status FROM pledges p, json_each(p.content, '$.regions') j
UNION ALL
SELECT p.id, 'pillar', j.value, p.status FROM pledges p, json_each(p.content, '$.pillars') j
UNION ALL
SELECT p.id, 'beneficiary_group', j.value, p.status
FROM pledges p, json_each(p.content, '$.beneficiary_groups') j
UNION ALL
SELECT id, 'type', json_extract(content, '$.type'), status FROM pledges
UNION ALL
SELECT id, 'ldc', CASE WHEN json_extract(content, '$.ldc') THEN 'true' ELSE 'false' END, status
FROM pledges
UNION ALL
SELECT id, 'lldc', CASE WHEN json_extract(content, '$.lldc') THEN 'true' ELSE 'false' END, status
FROM pledges
UNION ALL
SELECT id, 'sids', CASE WHEN json_extract(content, '$.sids') THEN 'true' ELSE 'false' END, status
FROM pledges
UNION ALL
SELECT id, 'organisation', organisation_id, status FROM pledges
UNION ALL
SELECT p.id, 'organisation_kind', o.kind, p.status
FROM pledges p JOIN organisations o ON o.id = p.organisation_id;

-- A pledge's years (domain::pledge::ValidPledge::years): from its start date's year to its end
-- date's, at most 50; the year of its one date; with no date, the year it was published.
INSERT INTO pledge_facets (pledge_id, facet, value, status)
WITH RECURSIVE bounds (pledge_id, status, first, last) AS (
    SELECT id, status,
        CAST(strftime('%Y', COALESCE(json_extract(content, '$.start_date'),
                                     json_extract(content, '$.end_date'), published_at)) AS INTEGER),
        CAST(strftime('%Y', COALESCE(json_extract(content, '$.end_date'),
                                     json_extract(content, '$.start_date'), published_at)) AS INTEGER)
    FROM pledges
    WHERE COALESCE(json_extract(content, '$.start_date'), json_extract(content, '$.end_date'),
                   published_at) IS NOT NULL
),
span (pledge_id, status, year, last) AS (
    SELECT pledge_id, status, first, MIN(last, first + 49) FROM bounds
    UNION ALL
    SELECT pledge_id, status, year + 1, last FROM span WHERE year < last
)
SELECT pledge_id, 'year', CAST(year AS TEXT), status FROM span;

-- Full-text search. FTS5 rows are keyed by an integer: `seq`, given to each pledge in the order
-- pledges are created (a pledge's id sorts the same way), so that "newest first" is the search
-- index's own order. The implicit rowid cannot serve: VACUUM (and VACUUM INTO, the backup)
-- may renumber it.
ALTER TABLE pledges ADD COLUMN seq INTEGER;
UPDATE pledges SET seq = r.n
FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM pledges) AS r
WHERE r.id = pledges.id;
CREATE UNIQUE INDEX pledges_seq ON pledges (seq);

-- Accents and case folded by the tokenizer ("donnees" finds "Données"), whole words only,
-- bm25 ranking with the columns weighted in db::pledges.
CREATE VIRTUAL TABLE pledge_search USING fts5(
    title, summary, description, organisation, partners,
    tokenize = "unicode61 remove_diacritics 2"
);
INSERT INTO pledge_search (rowid, title, summary, description, organisation, partners)
SELECT p.seq, json_extract(p.content, '$.title'), json_extract(p.content, '$.summary'),
    json_extract(p.content, '$.description'), o.name,
    COALESCE((SELECT group_concat(j.value, char(10)) FROM json_each(p.content, '$.partners') j), '')
FROM pledges p JOIN organisations o ON o.id = p.organisation_id;

-- The LIKE search it replaces.
ALTER TABLE pledges DROP COLUMN search_text;
