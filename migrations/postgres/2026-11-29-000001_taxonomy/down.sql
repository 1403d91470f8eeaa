DROP TABLE tracks;
DROP TABLE countries;
DROP TABLE pillars;
DROP TABLE focus_areas;
DROP TABLE sdgs;
