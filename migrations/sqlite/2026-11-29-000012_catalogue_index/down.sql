ALTER TABLE pledges ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE pledges SET search_text = lower(json_extract(content, '$.title') || char(10)
    || json_extract(content, '$.summary') || char(10) || json_extract(content, '$.description'));
DROP TABLE pledge_search;
DROP INDEX pledges_seq;
ALTER TABLE pledges DROP COLUMN seq;
DROP TABLE pledge_facets;
