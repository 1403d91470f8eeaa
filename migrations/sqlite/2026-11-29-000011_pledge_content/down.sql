ALTER TABLE pledges ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE pledges ADD COLUMN summary TEXT NOT NULL DEFAULT '';
ALTER TABLE pledges ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE pledges ADD COLUMN value_currency TEXT;
ALTER TABLE pledges ADD COLUMN value_amount_minor BIGINT;
ALTER TABLE pledges ADD COLUMN pillars TEXT NOT NULL DEFAULT '[]';
ALTER TABLE pledges ADD COLUMN regions TEXT NOT NULL DEFAULT '[]';
ALTER TABLE pledges ADD COLUMN beneficiary_groups TEXT NOT NULL DEFAULT '[]';
ALTER TABLE pledges ADD COLUMN partners TEXT NOT NULL DEFAULT '[]';
ALTER TABLE pledges ADD COLUMN contact_name TEXT;
ALTER TABLE pledges ADD COLUMN contact_email TEXT;
UPDATE pledges SET
    title = json_extract(content, '$.title'),
    summary = json_extract(content, '$.summary'),
    description = json_extract(content, '$.description'),
    value_currency = json_extract(content, '$.value.currency'),
    value_amount_minor = json_extract(content, '$.value.amount_minor'),
    pillars = json_extract(content, '$.pillars'),
    regions = json_extract(content, '$.regions'),
    beneficiary_groups = json_extract(content, '$.beneficiary_groups'),
    partners = json_extract(content, '$.partners'),
    contact_name = json_extract(content, '$.contact.name'),
    contact_email = json_extract(content, '$.contact.email');
ALTER TABLE pledges DROP COLUMN content;
