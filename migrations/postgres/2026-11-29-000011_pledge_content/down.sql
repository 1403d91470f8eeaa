ALTER TABLE pledges
    ADD COLUMN title TEXT NOT NULL DEFAULT '',
    ADD COLUMN summary TEXT NOT NULL DEFAULT '',
    ADD COLUMN description TEXT NOT NULL DEFAULT '',
    ADD COLUMN value_currency TEXT,
    ADD COLUMN value_amount_minor BIGINT,
    ADD COLUMN pillars TEXT NOT NULL DEFAULT '[]',
    ADD COLUMN regions TEXT NOT NULL DEFAULT '[]',
    ADD COLUMN beneficiary_groups TEXT NOT NULL DEFAULT '[]',
    ADD COLUMN partners TEXT NOT NULL DEFAULT '[]',
    ADD COLUMN contact_name TEXT,
    ADD COLUMN contact_email TEXT;
UPDATE pledges SET
    title = content::jsonb ->> 'title',
    summary = content::jsonb ->> 'summary',
    description = content::jsonb ->> 'description',
    value_currency = content::jsonb #>> '{value,currency}',
    value_amount_minor = (content::jsonb #>> '{value,amount_minor}')::bigint,
    pillars = content::jsonb ->> 'pillars',
    regions = content::jsonb ->> 'regions',
    beneficiary_groups = content::jsonb ->> 'beneficiary_groups',
    partners = content::jsonb ->> 'partners',
    contact_name = content::jsonb #>> '{contact,name}',
    contact_email = content::jsonb #>> '{contact,email}';
ALTER TABLE pledges DROP COLUMN content;
