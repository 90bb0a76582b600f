-- Domain events, numbered per council in commit order: the counter row is
-- updated in the transaction that writes the event, so a later number is
-- never committed before an earlier one.
CREATE TABLE domain_events (
    council_id TEXT NOT NULL REFERENCES councils (council_id),
    seq BIGINT NOT NULL,
    event_type TEXT NOT NULL,
    subject TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (council_id, seq)
);

CREATE TABLE event_counters (
    council_id TEXT NOT NULL PRIMARY KEY REFERENCES councils (council_id),
    last BIGINT NOT NULL
);

-- How far each subscriber has read each council's events.
CREATE TABLE event_checkpoints (
    subscriber TEXT NOT NULL,
    council_id TEXT NOT NULL REFERENCES councils (council_id),
    position BIGINT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (subscriber, council_id)
);
