CREATE TABLE case_followers (
    council_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    follower TEXT NOT NULL,
    resident_id TEXT,
    name TEXT,
    email TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (council_id, case_id, follower),
    FOREIGN KEY (council_id, case_id) REFERENCES cases (council_id, case_id)
);

CREATE INDEX case_followers_resident ON case_followers (council_id, resident_id);
