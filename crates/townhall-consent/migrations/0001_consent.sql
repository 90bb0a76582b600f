CREATE TABLE consent_records (
    council_id TEXT NOT NULL,
    record_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    purpose_id TEXT NOT NULL,
    recipient_id TEXT NOT NULL,
    decision TEXT NOT NULL,
    valid_until TEXT,
    recorded_at TEXT NOT NULL,
    method TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    PRIMARY KEY (council_id, record_id),
    FOREIGN KEY (council_id, user_id) REFERENCES users (council_id, user_id)
);

CREATE INDEX consent_records_lookup ON consent_records (council_id, user_id, purpose_id, recipient_id, recorded_at);
