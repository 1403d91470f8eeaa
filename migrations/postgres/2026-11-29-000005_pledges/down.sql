DROP TABLE idempotency_keys;
DROP TABLE moderator_tracks;
DROP TABLE pledge_events;
DROP TABLE pledge_countries;
DROP TABLE pledge_focus_areas;
DROP TABLE pledge_sdgs;
DROP TABLE pledge_tracks;
DROP TABLE pledges;
