CREATE TABLE audit_heads (
    council_id TEXT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);

CREATE TABLE audit_log (
    council_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    at TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_label TEXT NOT NULL,
    on_behalf_of TEXT,
    subject_id TEXT,
    record TEXT NOT NULL,
    fields TEXT NOT NULL,
    action TEXT NOT NULL,
    purpose TEXT NOT NULL,
    outcome TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (council_id, seq)
);

CREATE INDEX audit_log_subject ON audit_log (council_id, subject_id, seq);
