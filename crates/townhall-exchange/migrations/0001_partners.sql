-- The organisations the council shares data with, and the Ed25519 public
-- keys their requests are signed with (several at once while one replaces
-- another).
CREATE TABLE partners (
    council_id TEXT NOT NULL REFERENCES councils (council_id),
    partner_id TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    code TEXT,
    contact TEXT NOT NULL,
    dpo TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    PRIMARY KEY (council_id, partner_id)
);

CREATE TABLE partner_keys (
    council_id TEXT NOT NULL,
    key_id TEXT NOT NULL,
    partner_id TEXT NOT NULL,
    public_key TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (council_id, key_id),
    FOREIGN KEY (council_id, partner_id) REFERENCES partners (council_id, partner_id)
);

CREATE INDEX partner_keys_by_partner ON partner_keys (council_id, partner_id);
