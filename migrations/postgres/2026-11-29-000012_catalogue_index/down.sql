ALTER TABLE pledges ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE pledges SET search_text = lower((content::jsonb ->> 'title') || E'\n'
    || (content::jsonb ->> 'summary') || E'\n' || (content::jsonb ->> 'description'));
DROP INDEX pledges_search;
ALTER TABLE pledges DROP COLUMN search_vector;
DROP TABLE pledge_facets;
