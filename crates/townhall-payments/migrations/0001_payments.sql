CREATE TABLE payments (
    council_id TEXT NOT NULL REFERENCES councils (council_id),
    payment_id TEXT NOT NULL,
    service_id TEXT NOT NULL,
    amount_pence BIGINT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    provider TEXT NOT NULL,
    provider_ref TEXT,
    resident_id TEXT,
    draft TEXT NOT NULL,
    case_id TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (council_id, payment_id)
);

CREATE INDEX payments_case ON payments (council_id, case_id);
