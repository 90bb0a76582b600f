-- Requests a client has made with an Idempotency-Key, so that a retry of the
-- same request (after a timeout, say) is answered with the case the first
-- made instead of making a second. `fingerprint` is a hash of what makes the
-- request the same one (its service, place and description).
CREATE TABLE idempotency_keys (
    council_id TEXT NOT NULL REFERENCES councils (council_id),
    client TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    case_id TEXT NOT NULL,
    reference TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (council_id, client, idempotency_key)
);

CREATE INDEX idempotency_keys_by_age ON idempotency_keys (council_id, client, created_at);
