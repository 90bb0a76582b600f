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

-- The values of a record's columns beyond the built-in ones (identifiers
-- such as the NHS number, a middle name, sex), as a JSON object from the
-- column's name to its value as the system holds it.
ALTER TABLE index_records ADD COLUMN extra TEXT NOT NULL DEFAULT '{}';

-- A record's pairs are found from either side: a record arriving looks up the
-- decisions reviewers made on it.
CREATE INDEX index_reviews_right ON index_reviews (council_id, right_system, right_record);
