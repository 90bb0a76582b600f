-- Where each partner's webhooks go.
CREATE TABLE hub_webhooks (
    council_id TEXT NOT NULL,
    partner_id TEXT NOT NULL,
    url TEXT NOT NULL,
    set_at TEXT NOT NULL,
    PRIMARY KEY (council_id, partner_id),
    FOREIGN KEY (council_id, partner_id) REFERENCES partners (council_id, partner_id)
);

-- Messages the council sends partners: queued with the audit entry that
-- shares them, tried until delivered (then their content is forgotten) or
-- given up on (a dead letter, kept to be sent again).
CREATE TABLE hub_deliveries (
    council_id TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    partner_id TEXT NOT NULL,
    url TEXT NOT NULL,
    record_type TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_at TEXT NOT NULL,
    last_error TEXT,
    delivered_at TEXT,
    dead_at TEXT,
    PRIMARY KEY (council_id, delivery_id)
);

CREATE INDEX hub_deliveries_due ON hub_deliveries (council_id, next_at);
