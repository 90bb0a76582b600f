-- The single resident index: people as each source system holds them, the
-- person each record was last linked to, the pairs waiting for (or given) a
-- reviewer's decision, and the model of the last run.
CREATE TABLE index_records (
    council_id TEXT NOT NULL REFERENCES councils (council_id),
    system TEXT NOT NULL,
    record_id TEXT NOT NULL,
    first_name TEXT NOT NULL,
    surname TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,
    postcode TEXT NOT NULL,
    address TEXT NOT NULL,
    town TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT NOT NULL,
    account_id TEXT,
    search_key TEXT NOT NULL,
    person_id TEXT,
    probability DOUBLE PRECISION,
    imported_at TEXT NOT NULL,
    PRIMARY KEY (council_id, system, record_id)
);

CREATE INDEX index_records_person ON index_records (council_id, person_id);
CREATE INDEX index_records_search ON index_records (council_id, search_key);

CREATE TABLE index_reviews (
    council_id TEXT NOT NULL REFERENCES councils (council_id),
    review_id TEXT NOT NULL,
    left_system TEXT NOT NULL,
    left_record TEXT NOT NULL,
    right_system TEXT NOT NULL,
    right_record TEXT NOT NULL,
    probability DOUBLE PRECISION NOT NULL,
    explanation TEXT NOT NULL,
    decision TEXT,
    decided_by TEXT,
    decided_at TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (council_id, review_id),
    UNIQUE (council_id, left_system, left_record, right_system, right_record)
);

CREATE INDEX index_reviews_open ON index_reviews (council_id, decision, probability);

CREATE TABLE index_runs (
    council_id TEXT NOT NULL REFERENCES councils (council_id),
    run_at TEXT NOT NULL,
    records BIGINT NOT NULL,
    pairs BIGINT NOT NULL,
    links BIGINT NOT NULL,
    persons BIGINT NOT NULL,
    review BIGINT NOT NULL,
    model TEXT NOT NULL,
    PRIMARY KEY (council_id, run_at)
);
