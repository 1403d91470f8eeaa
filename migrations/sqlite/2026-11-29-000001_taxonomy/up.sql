CREATE TABLE sdgs (
    number INTEGER PRIMARY KEY NOT NULL CHECK (number BETWEEN 1 AND 17),
    short_title TEXT NOT NULL,
    title TEXT NOT NULL,
    colour TEXT NOT NULL
);

CREATE TABLE focus_areas (
    slug TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    tagline TEXT NOT NULL,
    position INTEGER NOT NULL
);

CREATE TABLE pillars (
    slug TEXT PRIMARY KEY NOT NULL,
    focus_area TEXT NOT NULL REFERENCES focus_areas (slug),
    name TEXT NOT NULL,
    position INTEGER NOT NULL
);

CREATE TABLE countries (
    alpha3 TEXT PRIMARY KEY NOT NULL CHECK (length(alpha3) = 3),
    alpha2 TEXT NOT NULL UNIQUE,
    numeric_code TEXT NOT NULL,
    name TEXT NOT NULL,
    region TEXT,
    subregion TEXT,
    ldc BOOLEAN NOT NULL DEFAULT 0,
    lldc BOOLEAN NOT NULL DEFAULT 0,
    sids BOOLEAN NOT NULL DEFAULT 0
);

CREATE TABLE tracks (
    slug TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    location TEXT,
    starts_on DATE,
    ends_on DATE,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CHECK (ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on)
);
