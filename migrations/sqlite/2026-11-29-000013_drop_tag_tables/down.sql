CREATE TABLE pledge_tracks (
    pledge_id TEXT NOT NULL REFERENCES pledges (id),
    track TEXT NOT NULL REFERENCES tracks (slug),
    PRIMARY KEY (pledge_id, track)
);
CREATE INDEX pledge_tracks_track ON pledge_tracks (track, pledge_id);
CREATE TABLE pledge_sdgs (
    pledge_id TEXT NOT NULL REFERENCES pledges (id),
    sdg INTEGER NOT NULL REFERENCES sdgs (number),
    PRIMARY KEY (pledge_id, sdg)
);
CREATE INDEX pledge_sdgs_sdg ON pledge_sdgs (sdg, pledge_id);
CREATE TABLE pledge_focus_areas (
    pledge_id TEXT NOT NULL REFERENCES pledges (id),
    focus_area TEXT NOT NULL REFERENCES focus_areas (slug),
    PRIMARY KEY (pledge_id, focus_area)
);
CREATE INDEX pledge_focus_areas_area ON pledge_focus_areas (focus_area, pledge_id);
CREATE TABLE pledge_countries (
    pledge_id TEXT NOT NULL REFERENCES pledges (id),
    country TEXT NOT NULL REFERENCES countries (alpha3),
    PRIMARY KEY (pledge_id, country)
);
CREATE INDEX pledge_countries_country ON pledge_countries (country, pledge_id);
INSERT INTO pledge_tracks (pledge_id, track)
    SELECT pledge_id, value FROM pledge_facets WHERE facet = 'track';
INSERT INTO pledge_sdgs (pledge_id, sdg)
    SELECT pledge_id, CAST(value AS INTEGER) FROM pledge_facets WHERE facet = 'sdg';
INSERT INTO pledge_focus_areas (pledge_id, focus_area)
    SELECT pledge_id, value FROM pledge_facets WHERE facet = 'focus_area';
INSERT INTO pledge_countries (pledge_id, country)
    SELECT pledge_id, value FROM pledge_facets WHERE facet = 'country';
