-- Each import of a system's export into the index, with what could not be
-- read in it (a JSON list of columns: values present, unreadable, the first
-- example and where it was), kept so that staff can see why a system's
-- records link less well than they should.
CREATE TABLE index_imports (
    council_id TEXT NOT NULL REFERENCES councils (council_id),
    system TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    file TEXT NOT NULL,
    records BIGINT NOT NULL,
    added BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    unreadable TEXT NOT NULL,
    PRIMARY KEY (council_id, system, imported_at)
);
