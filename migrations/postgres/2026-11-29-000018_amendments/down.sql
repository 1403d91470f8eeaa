ALTER TABLE pledge_events DROP COLUMN changes;
DROP INDEX pledge_amendments_waiting;
DROP INDEX pledge_amendments_pledge;
DROP INDEX pledge_amendments_open;
DROP TABLE pledge_amendments;
