-- The catalogue's index (`pledge_facets`) holds every value these tables held, and the queries
-- read it instead: nothing reads them any more, so nothing writes them.
DROP TABLE pledge_tracks;
DROP TABLE pledge_sdgs;
DROP TABLE pledge_focus_areas;
DROP TABLE pledge_countries;
