CREATE TABLE attachments (
    council_id TEXT NOT NULL REFERENCES councils (council_id),
    attachment_id TEXT NOT NULL,
    case_id TEXT,
    question_id TEXT,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    content BYTEA NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (council_id, attachment_id),
    FOREIGN KEY (council_id, case_id) REFERENCES cases (council_id, case_id)
);

CREATE INDEX attachments_case ON attachments (council_id, case_id);
