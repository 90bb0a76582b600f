-- What partners sent the council through the hub: each record, as the
-- agreement it came under allowed it, kept for the council's services (and
-- the triggers that read it through the hub) to act on.
CREATE TABLE hub_received (
    council_id TEXT NOT NULL REFERENCES councils (council_id),
    received_id TEXT NOT NULL,
    partner_id TEXT NOT NULL,
    agreement_id TEXT NOT NULL,
    purpose TEXT NOT NULL,
    person_id TEXT NOT NULL,
    record_type TEXT NOT NULL,
    fields TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (council_id, received_id)
);

CREATE INDEX hub_received_by_person ON hub_received (council_id, person_id);
