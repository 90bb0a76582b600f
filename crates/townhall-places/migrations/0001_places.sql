CREATE TABLE councils (
    council_id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE areas (
    council_id TEXT NOT NULL REFERENCES councils (council_id),
    code TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    boundary TEXT NOT NULL,
    PRIMARY KEY (council_id, code)
);

CREATE TABLE addresses (
    council_id TEXT NOT NULL REFERENCES councils (council_id),
    uprn TEXT NOT NULL,
    line1 TEXT NOT NULL,
    line2 TEXT,
    town TEXT NOT NULL,
    postcode TEXT NOT NULL,
    latitude DOUBLE PRECISION NOT NULL,
    longitude DOUBLE PRECISION NOT NULL,
    ward_code TEXT,
    parish_code TEXT,
    PRIMARY KEY (council_id, uprn)
);

CREATE INDEX addresses_postcode ON addresses (council_id, postcode);
